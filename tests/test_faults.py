"""When the site cannot answer, the client learns why and when to come back: a 503 with
Retry-After while the database does not answer, a 413 for a body too large, a 500 without a
traceback otherwise; JSON under /api/, a page in the request's language elsewhere."""

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_down(client, monkeypatch):
    """Every query fails as it does while PostgreSQL restarts (connection refused)."""
    from django.db.backends.utils import CursorWrapper

    def refused(*args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    client.get("/")  # modules and templates loaded while the database still answers
    monkeypatch.setattr(CursorWrapper, "execute", refused)
    monkeypatch.setattr(CursorWrapper, "executemany", refused)
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("url", ["/api/v1/meetings/", "/api/v1/meetings/2023-01-11-scc/", "/api/v1/search/?q=尖閣",
                                 "/api/v1/people/"])
def test_while_the_database_is_down_the_api_answers_503_in_json_with_retry_after(database_down, url):
    response = database_down.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "database" in response.json()["detail"]
    assert "データベース" in database_down.get(url).json()["detail"]  # the API's default language


@pytest.mark.parametrize("url, language, words", [
    ("/en/meetings/", "en", "The database is not answering"),
    ("/meetings/?q=尖閣", "ja", "データベース"),
    ("/en/", "en", "try again in 30 seconds"),
    ("/meetings.ics", "ja", "データベース"),
])
def test_while_the_database_is_down_pages_answer_503_in_their_language(database_down, url, language, words):
    response = database_down.get(url)
    html = response.content.decode()
    assert response.status_code == 503 and int(response["Retry-After"]) > 0
    assert f'<html lang="{language}">' in html and words in html
    assert "Traceback" not in html and "5432" not in html


def test_the_site_serves_again_once_the_database_answers(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    execute = CursorWrapper.execute
    monkeypatch.setattr(CursorWrapper, "execute", lambda *a, **k: (_ for _ in ()).throw(OperationalError("down")))
    client.raise_request_exception = False
    assert client.get("/api/v1/meetings/").status_code == 503
    monkeypatch.setattr(CursorWrapper, "execute", execute)
    assert client.get("/api/v1/meetings/").status_code == 200


def test_another_fault_under_the_api_is_a_500_in_json_without_a_traceback(client, monkeypatch):
    from meetings.models import MeetingQuerySet

    def broken(queryset, user):
        raise RuntimeError("the index is on fire")

    monkeypatch.setattr(MeetingQuerySet, "visible_to", broken)
    client.raise_request_exception = False
    response = client.get("/api/v1/meetings/2023-01-11-scc/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500
    assert response.json() == {"detail": "A fault on our side; please try again in a moment."}


def test_a_body_past_the_upload_limit_is_a_413_that_says_the_limit(client, settings, django_user_model):
    from tests.test_api_writes import curator

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post("/api/v1/meetings/", "{" + " " * 2000 + "}", content_type="application/json",
                           HTTP_ACCEPT_LANGUAGE="en", HTTP_AUTHORIZATION=f"Token {curator(django_user_model, 'add_meeting')}")
    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is larger than the 0.001 MB a request may carry."}


def test_a_nul_in_a_query_parameter_is_a_400_naming_it(client):
    response = client.get("/api/v1/meetings/", {"person": "hamada\x00"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["person"]
    page = client.get("/en/meetings/", {"q": "尖閣\x00"})
    assert page.status_code == 400 and "A NUL character is not allowed" in page.content.decode()


def test_a_database_error_that_waiting_will_not_cure_is_a_500_not_a_503(client, monkeypatch):
    # PostgreSQL's OperationalError also covers limits (SQLSTATE 54000, "string is too long for
    # tsvector"): that is a fault to fix, not an outage to wait out.
    from django.db.backends.utils import CursorWrapper

    class Limit(Exception):
        sqlstate = "54000"

    def too_long(*args, **kwargs):
        raise OperationalError("string is too long for tsvector") from Limit()

    client.get("/")
    monkeypatch.setattr(CursorWrapper, "execute", too_long)
    client.raise_request_exception = False
    response = client.get("/api/v1/meetings/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500 and "Retry-After" not in response
