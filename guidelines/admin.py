from django.contrib import admin

from alliance.admin_base import CuratedAdmin
from guidelines.models import Edition, OperationRole, Provision


@admin.register(Edition)
class EditionAdmin(CuratedAdmin):
    list_display = ["year", "title_ja", "adopted_on", "status"]
    search_fields = ["title_ja", "title_en", "summary_ja", "summary_en"]
    autocomplete_fields = ["source"]


class OperationRoleInline(admin.StackedInline):
    model = OperationRole
    fk_name = "provision"
    extra = 0
    autocomplete_fields = ["parent", "source"]


@admin.register(Provision)
class ProvisionAdmin(CuratedAdmin):
    search_kind = "provision"
    list_display = ["path", "edition", "kind", "label", "heading_ja"]
    list_filter = ["edition", "kind", "topics"]
    list_select_related = ["edition"]
    search_fields = ["path", "heading_ja", "heading_en", "text_ja", "text_en"]
    autocomplete_fields = ["edition", "parent", "topics", "source"]
    inlines = [OperationRoleInline]


@admin.register(OperationRole)
class OperationRoleAdmin(CuratedAdmin):
    list_display = ["operation_ja", "operation_en", "provision", "position"]
    list_select_related = ["provision"]
    search_fields = ["operation_ja", "operation_en", "joint_ja", "sdf_ja", "us_ja"]
    autocomplete_fields = ["provision", "parent", "source"]
