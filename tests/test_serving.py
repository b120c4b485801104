"""The production server as the README documents it (`make serve`: gunicorn's threaded workers,
DEBUG=0), on a database of its own, on SQLite or PostgreSQL as the tests run:

- twenty curators writing at once are each saved or refused with a clear 4xx, never a 500 (on
  SQLite, WAL, a busy timeout and IMMEDIATE transactions make writers queue);
- two saves of one meeting with the same If-Match: one is saved, the other refused (412);
- clients that send their requests slowly do not stall the site for anyone else.
"""

import concurrent.futures
import http.client
import json
import os
import signal
import socket
import subprocess
import time

import pytest

from tests.scratch import ROOT, manage, scratch_database

WRITERS = 20


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def database_url(tmp_path_factory):
    with scratch_database(tmp_path_factory.mktemp("served"), "served") as url:
        yield url


@pytest.fixture(scope="module")
def served(database_url):
    """(port, a curator's token): `make serve` on the curated data."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "0", "SECRET_KEY": "serving-test-" + "k" * 40,
           "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "0", "SECURE_COOKIES": "0", "SECURE_HSTS_SECONDS": "0",
           "API_ANON_RATE": "100000/min", "PAGES_ANON_RATE": "100000/min", "PORT": str(port), "HOST": "127.0.0.1", "WEB_CONCURRENCY": "2",
           "THREADS": "4", "ACCESS_LOG": "/dev/null", "DJANGO_SETTINGS_MODULE": "alliance.settings"}
    env.pop("REDIS_URL", None)

    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "load_curated")
    token = manage(env, "shell", "--verbosity", "0", "-c", (
        "from django.contrib.auth.models import Permission, User; from rest_framework.authtoken.models import Token; "
        "user = User.objects.create_user('writer', password='pw'); "
        "user.user_permissions.set(Permission.objects.filter(codename__in=['add_meeting', 'change_meeting'])); "
        "print(Token.objects.create(user=user).key)")).stdout.strip()
    server = subprocess.Popen(["make", "--no-print-directory", "serve"], cwd=ROOT, env=env, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(300):
            try:
                if request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("make serve did not answer: " + server.stderr.read1().decode(errors="replace"))
        yield port, token
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=40)  # gunicorn lets running requests finish
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def request(port, method, path, body=None, headers=None, timeout=60):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    connection.request(method, path, body=json.dumps(body) if body is not None else None,
                       headers={"Content-Type": "application/json", "Accept-Language": "en", **(headers or {})})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data, dict(response.getheaders())


def meeting(day):
    return {"slug": f"2023-04-{day:02d}-defense-ministers", "date": f"2023-04-{day:02d}", "kind": "defense-ministers",
            "place": "tokyo", "title_ja": f"日米防衛相会談（{day}）", "title_en": f"Defense Ministerial Meeting {day}",
            "source": "doj2023-s1-3",
            "outcomes": [{"position": 1, "voice": "joint", "text_ja": f"両閣僚は第{day}項で一致。",
                          "text_en": f"The ministers agreed on item {day}."}]}


def test_twenty_curators_writing_at_once_are_each_saved_or_refused_with_a_4xx(served):
    port, token = served
    auth = {"Authorization": f"Token {token}"}
    bodies = [meeting(day) for day in range(1, WRITERS + 1)]
    bodies[-1] = {**bodies[0], "title_en": "The same slug as another writer's"}  # one must be refused
    with concurrent.futures.ThreadPoolExecutor(WRITERS) as pool:
        results = list(pool.map(lambda body: request(port, "POST", "/api/v1/meetings/", body, auth), bodies))
    statuses = [status for status, _, _ in results]
    assert all(status < 500 for status in statuses), [(status, body[:200]) for status, body, _ in results if status >= 500]
    assert statuses.count(201) == WRITERS - 1 and statuses.count(400) == 1
    refused = json.loads(next(body for status, body, _ in results if status == 400))
    assert "slug" in refused["errors"]
    listed = json.loads(request(port, "GET", "/api/v1/meetings/?date_after=2023-04-01&date_before=2023-04-30&page_size=100")[1])
    slugs = {body["slug"] for body in bodies}
    saved = {m["slug"]: m["title_en"] for m in listed["results"] if m["slug"] in slugs}
    assert set(saved) == slugs
    # of the two writers of one slug, whichever the database let in first is saved, whole
    assert saved[bodies[0]["slug"]] in (bodies[0]["title_en"], bodies[-1]["title_en"])


def test_two_saves_of_one_meeting_from_the_same_version_save_one_and_refuse_the_other(served):
    port, token = served
    status, body, headers = request(port, "GET", "/api/v1/meetings/2023-01-11-scc/")
    record, etag = json.loads(body), headers["ETag"]
    auth = {"Authorization": f"Token {token}", "If-Match": etag}

    def save(title):
        return request(port, "PATCH", "/api/v1/meetings/2023-01-11-scc/", {"title_en": title}, auth)[0]

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(save, [record["title_en"] + " (first)", record["title_en"] + " (second)"]))
    assert statuses == [200, 412]


def test_slow_clients_do_not_stall_the_site(served):
    port, _ = served
    slow = []
    for _ in range(4):  # each announces a body it sends a byte at a time (a slowloris)
        connection = socket.create_connection(("127.0.0.1", port))
        connection.sendall(b"POST /admin/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nuser")
        slow.append(connection)
    try:
        started = time.monotonic()
        status, _, _ = request(port, "GET", "/", timeout=20)
        assert status == 200
        assert time.monotonic() - started < 10  # gunicorn's sync workers stalled it for 31 s
    finally:
        for connection in slow:
            connection.close()


def test_static_files_are_served_compressed_and_cached_for_a_year(served):
    port, _ = served
    status, body, _ = request(port, "GET", "/")
    stylesheet = body.decode().split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
    assert stylesheet.startswith("/static/site.") and stylesheet.endswith(".css")  # the hashed name
    status, css, headers = request(port, "GET", stylesheet, headers={"Accept-Encoding": "gzip"})
    assert status == 200 and headers.get("Content-Encoding") in ("gzip", "br")
    assert "immutable" in headers["Cache-Control"] and int(headers["Cache-Control"].split("max-age=")[1].split(",")[0]) >= 365 * 24 * 3600
