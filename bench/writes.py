"""Benchmark: saving a meeting through the one write path, as the API and the importer do.

    .venv/bin/python bench/writes.py                      # SQLite, a fresh file under bench/
    .venv/bin/python bench/writes.py --database postgres  # BENCH_DATABASE_URL, default alliance_bench_writes

On a database holding the curated data, for meetings of 10, 100 and 300 outcome items (each with
a topic and a provision) and two attendees, it times and counts the queries of: creating the
meeting, a PATCH-like update of its title alone (rows left as they are), and a replace that
changes one item's text among them all (rows matched by position, kept in place). Prints
seconds (median of --repeat runs) and queries per operation.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(database):
    if database == "postgres":
        url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/alliance_bench_writes")
        os.environ["DATABASE_URL"] = url
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
    else:
        path = ROOT / "bench" / "writes.sqlite3"
        path.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_curated", verbosity=0)


def rows(count, tag):
    from alliance.models import Person, Post, Topic
    from guidelines.models import Provision

    topic, provision = Topic.objects.get(slug="space"), Provision.objects.get(edition__year=2015, path="VI.A")
    attendees = [
        {"position": 1, "side": "japan", "person": Person.objects.get(slug="hamada-yasukazu"),
         "post": Post.objects.get(slug="minister-of-defense"), "label_ja": "浜田防衛大臣", "label_en": "Minister Hamada"},
        {"position": 2, "side": "us", "person": Person.objects.get(slug="lloyd-j-austin-iii"),
         "post": Post.objects.get(slug="secretary-of-defense"), "label_ja": "オースティン米国防長官",
         "label_en": "Secretary Austin"},
    ]
    outcomes = [{"position": n, "voice": "joint", "text_ja": f"両閣僚は、宇宙協力の項目{n}（{tag}）で一致。",
                 "text_en": f"The two ministers agreed on space item {n} ({tag}).", "topics": [topic],
                 "provisions": [provision]} for n in range(1, count + 1)]
    return attendees, outcomes


def measure(operation):
    from django.db import connection

    count = 0

    def counted(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        started = time.perf_counter()
        operation()
        elapsed = time.perf_counter() - started
    return elapsed, count


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--sizes", default="10,100,300")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    setup(args.database)

    import datetime

    from alliance.models import Source
    from meetings.models import Meeting
    from meetings.services import save_meeting

    source = Source.objects.get(slug="doj2023-s1-3")
    print(f"{'items':>6} {'operation':<28} {'seconds':>8} {'queries':>8}")
    for size in [int(size) for size in args.sizes.split(",")]:
        results = {"create": [], "title only": [], "replace, one item changed": []}
        for run in range(args.repeat):
            slug = f"bench-{size}-{run}"
            fields = {"slug": slug, "date": datetime.date(2023, 4, 5), "kind": "defense-ministers",
                      "title_ja": "日米防衛相会談", "title_en": "Defense Ministerial Meeting", "source": source}
            attendees, outcomes = rows(size, "a")
            results["create"].append(measure(lambda: save_meeting(fields=fields, attendances=attendees,
                                                                  outcomes=outcomes)))
            meeting = Meeting.objects.get(slug=slug)
            results["title only"].append(measure(lambda: save_meeting(
                meeting=meeting, fields={"title_en": "Defense Ministerial Meeting (edited)"})))
            outcomes[size // 2]["text_en"] = "A better translation."
            results["replace, one item changed"].append(measure(lambda: save_meeting(
                meeting=meeting, fields={}, attendances=attendees, outcomes=outcomes)))
        for operation, timings in results.items():
            seconds = statistics.median(elapsed for elapsed, _ in timings)
            queries = statistics.median(count for _, count in timings)
            print(f"{size:>6} {operation:<28} {seconds:>8.3f} {queries:>8.0f}")


if __name__ == "__main__":
    main()
