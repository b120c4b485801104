from django.conf import settings
from django.core.exceptions import ValidationError as ModelValidationError
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError

from alliance.api import SourceSerializer
from alliance.rest import SearchPagination
from meetings.filters import MeetingFilter
from alliance.models import ConsultationBody, Person, Place, Post, Source, Topic
from guidelines.models import Provision
from meetings.models import Attendance, Meeting, Outcome
from meetings.services import save_meeting


class PlaceSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name_ja = serializers.CharField()
    name_en = serializers.CharField()
    country = serializers.CharField()


class AttendeeSerializer(serializers.ModelSerializer):
    person = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    name_ja = serializers.CharField(source="person.name_ja", default=None, allow_null=True)
    name_en = serializers.CharField(source="person.name_en", default=None, allow_null=True)
    post = serializers.CharField(source="post.title_en", default=None, allow_null=True)
    post_ja = serializers.CharField(source="post.title_ja", default=None, allow_null=True)

    class Meta:
        model = Attendance
        fields = ["position", "side", "person", "name_ja", "name_en", "post", "post_ja", "label_ja", "label_en", "label_printed"]


class OutcomeSerializer(serializers.ModelSerializer):
    topics = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    provisions = serializers.SlugRelatedField(slug_field="path", many=True, read_only=True)

    class Meta:
        model = Outcome
        fields = ["position", "voice", "text_ja", "text_en", "text_printed", "curator_note_ja", "curator_note_en", "topics",
                  "provisions", "en_unofficial"]


class MeetingSerializer(serializers.ModelSerializer):
    body = serializers.SlugRelatedField(slug_field="abbreviation", read_only=True, allow_null=True)
    place = PlaceSerializer(allow_null=True)
    attendees = AttendeeSerializer(source="attendances", many=True)
    outcomes = OutcomeSerializer(many=True)
    source = SourceSerializer()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = ["id", "slug", "date", "date_precision", "kind", "status", "body", "place", "title_ja", "title_en",
                  "title_composed", "printed_ja", "notes_ja", "notes_en", "attendees", "outcomes", "en_unofficial", "source", "url"]

    def get_url(self, meeting) -> str:
        """The meeting's permalink, at its plain (Japanese) address whatever language the client reads."""
        request = self.context.get("request")
        with translation.override(settings.LANGUAGE_CODE):
            url = meeting.get_absolute_url()
        return request.build_absolute_uri(url) if request else url


@extend_schema_field(OpenApiTypes.STR)
class ProvisionReferenceField(serializers.Field):
    """A guideline provision as "2015:IV.C.2" (edition year and path)."""

    default_error_messages = {"invalid": 'Give a provision as "YEAR:PATH", e.g. "2015:IV.C.2".',
                              "missing": "No provision {value}."}

    def to_internal_value(self, data):
        year, _, path = str(data).partition(":")
        if not year.isdigit() or not path:
            self.fail("invalid")
        provision = Provision.objects.filter(edition__year=int(year), path=path).first()
        if provision is None:
            self.fail("missing", value=data)
        return provision

    def to_representation(self, provision):
        return f"{provision.edition.year}:{provision.path}"


class AttendeeWriteSerializer(serializers.ModelSerializer):
    person = serializers.SlugRelatedField(slug_field="slug", queryset=Person.objects.all(), allow_null=True, required=False)
    post = serializers.SlugRelatedField(slug_field="slug", queryset=Post.objects.all(), allow_null=True, required=False)

    class Meta:
        model = Attendance
        fields = ["position", "side", "person", "post", "label_ja", "label_en", "label_printed"]


class OutcomeWriteSerializer(serializers.ModelSerializer):
    topics = serializers.SlugRelatedField(slug_field="slug", queryset=Topic.objects.all(), many=True, required=False)
    provisions = serializers.ListField(child=ProvisionReferenceField(), required=False)

    class Meta:
        model = Outcome
        fields = ["position", "voice", "text_ja", "text_en", "text_printed", "curator_note_ja", "curator_note_en", "topics",
                  "provisions", "en_unofficial"]


class MeetingWriteSerializer(serializers.ModelSerializer):
    """A meeting with its attendees and outcome items, written in one request, all or nothing."""

    body = serializers.SlugRelatedField(slug_field="abbreviation", queryset=ConsultationBody.objects.all(),
                                        allow_null=True, required=False)
    place = serializers.SlugRelatedField(slug_field="slug", queryset=Place.objects.all(), allow_null=True, required=False)
    source = serializers.SlugRelatedField(slug_field="slug", queryset=Source.objects.all())
    attendees = AttendeeWriteSerializer(many=True, required=False)
    outcomes = OutcomeWriteSerializer(many=True, required=False)

    class Meta:
        model = Meeting
        fields = ["slug", "date", "date_precision", "kind", "status", "body", "place", "title_ja", "title_en",
                  "title_composed", "printed_ja", "notes_ja", "notes_en", "en_unofficial", "source", "attendees", "outcomes"]

    def _save(self, meeting, validated):
        # rows not given are left as they are (a partial update names only what it changes)
        attendances = validated.pop("attendees", None)
        outcomes = validated.pop("outcomes", None)
        if meeting is None:
            attendances, outcomes = attendances or [], outcomes or []
        try:
            return save_meeting(meeting=meeting, fields=validated, attendances=attendances, outcomes=outcomes)
        except ModelValidationError as error:
            raise ValidationError(error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages})

    def create(self, validated):
        return self._save(None, validated)

    def update(self, meeting, validated):
        return self._save(meeting, validated)

    def to_representation(self, meeting):
        fresh = Meeting.objects.with_details().get(pk=meeting.pk)
        return MeetingSerializer(fresh, context=self.context).data


class MeetingViewSet(viewsets.ModelViewSet):
    """Meetings, newest first, or by relevance to `q`; every filter of the search page.

    Curators with the model's permissions create, replace (PUT), amend (PATCH) and delete
    meetings with their attendees and outcome items in one request.
    """

    queryset = Meeting.objects.with_details()
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    pagination_class = SearchPagination
    lookup_field = "slug"

    def get_serializer_class(self):
        return MeetingWriteSerializer if self.action in ("create", "update", "partial_update") else MeetingSerializer

    def filter_queryset(self, queryset):
        # The filters select a list; a record is addressed by its slug alone.
        return super().filter_queryset(queryset) if self.action == "list" else queryset
