"""The CSV export at scale: how long 10,000 rows take, through Django's test client, on the
benchmark database that `bench/search.py` generates (run it first).

    .venv/bin/python bench/export.py --database postgres                  # the table
    .venv/bin/python bench/export.py --database postgres --profile        # where the time goes

Each URL is asked `--repeat` times with the caches cleared (cold); the body is read as a client
would, chunk by chunk. Printed: rows, megabytes, p50 and max seconds, and milliseconds a row.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search import setup  # noqa: E402  (the benchmark database, as bench/search.py leaves it)

URLS = [
    ("10,000 meetings, newest first", "/api/v1/meetings/?format=csv&page_size=10000"),
    ("10,000 meetings ?q=核", "/api/v1/meetings/?q=%E6%A0%B8&format=csv&page_size=10000"),
    ("10,000 meetings' items (rows=outcomes)", "/api/v1/meetings/?format=csv&rows=outcomes&page_size=10000"),
]


def fetch(client, url):
    """(seconds, bytes, lines) of one cold export."""
    from django.core.cache import cache

    cache.clear()
    started = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    size = lines = 0
    for part in response.streaming_content:
        size += len(part)
        lines += part.count(b"\r\n")  # the CSV ends its rows with CRLF; a cell may hold a bare LF
    return time.perf_counter() - started, size, lines - 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="profile one export of the first URL and print the top functions")
    args = parser.parse_args()
    os.environ.setdefault("API_ANON_RATE", "1000000/min")
    setup(args.database, fresh=False)
    from django.test import Client

    from meetings.models import Meeting

    client = Client(HTTP_HOST="localhost")
    print(f"{args.database}, {Meeting.objects.count():,} meetings; cold exports through the test client")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        fetch(client, URLS[0][1])
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        return
    print(f"{'export':42} {'rows':>8} {'MB':>7} {'p50 s':>7} {'max s':>7} {'ms/row':>7}")
    for name, url in URLS:
        runs = [fetch(client, url) for _ in range(args.repeat)]
        seconds = [run[0] for run in runs]
        rows, size = runs[0][2], runs[0][1]
        print(f"{name:42} {rows:>8,} {size / 1e6:>7.1f} {statistics.median(seconds):>7.2f} {max(seconds):>7.2f} "
              f"{1000 * statistics.median(seconds) / max(rows, 1):>7.3f}")


if __name__ == "__main__":
    main()
