"""Hostile input is refused with a 4xx that says why, never a 5xx or a hang, on both databases.

Each case was once a 500 on PostgreSQL or SQLite: a NUL in an address or a field (PostgreSQL
refuses NUL in text), a query word longer than a search term may be (PostgreSQL's 2,047-byte
lexemes), JSON nested past what a parser should follow, an outcome at position 0, a meeting dated
before the alliance or after next year.
"""

import datetime
import json

import pytest

from tests.test_api_writes import NEW_MEETING, curator, post

pytestmark = pytest.mark.django_db

LOOKUPS = ["meetings", "people", "bodies", "topics", "posts", "organizations"]


@pytest.mark.parametrize("kind", LOOKUPS)
def test_a_nul_in_an_address_is_a_404(client, kind):
    response = client.get(f"/api/v1/{kind}/%00/")
    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.parametrize("url", ["/meetings/%00/", "/people/a%00b/", "/topics/%00/", "/bodies/%00/",
                                 "/en/meetings/x%00/", "/guidelines/%00/"])
def test_a_nul_in_a_page_address_is_a_404_page(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "text/html" in response["Content-Type"]


@pytest.mark.parametrize("url", ["/api/v1/meetings/", "/api/v1/search/", "/meetings/feed/", "/meetings.ics",
                                 "/meetings/", "/search/"])
@pytest.mark.parametrize("query", ["ᾀ" * 420, "a" * 3000, "核" * 3000, "x\x00y", "尖閣 " + "ǅ" * 1500])
def test_a_query_of_overlong_words_or_a_nul_is_answered_or_refused_never_a_5xx(client, url, query):
    response = client.get(url, {"q": query})
    assert response.status_code in (200, 400), response.content[:300]
    if response.status_code == 400 and url.startswith("/api/"):
        assert "q" in response.json()["errors"]


@pytest.mark.parametrize("url", ["/api/v1/posts/", "/api/v1/meetings/", "/api/v1/people/"])
@pytest.mark.parametrize("page", ["²", "①", "٣٣"])
def test_a_page_number_of_digits_int_cannot_read_is_answered_not_a_500(client, url, page):
    # str.isdigit() accepts "²" and "①", which int() refuses (found by the parameter fuzzing)
    assert client.get(url, {"page": page, "page_size": page}).status_code in (200, 400, 404)


@pytest.mark.parametrize("name", ["person", "topic", "place", "body"])
def test_a_filter_value_with_a_percent_sign_is_a_400_that_quotes_it(client, name):
    # The message is formatted with the value as a parameter, not pasted into the format string,
    # where "%s" in the value broke the formatting (found by tests/test_fuzz_parameters.py).
    response = client.get("/api/v1/meetings/", {name: "100%s off %(x)s"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "100%s off %(x)s" in response.json()["errors"][name][0]
    assert client.get("/en/meetings/", {name: "50%"}).status_code == 400


@pytest.mark.parametrize("word", ["ᾀ" * 420, "x" * 2100, "Ǆ" * 1100])
def test_an_overlong_word_in_a_record_is_indexed_and_found_by_itself(client, word):
    # A word past the longest term a document keeps (PostgreSQL refuses lexemes past 2,047
    # bytes, and case folding lengthens ᾀ and Ǆ) is cut the same way in the document and in the
    # query: the record is saved, and found by the word.
    from alliance.search.service import search
    from meetings.models import Outcome

    outcome = Outcome.objects.get(meeting__slug="2023-01-11-scc", position=1)
    outcome.text_en = f"{outcome.text_en} {word}"
    outcome.save()
    assert [meeting.slug for meeting in search(query=word[:450])] == ["2023-01-11-scc"]
    assert client.get("/api/v1/meetings/", {"q": word[:450]}).json()["count"] == 1


@pytest.mark.parametrize("change", [
    {"position": 0}, {"position": -1}, {"position": 10**12}, {"text_ja": "a\x00b"}, {"topics": ["equip\x00ment"]},
    {"provisions": ["2015:\x00"]}, {"voice": "\x00"},
])
def test_an_outcome_item_with_a_hostile_field_is_a_400_naming_it(client, django_user_model, change):
    data = json.loads(json.dumps(NEW_MEETING))
    data["outcomes"][0].update(change)
    response = post(client, curator(django_user_model, "add_meeting"), data)
    assert response.status_code == 400, response.content[:300]
    assert "outcomes" in response.json()["errors"]


@pytest.mark.parametrize("change", [
    {"slug": "a\x00b"}, {"place": "to\x00kyo"}, {"source": "\x00"}, {"title_ja": "\x00"}, {"kind": "summit\x00"},
    {"attendees": [{"position": 1, "side": "japan", "person": "hama\x00da", "label_ja": "x", "label_en": "x"}]},
    {"date": "1944-12-31"}, {"date": f"{datetime.date.today().year + 2}-01-01"}, {"date": "0001-01-01"},
    {"date": "9999-12-31"}, {"date": "2023-02-30"},
])
def test_a_meeting_with_a_hostile_field_is_a_400(client, django_user_model, change):
    data = {**json.loads(json.dumps(NEW_MEETING)), **change}
    response = post(client, curator(django_user_model, "add_meeting"), data)
    assert response.status_code == 400, response.content[:300]
    assert set(response.json()["errors"]) & set(change)


def test_a_meeting_next_year_is_accepted_as_planned(client, django_user_model):
    data = {**NEW_MEETING, "date": f"{datetime.date.today().year + 1}-03-01", "status": "planned", "attendees": [],
            "slug": f"{datetime.date.today().year + 1}-03-01-defense-ministers"}
    response = post(client, curator(django_user_model, "add_meeting"), data)
    assert response.status_code == 201, response.json()


def test_deeply_nested_json_is_a_400_not_a_recursion_error(client, django_user_model):
    token = curator(django_user_model, "add_meeting")
    body = '{"outcomes": ' + "[" * 100000 + "]" * 100000 + "}"
    response = client.post("/api/v1/meetings/", body, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_a_body_that_is_not_json_is_a_400(client, django_user_model):
    token = curator(django_user_model, "add_meeting")
    for body in ("{", "\x00", '{"slug": "\\ud800"}', "[]", "1e999999"):
        response = client.post("/api/v1/meetings/", body, content_type="application/json",
                               HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400, (body, response.content[:200])


def test_an_item_longer_than_an_item_may_be_is_a_400_naming_it(client, django_user_model):
    from meetings.models import MAX_ITEM_TEXT

    data = json.loads(json.dumps(NEW_MEETING))
    data["outcomes"][0]["text_ja"] = "核" * (MAX_ITEM_TEXT + 1)
    response = post(client, curator(django_user_model, "add_meeting"), data)
    assert response.status_code == 400
    assert "text_ja" in response.json()["errors"]["outcomes"]["0"]


def test_a_meeting_with_more_text_than_one_search_document_holds_is_saved_and_found(client, django_user_model):
    # PostgreSQL holds at most 1 MB in a tsvector: ten items of 30,000 distinct-ish characters
    # make more. The meeting is saved, and its document keeps what fits, its beginning first.
    import random

    from alliance.search.service import search

    rng = random.Random(1)
    text = "".join(chr(rng.randint(0x4E00, 0x9FFF)) for _ in range(300_000))
    data = {**json.loads(json.dumps(NEW_MEETING)), "attendees": []}
    data["outcomes"] = [{"position": n + 1, "voice": "joint", "text_ja": text[n * 30_000:(n + 1) * 30_000], "text_en": "x"}
                        for n in range(10)]
    response = post(client, curator(django_user_model, "add_meeting"), data)
    assert response.status_code == 201, response.content[:300]
    assert [meeting.slug for meeting in search(query=text[:4])] == [NEW_MEETING["slug"]]
    assert search(query="x", filters={"kind": "defense-ministers", "place": "tokyo"}).count() >= 1  # its facets kept


def test_a_huge_text_is_refused_before_it_is_indexed(client, django_user_model):
    data = json.loads(json.dumps(NEW_MEETING))
    data["outcomes"][0]["text_ja"] = "核" * 1_100_000
    response = post(client, curator(django_user_model, "add_meeting"), data)
    assert response.status_code in (400, 413), response.content[:300]
    assert response.json()["detail"]
