"""What every API resource shares, named in settings.REST_FRAMEWORK: parsing, pagination and JSON errors."""

import csv
import io

from django.core.paginator import InvalidPage, Page, Paginator
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ParseError, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser as DRFJSONParser
from rest_framework.relations import SlugRelatedField as DRFSlugRelatedField
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from alliance.cells import neutralized

CSV_MAX_ROWS = 10000


class JSONParser(DRFJSONParser):
    """DRF's, but JSON nested deeper than Python's recursion limit is a 400 that says so, not a
    RecursionError (a 500): no record of ours nests more than four levels."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None


class SlugRelatedField(DRFSlugRelatedField):
    """DRF's, but a value holding a NUL is simply not found: PostgreSQL refuses to look it up."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", "\\x00"))
        return super().to_internal_value(data)


class LenientPaginator(Paginator):
    """A page past the last is empty, not an error: the count may shrink between two requests."""

    def validate_number(self, number):
        try:
            return super().validate_number(number)
        except InvalidPage:
            number = int(number) if str(number).isdecimal() else 0
            if number > 1:
                return number
            raise

    def page(self, number):
        number = self.validate_number(number)
        if number > self.num_pages:
            return Page([], number, self)
        return super().page(number)


class Pagination(PageNumberPagination):
    """20 a page, up to 100; a CSV export holds every row (up to CSV_MAX_ROWS) unless a page is asked for."""

    django_paginator_class = LenientPaginator
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as error:  # a page that is not a page number, or past the last, is the client's mistake
            raise ValidationError({self.page_query_param: [str(error.detail)]}) from None

    def get_page_size(self, request):
        for name in (self.page_query_param, self.page_size_query_param):
            value = request.query_params.get(name)
            if value is not None and not (value.isdecimal() and int(value) >= 1):
                raise ValidationError({name: ["a positive whole number"]})
        if wants_csv(request):
            return min(int(request.query_params.get(self.page_size_query_param) or CSV_MAX_ROWS), CSV_MAX_ROWS)
        return super().get_page_size(request)


class SearchPagination(Pagination):
    """A page of search results: the list's fields, and what the query parser said (`messages`)."""

    def get_paginated_response(self, data):
        return Response({
            "count": self.page.paginator.count,
            "count_estimated": self.page.paginator.object_list.count_estimated,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "messages": messages_of(self.page.paginator.object_list),
            "results": data,
        })

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["messages"] = {
            "type": "array", "items": {"type": "string"},
            "description": "What the query parser had to say: what it ignored, and why nothing was searched.",
        }
        paginated["properties"]["count_estimated"] = {
            "type": "boolean",
            "description": "Whether `count` is an estimate: past about 10,000 matches a search counts "
                           "its matches in 1/32 of the records and scales up (exact below that).",
        }
        paginated["required"] = [*paginated.get("required", []), "messages", "count_estimated"]
        return paginated


def messages_of(results):
    """What the parser said of the query and, when nothing matched, what each part finds alone."""
    messages = [str(message) for message in results.messages]
    parts = results.parts_alone()
    if parts:
        alone = ", ".join(f"{value if name == 'q' else f'{name}={value}'}: {count}" for name, value, count in parts)
        messages.append(_("Nothing matches all of this at once. Each part alone finds: %(parts)s") % {"parts": alone})
    return messages


def wants_csv(request):
    renderer = getattr(request, "accepted_renderer", None)
    return renderer is not None and renderer.format == "csv"


def flatten(value, prefix=""):
    """One CSV row of a JSON record: objects become dotted columns, lists of values one cell."""
    if isinstance(value, dict):
        row = {}
        for key, item in value.items():
            row.update(flatten(item, f"{prefix}{key}."))
        return row
    name = prefix[:-1]
    if isinstance(value, list):
        if all(isinstance(item, dict) for item in value) and value:
            columns = {}
            for item in value:
                for key, cell in flatten(item, f"{name}.").items():
                    columns.setdefault(key, []).append("" if cell is None else str(cell))
            return {key: " | ".join(cells) for key, cells in columns.items()}
        return {name: " | ".join("" if item is None else str(item) for item in value)}
    return {name: "" if value is None else value}


class CSVRenderer(BaseRenderer):
    """?format=csv: the rows of a list (or the record), UTF-8 with a byte-order mark so that
    spreadsheet software reads the Japanese right."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            records = data["results"]
        elif isinstance(data, list):
            records = data
        else:
            records = [data]
        rows = [{key: neutralized(cell) for key, cell in flatten(record).items()} for record in records]
        header = list(dict.fromkeys(key for row in rows for key in row))
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=header, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
        return ("\ufeff" + out.getvalue()).encode("utf-8")


def exception_handler(exc, context):
    """DRF's errors, always as JSON (also for ?format=csv) with a `detail` message (validation errors
    name each parameter)."""
    response = drf_exception_handler(exc, context)
    request = context.get("request")
    if response is not None and request is not None and wants_csv(request):
        # An error is JSON whatever format was asked for: a CSV of an error message reads as data.
        request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
    if response is not None and isinstance(response.data, dict) and "detail" not in response.data:
        response.data = {"detail": "Invalid request.", "errors": response.data}
    return response


ERROR_RESPONSES = {
    "400": "A parameter or field the API cannot use; `errors` names each and says why.",
    "401": "Writing needs a token or a session.",
    "403": "The user lacks the permission this write needs.",
    "404": "No such record.",
    "413": "The request body is larger than a request may carry.",
    "429": "Too many requests; `Retry-After` says when to try again.",
    "503": "The database is not answering; `Retry-After` says when to try again.",
}


def document_errors(result, generator, request, public):
    """Every operation may answer with the API's JSON errors: say so in the schema."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = {
        "type": "object",
        "properties": {"detail": {"type": "string"}, "errors": {"type": "object", "additionalProperties": True}},
        "required": ["detail"],
    }
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if method == "get" and {} not in operation.get("security", [{}]):
                operation["security"].append({})  # reading needs no credentials
            for status, description in ERROR_RESPONSES.items():
                operation["responses"].setdefault(status, {
                    "description": description,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}},
                                "text/csv": {"schema": {"type": "string"}}},
                })
    return result

