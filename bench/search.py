"""Benchmark: search latency at scale, beside a naive icontains baseline measured in the same run.

    .venv/bin/python bench/search.py --meetings 10000 --database sqlite
    .venv/bin/python bench/search.py --meetings 100000 --database postgres

Generates synthetic meetings in the style of the source (once; reused while the count matches):
kinds, bodies, places and attendees from the curated data, five outcome items each drawn from
the 107 curated items with their English, dates spread over 1960–2026. Then, for a fixed mix of
queries (1-, 2-, 4-character Japanese, English, with and without filters), it times the search
function (first page of 20 and the total count) and the baseline (icontains over the meeting's
title and its items: the count and the first page), and prints p50 and p95 in milliseconds.
On PostgreSQL it also reads the plan of every statement each search runs (EXPLAIN), and fails
(exit status 1) when one reads the search entries by a sequential scan.
"""

import argparse
import datetime
import os
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = [  # (label, query, filters of the search function)
    ("1 char 核", "核", {}),
    ("1 char 島", "島", {}),
    ("2 chars 中国", "中国", {}),
    ("2 chars 尖閣", "尖閣", {}),
    ("2 chars 台湾", "台湾", {}),
    ("4 chars 拡大抑止", "拡大抑止", {}),
    ("4 chars 反撃能力", "反撃能力", {}),
    ("English Austin", "Austin", {}),
    ('English "extended deterrence"', '"extended deterrence"', {}),
    ("中国 + kind=summit", "中国", {"kind": "summit"}),
    ("尖閣 + 2020–2023", "尖閣", {"date_after": datetime.date(2020, 1, 1), "date_before": datetime.date(2023, 12, 31)}),
    ("核 + body=SCC", "核", {"body": "SCC"}),
    ("Austin + person=Hamada", "Austin", {"person": "hamada-yasukazu"}),
]
# The same filters for the baseline's ORM query.
ORM_FILTERS = {"kind": "kind", "body": "body__abbreviation", "person": "attendances__person__slug",
               "date_after": "date__gte", "date_before": "date__lte"}


def setup(database, fresh):
    if database == "postgres":
        os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/alliance_bench")
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'bench' / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")
    if fresh and database == "sqlite":
        (ROOT / "bench" / "bench.sqlite3").unlink(missing_ok=True)
    if database == "postgres":
        import psycopg

        url = os.environ["DATABASE_URL"]
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
            if fresh:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                admin.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from alliance.models import Publication

    if not Publication.objects.filter(slug="defense-of-japan-2023").exists():
        call_command("loaddata", "alliance", "guidelines", "meetings", verbosity=0)


def _entry_values(args):
    """A meeting's entry values, by the index's own analysis (alliance.search.index.analyzed)."""
    from alliance.search.index import analyzed

    return analyzed(*args)


class _Rows:
    """One table's new rows, as the values given for each and the model's defaults for the rest:
    cheaper than a model instance a row (a meeting brings ~20 rows). On PostgreSQL they go in by
    COPY with their ids, the values as psycopg adapts them; elsewhere by bulk_create."""

    def __init__(self, model):
        from django.db import connection

        self.model, self.connection = model, connection
        fields = model._meta.concrete_fields
        prototype = model()
        self.defaults = {field.attname: getattr(prototype, field.attname) for field in fields}
        # Each column with its default as the database stores it: the same for every row, so prepared once.
        self.prepared = [(field.attname, field.get_db_prep_save(field.pre_save(prototype, True), connection))
                         for field in fields]
        self.columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        self.rows = []

    def add(self, **values):
        self.rows.append(values)

    def insert(self):
        rows, self.rows = self.rows, []
        if self.connection.vendor != "postgresql":
            self.model.objects.bulk_create([self.model(**{**self.defaults, **values}) for values in rows], batch_size=500)
            return
        table = self.connection.ops.quote_name(self.model._meta.db_table)
        with self.connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table} ({self.columns}) FROM STDIN") as copy:
                for values in rows:
                    copy.write_row([values.get(name, default) for name, default in self.prepared])


def _next_ids(model, count):
    """`count` fresh ids for rows inserted with their ids; the sequence moves past them."""
    from django.db import connection
    from django.db.models import Max

    first = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [model._meta.db_table, first + count - 1])
    return iter(range(first, first + count))


def _drop_indexes_and_keys(cursor, tables):
    """Drop the secondary indexes, unique constraints and foreign keys of these tables (not their
    primary keys); returns the statements that make them again, the indexes first."""
    cursor.execute(
        "SELECT format('ALTER TABLE %%I DROP CONSTRAINT %%I', conrelid::regclass, conname), "
        "format('ALTER TABLE %%I ADD CONSTRAINT %%I %%s', conrelid::regclass, conname, pg_get_constraintdef(oid)), "
        "contype = 'f' FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s) AND contype IN ('u', 'f')",
        [tables])
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT format('DROP INDEX %%I', indexrelid::regclass), pg_get_indexdef(indexrelid) FROM pg_index "
        "WHERE indrelid::regclass::text = ANY(%s) AND NOT indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = indexrelid)", [tables])
    indexes = cursor.fetchall()
    for drop, *_ in constraints + indexes:
        cursor.execute(drop)
    return ([make for _, make, key in constraints if not key] + [make for _, make in indexes]
            + [make for _, make, key in constraints if key])


def _execute_apart(statements):
    """Run these statements in order, in a thread of their own: on its own connection, closed after."""
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


def generate(count, seed=2023):
    """Synthetic meetings, attendances and outcomes by bulk insert (COPY on PostgreSQL); their search
    entries built by two worker processes while the next batch is written; the search structures
    dropped while it writes and built once at the end."""
    from django.db import connection, transaction

    from alliance.models import Source
    from alliance.search import backends
    from alliance.search.models import SearchEntry
    from meetings.models import Attendance, Meeting, Outcome
    from meetings.searchables import meeting_document

    rng = random.Random(seed)
    backend = backends.for_connection(connection)
    if Meeting.objects.filter(slug__startswith="bench-").exists():
        raise SystemExit("the database holds other benchmark meetings: run with --fresh to start over")
    links = Outcome.topics.through
    written = (Meeting, Attendance, Outcome, links)  # the tables of meetings, beside the entries
    restore = []
    if connection.vendor == "postgresql":
        # Building the GIN indexes once at the end is much faster than growing them row by row; the
        # other indexes and the foreign keys of the tables written are built and checked once too.
        with connection.cursor() as cursor:
            backend.drop_structures(cursor)
            restore = _drop_indexes_and_keys(cursor, [model._meta.db_table for model in (*written, SearchEntry)])
    pool = list(Outcome.objects.prefetch_related("topics"))  # the curated items, copied into every meeting
    topics = {item.pk: list(item.topics.all()) for item in pool}
    templates = list(Meeting.objects.exclude(slug__startswith="bench-").select_related("body", "place").prefetch_related(
        "attendances__person", "attendances__post"))
    templates = [m for m in templates if m.attendances.all()]
    by_kind = {kind: [t for t in templates if t.kind == kind] for kind in {t.kind for t in templates}}
    source = Source.objects.get(slug="doj2023-fig-iii-2-1-3-p1")
    start = datetime.date(1960, 1, 1).toordinal()
    span = datetime.date(2026, 11, 1).toordinal() - start
    batch = 2000
    meeting_ids, attendance_ids = _next_ids(Meeting, count), _next_ids(Attendance, count * 4)
    outcome_ids, link_ids = _next_ids(Outcome, count * 5), _next_ids(links, count * 20)

    tables = {model: _Rows(model) for model in written}
    # The rows of each template's attendees, made once; each meeting's document is made by the
    # index's own meetings.searchables.meeting_document, from the meeting as it will be saved, its
    # template's attendances and the curated items it copies: the entries a rebuild would write.
    attendees = {}
    for template in templates:
        rows = [{"position": position, "side": attendance.side, "person_id": attendance.person_id,
                 "post_id": attendance.post_id, "label_ja": attendance.label_ja, "label_en": attendance.label_en,
                 "label_printed": attendance.label_printed, "source_id": source.pk}
                for position, attendance in enumerate(template.attendances.all(), 1)]
        attendees[template.pk] = (list(template.attendances.all()), rows)

    def write_entries(pending):
        ids, values = pending
        entries = [SearchEntry(kind="meeting", object_id=object_id, **entry) for object_id, entry in zip(ids, values.get())]
        with connection.cursor() as cursor:
            backend.insert_entries(cursor, entries)  # as a rebuild writes them: a binary COPY on PostgreSQL

    pending, started = None, time.perf_counter()
    with Pool(2) as workers:
        for first in range(0, count, batch):
            documents = {}
            for n in range(first, min(first + batch, count)):
                template = rng.choice(templates)
                date = datetime.date.fromordinal(start + (n * span) // count)
                meeting_id = next(meeting_ids)
                meeting = Meeting(id=meeting_id, slug=f"bench-{n:07d}", date=date, kind=template.kind, body=template.body,
                                  place=template.place, title_ja=template.title_ja, title_en=template.title_en,
                                  source_id=source.pk)
                tables[Meeting].add(**{name: getattr(meeting, name) for name in (
                    "id", "slug", "date", "kind", "body_id", "place_id", "title_ja", "title_en", "source_id")})
                attendances, rows = attendees[rng.choice(by_kind.get(template.kind) or templates).pk]
                for row in rows:
                    tables[Attendance].add(id=next(attendance_ids), meeting_id=meeting_id, **row)
                items = rng.sample(pool, 5)
                for position, item in enumerate(items, 1):
                    outcome_id = next(outcome_ids)
                    tables[Outcome].add(id=outcome_id, meeting_id=meeting_id, position=position, voice=item.voice,
                                        text_ja=item.text_ja, text_en=item.text_en, text_printed=item.text_printed,
                                        source_id=source.pk)
                    for topic in topics[item.pk]:
                        tables[links].add(id=next(link_ids), outcome_id=outcome_id, topic_id=topic.pk)
                documents[meeting_id] = meeting_document(meeting, attendances, items, topics)
            # The workers analyze this batch while the main process writes its rows and the last batch's entries.
            values = workers.map_async(_entry_values, [(connection.vendor, meeting_id, document)
                                                       for meeting_id, document in documents.items()], chunksize=100)
            with transaction.atomic():
                for table in tables.values():
                    table.insert()
                if pending is not None:
                    write_entries(pending)
            pending = (list(documents), values)
            print(f"  generated {min(first + batch, count):,} / {count:,}", file=sys.stderr, end="\r")
        with transaction.atomic():
            write_entries(pending)
    print(f"\n  rows and entries written in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        # The GIN indexes here while another connection restores the rest and vacuums the tables
        # of meetings: two cores, two builds. The VACUUM here then finds little else to do.
        with ThreadPoolExecutor(1) as other:
            restored = other.submit(_execute_apart, [*restore, *(f"VACUUM ANALYZE {model._meta.db_table}"
                                                                 for model in written)])
            with connection.cursor() as cursor:
                backend.create_structures(cursor)
            indexed = time.perf_counter()
            restored.result()
        print(f"  GIN indexes built in {indexed - started:.0f} s; the other indexes and keys, beside them, "
              f"done in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(f"  vacuumed in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def baseline(query, filters):
    """What a naive implementation does: icontains over the title and every outcome item."""
    from django.db.models import Exists, OuterRef, Q

    from meetings.models import Meeting, Outcome

    word = query.strip('"')
    items = Outcome.objects.filter(Q(text_ja__icontains=word) | Q(text_en__icontains=word), meeting=OuterRef("pk"))
    orm_filters = {ORM_FILTERS[name]: value for name, value in filters.items()}
    matches = Meeting.objects.filter(**orm_filters).distinct().filter(Q(title_ja__icontains=word) | Q(title_en__icontains=word) | Exists(items))
    count = matches.count()
    page = list(matches.order_by("-date", "-pk")[:20])
    return count, page


def indexed(query, filters, sort):
    """What a list without facets does: the total count and the first page."""
    from alliance.search.service import search

    results = search(query=query, filters=filters, sort=sort)
    return results.count(), results[:20]


def faceted(query, filters, sort):
    """What the search page does: the facet counts (which give the total too) and the first page."""
    from alliance.search.service import search

    results = search(query=query, filters=filters, sort=sort)
    facets = results.facets()
    return results.count(), results[:20], facets


def scans(query, filters, sort):
    """How PostgreSQL reads the search entries for this search: the scan node of each statement
    that reads them (count, page, ranking), from EXPLAIN of the statements the search runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connection.queries_log.clear()  # a full log (9,000 queries) would leave nothing captured, and nothing checked
    with CaptureQueriesContext(connection) as captured:
        indexed(query, filters, sort)
    assert captured.captured_queries, "the search's statements were not captured"
    found = []

    def walk(node):
        if node.get("Relation Name") == "search_searchentry":
            found.append(f"{node['Node Type']}{' ' + node['Index Name'] if node.get('Index Name') else ''}")
        for child in node.get("Plans", []):
            walk(child)

    with connection.cursor() as cursor:
        for statement in captured.captured_queries:
            if "search_searchentry" in statement["sql"]:
                cursor.execute("EXPLAIN (FORMAT JSON) " + statement["sql"])
                walk(cursor.fetchone()[0][0]["Plan"])
    return found


def uncached(function):
    """The function, run each time with nothing cached that a write makes stale (no count or facet
    count of an earlier run), as the first search of it after a write. What a write leaves as it
    was stays: the kinds' sizes, which only choose the sample a count starts with."""
    from django.core.cache import cache

    from alliance.search.backends import KINDS
    from alliance.search.service import size_key

    def run():
        sizes = cache.get_many([size_key(kind) for kind in KINDS])
        cache.clear()
        cache.set_many(sizes)
        return function()
    return run


def timed(function, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return times


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--meetings", type=int, default=10000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs of each query (the index)")
    parser.add_argument("--fresh", action="store_true", help="drop the benchmark database and generate anew")
    parser.add_argument("--baseline-repeat", type=int, default=3, help="timed runs of each query (the baseline; 0: none)")
    parser.add_argument("--only", choices=["index", "page"], help="only the index table, or only the search page table")
    parser.add_argument("--writes", type=int, default=0,
                        help="before timing, save this many meetings as a curator would (each reindexes its entries)")
    args = parser.parse_args()

    setup(args.database, args.fresh)
    from django.conf import settings

    settings.DEBUG = False  # as served: no query log, no debug templates
    from django.db import connection

    from meetings.models import Meeting

    have = Meeting.objects.filter(slug__startswith="bench-").count()
    if have != args.meetings:
        print(f"generating {args.meetings:,} meetings (have {have:,})…", file=sys.stderr)
        started = time.perf_counter()
        generate(args.meetings)
        print(f"generated in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    if args.writes:
        started = time.perf_counter()
        for meeting in Meeting.objects.filter(slug__startswith="bench-").order_by("?")[: args.writes]:
            meeting.title_en = meeting.title_en.rstrip("*") + "*"
            meeting.save()
        print(f"saved {args.writes} meetings in {time.perf_counter() - started:.1f} s; timing right after, no VACUUM",
              file=sys.stderr)
    total = Meeting.objects.count()
    if args.only != "page":
        index_table(args, connection.vendor, total)
    if args.only != "index":
        page_table(args, connection.vendor, total)


def index_table(args, vendor, total):
    """Each query of the mix through search(): cold (nothing cached, as the first search of it
    after a write), relevance and newest, then relevance again with its count cached (another
    page, another visitor); beside the icontains baseline (skipped with --baseline-repeat 0)."""
    print(f"{vendor}, {total:,} meetings; times in ms (first page of 20 and the total count)")
    header = (f"{'query':34} {'matches':>8} {'share':>6} | {'relevance p50':>13} {'p95':>7} | {'newest p50':>10} {'p95':>7} | "
              f"{'cached p95':>10} | {'icontains p50':>13} {'p95':>7} | {'× p95':>6}")
    print(header)
    print("-" * len(header))
    all_indexed, all_cached, all_baseline, sequential = [], [], [], []
    for label, query, filters in QUERIES:
        if vendor == "postgresql":
            nodes = scans(query, filters, "relevance") + scans(query, filters, "newest")
            if any(node.startswith("Seq Scan") for node in nodes):
                sequential.append(f"{label}: {', '.join(sorted(set(nodes)))}")
        count, _ = indexed(query, filters, "relevance")
        relevance = timed(uncached(lambda: indexed(query, filters, "relevance")), args.repeat)
        newest = timed(uncached(lambda: indexed(query, filters, "newest")), args.repeat)
        cached = timed(lambda: indexed(query, filters, "relevance"), args.repeat)
        all_indexed += relevance + newest
        all_cached += cached
        if args.baseline_repeat:
            naive_count, _ = baseline(query, filters)
            naive = timed(lambda: baseline(query, filters), args.baseline_repeat)
            all_baseline += naive
            mismatch = "" if naive_count == count or query.startswith(('"', "Austin")) else f"  (icontains counts {naive_count})"
            naive_columns = (f"{percentile(naive, .5):>13.1f} {percentile(naive, .95):>7.1f} | "
                             f"{percentile(naive, .95) / max(percentile(relevance, .95), 0.001):>6.0f}{mismatch}")
        else:
            naive_columns = f"{'—':>13} {'—':>7} | {'—':>6}"
        print(f"{label:34} {count:>8,} {count / total:>6.1%} | {percentile(relevance, .5):>13.1f} {percentile(relevance, .95):>7.1f} | "
              f"{percentile(newest, .5):>10.1f} {percentile(newest, .95):>7.1f} | {percentile(cached, .95):>10.1f} | {naive_columns}")
    print("-" * len(header))
    summary = (f"all queries: index cold p50 {percentile(all_indexed, .5):.1f} ms, p95 {percentile(all_indexed, .95):.1f} ms; "
               f"count cached p95 {percentile(all_cached, .95):.1f} ms")
    if all_baseline:
        summary += (f"; icontains p50 {percentile(all_baseline, .5):.1f} ms, p95 {percentile(all_baseline, .95):.1f} ms; "
                    f"p95 ratio {percentile(all_baseline, .95) / percentile(all_indexed, .95):.0f}×")
    print(summary)
    if vendor == "postgresql":
        if sequential:
            print("FAIL: a sequential scan over the search entries:\n  " + "\n  ".join(sequential))
            raise SystemExit(1)
        print("plans: every statement of every query reads the search entries through an index")


def page_table(args, vendor, total):
    """The search page's cost: the same search without and with facet counts, and the whole page,
    cold (nothing cached: a search nobody made since the data last changed) and warm (another page
    of it, or another visitor: count and facets from the cache)."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")

    print(f"\n{vendor}, {total:,} meetings; the search page, relevance order, times in ms")
    header = (f"{'query':34} {'matches':>8} | {'no facets p50':>13} {'p95':>7} | {'facets p50':>10} {'p95':>7} | "
              f"{'page cold p50':>13} {'p95':>7} | {'page warm p50':>13} {'p95':>7}")
    print(header)
    print("-" * len(header))
    columns = {"plain": [], "faceted": [], "cold": [], "warm": []}
    for label, query, filters in QUERIES:
        count, _ = indexed(query, filters, "relevance")
        params = {"q": query, **{name: str(value) for name, value in filters.items()}}
        assert client.get("/meetings/", params).status_code == 200
        times = {
            "plain": timed(lambda: indexed(query, filters, "relevance"), args.repeat),
            "faceted": timed(uncached(lambda: faceted(query, filters, "relevance")), args.repeat),
            "cold": timed(uncached(lambda: client.get("/meetings/", params)), args.repeat),
            "warm": timed(lambda: client.get("/meetings/", params), args.repeat),
        }
        for name, values in times.items():
            columns[name] += values
        print(f"{label:34} {count:>8,} | " + " | ".join(
            f"{percentile(times[name], .5):>{width}.1f} {percentile(times[name], .95):>7.1f}"
            for name, width in (("plain", 13), ("faceted", 10), ("cold", 13), ("warm", 13))))
    print("-" * len(header))
    print(f"all queries, p95: without facets {percentile(columns['plain'], .95):.1f} ms; with facets "
          f"{percentile(columns['faceted'], .95):.1f} ms; the HTML page {percentile(columns['cold'], .95):.1f} ms cold, "
          f"{percentile(columns['warm'], .95):.1f} ms warm")


if __name__ == "__main__":
    main()
