"""Benchmark over HTTP: the site served by gunicorn with the production settings, on the
benchmark database that bench/search.py generated, with a static file as the floor.

    .venv/bin/python bench/over_http.py --database postgres --workers 2 --connections 8

For each URL of the mix it prints two lines of figures:
- cold: one request right after a curator's write (the data version moved: no count, facet
  count or home page summary is cached), ten times; p50 and p95;
- loaded: `--connections` clients at once, `--requests` each, on persistent connections; p50,
  p95 and requests a second (what repeated searches and a second page cost: counts cached).
The meetings must exist already (run bench/search.py with the same --meetings first).
"""

import argparse
import http.client
import os
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.search import percentile  # noqa: E402

URLS = [  # (label, path)
    ("static file (the floor)", "/static/{css}"),
    ("home page", "/"),
    ("meeting list, unfiltered", "/meetings/"),
    ("API list, unfiltered", "/api/v1/meetings/"),
    ("API list, ordering=-date", "/api/v1/meetings/?ordering=-date"),
    ("API ?q=尖閣", "/api/v1/meetings/?q=尖閣"),
    ("API ?q=核 (half the meetings)", "/api/v1/meetings/?q=核"),
    ("search page ?q=尖閣 (facets)", "/meetings/?q=尖閣"),
    ("search page ?q=核 (facets)", "/meetings/?q=核"),
    ("search page ?q=中国&kind=summit", "/meetings/?q=中国&kind=summit"),
    ("search page ?q=Austin&person=…", "/meetings/?q=Austin&person=hamada-yasukazu"),
    ("CSV, 1,000 meetings ?q=核", "/api/v1/meetings/?q=核&format=csv&page_size=1000"),
]


def environment(database_url):
    return {**os.environ, "DATABASE_URL": database_url, "DEBUG": "0", "SECRET_KEY": "benchmark-only",
            "ALLOWED_HOSTS": "127.0.0.1", "SECURE_COOKIES": "0",
            "SECURE_SSL_REDIRECT": "0", "SECURE_HSTS_SECONDS": "0", "API_ANON_RATE": "100000000/min",
            "PAGES_ANON_RATE": "100000000/min", "ACCESS_LOG": "/dev/null",
            "DJANGO_SETTINGS_MODULE": "alliance.settings", "PYTHONPATH": str(ROOT)}


def serve(env, port, workers):
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    # as `make serve` runs it (gunicorn.conf.py: threaded workers), with the number of workers given
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "alliance.wsgi:application",
                               "--config", "gunicorn.conf.py", "--workers", str(workers),
                               "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
                              cwd=ROOT, env=env)
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/")
            connection.getresponse().read()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def quoted(path):
    base, _, query = path.partition("?")
    return base + ("?" + urllib.parse.urlencode(urllib.parse.parse_qsl(query)) if query else "")


def get(connection, path):
    started = time.perf_counter()
    connection.request("GET", path, headers={"Accept-Encoding": "identity"})
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise SystemExit(f"{path}: {response.status} {body[:200]!r}")
    return (time.perf_counter() - started) * 1000


def loaded(port, path, connections, requests):
    times, lock = [], threading.Lock()

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine = [get(connection, path) for _ in range(requests)]
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(connections)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times, len(times) / (time.perf_counter() - started)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--requests", type=int, default=10, help="requests per connection and URL")
    parser.add_argument("--cold", type=int, default=10, help="requests right after a write, per URL")
    parser.add_argument("--port", type=int, default=8123)
    args = parser.parse_args()

    if args.database == "postgres":
        database_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/alliance_bench")
    else:
        database_url = f"sqlite:///{ROOT / 'bench' / 'bench.sqlite3'}"
    env = environment(database_url)
    os.environ.update({name: env[name] for name in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DEBUG")})
    import django

    django.setup()
    from meetings.models import Meeting

    total = Meeting.objects.count()
    server = serve(env, args.port, args.workers)
    try:
        # the stylesheet under its hashed name, as a page links it (far-future cacheable)
        css = next((ROOT / "staticfiles").glob("site.*.css")).relative_to(ROOT / "staticfiles").as_posix()
        writer = Meeting.objects.filter(slug__startswith="bench-").order_by("pk").first()
        print(f"{args.database}, {total:,} meetings over HTTP: gunicorn (make serve's gunicorn.conf.py), "
              f"{args.workers} workers of {os.environ.get('THREADS', '8')} threads; "
              f"loaded = {args.connections} connections × {args.requests} requests; times in ms")
        header = f"{'URL':36} | {'cold p50':>8} {'p95':>7} | {'loaded p50':>10} {'p95':>7} {'req/s':>7}"
        print(header)
        print("-" * len(header))
        for label, path in URLS:
            path = quoted(path.format(css=css))
            # every worker's code and templates loaded: a connection goes to whichever worker
            # accepts it first, so several, or the first cold request in another worker pays for it
            for _ in range(4 * args.workers):
                warming = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)
                get(warming, path)
                warming.close()
            connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)
            cold = []
            for _ in range(args.cold):
                writer.title_en = writer.title_en.rstrip("*") + "*"
                writer.save()  # a curator's write: the data version moves, every cached count is stale
                cold.append(get(connection, path))
            times, rate = loaded(args.port, path, args.connections, args.requests)
            print(f"{label:36} | {percentile(cold, .5):>8.1f} {percentile(cold, .95):>7.1f} | "
                  f"{percentile(times, .5):>10.1f} {percentile(times, .95):>7.1f} {rate:>7.1f}")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
