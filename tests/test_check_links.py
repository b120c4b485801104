"""`manage.py check_links`: which primary sources' addresses no longer answer, against a local
HTTPS server that plays the publishers' sites (a page that is there, one that is gone, one that
never answers, one that refuses HEAD, one that moved)."""

import datetime
import http.server
import shutil
import ssl
import subprocess
import threading
import time

import pytest
from django.core.management import CommandError, call_command

from alliance.models import Organization
from documents.models import Document

pytestmark = pytest.mark.django_db

SLOW = 3.0  # seconds the slow page takes; the command is given a shorter timeout


class Publisher(http.server.BaseHTTPRequestHandler):
    def answer(self, body):
        if self.path == "/slow":
            time.sleep(SLOW)
        if self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/ok")
            self.end_headers()
            return
        status = {"/ok": 200, "/gone": 404, "/slow": 200, "/no-head": 405 if not body else 200, "/broken": 500}.get(self.path, 404)
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "2")
        self.end_headers()
        if body:
            self.wfile.write(b"ok")
        self.server.seen.append((self.command, self.path, self.headers.get("User-Agent")))

    def do_HEAD(self):
        self.answer(body=False)

    def do_GET(self):
        self.answer(body=True)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A certificate for 127.0.0.1, made for the test (the CA file the command is given)."""
    assert shutil.which("openssl"), "openssl is needed to make the local server's certificate (.ci/run installs it)"
    directory = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(directory / "key.pem"),
                    "-out", str(directory / "cert.pem")], check=True, capture_output=True)
    return directory / "cert.pem", directory / "key.pem"


@pytest.fixture(scope="module")
def site(certificate):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Publisher)
    server.daemon_threads = True
    server.seen = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*map(str, certificate))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{server.server_address[1]}", server
    server.shutdown()


@pytest.fixture
def documents(site):
    """Only the documents at the local site: the curated ones would reach for the internet."""
    base, server = site
    server.seen.clear()
    Document.objects.all().delete()
    mofa = Organization.objects.get(slug="mofa")
    for path in ("/ok", "/gone", "/slow", "/no-head", "/moved", "/broken"):
        Document.objects.create(url=base + path, publisher=mofa, language="ja", kind="readout", title=f"page {path}",
                                date=datetime.date(2023, 1, 13))
    return base


def check(certificate, *args):
    from io import StringIO

    out = StringIO()
    try:
        call_command("check_links", "--ca-file", str(certificate[0]), "--timeout", "1", *args, stdout=out, verbosity=2)
        failure = None
    except CommandError as error:
        failure = str(error)
    return out.getvalue(), failure


def test_a_page_that_answers_is_ok_and_one_that_is_gone_slow_or_failing_is_reported(certificate, documents):
    started = time.monotonic()
    out, failure = check(certificate)
    lines = {line.split("  ")[1]: line for line in out.splitlines() if line.startswith(("ok", "BROKEN"))}
    assert lines[documents + "/ok"].startswith("ok 200")
    assert lines[documents + "/moved"].startswith("ok 200")  # a redirect to a page that answers is fine
    assert lines[documents + "/no-head"].startswith("ok 200")  # HEAD refused: asked again with GET
    assert lines[documents + "/gone"].startswith("BROKEN") and "HTTP 404" in lines[documents + "/gone"]
    assert lines[documents + "/broken"].startswith("BROKEN") and "HTTP 500" in lines[documents + "/broken"]
    assert lines[documents + "/slow"].startswith("BROKEN") and "no answer within 1 s" in lines[documents + "/slow"]
    assert "page /gone" in lines[documents + "/gone"]  # which document, by its title
    assert failure == "3 of 6 addresses answer; 3 broken."  # a non-zero status for a scheduled run
    assert time.monotonic() - started < SLOW + 2  # the slow page is not waited for


def test_it_names_itself_and_asks_a_gone_page_once(certificate, documents, site):
    check(certificate)
    seen = site[1].seen
    assert all(agent.startswith("JapanUSAllianceDatabase-check_links/") for _, _, agent in seen)
    assert [(method, path) for method, path, _ in seen if path == "/gone"] == [("HEAD", "/gone")]


def test_every_address_answering_is_a_summary_and_status_zero(certificate, documents):
    Document.objects.exclude(url__in=[documents + "/ok", documents + "/moved"]).delete()
    out, failure = check(certificate)
    assert failure is None and out.splitlines()[-1] == "2 of 2 addresses answer; 0 broken."


def test_a_certificate_that_does_not_verify_is_reported(documents):
    from io import StringIO

    Document.objects.exclude(url=documents + "/ok").delete()
    with pytest.raises(CommandError, match="0 of 1 addresses answer; 1 broken."):
        call_command("check_links", "--timeout", "1", stdout=(out := StringIO()))  # the system's CAs only
    assert "TLS" in out.getvalue() or "certificate" in out.getvalue().lower()


def test_one_publishers_documents_or_a_clear_refusal(certificate, documents):
    Document.objects.filter(url=documents + "/gone").update(publisher=Organization.objects.get(slug="mod"))
    out, failure = check(certificate, "--publisher", "mod")
    assert failure == "0 of 1 addresses answer; 1 broken." and "/gone" in out
    assert check(certificate, "--publisher", "nowhere")[1] == "No document is published by 'nowhere'."
    assert "positive" in check(certificate, "--workers", "0")[1]


def test_a_server_that_answers_garbage_or_an_address_saved_around_the_validation_is_reported(certificate, documents):
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def garbage():
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            connection.recv(1024)
            connection.sendall(b"NOT HTTP AT ALL\r\n\r\n")
            connection.close()

    threading.Thread(target=garbage, daemon=True).start()
    Document.objects.all().delete()
    mofa = Organization.objects.get(slug="mofa")
    Document.objects.bulk_create([  # bulk_create saves without validating, as a careless script would
        Document(url=f"https://127.0.0.1:{listener.getsockname()[1]}/x", publisher=mofa, language="ja", kind="readout",
                 title="garbage", date=datetime.date(2023, 1, 13)),
        Document(url="https://[not an address", publisher=mofa, language="ja", kind="readout", title="broken",
                 date=datetime.date(2023, 1, 13))])
    out, failure = check(certificate)
    listener.close()
    assert failure == "0 of 2 addresses answer; 2 broken."
    assert out.count("BROKEN") == 2 and "Traceback" not in out
