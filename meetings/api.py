from django.conf import settings
from django.core.exceptions import ValidationError as ModelValidationError
from django.db import transaction
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from alliance import versions
from alliance.api import SourceSerializer
from alliance.models import ConsultationBody, Person, Place, Post, Source, Topic
from alliance.rest import SearchPagination, SlugRelatedField, wants_csv
from alliance.search.index import reindex_once
from documents.api import DocumentBriefSerializer
from meetings import exports
from meetings.filters import MeetingFilter
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
    documents = DocumentBriefSerializer(many=True, read_only=True,
                                        help_text="Primary sources: the governments' own readouts, statements and texts about "
                                                  "the meeting (all of them, with filters, at /api/v1/documents/?meeting=<slug>).")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = ["id", "slug", "date", "date_precision", "kind", "status", "state", "body", "place", "title_ja", "title_en",
                  "title_composed", "printed_ja", "notes_ja", "notes_en", "attendees", "outcomes", "documents", "en_unofficial",
                  "source", "url"]

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
        if not year.isdecimal() or not path or "\x00" in path:
            self.fail("invalid")
        provision = Provision.objects.filter(edition__year=int(year), path=path).first()
        if provision is None:
            self.fail("missing", value=data)
        return provision

    def to_representation(self, provision):
        return f"{provision.edition.year}:{provision.path}"


class WholeRowSerializer(serializers.ModelSerializer):
    """A row of a meeting, given whole even in a PATCH of the meeting (DRF's partial reaches nested
    rows, which would let a row without its position or text through)."""

    whole_fields = ()

    def validate(self, attrs):
        missing = [name for name in self.whole_fields if name not in attrs]
        if missing:
            raise ValidationError({name: ["This field is required."] for name in missing})
        return attrs


class AttendeeWriteSerializer(WholeRowSerializer):
    whole_fields = ("position", "side", "label_ja", "label_en")
    person = SlugRelatedField(slug_field="slug", queryset=Person.objects.all(), allow_null=True, required=False)
    post = SlugRelatedField(slug_field="slug", queryset=Post.objects.all(), allow_null=True, required=False)

    class Meta:
        model = Attendance
        fields = ["position", "side", "person", "post", "label_ja", "label_en", "label_printed"]


class OutcomeWriteSerializer(WholeRowSerializer):
    whole_fields = ("position", "voice", "text_ja", "text_en")
    topics = SlugRelatedField(slug_field="slug", queryset=Topic.objects.all(), many=True, required=False)
    provisions = serializers.ListField(child=ProvisionReferenceField(), required=False)

    class Meta:
        model = Outcome
        fields = ["position", "voice", "text_ja", "text_en", "text_printed", "curator_note_ja", "curator_note_en", "topics",
                  "provisions", "en_unofficial"]


class MeetingWriteSerializer(serializers.ModelSerializer):
    """A meeting with its attendees and outcome items, written in one request, all or nothing."""

    body = SlugRelatedField(slug_field="abbreviation", queryset=ConsultationBody.objects.all(),
                                        allow_null=True, required=False)
    place = SlugRelatedField(slug_field="slug", queryset=Place.objects.all(), allow_null=True, required=False)
    source = SlugRelatedField(slug_field="slug", queryset=Source.objects.all())
    attendees = AttendeeWriteSerializer(many=True, required=False)
    outcomes = OutcomeWriteSerializer(many=True, required=False)

    class Meta:
        model = Meeting
        fields = ["slug", "date", "date_precision", "kind", "status", "state", "body", "place", "title_ja", "title_en",
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


IF_MATCH = OpenApiParameter(
    "If-Match", location=OpenApiParameter.HEADER, required=False,
    description="The ETag of the meeting as you loaded it: the write is refused (412) if someone changed it since.")


def shown(meeting, context):
    """The meeting as the API shows it, less its address: what its ETag stands for."""
    data = MeetingSerializer(meeting, context=context).data
    data.pop("url", None)
    return data


ROWS = OpenApiParameter(
    "rows", enum=list(exports.EXPORTS), required=False,
    description="With format=csv: one row per meeting (`meetings`, the default) or per outcome item (`outcomes`). "
                "The CSV is streamed, flat (a meeting's attendees and items joined by ` | ` in one cell), and holds "
                "every match up to 10,000 meetings unless `page`/`page_size` ask for fewer.")


@extend_schema_view(update=extend_schema(parameters=[IF_MATCH]), partial_update=extend_schema(parameters=[IF_MATCH]),
                    destroy=extend_schema(parameters=[IF_MATCH]), list=extend_schema(parameters=[ROWS]))
class MeetingViewSet(viewsets.ModelViewSet):
    """Meetings, newest first, or by relevance to `q`; every filter of the search page.

    Curators with the model's permissions create, replace (PUT), amend (PATCH) and delete
    meetings with their attendees and outcome items in one request. A record comes with an
    ETag; a write that sends it back in If-Match is refused with 412, saying what changed, when
    someone else saved the meeting in between.
    """

    queryset = Meeting.objects.with_details()
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    pagination_class = SearchPagination
    lookup_field = "slug"

    def get_queryset(self):
        return Meeting.objects.visible_to(self.request.user).with_details()

    def get_serializer_class(self):
        return MeetingWriteSerializer if self.action in ("create", "update", "partial_update") else MeetingSerializer

    def filter_queryset(self, queryset):
        # The filters select a list; a record is addressed by its slug alone.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_object(self):
        if self.action in ("update", "partial_update", "destroy"):
            # Writers queue on the meeting's row until the one before has committed, then see its work.
            list(Meeting.objects.select_for_update().filter(**{self.lookup_field: self.kwargs[self.lookup_field]})
                 .values_list("pk", flat=True))
        return super().get_object()

    def list(self, request, *args, **kwargs):
        if not wants_csv(request):
            return super().list(request, *args, **kwargs)
        return self.export(request)

    def export(self, request):
        """The matches as a streamed CSV, one meeting (or one outcome item) a row."""
        rows = request.query_params.get("rows") or "meetings"
        if rows not in exports.EXPORTS:
            raise ValidationError({"rows": [f"one of {', '.join(exports.EXPORTS)}"]})
        results = self.filter_queryset(self.get_queryset())  # a 400 naming any filter it cannot read
        size = self.paginator.get_page_size(request)  # a 400 for a page or size that is not a positive number
        start = (int(request.query_params.get(self.paginator.page_query_param) or 1) - 1) * size
        ids = results.ids_between(start, start + size)
        return exports.streamed(exports.EXPORTS[rows], ids, request.build_absolute_uri, f"{rows}.csv")

    def with_version(self, response, meeting):
        response["ETag"] = f'"{versions.remember(shown(meeting, self.get_serializer_context()))}"'
        return response

    def retrieve(self, request, *args, **kwargs):
        meeting = self.get_object()
        return self.with_version(Response(MeetingSerializer(meeting, context=self.get_serializer_context()).data), meeting)

    def stale(self, meeting):
        """A 412 when the request's If-Match is not the meeting's version now; None when it is, or absent."""
        wanted = self.request.headers.get("If-Match", "").strip()
        if not wanted or wanted == "*":
            return None
        state = shown(meeting, self.get_serializer_context())
        tags = {tag.strip().removeprefix("W/").strip('"') for tag in wanted.split(",")}
        if versions.tag_of(state) in tags:
            return None
        message = versions.stale_message(next(iter(tags)), state)
        return self.with_version(Response({"detail": message, "current": state}, status=status.HTTP_412_PRECONDITION_FAILED),
                                 meeting)

    @transaction.atomic
    def update(self, request, *args, **kwargs):
        meeting = self.get_object()
        refused = self.stale(meeting)
        if refused is not None:
            return refused
        serializer = self.get_serializer(meeting, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        fresh = Meeting.objects.with_details().get(pk=serializer.save().pk)
        return self.with_version(Response(MeetingSerializer(fresh, context=self.get_serializer_context()).data), fresh)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @transaction.atomic
    def destroy(self, request, *args, **kwargs):
        meeting = self.get_object()
        refused = self.stale(meeting)
        if refused is not None:
            return refused
        with reindex_once():  # the cascade's rows reindex what they touch once, not row by row
            meeting.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
