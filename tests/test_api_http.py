"""HTTP behaviour of the API: conditional GETs and throttling of anonymous clients."""

import pytest
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/api/v1/meetings/?q=尖閣", "/api/v1/meetings/2023-01-11-scc/", "/api/v1/topics/"])
def test_an_unchanged_list_or_record_is_a_304(client, url):
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""


def test_a_changed_record_gets_a_new_etag(client):
    first = client.get("/api/v1/topics/china/")
    topic = __import__("alliance.models", fromlist=["Topic"]).Topic.objects.get(slug="china")
    topic.name_en = "People's Republic of China"
    topic.save()
    again = client.get("/api/v1/topics/china/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and again.json()["name_en"] == "People's Republic of China"


def test_anonymous_clients_past_the_rate_get_a_429_with_retry_after(client, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "3/min"})
    statuses = [client.get("/api/v1/topics/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/topics/", HTTP_ACCEPT_LANGUAGE="en")
    assert int(response["Retry-After"]) > 0
    assert "throttled" in response.json()["detail"].lower()


def test_reads_carry_last_modified_and_answer_if_modified_since(client):
    first = client.get("/api/v1/meetings/")
    assert first["Last-Modified"]
    assert client.get("/api/v1/meetings/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert client.get("/meetings.ics", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304


def test_a_delete_moves_last_modified_of_the_lists(client):
    import time

    from alliance.search.models import DataVersion
    from meetings.models import Meeting

    DataVersion.objects.update(changed_at="2024-01-01T00:00:00Z")
    before = client.get("/api/v1/meetings/")["Last-Modified"]
    time.sleep(0.01)
    Meeting.objects.get(slug="2022-06-27-summit").delete()
    response = client.get("/api/v1/meetings/", HTTP_IF_MODIFIED_SINCE=before)
    assert response.status_code == 200 and response.json()["count"] == 14
    assert response["Last-Modified"] != before


def test_an_unknown_address_under_the_api_is_a_json_404_even_with_debug_on(client, settings):
    settings.DEBUG = True
    response = client.get("/api/v1/no-such-resource/")
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}
    assert client.get("/api/v1/meetings").status_code == 301  # a missing slash is still added
