"""The read side of /api/v1/: resources, the meeting filters, pagination, errors and the schema."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings.models import Meeting

pytestmark = pytest.mark.django_db

SENKAKU = {"2022-05-04-defense-ministers", "2022-05-23-summit", "2023-01-11-scc"}


def slugs(client, **params):
    response = client.get("/api/v1/meetings/", {"page_size": 100, **params})
    assert response.status_code == 200, response.json()
    return {meeting["slug"] for meeting in response.json()["results"]}


def test_a_meeting_carries_the_contracts_fields(client):
    data = client.get("/api/v1/meetings/2023-01-11-scc/").json()
    assert data["date"] == "2023-01-11" and data["kind"] == "scc" and data["body"] == "SCC"
    assert data["place"] == {"slug": "washington", "name_ja": "ワシントン", "name_en": "Washington, D.C.", "country": "US"}
    blinken = data["attendees"][3]
    assert (blinken["name_ja"], blinken["name_en"], blinken["post"], blinken["side"]) == (
        "アントニー・ブリンケン", "Antony J. Blinken", "Secretary of State", "us")
    assert blinken["label_printed"] == "プリンケン米國務長官 | ブリンケン米国务長官"
    assert len(data["outcomes"]) == 24
    assert data["outcomes"][11]["provisions"] == ["III.A"]
    assert "senkaku-islands" in data["outcomes"][3]["topics"]
    assert data["source"]["figure"] == "III-2-1-3" and data["url"].endswith("/meetings/2023-01-11-scc/")


def test_lists_are_paginated_with_count_next_and_previous(client):
    first = client.get("/api/v1/meetings/", {"page_size": 5}).json()
    assert first["count"] == 15 and first["previous"] is None and "page=2" in first["next"]
    third = client.get(first["next"].replace("page=2", "page=3")).json()
    assert len(third["results"]) == 5 and third["next"] is None and "page=2" in third["previous"]
    assert len(client.get("/api/v1/meetings/", {"page_size": 1000}).json()["results"]) == 15  # capped at 100


@pytest.mark.parametrize("params, expected", [
    ({"q": "尖閣"}, SENKAKU),
    ({"q": "核", "kind": "summit"}, {"2022-05-23-summit", "2022-11-13-summit", "2023-01-13-summit", "2023-05-18-summit"}),
    ({"q": "ＳＣＣ", "body": "scc"}, {"1976-07-08-scc", "2012-04-27-scc", "2023-01-11-scc"}),
    ({"person": "antony-j-blinken"}, {"2023-01-11-scc"}),
    ({"person": "岸信夫"}, {"2022-05-04-defense-ministers"}),
    ({"person": "Colin H. Kahl"}, {"2023-04-vice-ministerial"}),
    ({"topic": "senkaku-islands"}, SENKAKU),
    ({"place": "広島"}, {"2023-05-18-summit"}),
    ({"place": "elmau"}, {"2022-06-27-summit"}),
    # a meeting with an item in the U.S. side's voice, that speaks of 尖閣 (not necessarily in that item)
    ({"voice": "us", "q": "尖閣"}, SENKAKU),
    # the Economic "2+2" of 2023 is known to the year: any window in 2023 overlaps it
    ({"date_after": "2023-01-12", "date_before": "2023-01-13"},
     {"2023-01-12-defense-ministers", "2023-01-13-summit", "2023-economic-2plus2"}),
])
def test_each_filter_of_the_search_page(client, params, expected):
    assert slugs(client, **params) == expected


def test_ordering(client):
    newest = [m["slug"] for m in client.get("/api/v1/meetings/", {"q": "尖閣", "ordering": "-date"}).json()["results"]]
    assert newest == ["2023-01-11-scc", "2022-05-23-summit", "2022-05-04-defense-ministers"]
    oldest = [m["slug"] for m in client.get("/api/v1/meetings/", {"q": "尖閣", "ordering": "date"}).json()["results"]]
    assert oldest == newest[::-1]


@pytest.mark.parametrize("params, parameter, says", [
    ({"kind": "picnic"}, "kind", "Select a valid choice"),
    ({"body": "XYZ"}, "body", "No consultation body"),
    ({"person": "nobody"}, "person", "No person is named"),
    ({"topic": "weather"}, "topic", "No topic"),
    ({"place": "atlantis"}, "place", "No place"),
    ({"voice": "loud"}, "voice", "Select a valid choice"),
    ({"date_after": "2023-13-01"}, "date_after", "valid date"),
    ({"date_after": "2023-02-01", "date_before": "2023-01-01"}, "date_before", "earlier"),
    ({"ordering": "sideways"}, "ordering", "Select a valid choice"),
    ({"page": "0"}, "page", "positive"),
    ({"page_size": "many"}, "page_size", "positive"),
])
def test_a_bad_filter_is_a_400_that_names_it(client, params, parameter, says):
    response = client.get("/api/v1/meetings/", params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Invalid request."
    assert says in " ".join(body["errors"][parameter])


def test_errors_speak_the_clients_language(client):
    response = client.get("/api/v1/meetings/", {"kind": "picnic"}, HTTP_ACCEPT_LANGUAGE="ja")
    assert "正しく選択してください" in response.json()["errors"]["kind"][0]


def test_a_malformed_query_gives_a_message_not_an_error(client):
    data = client.get("/api/v1/meetings/", {"q": "!!! ???"}).json()
    assert data["count"] == 0 and data["messages"]


def test_other_resources(client):
    assert [b["abbreviation"] for b in client.get("/api/v1/bodies/").json()["results"]] == ["SCC", "SSC", "SDC", "JC"]
    scc = client.get("/api/v1/bodies/SCC/").json()
    assert scc["legal_articles"] == ["Japan–U.S. Security Treaty, Article IV"] and len(scc["participants"]) == 7
    assert scc["alias_periods"]["2+2"] == {"since": "1990-12-26", "until": None} and "Japan–U.S. Security Consultative Committee" in scc["aliases"]
    austin = client.get("/api/v1/people/lloyd-j-austin-iii/").json()
    assert austin["tenures"][0]["post"]["title_en"] == "Secretary of Defense"
    assert client.get("/api/v1/topics/").json()["count"] == 33
    assert client.get("/api/v1/posts/minister-of-defense/").json()["organization"] == "mod"
    assert client.get("/api/v1/organizations/usfj/").json()["parent"] == "department-of-defense"
    assert [e["year"] for e in client.get("/api/v1/editions/").json()["results"]] == [2015, 1997, 1978]
    provision = client.get("/api/v1/provisions/", {"edition": 2015, "path": "IV.C.2"}).json()["results"][0]
    assert provision["parent"] == "IV.C" and provision["children"] == ["IV.C.2.p1", "IV.C.2.p2", "IV.C.2.p3"]
    assert client.get("/api/v1/provisions/", {"edition": 2015, "path_prefix": "IV.C"}).json()["count"] == 11
    assert client.get("/api/v1/provisions/", {"edition": 1999}).status_code == 400


@pytest.mark.parametrize("params, paths", [
    ({"q": "logistics support"}, {"IV.A.p2.6", "IV.B.p2.6", "IV.C.2.p3.3", "IV.D.p3.5", "V.A.p2.8"}),
    ({"q": "宇宙に関する協力"}, {"VI.A"}),
    ({"q": "ISR", "path_prefix": "VI"}, {"VI.A.p3"}),
    ({"q": "ミサイル防衛", "edition": 2015, "path_prefix": "IV.A"}, {"IV.A.p2", "IV.A.p2.2"}),
    ({"q": "存在しない語"}, set()),
])
def test_provisions_take_words_as_the_design_says(client, params, paths):
    data = client.get("/api/v1/provisions/", params).json()
    found = {provision["path"] for provision in data["results"]}
    assert paths <= found if len(paths) > 2 else paths == found
    assert data["count"] == len(found)
    ordered = [(p["edition"], p["path"]) for p in data["results"]]
    assert ordered == sorted(ordered, key=lambda item: (-item[0], item[1]))  # tree order
    assert client.get("/api/v1/meetings/1900-01-01-summit/").json() == {"detail": "No Meeting matches the given query."}


@pytest.mark.parametrize("url, queries", [
    # each count has the data version, read once for the cached counts and Last-Modified
    # search: count (cold; then from the cache), page; meetings, attendances, outcomes, their topics, their
    # provisions, their primary sources with publishers
    ("/api/v1/meetings/?page_size={}", 9),
    # with words, the count first counts a sample of the matches (then all of them, when few)
    ("/api/v1/meetings/?q=日米&page_size={}", 10),
    # bodies: count, bodies, articles with their instruments, participants with posts and organizations, notes
    ("/api/v1/bodies/?page_size={}", 6),
    ("/api/v1/people/?page_size={}", 4),
    ("/api/v1/posts/?page_size={}", 3),
    ("/api/v1/organizations/?page_size={}", 3),
    ("/api/v1/topics/?page_size={}", 3),
    ("/api/v1/editions/?page_size={}", 3),
    # provisions: count, provisions, children, topics, operation roles with their parent rows
    ("/api/v1/provisions/?page_size={}", 6),
    # per kind: count (a sample, then every match) and page, then the records and their prefetches
    ("/api/v1/search/?q=日米&type=meeting&type=body&page_size={}", 17),
    # documents: count, documents with publishers, meetings, bodies, editions, provisions with
    # editions, the data version (Last-Modified); filtered by publisher, the publisher looked up
    ("/api/v1/documents/?page_size={}", 7),
    ("/api/v1/documents/?publisher=mod&language=ja&page_size={}", 8),
])
def test_query_counts_do_not_grow_with_the_page(client, url, queries):
    for size in (2, 50):
        cache.clear()  # cold: the search's count not cached yet
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url.format(size)).status_code == 200
        assert len(captured) == queries, [q["sql"][:80] for q in captured]


def test_a_list_is_counted_once_per_change_of_the_data(client):
    # The count reads every match: the unfiltered list and a second page take it from the cache
    # until a write moves the data version.
    def counts(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return sum("count(" in query["sql"].lower() for query in captured)

    for url, cold in (("/api/v1/meetings/", 1), ("/api/v1/meetings/?q=%E6%97%A5%E7%B1%B3&page_size=2", 2)):
        assert counts(url) == cold  # a search with words counts a sample first
        assert counts(url) == 0 and counts(url + ("&" if "?" in url else "?") + "page=2") == 0
    Meeting.objects.get(slug="2023-01-11-scc").save()
    assert counts("/api/v1/meetings/") == 1


def test_the_api_says_when_a_count_is_an_estimate(client, monkeypatch):
    from alliance.search import service

    exact = client.get("/api/v1/meetings/", {"q": "日米"}).json()
    assert exact["count"] == 15 and exact["count_estimated"] is False
    monkeypatch.setattr(service, "EXACT_COUNT", 5)
    monkeypatch.setattr(service, "COUNT_SAMPLE", 128)
    cache.clear()
    listing = client.get("/api/v1/meetings/", {"q": "日米"}).json()
    assert listing["count_estimated"] is True and listing["count"] % 2 == 0  # twice the matches in half the groups
    everything = client.get("/api/v1/search/", {"q": "日米", "type": ["meeting", "body"]}).json()
    assert everything["meetings"]["count"] == listing["count"] and everything["meetings"]["count_estimated"] is True
    assert everything["bodies"]["count_estimated"] is False
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert "count_estimated" in schema["components"]["schemas"]["PaginatedMeetingList"]["required"]


def test_anonymous_clients_read_only(client):
    assert client.post("/api/v1/topics/", {"slug": "x"}).status_code in (401, 403)
    assert client.delete("/api/v1/meetings/2023-01-11-scc/").status_code in (401, 403, 405)


def test_the_schema_and_its_docs_are_served_from_the_project(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert schema["openapi"].startswith("3.")
    parameters = {p["name"] for p in schema["paths"]["/api/v1/meetings/"]["get"]["parameters"]}
    assert {"q", "kind", "body", "person", "topic", "place", "voice", "date_after", "date_before", "ordering", "page"} <= parameters
    docs = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in docs and "/static/drf_spectacular_sidecar/" in docs
    # Nothing from a CDN: every script and stylesheet from this site (not a test for "cdn" in the
    # page, which a random CSRF token may contain).
    addresses = re.findall(r'(?:src|href)="([^"]+)"', docs)
    assert addresses and all(address.startswith("/") for address in addresses), addresses


def test_search_across_every_kind_with_highlights(client):
    data = client.get("/api/v1/search/", {"q": "尖閣"}).json()
    assert {key: data[key]["count"] for key in ("meetings", "outcomes", "provisions", "bodies", "people")} == {
        "meetings": 3, "outcomes": 4, "provisions": 0, "bodies": 0, "people": 0}
    assert {m["slug"] for m in data["meetings"]["results"]} == SENKAKU
    assert all("<mark>尖閣</mark>" in hit["highlight_ja"] for hit in data["outcomes"]["results"])


def test_search_by_type_and_its_errors(client):
    data = client.get("/api/v1/search/", {"q": "ISR", "type": ["provision", "body"], "page_size": 10}).json()
    assert set(data) == {"query", "messages", "provisions", "bodies"}
    assert {p["path"] for p in data["provisions"]["results"]} == {"IV.C.2.p2", "VI.A.p3", "IV.A.p2", "IV.A.p2.1",
                                                                 "V.A.p2", "V.A.p2.6"}  # the text, and the ISR topic
    response = client.get("/api/v1/search/", {"type": "weather"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and set(response.json()["errors"]) == {"q", "type"}
    assert client.get("/api/v1/search/", {"q": "!!!"}).json()["messages"]


def test_a_meeting_is_addressed_by_its_slug_alone_whatever_the_list_filters_say(client):
    response = client.get("/api/v1/meetings/2023-01-11-scc/", {"kind": "picnic", "q": "zzz"})
    assert response.status_code == 200 and response.json()["slug"] == "2023-01-11-scc"


def test_the_list_schema_declares_the_messages(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    listing = schema["components"]["schemas"]["PaginatedMeetingList"]
    assert "messages" in listing["properties"] and "messages" in listing["required"]


def test_a_meetings_url_is_its_permalink_whatever_language_the_client_reads(client):
    for language in ("en", "ja"):
        data = client.get("/api/v1/meetings/2023-01-11-scc/", HTTP_ACCEPT_LANGUAGE=language).json()
        assert data["url"] == "http://testserver/meetings/2023-01-11-scc/"


def test_a_search_that_finds_nothing_says_what_each_part_alone_finds(client):
    data = client.get("/api/v1/meetings/", {"q": "尖閣 宇宙 zzz", "kind": "summit"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert data["count"] == 0
    assert data["messages"][-1] == "Nothing matches all of this at once. Each part alone finds: 尖閣: 3, 宇宙: 2, zzz: 0, kind=summit: 5"
    japanese = client.get("/api/v1/meetings/", {"q": "尖閣 zzz"}, HTTP_ACCEPT_LANGUAGE="ja").json()
    assert "尖閣: 3, zzz: 0" in japanese["messages"][-1] and "Nothing" not in japanese["messages"][-1]
    assert client.get("/api/v1/meetings/", {"q": "zzz"}).json()["messages"] == []  # one part: nothing to drop


def test_a_long_query_is_cut_and_said_on_every_search_endpoint(client):
    query = "尖閣 " * 700  # 2,100 characters
    for url in ("/api/v1/meetings/", "/api/v1/search/"):
        data = client.get(url, {"q": query}, HTTP_ACCEPT_LANGUAGE="en").json()
        assert any("first 500 characters" in message for message in data["messages"]), url


def test_an_item_found_only_through_a_misprint_shows_the_misprint_marked(client):
    data = client.get("/api/v1/search/", {"q": "プライスキップ", "type": "outcome"}).json()
    [hit] = data["outcomes"]["results"]
    assert hit["highlight_ja"] == hit["highlight_en"] == "" and "<mark>プライスキップ</mark>" in hit["highlight_printed"]


def test_a_body_is_found_by_its_legal_basis(client):
    data = client.get("/api/v1/search/", {"q": "SOFA", "type": "body"}).json()
    assert [body["abbreviation"] for body in data["bodies"]["results"]] == ["JC"]
    assert [b["abbreviation"] for b in client.get("/api/v1/search/", {"q": "地位協定", "type": "body"}).json()["bodies"]["results"]] == ["JC"]
