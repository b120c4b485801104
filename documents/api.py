"""/api/v1/documents/: the primary sources, filterable by publisher, language, kind and what they
are about; and the short form every meeting carries in its `documents`."""

import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, viewsets

from alliance.models import ConsultationBody, Organization
from documents.models import Document
from guidelines.models import Edition
from meetings.models import Meeting


class DocumentBriefSerializer(serializers.ModelSerializer):
    """A document as a meeting lists it."""

    publisher = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    publisher_ja = serializers.CharField(source="publisher.name_ja")
    publisher_en = serializers.CharField(source="publisher.name_en")

    class Meta:
        model = Document
        fields = ["url", "title", "publisher", "publisher_ja", "publisher_en", "language", "kind", "date"]


class DocumentSerializer(DocumentBriefSerializer):
    meetings = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    bodies = serializers.SlugRelatedField(slug_field="abbreviation", many=True, read_only=True)
    editions = serializers.SlugRelatedField(slug_field="year", many=True, read_only=True)
    provisions = serializers.SerializerMethodField()

    class Meta(DocumentBriefSerializer.Meta):
        fields = ["id", *DocumentBriefSerializer.Meta.fields, "note_ja", "note_en", "meetings", "bodies", "editions",
                  "provisions"]

    def get_provisions(self, document) -> list[str]:
        """Each as "2015:IV.C.2" (edition year and path), as a meeting's outcome items write them."""
        return [f"{provision.edition.year}:{provision.path}" for provision in document.provisions.all()]


class DocumentFilter(django_filters.FilterSet):
    publisher = django_filters.ModelChoiceFilter(
        label=_("Publisher"), queryset=Organization.objects.all(), to_field_name="slug",
        help_text="The publisher's slug, as /api/v1/organizations/ lists them: mofa, mod, white-house, "
                  "department-of-state, department-of-defense…")
    language = django_filters.ChoiceFilter(label=_("Language"), choices=Document.Language.choices, help_text="ja or en.")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Document.Kind.choices)
    meeting = django_filters.ModelChoiceFilter(field_name="meetings", queryset=lambda request: Meeting.objects.visible_to(request and request.user),
                                               to_field_name="slug", help_text="A meeting's slug: the documents about it.")
    body = django_filters.ModelChoiceFilter(field_name="bodies", queryset=ConsultationBody.objects.all(),
                                            to_field_name="abbreviation", help_text="A body's abbreviation, e.g. SCC.")
    edition = django_filters.ModelChoiceFilter(field_name="editions", queryset=Edition.objects.all(), to_field_name="year",
                                               help_text="A Guidelines edition's year: its official texts.")
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte", help_text="On or after (YYYY-MM-DD).")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte", help_text="On or before (YYYY-MM-DD).")

    class Meta:
        model = Document
        fields = ["publisher", "language", "kind", "meeting", "body", "edition", "date_after", "date_before"]


class DocumentViewSet(viewsets.ReadOnlyModelViewSet):
    """The governments' own documents about the records (official readouts, joint statements, fact
    sheets, press conferences, official texts), oldest first, each at the address it was seen at."""

    serializer_class = DocumentSerializer
    filterset_class = DocumentFilter

    def get_queryset(self):
        return Document.objects.with_details(self.request.user)  # in the model's order: by date
