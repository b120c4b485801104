"""The meeting search page, /meetings/: what a researcher types finds the right meetings, facets
count what their links then find, every state lives in the URL, and a search that finds nothing
says why and what each of its parts alone would find."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings.models import Meeting

pytestmark = pytest.mark.django_db

SENKAKU = ["2023-01-11-scc", "2022-05-23-summit", "2022-05-04-defense-ministers"]
NUCLEAR = {"2022-05-04-defense-ministers", "2022-05-23-summit", "2022-09-14-defense-ministers", "2022-11-13-summit",
           "2023-01-11-scc", "2023-01-12-defense-ministers", "2023-01-13-summit", "2023-05-18-summit"}


def search_page(client, params="", language=""):
    response = client.get(f"{language}/meetings/{params}")
    assert response.status_code == 200, response.content.decode()[:2000]
    return response


def found(response):
    return [hit.meeting.slug for hit in response.context["hits"]]


@pytest.mark.parametrize("query, expected", [
    ("核", NUCLEAR),  # one Japanese character: every occurrence
    ("尖閣", set(SENKAKU)),  # two characters
    ("拡大抑止", {"2022-05-04-defense-ministers", "2022-05-23-summit", "2022-09-14-defense-ministers", "2023-01-11-scc",
                "2023-01-12-defense-ministers", "2023-05-18-summit"}),
    ("ＭＱ－９", {"2022-09-14-defense-ministers", "2023-01-12-defense-ministers"}),  # full width
    # the SCC of 1976 was not yet the "2+2"
    ("２＋２", {"2012-04-27-scc", "2023-01-11-scc", "2023-01-13-summit", "2023-05-18-summit", "2022-06-27-summit",
               "2022-07-economic-2plus2", "2023-economic-2plus2", "2022-11-13-summit", "2023-01-12-defense-ministers"}),
    ("「日米同盟の抑止力」", {"2022-05-04-defense-ministers", "2022-05-23-summit", "2022-09-14-defense-ministers",
                       "2022-11-13-summit", "2023-01-13-summit", "2023-05-18-summit"}),
    ("尖閣 OR 馬毛島 -ロシア", set()),
    ("extended deterrence", {"2022-05-04-defense-ministers", "2022-05-23-summit", "2022-09-14-defense-ministers",
                             "2023-01-11-scc", "2023-01-12-defense-ministers", "2023-05-18-summit"}),
])
def test_a_search_finds_the_meetings_the_api_finds(client, query, expected):
    response = search_page(client, "?" + f"q={query}".replace("+", "%2B"))
    assert set(found(response)) == expected
    api = client.get("/api/v1/meetings/", {"q": query, "page_size": 100}).json()
    assert {meeting["slug"] for meeting in api["results"]} == expected


def test_the_empty_search_lists_every_meeting_newest_first_over_pages(client):
    first = search_page(client)
    assert first.context["page"].paginator.count == 15
    slugs = found(first)
    dates = [Meeting.objects.get(slug=slug).date for slug in slugs]
    assert dates == sorted(dates, reverse=True) and len(slugs) == 15
    assert all(f'href="/meetings/{slug}/"' in first.content.decode() for slug in slugs)


def test_each_hit_shows_date_title_body_place_attendees_and_its_matching_items_highlighted(client):
    html = search_page(client, "?q=尖閣").content.decode()
    scc = html[html.index('href="/meetings/2023-01-11-scc/"'):]
    scc = scc[: scc.index("</li>\n        \n          <li") if "</li>\n        \n          <li" in scc else len(scc)]
    assert '<time datetime="2023-01-11">' in html
    assert 'href="/bodies/SCC/"' in scc and "ワシントン" in scc
    assert 'href="/people/antony-j-blinken/"' in scc
    assert 'href="/meetings/2023-01-11-scc/#item-4"' in scc and "<mark>尖閣</mark>" in scc
    english = search_page(client, "?q=Senkaku", "/en").content.decode()
    assert "<mark>Senkaku</mark>" in english


def test_the_order_is_in_the_url_relevance_newest_or_oldest(client):
    assert found(search_page(client, "?q=尖閣&ordering=newest")) == SENKAKU
    assert found(search_page(client, "?q=尖閣&ordering=oldest")) == SENKAKU[::-1]
    assert found(search_page(client, "?q=MQ-9"))[0] == "2022-09-14-defense-ministers"  # relevance: 3 mentions


def facet_links(html):
    """(href, count) of every facet value the page offers."""
    aside = html[html.index('<aside class="facets"'):html.index("</aside>")]
    return [(unescape(href), int(count)) for href, count in
            re.findall(r'<a href="(\?[^"]+)"><span[^>]*>[^<]*</span> <span class="count">(\d+)</span></a>', aside)]


@pytest.mark.parametrize("params", ["", "?q=核", "?q=日米&kind=summit", "?q=台湾&person=kishida-fumio",
                                    "?topic=china&date_after=2022-06-01", "?q=北朝鮮&date_after=2022-06-01&date_before=2023-02-28"])
def test_every_facet_count_is_what_its_link_then_finds(client, params):
    links = facet_links(search_page(client, params).content.decode())
    assert links, "the page offers facets"
    for href, count in links:
        assert search_page(client, href).context["page"].paginator.count == count, href


def test_the_facets_cover_kind_body_year_person_topic_place_and_voice(client):
    panels = {panel.name: panel for panel in search_page(client, "?q=核").context["panels"]}
    assert set(panels) == {"kind", "body", "year", "person", "topic", "place", "voice"}
    assert {value.value: value.count for value in panels["year"].values} == {"2023": 4, "2022": 4}
    assert {value.value for value in panels["body"].values} == {"SCC"}


def test_a_chosen_facet_shows_its_value_with_a_link_that_removes_it(client):
    response = search_page(client, "?q=核&kind=summit&page=2")
    kind = next(panel for panel in response.context["panels"] if panel.name == "kind")
    assert kind.chosen.value == "summit" and kind.chosen.count == 4 and not kind.values
    assert kind.remove_url == "?q=%E6%A0%B8"
    html = response.content.decode()
    assert '<input type="hidden" name="kind" value="summit">' in html  # a new search keeps the filter


def test_a_year_narrows_within_the_dates_already_chosen(client):
    response = search_page(client, "?date_after=2022-06-01")
    year = next(panel for panel in response.context["panels"] if panel.name == "year")
    value = next(value for value in year.values if value.value == "2022")
    assert "date_after=2022-06-01" in value.url and "date_before=2022-12-31" in value.url


def test_the_page_charts_the_meetings_per_year_by_kind(client):
    html = search_page(client, "?q=核").content.decode()
    chart = html[html.index('<figure class="chart"'):html.index("</figure>")]
    assert "<svg" in chart and 'role="img"' in chart and "<table" in chart


def test_a_search_that_finds_nothing_says_what_each_part_alone_finds(client):
    response = search_page(client, "?q=尖閣 宇宙 zzz&kind=summit", "/en")
    html = response.content.decode()
    assert response.context["page"].paginator.count == 0
    parts = {part.label: part for part in response.context["alone"]}
    assert parts["the words 尖閣"].count == 3 and parts["the words zzz"].count == 0
    assert parts["Kind: summit meeting"].count == 5
    assert "q=%E5%B0%96%E9%96%A3+%E5%AE%87%E5%AE%99&kind=summit" in parts["the words zzz"].drop_url
    assert "Search without it" in html and "List every meeting" in html


def test_what_the_parser_ignored_is_said_on_the_page(client):
    html = search_page(client, "?q=!!!+???", "/en").content.decode()
    assert "Ignored what holds no letter, digit or Japanese character" in html
    japanese = search_page(client, "?q=!!!+???").content.decode()
    assert "Ignored what holds" not in japanese and "!!! ???" in japanese


@pytest.mark.parametrize("params, field, says", [
    ("?kind=picnic", "kind", "Select a valid choice"),
    ("?body=XYZ", "body", "No consultation body"),
    ("?person=nobody", "person", "No person is named"),
    ("?date_after=2023-13-01", "date_after", "valid date"),
    ("?date_after=2023-02-01&date_before=2023-01-01", "date_before", "earlier"),
])
def test_a_filter_the_page_cannot_use_is_a_400_that_names_it_as_the_api_does(client, params, field, says):
    response = client.get("/en/meetings/" + params)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html and says in unescape(html)
    if field.startswith("date"):  # a field of the form: the summary links to it
        assert f'href="#{field}"' in html
    else:  # a filter from a link or a bookmark: the summary offers to search without it
        assert re.search(r'<a href="\?[^"]*">Search without it<span class="visually-hidden">: ' + field, html)
    api = client.get("/api/v1/meetings/" + params, HTTP_ACCEPT_LANGUAGE="en").json()
    assert any(says in error for error in api["errors"][field])


def test_the_search_links_the_same_search_as_json_csv_atom_and_icalendar(client):
    html = unescape(search_page(client, "?q=尖閣&kind=summit").content.decode())
    assert 'href="/api/v1/meetings/?q=%E5%B0%96%E9%96%A3&kind=summit"' in html
    assert "format=csv" in html and 'href="/meetings/feed/?q=' in html and 'href="/meetings.ics?q=' in html


def test_the_header_of_every_page_has_a_meeting_search_box(client):
    for url in ("/", "/people/", "/en/guidelines/2015/"):
        html = client.get(url).content.decode()
        assert re.search(r'<form class="header-search" role="search" action="(/en)?/meetings/"', html)


def test_the_search_page_costs_the_same_queries_for_few_or_many_hits(client):
    # The data version; the count (with words: in a sample first); the facet counts; the page's ids; meetings with body and
    # place; attendances with their people; outcomes (not their topics and provisions, which a hit does not show); the
    # labels of bodies, people, places, topics. Another page of the same search reads the count and facets from the cache.
    def queries(params):
        with CaptureQueriesContext(connection) as captured:
            search_page(client, params)
        return len(captured)

    assert queries("?q=日米") == queries("?q=尖閣") == queries("") + 1 == 12
    assert queries("?q=尖閣&page=1") == queries("?q=日米&page=1") == 9


def test_a_count_of_very_many_matches_says_it_is_an_estimate_in_both_languages(client, monkeypatch):
    from alliance.search import service

    monkeypatch.setattr(service, "EXACT_COUNT", 5)
    monkeypatch.setattr(service, "COUNT_SAMPLE", 128)
    monkeypatch.setattr(service, "EXACT_FACETS", 5)
    monkeypatch.setattr(service, "FACET_SAMPLE", 5)
    monkeypatch.setattr("meetings.views.PER_PAGE", 5)
    response = search_page(client, "?q=日米", "/en")
    total = response.context["page"].paginator.count
    html = response.content.decode()
    assert response.context["results"].count_estimated and total % 2 == 0  # twice the matches in half the groups
    assert f"About {total} meetings" in html and f"of about {total}" in html
    assert "and so is that total" in html
    kind = search_page(client, "?q=日米&kind=summit", "/en")  # the summits alone: few, counted exactly
    assert not kind.context["results"].count_estimated and "5 meetings" in kind.content.decode()
    japanese = search_page(client, "?q=日米").content.decode()  # Japanese is the default language
    assert f"約{total}件" in japanese


def test_facet_counts_of_very_many_matches_are_marked_as_estimates(client, monkeypatch):
    from alliance.search import service

    monkeypatch.setattr(service, "EXACT_FACETS", 5)
    monkeypatch.setattr(service, "FACET_SAMPLE", 5)
    response = search_page(client, "?q=日米", "/en")
    html = response.content.decode()
    assert response.context["estimated"] and response.context["page"].paginator.count == 15  # the total stays exact
    assert "≈" in html and "are estimated from" in html
    chosen = search_page(client, "?q=日米&kind=summit", "/en")
    kind = next(panel for panel in chosen.context["panels"] if panel.name == "kind")
    assert kind.chosen.count == chosen.context["page"].paginator.count == 5  # a chosen value's count is exact


@pytest.mark.parametrize("params", ["?page=abc", "?page=0", "?page=-3", "?page=99999999999999999999", "?q=%00%01",
                                    "?q=" + "尖閣 " * 600, "?q=「閉じない", "?q=-", "?q=OR", "?ordering=", "?kind=",
                                    "?q=尖閣&kind=summit&kind=scc", "?date_after=", "?q=<script>alert(1)</script>",
                                    "?topic=%00", "?person=" + "a" * 3000])
def test_odd_input_gives_a_page_or_a_400_never_an_error(client, params):
    response = client.get("/meetings/" + params)
    assert response.status_code in (200, 400)
    assert "<script>alert(1)</script>" not in response.content.decode()
