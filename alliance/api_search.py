"""/api/v1/search/: one query over every kind of record, each kind with its count and first hits
(the same selection as the site-wide search page, `alliance.site_search`)."""

from django import forms
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.views import APIView
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from alliance.api import BodySerializer, PersonSerializer
from alliance.search.highlight import highlight
from alliance.site_search import search_everything
from meetings.models import sees_drafts
from guidelines.api import ProvisionSerializer
from meetings.api import MeetingSerializer, OutcomeSerializer

KINDS = {"meeting": "meetings", "outcome": "outcomes", "provision": "provisions", "body": "bodies", "person": "people"}


class SearchForm(forms.Form):
    q = forms.CharField()  # a long query is cut by the parser, which says so, as on /api/v1/meetings/
    type = forms.MultipleChoiceField(choices=[(kind, kind) for kind in KINDS], required=False)
    page_size = forms.IntegerField(min_value=1, max_value=50, required=False)


class OutcomeHitSerializer(OutcomeSerializer):
    meeting = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    highlight_ja = serializers.SerializerMethodField()
    highlight_en = serializers.SerializerMethodField()
    highlight_printed = serializers.SerializerMethodField(
        help_text="The scan's text, marked, when the item was found only through what the scan misprinted.")

    class Meta(OutcomeSerializer.Meta):
        fields = ["meeting", *OutcomeSerializer.Meta.fields, "highlight_ja", "highlight_en", "highlight_printed"]

    def get_highlight_ja(self, outcome) -> str:
        return highlight(outcome.text_ja, self.context["query"]) or ""

    def get_highlight_printed(self, outcome) -> str:
        query = self.context["query"]
        if highlight(outcome.text_ja, query) or highlight(outcome.text_en, query):
            return ""
        return highlight(outcome.text_printed, query) or ""

    def get_highlight_en(self, outcome) -> str:
        return highlight(outcome.text_en, self.context["query"]) or ""


SERIALIZERS = {"meeting": MeetingSerializer, "outcome": OutcomeHitSerializer, "provision": ProvisionSerializer,
               "body": BodySerializer, "person": PersonSerializer}


def _group(serializer):
    """A kind's hits; present when the kind was searched (all kinds unless `type` narrows them)."""
    return inline_serializer(serializer.__name__ + "Hits", {
        "count": serializers.IntegerField(),
        "count_estimated": serializers.BooleanField(help_text="Whether `count` is an estimate (past about 10,000 matches)."),
        "results": serializer(many=True)}, required=False)


class SearchView(APIView):
    """Search meetings, outcome items, guideline provisions, bodies and people at once."""

    permission_classes = [AllowAny]  # it only reads

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True, description="Words, \"phrases\", -excluded, OR; Japanese or English."),
            OpenApiParameter("type", str, many=True, enum=list(KINDS), description="Only these kinds (repeatable)."),
            OpenApiParameter("page_size", int, description="Hits per kind, 1–50 (default 5)."),
        ],
        responses=inline_serializer("SearchResults", {
            "query": serializers.CharField(),
            "messages": serializers.ListField(child=serializers.CharField()),
            "meetings": _group(MeetingSerializer),
            "outcomes": _group(OutcomeHitSerializer),
            "provisions": _group(ProvisionSerializer),
            "bodies": _group(BodySerializer),
            "people": _group(PersonSerializer),
        }),
    )
    def get(self, request):
        form = SearchForm({"q": request.query_params.get("q"), "type": request.query_params.getlist("type"),
                           "page_size": request.query_params.get("page_size")})
        if not form.is_valid():
            raise ValidationError(form.errors)
        size = form.cleaned_data["page_size"] or 5
        data = {"query": form.cleaned_data["q"], "messages": []}
        for kind, results in search_everything(query=form.cleaned_data["q"], kinds=form.cleaned_data["type"] or KINDS,
                                                  drafts=sees_drafts(request.user)).items():
            data["messages"] = [str(message) for message in results.messages]
            hits = SERIALIZERS[kind](results[:size], many=True, context={"request": request, "query": results.query}).data
            data[KINDS[kind]] = {"count": results.count(), "count_estimated": results.count_estimated, "results": hits}
        return Response(data)
