from rest_framework import serializers, viewsets

import django_filters

from alliance.api import SourceSerializer
from guidelines.models import Edition, OperationRole, Provision


class EditionSerializer(serializers.ModelSerializer):
    source = SourceSerializer()

    class Meta:
        model = Edition
        fields = ["year", "title_ja", "title_en", "adopted_on", "status", "summary_ja", "summary_en", "en_unofficial", "source"]


class OperationRoleSerializer(serializers.ModelSerializer):
    parent = serializers.IntegerField(source="parent.position", default=None, allow_null=True)

    class Meta:
        model = OperationRole
        fields = ["position", "parent", "operation_ja", "operation_en", "joint_ja", "joint_en", "sdf_ja", "sdf_en",
                  "us_ja", "us_en", "text_printed"]


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
    edition = django_filters.ModelChoiceFilter(queryset=Edition.objects.all(), to_field_name="year",
                                               help_text="Edition year: 1978, 1997 or 2015.")
    path = django_filters.CharFilter(help_text="Exact path, e.g. IV.C.2.")
    path_prefix = django_filters.CharFilter(field_name="path", lookup_expr="startswith",
                                            help_text="Every provision under a path, e.g. IV.C.")

    class Meta:
        model = Provision
        fields = ["edition", "path", "path_prefix"]


class EditionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Edition.objects.select_related("source__publication").order_by("-year")
    serializer_class = EditionSerializer
    lookup_field = "year"


class ProvisionViewSet(viewsets.ReadOnlyModelViewSet):
    """Provisions of the Guidelines in tree order (by edition and path), with parent and children."""

    serializer_class = ProvisionSerializer
    filterset_class = ProvisionFilter

    def get_queryset(self):
        return Provision.objects.with_details().order_by("-edition__year", "path")
