"""What indexing one meeting costs, step by step, on the benchmark database that `bench/search.py`
generates (run it first): where a rebuild's and the generator's time goes.

    .venv/bin/python bench/indexing.py --database postgres

For `--meetings` meetings taken from the middle of the database, in one process, printed in
milliseconds a meeting:
- documents: reading the meetings and what their documents hold (`REGISTRY["meeting"].documents`);
- analysis: the entry's values from the document (`alliance.search.index.analyzed`), field by field
  as the index does it, then term by term as it did before (PostgreSQL's document; the same tsvector);
- writing the entries (in a transaction rolled back after): by COPY into the GIN index's pending
  list and its flush, as a rebuild does; inserted into the index one by one, as a save does; and
  by COPY with the search indexes dropped, as the generator and an offline rebuild do.
"""

import argparse
import itertools
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search import setup  # noqa: E402  (the benchmark database, as bench/search.py leaves it)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--meetings", type=int, default=1000, help="meetings measured")
    args = parser.parse_args()
    setup(args.database, fresh=False)

    from django.db import connection, transaction

    from alliance.search import backends
    from alliance.search.fields import Tsvector, tsvector_entries
    from alliance.search.index import REGISTRY, analyzed
    from alliance.search.models import SearchEntry
    from meetings.models import Meeting

    backend = backends.for_connection(connection)
    total = Meeting.objects.count()
    ids = list(Meeting.objects.order_by("pk").values_list("pk", flat=True)[total // 2 : total // 2 + args.meetings])
    count = len(ids)
    print(f"{connection.vendor}, {total:,} meetings; {count:,} of them, in ms a meeting")

    def report(label, seconds):
        print(f"  {label:<62} {seconds * 1000 / count:7.2f}")

    started = time.perf_counter()
    documents = REGISTRY["meeting"].documents(set(ids))
    report("documents: read from the database", time.perf_counter() - started)
    work = [(connection.vendor, object_id, document) for object_id, document in documents.items()]
    for label in ("analysis, field by field (first: fields not yet remembered)", "analysis, field by field (again)"):
        started = time.perf_counter()
        values = list(itertools.starmap(analyzed, work))
        report(label, time.perf_counter() - started)
    if connection.vendor == "postgresql":
        started = time.perf_counter()
        for object_id, document in documents.items():
            Tsvector.of(*tsvector_entries(document.terms(extra=["sample:0", "year:2000"])))
        report("analysis, term by term (the document only)", time.perf_counter() - started)
        started = time.perf_counter()
        for value in values:
            value["document"].literal()
        report("the document as text (one record's save writes it so)", time.perf_counter() - started)
    form = "binary tsvector" if connection.vendor == "postgresql" else "token streams"
    print(f"  a document: {sum(len(v['document']) for v in values) / count / 1024:.1f} KB as sent ({form})")
    entries = [SearchEntry(kind="meeting", object_id=object_id, **entry) for object_id, entry in zip(documents, values)]

    def write(label, before=None, after=None):
        with transaction.atomic():
            with connection.cursor() as cursor:
                if before:
                    before(cursor)
                SearchEntry.objects.filter(kind="meeting", object_id__in=ids).delete()
                started = time.perf_counter()
                backend.insert_entries(cursor, entries)
                if after:
                    after(cursor)
                report(label, time.perf_counter() - started)
            transaction.set_rollback(True)

    if connection.vendor == "postgresql":
        write("entries: COPY into the pending list, then its flush (a rebuild)",
              lambda cursor: backend.begin_batches(cursor, "meeting"), lambda cursor: backend.end_batch(cursor, "meeting"))
        write("entries: COPY, each document into the index at once (a save)")
        write("entries: COPY without the search indexes (generator, offline)", backend.drop_structures)
    else:
        write("entries: bulk insert, FTS5 fed by triggers")


if __name__ == "__main__":
    main()
