from django.contrib import admin
from django.db import models

from alliance.admin_base import CuratedAdmin
from documents.models import Document


@admin.register(Document)
class DocumentAdmin(CuratedAdmin):
    list_display = ["date", "title", "publisher", "language", "kind", "url"]
    list_filter = ["publisher", "language", "kind"]
    list_select_related = ["publisher"]
    search_fields = ["title", "url", "note_ja", "note_en", "meetings__slug", "meetings__title_ja", "meetings__title_en"]
    date_hierarchy = "date"
    autocomplete_fields = ["publisher", "meetings", "bodies", "editions", "provisions"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["url", "title", "publisher", "language", "kind", "date"]}),
        ("What it is about", {"fields": ["meetings", "bodies", "editions", "provisions"]}),
        ("Curator's note", {"fields": ["note_ja", "note_en"], "classes": ["collapse"]}),
    ]
