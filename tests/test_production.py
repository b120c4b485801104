"""Production settings: secure by default, probes for a load balancer, the client's address
believed only from a trusted proxy, and a shared cache from REDIS_URL."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {"DEBUG": "0", "SECRET_KEY": "a-production-key-" + "x7Q!p2" * 10, "ALLOWED_HOSTS": "alliance.example.org",
              "DATABASE_URL": f"sqlite:///{ROOT / 'db.sqlite3'}"}


def manage(*args, **env):
    environment = {**os.environ, **PRODUCTION, **env}
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # the browser tests' setting, which no deployment has
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env=environment)


def test_the_production_settings_pass_djangos_deployment_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", SECRET_KEY="")
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def redis_is_up():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_is_up() and not os.getenv("CI"), reason="no Redis on 127.0.0.1:6379 (CI has one)")
def test_redis_url_gives_every_worker_one_cache():
    script = ("from django.core.cache import cache; cache.set('probe', 'shared', 30); "
              "from django.core.cache import caches; print(type(caches['default']).__name__, cache.get('probe'))")
    result = manage("shell", "--verbosity", "0", "-c", script, REDIS_URL="redis://127.0.0.1:6379/15")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["RedisCache", "shared"]


@pytest.mark.django_db
def test_healthz_answers_without_the_database_and_readyz_checks_it(client, monkeypatch):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok"}
    from django.db import OperationalError
    from django.db.backends.utils import CursorWrapper

    def refused(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", refused)
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503 and response["Retry-After"]
    assert response.json()["status"] == "database unavailable"


@pytest.mark.django_db
def test_readyz_waits_for_pending_migrations(client, monkeypatch):
    from alliance import health
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(health, "_migrated", False)
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [(type("M", (), {
        "app_label": "meetings", "name": "0099_future"})(), False)])
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "migrations pending", "pending": ["meetings.0099_future"]}


@pytest.fixture
def three_a_minute(monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "3/min"})


@pytest.mark.django_db
def test_a_client_cannot_escape_the_throttle_by_rotating_x_forwarded_for(client, three_a_minute):
    statuses = [client.get("/api/v1/topics/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


@pytest.mark.django_db
def test_behind_a_trusted_proxy_each_client_is_throttled_by_its_own_address(client, settings, three_a_minute):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    proxy = {"REMOTE_ADDR": "10.0.0.2"}

    def get(forwarded):
        return client.get("/api/v1/topics/", HTTP_X_FORWARDED_FOR=forwarded, **proxy).status_code

    # the address the proxy appended is the client's; what the client wrote before it is not believed
    assert [get(f"198.51.100.{n}, 203.0.113.7") for n in range(4)] == [200, 200, 200, 429]
    assert get("203.0.113.8") == 200  # another client
    settings.TRUSTED_PROXIES = []  # no longer trusted: every request counts against the proxy's own address
    assert [get(f"203.0.113.{n}") for n in range(20, 24)] == [200, 200, 200, 429]


@pytest.mark.django_db
def test_x_forwarded_proto_is_believed_only_from_a_trusted_proxy(rf, settings):
    from alliance.middleware import TrustedProxyMiddleware

    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    seen = {}

    def view(request):
        seen["secure"], seen["address"] = request.is_secure(), request.META["REMOTE_ADDR"]

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    middleware = TrustedProxyMiddleware(view)
    middleware(rf.get("/", HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_FOR="203.0.113.5", REMOTE_ADDR="10.0.0.2"))
    assert seen == {"secure": True, "address": "203.0.113.5"}
    middleware(rf.get("/", HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_FOR="203.0.113.5", REMOTE_ADDR="192.0.2.1"))
    assert seen == {"secure": False, "address": "192.0.2.1"}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/en/meetings/?q=尖閣", "/api/v1/meetings/", "/api/v1/meetings/?format=csv",
                                 "/api/v1/docs/", "/api/v1/redoc/", "/admin/login/", "/meetings/feed/", "/meetings.ics",
                                 "/healthz", "/no-such-page/", "/api/v1/meetings/no-such-meeting/"])
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_swagger_ui_starts_from_a_script_file_not_an_inline_script(client):
    html = client.get("/api/v1/docs/").content.decode()
    assert "<script>" not in html and 'src="/api/v1/docs/?script="' in html
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "/api/v1/schema/" in script.content.decode()
    assert "fonts.googleapis.com" not in client.get("/api/v1/redoc/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/en/meetings/?q=尖閣", "/meetings/feed/", "/meetings.ics", "/admin/login/"])
def test_anonymous_clients_are_throttled_on_pages_feeds_and_the_sign_in_too(client, monkeypatch, url):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {**api_settings.DEFAULT_THROTTLE_RATES, "pages": "3/min"})
    statuses = [client.get(url, HTTP_ACCEPT_LANGUAGE="en").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/en/", HTTP_X_FORWARDED_FOR="203.0.113.50")  # another address claimed, not believed
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 60
    assert '<html lang="en">' in response.content.decode() and "Too many requests" in response.content.decode()
    assert client.get("/healthz").status_code == 200  # the probes and the API are not counted here
    assert client.get("/api/v1/topics/").status_code == 200


@pytest.mark.django_db
def test_a_signed_in_curator_is_not_throttled_on_pages(client, monkeypatch, django_user_model):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {**api_settings.DEFAULT_THROTTLE_RATES, "pages": "3/min"})
    client.force_login(django_user_model.objects.create_user("curator", is_staff=True))
    assert {client.get("/meetings/").status_code for _ in range(5)} == {200}


@pytest.mark.django_db
def test_only_redoc_may_load_an_image_from_elsewhere_its_bundles_logo(client):
    assert "https://cdn.redoc.ly" in client.get("/api/v1/redoc/")["Content-Security-Policy"]
    assert "cdn.redoc.ly" not in client.get("/api/v1/docs/")["Content-Security-Policy"]
    assert "cdn.redoc.ly" not in client.get("/")["Content-Security-Policy"]


def test_a_gunicorn_worker_leaves_what_it_loaded_at_startup_out_of_every_collection():
    """Python's full collections scanned every object a worker had loaded (~75 ms at a time, a
    pause in one request of ten or twenty); frozen after the worker starts, they are never scanned."""
    import gc
    import runpy
    from pathlib import Path

    config = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))
    try:
        config["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
