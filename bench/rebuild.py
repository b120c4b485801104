"""What a rebuild of the meetings' entries costs, on the benchmark database that `bench/search.py`
generates (run it first): its rate in its batches, its end (orphans removed, `VACUUM (ANALYZE)`),
and each process's CPU a meeting.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/alliance_bench_1m \\
      .venv/bin/python bench/rebuild.py --start-after 990015 [--force]

Without `--force`, a rebuild writes only the entries whose documents changed: right after
`search.py`, none (the analysis of every meeting, and the reading of its entry's digest, are what
it costs). With it, every entry is written again, as after a change of the analyzer.

`alliance.search.index.rebuild` as `manage.py rebuild_search_index --kind meeting` runs it, timed
from its progress calls. The CPU is read from /proc (Linux): the main process, the analysis
workers (its children), and the server process of the connection that writes the batches (not
that of the connection that reads them ahead, which opens and closes inside the rebuild).
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search import setup  # noqa: E402  (the benchmark database, as bench/search.py leaves it)


def cpu_seconds(pid):
    """User and system CPU of a process, from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--start-after", type=int, default=0, help="rebuild the meetings after this id (default: all)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--force", action="store_true",
                        help="write every entry, as after a change of the analyzer (else only those that differ)")
    args = parser.parse_args()
    setup(args.database, fresh=False)

    from django.db import connection

    from alliance.search import index
    from meetings.models import Meeting

    before = Meeting.objects.filter(pk__lte=args.start_after).count()
    progress = []
    server = {}
    rebuild_batches = index._rebuild

    def timed_rebuild(*arguments, **options):  # the connection it writes with, opened after the workers start
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                server["pid"] = cursor.fetchone()[0]
            server["cpu"] = cpu_seconds(server["pid"])
        return rebuild_batches(*arguments, **options)

    index._rebuild = timed_rebuild
    started = time.perf_counter()
    index.rebuild(["meeting"], batch_size=args.batch_size, workers=args.workers,
                  start_after=("meeting", args.start_after) if args.start_after else None,
                  force=args.force, progress=lambda kind, done, total, last, batch, written: progress.append(
                      (time.perf_counter(), done, written)))
    ended = time.perf_counter()
    count = progress[-1][1] - before
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)

    def per_meeting(seconds):
        return f"{seconds * 1000 / count:.2f}"

    written = sum(batch[2] for batch in progress)
    print(f"{connection.vendor}, {Meeting.objects.count():,} meetings; {count:,} rebuilt ({written:,} entries written), "
          f"batches of {args.batch_size:,}, {args.workers} workers")
    print(f"  until the last batch: {progress[-1][0] - started:.1f} s, {count / (progress[-1][0] - started):.0f} a second")
    print(f"  the end (orphans, VACUUM (ANALYZE)): {ended - progress[-1][0]:.1f} s; in all {ended - started:.1f} s, "
          f"{count / (ended - started):.0f} a second")
    line = (f"  CPU, ms a meeting: main process {per_meeting(own.ru_utime + own.ru_stime)}, "
            f"workers {per_meeting(children.ru_utime + children.ru_stime)}")
    if "pid" in server:
        line += f", the writing connection's server process {per_meeting(cpu_seconds(server['pid']) - server['cpu'])}"
    print(line)


if __name__ == "__main__":
    main()
