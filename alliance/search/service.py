"""The one search function that the pages, the API and the commands call.

    search(query="尖閣 -台湾", kind="meeting", filters={"kind": "summit", "date_after": "2022-01-01"},
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
from alliance.search.analyzer import facet
from alliance.search.query import Query, parse

RANK_WINDOW = 500
MAX_PER_PAGE = 10000  # a CSV export takes every row at once; pages ask for fewer
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


DATE_FILTERS = ("date_after", "date_before")


def search(*, query="", kind="meeting", filters=None, sort=None, page=1, per_page=20, queryset=None):
    """Records of `kind` that match `query` and `filters`, one page of them, with the total count.

    `filters`: {name: value} among the kind's facets (for meetings: kind, body, place, person,
    topic, voice, as slugs or codes) and date_after/date_before (dates, inclusive). They are
    answered by the index, in the same query as the words. An unknown name, or a date that is
    not one, raises ValueError naming it: callers validate input before they get here.
    `queryset`: how to load the page's records (select_related/prefetch_related of the caller).
    """
    if kind not in REGISTRY:
        raise ValueError(f"unknown kind {kind!r}")
    parsed = query if isinstance(query, Query) else parse(query)
    match = _match_of(parsed, kind, filters or {})
    sort = sort if sort in SORTS else ("relevance" if not parsed.is_empty else "newest")
    per_page = max(1, min(int(per_page), MAX_PER_PAGE))
    page = max(1, int(page))
    if parsed.is_empty and parsed.raw.strip():
        # Something was typed, but nothing searchable: say so rather than list everything.
        return SearchResult(parsed, kind, sort, 0, page, per_page)
    count, ids = _find(match, kind, sort, page, per_page)
    loader = queryset if queryset is not None else REGISTRY[kind].model._default_manager.all()
    by_id = {record.pk: record for record in loader.filter(pk__in=ids)}
    return SearchResult(parsed, kind, sort, count, page, per_page, [by_id[pk] for pk in ids if pk in by_id])


def _match_of(parsed, kind, filters):
    allowed = REGISTRY[kind].facets
    facets, dates = [], {}
    for name, value in filters.items():
        if value in (None, ""):
            continue
        if name in DATE_FILTERS:
            if isinstance(value, str):
                try:
                    value = datetime.date.fromisoformat(value)
                except ValueError:
                    raise ValueError(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from None
            dates[name] = value
        elif name in allowed:
            facets.append(facet(name, value))
        else:
            raise ValueError(f"unknown filter {name!r} for {kind}; the filters are {', '.join(allowed + DATE_FILTERS)}")
    return backends.Match(parsed, tuple(facets), dates.get("date_after"), dates.get("date_before"))


def _find(match, kind, sort, page, per_page):
    backend = backends.for_connection(connection)
    start = (page - 1) * per_page
    with connection.cursor() as cursor:
        count = backend.count(cursor, kind, match)
        if count == 0 or start >= count:
            return count, []
        if sort != "relevance" or start >= RANK_WINDOW or match.query.is_empty:
            return count, backend.page(cursor, kind, match, sort != "oldest", per_page, start)
        window = backend.recent_ranked(cursor, kind, match, RANK_WINDOW)
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
            ids += backend.page(cursor, kind, match, True, per_page - len(ids), len(window))
        return count, ids
