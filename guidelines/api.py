from rest_framework import serializers, viewsets

import django_filters

from alliance.api import SourceSerializer
from alliance.search.service import MAX_SLICE, search
from guidelines.models import Edition, OperationRole, Provision


class EditionSerializer(serializers.ModelSerializer):
    source = SourceSerializer()
    date_source = SourceSerializer(allow_null=True, help_text="Where the day of adoption comes from, when the source gives only the year.")

    class Meta:
        model = Edition
        fields = ["year", "title_ja", "title_en", "adopted_on", "date_source", "status", "summary_ja", "summary_en",
                  "en_unofficial", "source"]


class OperationRoleSerializer(serializers.ModelSerializer):
    parent = serializers.IntegerField(source="parent.position", default=None, allow_null=True)

    class Meta:
        model = OperationRole
        fields = ["position", "parent", "operation_ja", "operation_en", "joint_ja", "joint_en", "sdf_ja", "sdf_en",
                  "us_ja", "us_en", "text_printed", "curator_note_ja", "curator_note_en"]


class ProvisionSerializer(serializers.ModelSerializer):
    edition = serializers.IntegerField(source="edition.year")
    parent = serializers.CharField(source="parent.path", default=None, allow_null=True)
    children = serializers.SlugRelatedField(slug_field="path", many=True, read_only=True)
    topics = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    operation_roles = OperationRoleSerializer(many=True)
    source = SourceSerializer()

    class Meta:
        model = Provision
        fields = ["edition", "path", "kind", "label", "parent", "children", "position", "heading_ja", "heading_en",
                  "text_ja", "text_en", "text_printed", "topics", "operation_roles", "en_unofficial", "source"]


class ProvisionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search_words",
                                  help_text="Words, as on /api/v1/meetings/: the provisions that hold them (in their "
                                            "text, heading, operations rows or topics), in tree order.")
    edition = django_filters.ModelChoiceFilter(queryset=Edition.objects.all(), to_field_name="year",
                                               help_text="Edition year: 1978, 1997 or 2015.")
    path = django_filters.CharFilter(help_text="Exact path, e.g. IV.C.2.")
    path_prefix = django_filters.CharFilter(field_name="path", lookup_expr="startswith",
                                            help_text="Every provision under a path, e.g. IV.C.")

    class Meta:
        model = Provision
        fields = ["q", "edition", "path", "path_prefix"]

    def search_words(self, queryset, name, value):
        """The provisions the search finds, kept in the queryset's (tree) order: a whole edition
        is a few hundred provisions at most, so every match is taken at once."""
        found = search(query=value, kind="provision", queryset=Provision.objects.only("pk"))
        return queryset.filter(pk__in=[provision.pk for provision in found[:MAX_SLICE]])


class EditionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Edition.objects.select_related("source__publication", "date_source__publication").order_by("-year")
    serializer_class = EditionSerializer
    lookup_field = "year"


class ProvisionViewSet(viewsets.ReadOnlyModelViewSet):
    """Provisions of the Guidelines in tree order (by edition and path), with parent and children."""

    serializer_class = ProvisionSerializer
    filterset_class = ProvisionFilter

    def get_queryset(self):
        return Provision.objects.with_details().order_by("-edition__year", "path")
