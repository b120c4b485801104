"""What every API resource shares, named in settings.REST_FRAMEWORK: pagination and JSON errors."""

import csv
import io

from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import BaseRenderer
from rest_framework.views import exception_handler as drf_exception_handler

CSV_MAX_ROWS = 10000


class Pagination(PageNumberPagination):
    """20 a page, up to 100; a CSV export holds every row (up to CSV_MAX_ROWS) unless a page is asked for."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        if wants_csv(request):
            return min(int(request.query_params.get(self.page_size_query_param) or CSV_MAX_ROWS), CSV_MAX_ROWS)
        return super().get_page_size(request)


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
        rows = [flatten(record) for record in records]
        header = list(dict.fromkeys(key for row in rows for key in row))
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=header, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
        return ("\ufeff" + out.getvalue()).encode("utf-8")


def exception_handler(exc, context):
    """DRF's errors, always as JSON with a `detail` message (validation errors name each parameter)."""
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" not in response.data:
        response.data = {"detail": "Invalid request.", "errors": response.data}
    return response
