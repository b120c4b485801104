"""The one search function that the pages, the API, the feeds and the commands call.

    results = search(query="尖閣 -台湾", kind="meeting", filters={"kind": "summit", "date_after": "2022-01-01"},
                     sort="relevance", queryset=Meeting.objects.with_details())
    results.count()      # one or two queries, once per change of the data (then from the cache)
    results.count_estimated  # whether that count was estimated (past EXACT_COUNT matches)
    results[0:20]        # the first page: the ids from the index, then the records from `queryset`
    results.facets()     # how many matches carry each facet value, per year: the count and one query, cached alike
    results.messages     # what the query parser had to say

`SearchResults` is lazy and sliceable, so Django's `Paginator` and DRF's pagination page it as
they would a queryset.

Relevance ranks the most recent RANK_WINDOW matches: first the records with a name or title that
is exactly the query, then by the database's rank (ts_rank_cd on PostgreSQL, bm25 on SQLite), which
weighs where a word is found (titles and names above attendees and posts, above the text) and
normalizes for the document's length, and counts the words in the form searched for as well as
their stems, so that a record with the form typed ranks above one with another form of it; the rank
is discounted by age. Matches past that window follow newest first.
Ranking every match of a frequent term would cost more than the whole rest of the search.
"""

import dataclasses
import datetime
import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection

from alliance.search import backends
from alliance.search.analyzer import facet
from alliance.search.index import DRAFT, REGISTRY, UNDATED, data_version
from alliance.search.query import Query, parse

RANK_WINDOW = 500
EXACT_COUNT = 10000  # up to about this many matches a search's count is exact; past it, estimated
COUNT_SAMPLE = 8  # a search counts its matches in this many sample groups (1/32 of the records), or in one
KIND_SIZE_SECONDS = 24 * 3600  # a kind's size and years as a count last saw them: they only choose the first sample
# What PostgreSQL's ways to the first matches in date order cost, in matches read from the
# entries (well under a microsecond each): checking a record's document while walking the records
# by date reads it from TOAST (~20 µs); the GIN index collects a match for less than a third of
# the cost of reading it.
WALK_COST = 30
GIN_COST = 0.3
RECENT_MARGIN = 2  # the recent years asked for are expected to hold twice the matches wanted
EXACT_FACETS = 2000  # up to this many matches, facet counts are exact
FACET_SAMPLE = 1000  # past that, they are estimated from about this many of the matches
FACET_CACHE_SECONDS = 24 * 3600  # counts and facets: the data version in the key makes them stale anyway
MAX_SLICE = 10000  # a CSV export takes every row at once; pages ask for fewer
SORTS = ("relevance", "newest", "oldest")
AGE_DISCOUNT_PER_YEAR = 0.1
DATE_FILTERS = ("date_after", "date_before")
STATES = ("draft", "published")  # the `state` filter
UNDATED_DAY = UNDATED.toordinal()
NOT_READ = object()  # a search's data version before it is read (None is a version: no change yet)


def search(*, query="", kind="meeting", filters=None, sort=None, queryset=None, drafts=False):
    """Records of `kind` that match `query` and `filters`, as a lazy `SearchResults`.

    `filters`: {name: value} among the kind's facets (for meetings: kind, body, place, person,
    topic, voice, as slugs or codes) and date_after/date_before (dates, inclusive). They are
    answered by the index, in the same query as the words. An unknown name, or a date that is
    not one, raises ValueError naming it: callers validate input before they get here.
    `sort`: relevance (the default when there are words), newest (the default without), oldest.
    `queryset`: how to load the records (the caller's select_related/prefetch_related).
    `drafts`: whether drafts are found too (for curators); the `state` filter (draft, published)
    then picks one or the other. Without it, a draft is not found, counted or faceted.
    """
    if kind not in REGISTRY:
        raise ValueError(f"unknown kind {kind!r}")
    parsed = query if isinstance(query, Query) else parse(query)
    filters = {name: value for name, value in (filters or {}).items() if value not in (None, "")}
    match = _match_of(parsed, kind, filters, drafts)
    loader = queryset if queryset is not None else REGISTRY[kind].model._default_manager.all()
    return SearchResults(match=match, kind=kind, filters=filters, sort=sort, queryset=loader, drafts=drafts)


class SearchResults:
    """The matches of one search, counted, sliced and faceted on demand (each answer cached)."""

    ordered = True  # for Django's Paginator: the order is the sort's

    def __init__(self, *, match, kind, filters, sort, queryset, drafts=False):
        self.match = match
        self.drafts = drafts
        self.kind = kind
        self.filters = filters
        self.sort = sort if sort in SORTS else ("relevance" if not match.query.is_empty else "newest")
        self.queryset = queryset
        self._count = None
        self._estimated = False
        self._size = None  # how many public records of the kind there are, as PostgreSQL's planner last counted
        self._years = None  # the years the kind's dated records span (PostgreSQL)
        self._facets = None
        self._version = NOT_READ

    @property
    def query(self):
        return self.match.query

    @property
    def messages(self):
        return self.query.notes

    @property
    def searchable(self):
        """False when something was typed but nothing in it can be searched: then nothing matches,
        rather than everything."""
        return not (self.query.is_empty and self.query.raw.strip())

    def order_by(self, sort):
        return SearchResults(match=self.match, kind=self.kind, filters=self.filters, sort=sort, queryset=self.queryset,
                             drafts=self.drafts)

    def count(self):
        """How many records match, cached until the data next changes: exact up to about
        EXACT_COUNT, estimated past it (`count_estimated` says which)."""
        if self._count is None:
            if not self.searchable:
                self._count = 0
                return self._count
            self._count, self._estimated, self._size, self._years = self._cached("matches", self._count_matches)
        return self._count

    @property
    def count_estimated(self):
        """Whether `count()` is an estimate: the matches counted in a sample of the records, scaled up."""
        self.count()
        return self._estimated

    def _count_matches(self):
        """(count, estimated, the kind's size, its years; the last two None but on PostgreSQL).
        Counting every match reads every one of them: at a million meetings, half a second for a
        term in half of them. So a search with words or facets counts its matches in a sample of
        the records (sample groups: the index selects them, and the groups hash the ids, so they
        hold a fair share of any set of matches) and scales the count up. The sample is the
        smallest that holds at least `hits` matches: the first group (1/256 of the records), tried
        first only where a term in a quarter of the kind's records within the search's dates would
        fill it (the kind's size and years as the last count saw them); else COUNT_SAMPLE groups
        (1/32). When even those hold fewer (about EXACT_COUNT matches in all), every match is
        counted. So an estimate always rests on at least `hits` matches (313: within about 6 %),
        and a term in half of a million meetings reads 2,000 of them, not 16,000. The list by date
        alone is always counted exactly, from its own index or its tally."""
        known = cache.get(size_key(self.kind))

        def counted(match):
            found = _run(lambda backend, cursor: backend.count(cursor, self.kind, match))
            if found.size and (found.size, found.years) != known:
                cache.set(size_key(self.kind), (found.size, found.years), timeout=KIND_SIZE_SECONDS)
            return found

        if not self.match.facets and self.match.query.is_empty:
            return counted(self.match).count, False, None, None
        hits = EXACT_COUNT * COUNT_SAMPLE // backends.SAMPLE_GROUPS + 1  # past EXACT_COUNT in COUNT_SAMPLE groups
        size, years = known or (0, None)
        within = size * self._window_share(years)  # the records within the search's dates, about
        first = 1 if within >= 4 * backends.SAMPLE_GROUPS * hits else COUNT_SAMPLE
        for groups in sorted({first, COUNT_SAMPLE}):
            sampled = counted(dataclasses.replace(self.match, sample=groups))
            if sampled.count >= hits:
                estimate = round(sampled.count * backends.SAMPLE_GROUPS / groups)
                return estimate, True, sampled.size, sampled.years
        return counted(self.match).count, False, sampled.size, sampled.years

    def _plan(self, rows, newest=True):
        """How PostgreSQL should find the first `rows` matches in date order, once the search is
        counted: ("walk", None) the records by date, checking each one's document; ("years", the
        years) collect from the GIN index only the matches of the most recent (or, oldest first,
        the earliest) years expected to hold them; ("collect", None) every match, then sort them.
        The cheapest by the costs above; None (the planner's choice) before the count, or when
        there is nothing to check."""
        if self._count is None or not self._count or (self.match.query.is_empty and not self.match.facets):
            return None
        costs = {("collect", None): self._count * (1 + GIN_COST)}
        if self._size:
            costs[("walk", None)] = rows * self._size / self._count * WALK_COST
        years = self._years_holding(rows, newest)
        if years is not None:
            # The GIN index gathers a prefix's every match whatever else is asked; the matches of
            # a lexeme it finds by skipping along the postings of the years asked for.
            gathered = self._count
            if self._size and not backends.for_connection(connection).gathers_prefix(self.match):
                gathered = min(gathered, self._size * len(years) / len(self._years))
            costs[("years", years)] = gathered * GIN_COST + rows * RECENT_MARGIN
        return min(costs, key=costs.get)

    def _window(self, years):
        """The first and last of the kind's `years` within the search's dates."""
        first, last = years.start, years.stop - 1
        if self.match.after:
            first = max(first, self.match.after.year)
        if self.match.before:
            last = min(last, self.match.before.year)
        return first, last

    def _window_share(self, years):
        """The share of the kind's `years` (None: unknown) that the search's dates cover."""
        if years is None or not (self.match.after or self.match.before):
            return 1
        first, last = self._window(years)
        return max(0, last - first + 1) / len(years)

    def _years_holding(self, rows, newest):
        """The most recent (or earliest) years of the search's window expected to hold `rows`
        matches RECENT_MARGIN times over, taking the matches to be spread evenly over the years;
        None when that is every year, or more years than it pays to ask for."""
        if self._years is None:
            return None
        first, last = self._window(self._years)
        span = last - first + 1
        wanted = math.ceil(rows * RECENT_MARGIN * span / self._count)
        if span <= 1 or wanted >= span or wanted > backends.YEAR_TERMS:
            return None
        return range(last - wanted + 1, last + 1) if newest else range(first, first + wanted)

    def _first(self, rows, wanted, newest, fetch):
        """`fetch(match, walk)`, a query for `wanted` matches that reach `rows` deep in date order,
        the way `_plan` says. When the years asked for hold fewer than wanted (the matches were
        not spread evenly), it asks again of every year."""
        plan = self._plan(rows, newest)
        if plan is None:
            return fetch(self.match, None)
        way, years = plan
        if way == "years":
            found = fetch(dataclasses.replace(self.match, years=years), False)
            if len(found) >= wanted:
                return found
            way = "collect"
        return fetch(self.match, way == "walk")

    def __len__(self):
        return self.count()

    def ids(self, limit=MAX_SLICE):
        """The ids of the matches, newest first, at most `limit` of them (for a queryset filter)."""
        if not self.searchable:
            return []
        return _run(lambda backend, cursor: self._first(limit, limit, True, lambda match, walk: backend.page(
            cursor, self.kind, match, True, limit, 0, walk=walk)))

    def __getitem__(self, key):
        if isinstance(key, int):
            found = self[key : key + 1]
            if not found:
                raise IndexError(key)
            return found[0]
        start, stop, step = key.start or 0, key.stop, key.step
        if step not in (None, 1) or start < 0 or stop is None or stop < 0:
            raise ValueError("search results take slices [start:stop] with 0 <= start, stop")
        ids = self.ids_between(start, stop)
        if not ids:
            return []
        by_id = {record.pk: record for record in self.queryset.filter(pk__in=ids)}
        return [by_id[pk] for pk in ids if pk in by_id]

    def ids_between(self, start, stop):
        """The ids of the matches from `start` to `stop` in the search's order, without loading the
        records (an export loads them a chunk at a time)."""
        if stop - start > MAX_SLICE:
            raise ValueError(f"at most {MAX_SLICE} records at once")
        past_the_end = self._count is not None and not self._estimated and start >= self._count
        if stop <= start or not self.searchable or past_the_end:
            return []
        return _run(lambda backend, cursor: self._ids(backend, cursor, start, stop - start))

    def _ids(self, backend, cursor, start, size):
        if self.sort != "relevance" or start >= RANK_WINDOW or self.query.is_empty:
            newest = self.sort != "oldest"
            return self._first(start + size, size, newest, lambda match, walk: backend.page(
                cursor, self.kind, match, newest, size, start, walk=walk))
        window = self._first(RANK_WINDOW, RANK_WINDOW, True, lambda match, walk: backend.recent_ranked(
            cursor, self.kind, match, RANK_WINDOW, walk=walk))
        today = datetime.date.today().toordinal()

        def score(row):
            object_id, day, rank, whole = row
            years = max(0, today - day) / 365.25 if day > UNDATED_DAY else 0
            return (not whole, -rank / (1 + AGE_DISCOUNT_PER_YEAR * years), -day, -object_id)

        ranked = [row[0] for row in sorted(window, key=score)]
        ids = ranked[start : start + size]
        if len(ids) < size and len(window) == RANK_WINDOW:  # more matches than were ranked: newest first
            more = size - len(ids)
            ids += self._first(RANK_WINDOW + more, more, True, lambda match, walk: backend.page(
                cursor, self.kind, match, True, more, RANK_WINDOW, walk=walk))
        return ids

    def facets(self):
        """How many matches carry each facet value, overall and per year: the count, then one
        query. Counting the facets costs about a microsecond per facet value of each match, so
        past EXACT_FACETS matches they are estimated from the matches in the first sample groups
        (about FACET_SAMPLE of them, which the index selects), and `Facets.estimated` says so."""
        if self._facets is None:
            if not self.searchable:
                self._facets = Facets()
                return self._facets
            total = self.count()
            rows, sampled = self._cached("facet-counts", lambda: self._count_facets(total))
            self._facets = Facets.from_rows(rows, total, sampled=sampled, total_estimated=self._estimated)
        return self._facets

    def _count_facets(self, total):
        """(rows, sampled): the facet counts of every match, or of a sample of them."""
        match = self.match
        if total > EXACT_FACETS:
            groups = math.ceil(backends.SAMPLE_GROUPS * FACET_SAMPLE / total)
            if groups < backends.SAMPLE_GROUPS:
                match = dataclasses.replace(match, sample=groups)
        rows = _run(lambda backend, cursor: backend.facet_counts(
            cursor, self.kind, match, REGISTRY[self.kind].per_year)) if total else []
        return rows, match.sample is not None

    def parts_alone(self):
        """For a search that finds nothing, what each of its word groups and filters finds alone:
        [(name, value, count)], name "q" for words. Empty when it finds something, or has one part."""
        query = self.query
        if not self.searchable or self.count() or len(query.groups) + len(query.excluded) + len(self.filters) < 2:
            return []
        parts = [("q", query.unparse(only=group), None) for group in query.groups]
        parts += [(name, value, None) for name, value in self.filters.items()]
        return [(name, value, search(query=value if name == "q" else "", kind=self.kind,
                                     filters={} if name == "q" else {name: value}, drafts=self.drafts).count())
                for name, value, _ in parts]

    def _cached(self, name, compute):
        """`compute()`, counted once per change of the data: a second page, another visitor or
        the unfiltered list read it back from the cache."""
        key = self._cache_key(name)
        value = cache.get(key)
        if value is None:
            value = compute()
            cache.set(key, value, timeout=FACET_CACHE_SECONDS)
        return value

    def _cache_key(self, name):
        """A key for what this search counts, valid until the curated data next changes."""
        if self._version is NOT_READ:
            self._version = data_version()  # once for the count and the facets of this search
        version = self._version
        backend = backends.for_connection(connection)
        match = self.match
        what = repr((connection.vendor, self.kind, backend.expression(match), match.without, match.after, match.before))
        digest = hashlib.sha256(what.encode()).hexdigest()[:32]
        return f"search-{name}:{version.isoformat() if version else '-'}:{digest}"


def size_key(kind):
    """The cache key of (how many records, the years they are dated in) of a kind, as the last
    count saw them (PostgreSQL). Not keyed on the data version: a write moves them by a record at
    most, and they only choose the sample a count starts with."""
    return f"search-size:{connection.vendor}:{kind}"


@dataclass
class Facets:
    """Facet counts of a search: {name: {value: count}}, and the same per year.

    `total` is the number of matches, exact unless `total_estimated`. When `estimated`, the other
    counts were counted over `sampled` of the matches and scaled up to the total."""

    counts: dict = field(default_factory=dict)
    per_year: dict = field(default_factory=dict)  # {name: {year: {value: count}}}
    years: dict = field(default_factory=dict)  # {year: matches}
    total: int = 0
    sampled: int = 0
    total_estimated: bool = False

    @property
    def estimated(self):
        return self.sampled < self.total

    @classmethod
    def from_rows(cls, rows, total, sampled=False, total_estimated=False):
        """The counts from the backend's rows; `sampled`: the rows count a sample of the matches."""
        counts = defaultdict(lambda: defaultdict(int))
        per_year = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
        years, counted = defaultdict(int), 0
        for term, year, count in rows:
            year = int(year) if year is not None else UNDATED.year
            if term == backends.ALL:
                counted += count
                if year != UNDATED.year:
                    years[year] += count
                continue
            name, _, value = term.partition(":")
            counts[name][value] += count
            if year != UNDATED.year:
                per_year[name][year][value] += count
        scale = total / counted if sampled and counted else 1

        def scaled(count):
            return count if scale == 1 else max(1, round(count * scale))

        return cls(
            counts={name: {value: scaled(n) for value, n in values.items()} for name, values in counts.items()},
            per_year={name: {year: {value: scaled(n) for value, n in values.items()} for year, values in by_year.items()}
                      for name, by_year in per_year.items()},
            years={year: scaled(n) for year, n in sorted(years.items())},
            total=total,
            sampled=counted if sampled else total,
            total_estimated=total_estimated,
        )

    def values(self, name):
        """(value, count) of a facet, most frequent first."""
        return sorted(self.counts.get(name, {}).items(), key=lambda item: (-item[1], item[0]))


def _run(question):
    backend = backends.for_connection(connection)
    with connection.cursor() as cursor:
        return question(backend, cursor)


def _match_of(parsed, kind, filters, drafts):
    allowed = REGISTRY[kind].facets
    facets, dates, without = [], {}, set() if drafts or not REGISTRY[kind].drafts else {DRAFT}
    for name, value in filters.items():
        if name == "state":
            if value not in STATES:
                raise ValueError(f"state: {value!r} is not one of {', '.join(STATES)}")
            if value == "draft":
                facets.append(DRAFT)
            else:
                without.add(DRAFT)
        elif name in DATE_FILTERS:
            if isinstance(value, str):
                try:
                    value = datetime.date.fromisoformat(value)
                except ValueError:
                    raise ValueError(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from None
            dates[name] = value
        elif name in allowed:
            facets.append(facet(name, value))
        else:
            raise ValueError(f"unknown filter {name!r} for {kind}; the filters are {', '.join(allowed + DATE_FILTERS + ('state',))}")
    return backends.Match(parsed, tuple(facets), dates.get("date_after"), dates.get("date_before"), without=tuple(without))
