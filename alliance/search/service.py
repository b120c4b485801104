"""The one search function that the pages, the API and the commands call.

    search(query="尖閣 -台湾", kind="meeting", filters=Meeting.objects.filter(kind="summit"),
           sort="relevance", page=1, per_page=20)

Relevance ranks the most recent RANK_WINDOW matches by the database's rank (ts_rank_cd on
PostgreSQL, bm25 on SQLite) discounted by age; matches past that window follow newest first.
Ranking every match of a frequent term would cost more than the whole rest of the search.
"""

import datetime
import math
from dataclasses import dataclass, field

from django.db import connection

from alliance.search import backends
from alliance.search.index import REGISTRY
from alliance.search.query import Query, parse

RANK_WINDOW = 500
MAX_PER_PAGE = 100
SORTS = ("relevance", "newest", "oldest")
AGE_DISCOUNT_PER_YEAR = 0.1


@dataclass
class SearchResult:
    query: Query
    kind: str
    sort: str
    count: int
    page: int
    per_page: int
    objects: list = field(default_factory=list)

    @property
    def messages(self):
        return self.query.notes

    @property
    def num_pages(self):
        return max(1, math.ceil(self.count / self.per_page))

    @property
    def has_next(self):
        return self.page < self.num_pages

    @property
    def has_previous(self):
        return self.page > 1


def search(*, query="", kind="meeting", filters=None, sort=None, page=1, per_page=20, queryset=None):
    """Records of `kind` that match `query` within the `filters` queryset, one page of them.

    `filters`: a queryset of the kind's model that restricts the search (None: all records).
    `queryset`: how to load the page's records (select_related/prefetch_related of the caller).
    """
    if kind not in REGISTRY:
        raise ValueError(f"unknown kind {kind!r}")
    parsed = query if isinstance(query, Query) else parse(query)
    sort = sort if sort in SORTS else ("relevance" if not parsed.is_empty else "newest")
    per_page = max(1, min(int(per_page), MAX_PER_PAGE))
    page = max(1, int(page))
    model = REGISTRY[kind].model
    loader = queryset if queryset is not None else model._default_manager.all()

    if parsed.is_empty:
        if parsed.raw.strip():
            # Something was typed, but nothing searchable: say so rather than list everything.
            return SearchResult(parsed, kind, sort, 0, page, per_page)
        records = filters if filters is not None else model._default_manager.all()
        count = records.count()
        ordered = _order_without_query(records, kind, sort)
        ids = list(ordered.values_list("pk", flat=True)[(page - 1) * per_page : page * per_page])
    else:
        count, ids = _match(parsed, kind, filters, sort, page, per_page)
    by_id = {record.pk: record for record in loader.filter(pk__in=ids)}
    return SearchResult(parsed, kind, sort, count, page, per_page, [by_id[pk] for pk in ids if pk in by_id])


def _order_without_query(records, kind, sort):
    date_field = {"meeting": "date", "outcome": "meeting__date"}.get(kind)
    if date_field is None:
        return records.order_by("pk")
    return records.order_by(f"-{date_field}", "-pk") if sort != "oldest" else records.order_by(date_field, "pk")


def _match(parsed, kind, filters, sort, page, per_page):
    backend = backends.for_connection(connection)
    restriction = filters.values("pk").query.sql_with_params() if filters is not None else None
    start = (page - 1) * per_page
    with connection.cursor() as cursor:
        count = backend.count(cursor, kind, parsed, restriction)
        if count == 0 or start >= count:
            return count, []
        if sort != "relevance" or start >= RANK_WINDOW:
            return count, backend.page(cursor, kind, parsed, restriction, sort != "oldest", per_page, start)
        window = backend.recent_ranked(cursor, kind, parsed, restriction, RANK_WINDOW)
        today = datetime.date.today()

        def score(row):
            object_id, sort_date, rank = row
            if isinstance(sort_date, str):
                sort_date = datetime.date.fromisoformat(sort_date)
            years = max(0, (today - sort_date).days) / 365.25 if sort_date.year > 1 else 0
            return (-(rank / (1 + AGE_DISCOUNT_PER_YEAR * years)), -sort_date.toordinal(), -object_id)

        ranked = [object_id for object_id, _, _ in sorted(window, key=score)]
        ids = ranked[start : start + per_page]
        if len(ids) < per_page and count > len(window):
            ids += backend.page(cursor, kind, parsed, restriction, True, per_page - len(ids), len(window))
        return count, ids
