from django.contrib import admin
from django.forms.models import BaseInlineFormSet

from alliance.admin_base import CuratedAdmin, CuratedInline
from guidelines.models import Edition, OperationRole, Provision


@admin.register(Edition)
class EditionAdmin(CuratedAdmin):
    list_display = ["year", "title_ja", "adopted_on", "status"]
    search_fields = ["title_ja", "title_en", "summary_ja", "summary_en"]
    autocomplete_fields = ["source", "date_source"]


class OperationRoleInline(CuratedInline, admin.StackedInline):
    model = OperationRole
    fk_name = "provision"
    extra = 0
    autocomplete_fields = ["parent", "source"]


class ChildrenFormSet(BaseInlineFormSet):
    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.edition_id = self.instance.edition_id  # a child is in its parent's edition
        return form


class ChildInline(CuratedInline, admin.TabularInline):
    """A provision's children, in order: their place in the tree at a glance; their text on their own page."""

    model = Provision
    formset = ChildrenFormSet
    fk_name = "parent"
    fields = ["position", "label", "path", "kind", "heading_ja", "heading_en"]
    extra = 0
    show_change_link = True
    verbose_name = "child provision"
    verbose_name_plural = "child provisions"


@admin.register(Provision)
class ProvisionAdmin(CuratedAdmin):
    search_kind = "provision"
    list_display = ["path", "edition", "kind", "label", "heading_ja"]
    list_filter = ["edition", "kind", "topics"]
    list_select_related = ["edition"]
    search_fields = ["path", "heading_ja", "heading_en", "text_ja", "text_en"]
    autocomplete_fields = ["edition", "parent", "topics", "source"]
    inlines = [ChildInline, OperationRoleInline]


@admin.register(OperationRole)
class OperationRoleAdmin(CuratedAdmin):
    list_display = ["operation_ja", "operation_en", "provision", "position"]
    list_select_related = ["provision__edition"]
    search_fields = ["operation_ja", "operation_en", "joint_ja", "sdf_ja", "us_ja"]
    autocomplete_fields = ["provision", "parent", "source"]
