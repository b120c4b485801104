from django.contrib import admin
from django.db import models

from alliance.admin_base import CuratedAdmin, CuratedInline
from alliance.models import (
    Article,
    BodyNote,
    BodyParticipant,
    ConsultationBody,
    LegalInstrument,
    Organization,
    Person,
    Place,
    Post,
    Publication,
    Source,
    Tenure,
    Topic,
)


@admin.register(Publication)
class PublicationAdmin(CuratedAdmin):
    list_display = ["title_ja", "title_en", "year"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    search_fields = ["title_ja", "title_en", "slug"]


@admin.register(Source)
class SourceAdmin(CuratedAdmin):
    list_display = ["slug", "publication", "figure", "page", "locator_ja"]
    list_filter = ["publication", "figure"]
    list_select_related = ["publication"]
    search_fields = ["slug", "figure", "locator_ja", "locator_en"]
    autocomplete_fields = ["publication"]


class TenureInline(CuratedInline, admin.TabularInline):
    model = Tenure
    extra = 0
    autocomplete_fields = ["post", "source"]


@admin.register(Person)
class PersonAdmin(CuratedAdmin):
    search_kind = "person"
    list_display = ["name_ja", "name_en", "name_kana", "country"]
    list_filter = ["country"]
    search_fields = ["name_ja", "name_en", "name_kana", "slug"]
    autocomplete_fields = ["source"]
    inlines = [TenureInline]


@admin.register(Post)
class PostAdmin(CuratedAdmin):
    list_display = ["title_ja", "title_en", "organization", "country"]
    list_filter = ["country"]
    list_select_related = ["organization"]
    search_fields = ["title_ja", "title_en", "slug"]
    autocomplete_fields = ["organization", "source"]


@admin.register(Tenure)
class TenureAdmin(CuratedAdmin):
    list_display = ["person", "post", "start", "end"]
    list_select_related = ["person", "post"]
    search_fields = ["person__name_ja", "person__name_en", "post__title_ja", "post__title_en"]
    autocomplete_fields = ["person", "post", "source"]


@admin.register(Organization)
class OrganizationAdmin(CuratedAdmin):
    list_display = ["name_ja", "name_en", "abbreviation", "country", "parent"]
    list_filter = ["country"]
    list_select_related = ["parent"]
    search_fields = ["name_ja", "name_en", "abbreviation", "slug"]
    autocomplete_fields = ["parent", "source"]


@admin.register(Topic)
class TopicAdmin(CuratedAdmin):
    list_display = ["slug", "name_ja", "name_en"]
    search_fields = ["slug", "name_ja", "name_en"]
    autocomplete_fields = ["source"]


@admin.register(Place)
class PlaceAdmin(CuratedAdmin):
    list_display = ["name_ja", "name_en", "country"]
    list_filter = ["country"]
    search_fields = ["name_ja", "name_en", "slug"]
    autocomplete_fields = ["source"]


class ArticleInline(CuratedInline, admin.StackedInline):
    model = Article
    extra = 0
    autocomplete_fields = ["source"]


@admin.register(LegalInstrument)
class LegalInstrumentAdmin(CuratedAdmin):
    list_display = ["short_name_ja", "short_name_en", "signed_on"]
    search_fields = ["name_ja", "name_en", "short_name_ja", "short_name_en", "abbreviation"]
    autocomplete_fields = ["source", "date_source"]
    inlines = [ArticleInline]


@admin.register(Article)
class ArticleAdmin(CuratedAdmin):
    list_display = ["__str__", "label_ja"]
    list_select_related = ["instrument"]
    search_fields = ["label_ja", "label_en", "summary_ja", "summary_en", "instrument__short_name_en"]
    autocomplete_fields = ["instrument", "source"]


class BodyParticipantInline(CuratedInline, admin.TabularInline):
    model = BodyParticipant
    extra = 0
    autocomplete_fields = ["post", "organization", "source"]


class BodyNoteInline(CuratedInline, admin.TabularInline):
    model = BodyNote
    extra = 0
    autocomplete_fields = ["source"]


@admin.register(ConsultationBody)
class ConsultationBodyAdmin(CuratedAdmin):
    search_kind = "body"
    list_display = ["abbreviation", "name_ja", "name_en", "established_on", "parent"]
    list_select_related = ["parent"]
    search_fields = ["abbreviation", "name_ja", "name_en"]
    autocomplete_fields = ["parent", "legal_articles", "source"]
    inlines = [BodyParticipantInline, BodyNoteInline]
