from django.db.models import Prefetch
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from alliance.api import SourceSerializer
from alliance.rest import wants_csv
from alliance.search.service import search
from meetings.filters import MeetingFilter
from meetings.models import Attendance, Meeting, Outcome


class PlaceSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name_ja = serializers.CharField()
    name_en = serializers.CharField()
    country = serializers.CharField()


class AttendeeSerializer(serializers.ModelSerializer):
    person = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    name_ja = serializers.CharField(source="person.name_ja", default=None)
    name_en = serializers.CharField(source="person.name_en", default=None)
    post = serializers.CharField(source="post.title_en", default=None)
    post_ja = serializers.CharField(source="post.title_ja", default=None)

    class Meta:
        model = Attendance
        fields = ["position", "side", "person", "name_ja", "name_en", "post", "post_ja", "label_ja", "label_en", "label_printed"]


class OutcomeSerializer(serializers.ModelSerializer):
    topics = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    provisions = serializers.SlugRelatedField(slug_field="path", many=True, read_only=True)

    class Meta:
        model = Outcome
        fields = ["position", "voice", "text_ja", "text_en", "text_printed", "topics", "provisions", "en_unofficial"]


class MeetingSerializer(serializers.ModelSerializer):
    body = serializers.SlugRelatedField(slug_field="abbreviation", read_only=True)
    place = PlaceSerializer(allow_null=True)
    attendees = AttendeeSerializer(source="attendances", many=True)
    outcomes = OutcomeSerializer(many=True)
    source = SourceSerializer()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = ["id", "slug", "date", "date_precision", "kind", "status", "body", "place", "title_ja", "title_en",
                  "printed_ja", "notes_ja", "notes_en", "attendees", "outcomes", "en_unofficial", "source", "url"]

    def get_url(self, meeting) -> str:
        request = self.context.get("request")
        url = meeting.get_absolute_url()
        return request.build_absolute_uri(url) if request else url


class MeetingViewSet(viewsets.ReadOnlyModelViewSet):
    """Meetings, newest first, or by relevance to `q`; every filter of the search page."""

    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    lookup_field = "slug"

    def get_queryset(self):
        return Meeting.objects.select_related("body", "place", "source__publication").prefetch_related(
            Prefetch("attendances", Attendance.objects.select_related("person", "post")),
            Prefetch("outcomes", Outcome.objects.prefetch_related("topics", "provisions")),
        )

    def list(self, request, *args, **kwargs):
        filterset = MeetingFilter(request.query_params, queryset=Meeting.objects.none(), request=request)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        paginator = self.paginator
        try:
            page = int(request.query_params.get(paginator.page_query_param, 1))
            page_size = int(request.query_params.get(paginator.page_size_query_param) or paginator.page_size)
            if page < 1 or page_size < 1:
                raise ValueError
        except ValueError:
            raise ValidationError({paginator.page_query_param: ["page and page_size are positive whole numbers"]})
        page_size = min(page_size, paginator.max_page_size) if not wants_csv(request) else paginator.get_page_size(request)
        result = search(**filterset.search_arguments(), page=page, per_page=page_size, queryset=self.get_queryset())
        url = request.build_absolute_uri()
        return Response({
            "count": result.count,
            "next": replace_query_param(url, paginator.page_query_param, page + 1) if result.has_next else None,
            "previous": (replace_query_param(url, paginator.page_query_param, page - 1) if page > 2
                         else remove_query_param(url, paginator.page_query_param)) if page > 1 else None,
            "messages": result.messages,
            "results": self.get_serializer(result.objects, many=True).data,
        })
