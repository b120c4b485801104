"""The site-wide search, /search/: every kind of record at once, grouped with counts and links to
each kind's full results; a topic or a person alone lists what it selects."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def groups(response):
    return {group["kind"]: group for group in response.context["groups"]}


def counts(response):
    return {kind: group["results"].count() for kind, group in groups(response).items()}


def test_a_search_groups_every_kind_with_its_count(client):
    response = client.get("/search/", {"q": "尖閣"})
    assert response.status_code == 200
    assert counts(response) == {"meeting": 3, "outcome": 4, "provision": 0, "body": 0, "person": 0}
    html = response.content.decode()
    assert html.count("<mark>尖閣</mark>") >= 4
    assert 'href="/meetings/2023-01-11-scc/#item-4"' in html


@pytest.mark.parametrize("query, kind, expected", [
    ("核", "outcome", 15),  # one character
    ("ＩＳＲ", "provision", 6),  # full width; the text and the ISR topic's name
    ("2+2", "body", 1),
    ("オースティン", "person", 1),
    ("Secretary of State", "person", 1),
])
def test_short_japanese_full_width_and_english_queries_reach_every_kind(client, query, kind, expected):
    assert counts(client.get("/search/", {"q": query}))[kind] == expected


def test_each_group_links_its_full_results_and_meetings_go_to_their_own_search(client):
    html = client.get("/search/", {"q": "日米"}).content.decode()
    assert 'href="/meetings/?q=%E6%97%A5%E7%B1%B3"' in html
    assert 'href="?q=%E6%97%A5%E7%B1%B3&amp;type=outcome"' in html
    response = client.get("/search/", {"q": "日米", "type": "meeting"})
    assert response.status_code == 302 and response["Location"] == "/meetings/?q=%E6%97%A5%E7%B1%B3"


def test_one_kind_is_listed_in_full_over_pages(client):
    first = client.get("/search/", {"q": "日米", "type": "outcome"})
    group = groups(first)["outcome"]
    assert set(groups(first)) == {"outcome"} and len(group["hits"]) == 20 and group["page"].has_next()
    second = groups(client.get("/search/", {"q": "日米", "type": "outcome", "page": 2}))["outcome"]
    assert not {o.pk for o in group["hits"]} & {o.pk for o in second["hits"]}


def test_a_topic_alone_lists_what_it_selects_and_says_which_kinds_have_no_topics(client):
    response = client.get("/en/search/", {"topic": "senkaku-islands"})
    assert counts(response) == {"meeting": 3, "outcome": 4, "provision": 0}
    assert response.context["skipped"] == ["body", "person"]
    assert "Not searched" in response.content.decode()


def test_a_person_and_words_together(client):
    assert counts(client.get("/search/", {"q": "宇宙", "person": "浜田靖一"})) == {"meeting": 1, "outcome": 1}


@pytest.mark.parametrize("params, field", [({"topic": "weather"}, "topic"), ({"person": "nobody"}, "person"),
                                           ({"q": "", "type": ""}, "__all__"), ({"q": "x", "type": "planet"}, "type")])
def test_what_cannot_be_searched_is_a_400_with_the_reason(client, params, field):
    response = client.get("/en/search/", params)
    assert response.status_code == 400 and field in response.context["form"].errors
    assert 'class="error-summary"' in response.content.decode()


def test_the_empty_page_is_a_form(client):
    response = client.get("/search/")
    assert response.status_code == 200 and response.context["groups"] == []
    assert re.search(r'<input id="q" name="q" type="search"', response.content.decode())


def test_the_site_search_costs_the_same_queries_for_few_or_many_hits(client):
    def queries(query):
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/search/", {"q": query}).status_code == 200
        return len(captured)

    # The data version (the counts' cache key); per kind, the ids and the count (in a sample of
    # the records, then of every match, as they are few; once per change of the data); then, for
    # a kind with hits, its records and what they show (meetings 1 + 5 prefetches, outcome items
    # 1 + 2, provisions 1 + 3, bodies 1 + 3, people 1 + 1): 35 when every kind has hits, whether a
    # kind has 3 or 76 of them.
    assert queries("防衛") == queries("米国") == 35
    assert queries("日米") == 33  # no person matches: no people or tenures to load
    assert queries("日米") == 33 - 10  # the counts again: from the cache


def test_what_the_parser_ignored_is_said(client):
    response = client.get("/en/search/", {"q": "尖閣 !!!"})
    assert "Ignored what holds no letter, digit or Japanese character: !!!" in response.content.decode()
