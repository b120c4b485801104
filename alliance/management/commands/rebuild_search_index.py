"""Rebuild the search index: `manage.py rebuild_search_index [--kind meeting ...] [--start-after meeting:12000]`.

Batches commit one by one: the site keeps finding every record while it runs (by its old entry or
its new one), and an interrupted rebuild resumes with `--start-after`, which each progress line gives.
`--workers` processes analyze the documents (the costly part, in Python) while this one writes the
database and, on PostgreSQL, reads the next batch on a second connection. Only the entries whose
documents changed are written (each entry keeps a digest of what it holds); `--force` writes every
one. `--offline` (PostgreSQL) drops the search indexes while it writes and builds them once at the
end, for a maintenance window.
"""

import os
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from alliance.search import backends
from alliance.search.index import REGISTRY, rebuild

REPORT_EVERY = 5.0  # seconds between progress lines when the output is not a terminal
OFFLINE_BUILD_MEMORY = "256MB"  # for building the GIN indexes at the end of an offline rebuild


class Command(BaseCommand):
    help = "Rebuild the search index of every searchable kind (or of the kinds named), in batches that commit."

    def add_arguments(self, parser):
        parser.add_argument("--kind", action="append", dest="kinds", metavar="KIND",
                            help=f"only this kind; one of {', '.join(REGISTRY)} (repeatable)")
        parser.add_argument("--batch-size", type=int, default=1000, help="records per batch (each batch commits)")
        parser.add_argument("--start-after", metavar="KIND:ID",
                            help="resume an interrupted rebuild after this record (its progress lines say where)")
        parser.add_argument("--workers", type=int, default=min(4, os.cpu_count() or 1),
                            help="processes that analyze documents (default: the cores, up to 4)")
        parser.add_argument("--offline", action="store_true",
                            help="PostgreSQL: drop the search indexes while rebuilding and build them once at the end, "
                                 "for a maintenance window (meanwhile a search of words reads every document)")
        parser.add_argument("--force", action="store_true",
                            help="write every entry, also those whose digest says they hold their document already "
                                 "(after the entry table itself was edited by hand)")

    def handle(self, *args, kinds=None, batch_size=1000, start_after=None, workers=1, offline=False, force=False,
               **options):
        kinds = kinds or list(REGISTRY)
        unknown = sorted(set(kinds) - set(REGISTRY))
        if unknown:
            raise CommandError(f"Unknown kind {', '.join(unknown)}; the kinds are {', '.join(REGISTRY)}.")
        if batch_size < 1:
            raise CommandError("--batch-size: at least 1.")
        if workers < 1:
            raise CommandError("--workers: at least 1.")
        if offline and connection.vendor != "postgresql":
            raise CommandError("--offline is for PostgreSQL; SQLite's index is fed by triggers as the entries are written.")
        resume = None
        if start_after:
            kind, _, last = start_after.partition(":")
            if kind not in kinds or not last.isdecimal():
                raise CommandError(f"--start-after {start_after!r}: give KIND:ID, KIND one of {', '.join(kinds)}.")
            resume = (kind, int(last))
        began = time.monotonic()
        state = {"processed": 0, "reported": 0.0}
        written = dict.fromkeys(kinds, 0)
        terminal = hasattr(self.stdout, "isatty") and self.stdout.isatty()

        def progress(kind, done, total, last, batch, batch_written):
            now = time.monotonic()
            state["processed"] += batch
            written[kind] += batch_written
            rate = state["processed"] / max(now - began, 1e-6)
            line = (f"{kind}: {done:,} of {total:,} ({done / max(total, 1):.0%}), {written[kind]:,} written, "
                    f"{rate:,.0f} records/s, about {(total - done) / rate:,.0f} s left — to resume: "
                    f"--start-after {kind}:{last}")
            if terminal:
                sys.stdout.write("\r" + line.ljust(110))
                sys.stdout.flush()
            elif now - state["reported"] >= REPORT_EVERY or done == total:
                state["reported"] = now
                self.stdout.write(line)

        backend = backends.for_connection(connection)
        if offline:
            with connection.cursor() as cursor:
                backend.drop_structures(cursor)
        try:
            counts = rebuild(kinds, batch_size=batch_size, start_after=resume, progress=progress, workers=workers,
                             force=force)
        finally:
            if offline:  # also after an interruption: the site must find records again
                self.stdout.write("building the search indexes…")
                with connection.cursor() as cursor:
                    cursor.execute(f"SET maintenance_work_mem = '{OFFLINE_BUILD_MEMORY}'")
                    backend.create_structures(cursor)
                    cursor.execute("RESET maintenance_work_mem")
        if terminal:
            sys.stdout.write("\n")
        seconds = time.monotonic() - began
        for kind, count in counts.items():
            kept = " (the others held their documents already)" if written[kind] < count else ""
            self.stdout.write(f"{kind}: {count:,} indexed, {written[kind]:,} of them written{kept}")
        total = sum(counts.values())
        processed = state["processed"]  # after --start-after, fewer than the entries there are
        self.stdout.write(f"{total:,} entries; {processed:,} records rebuilt in {seconds:.1f} s "
                          f"({processed / max(seconds, 1e-6):,.0f}/s)")
