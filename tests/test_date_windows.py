"""Date windows: a meeting known only to its month (or year) matches any window that overlaps its
month (or year), with words and without, in the engine and in the API; one known to the day
matches only windows that hold its day."""

import datetime

import pytest

from alliance.search.service import search
from meetings.models import Meeting, Outcome

pytestmark = pytest.mark.django_db

APRIL = "2023-04-vice-ministerial"  # 2023年4月, known to the month
ECONOMIC_2023 = "2023-economic-2plus2"  # 「本年の経済版「2+2」」, known to the year


def slugs(query="", **filters):
    return {meeting.slug for meeting in search(query=query, filters=filters)[:100]}


@pytest.mark.parametrize("after, before", [
    ("2023-04-10", "2023-04-20"),  # inside the month
    ("2023-04-30", None),  # from its last day on
    ("2023-04-15", "2023-05-31"),
    (None, "2023-04-01"),  # up to its first day
    ("2023-03-01", "2023-04-01"),
])
@pytest.mark.parametrize("query", ["", "Hicks", "鈴木", "事務次官"])
def test_a_window_that_overlaps_the_month_finds_the_meeting(query, after, before):
    assert APRIL in slugs(query, date_after=after, date_before=before)


@pytest.mark.parametrize("after, before", [("2023-05-01", None), (None, "2023-03-31"), ("2023-01-01", "2023-03-31")])
@pytest.mark.parametrize("query", ["", "Hicks"])
def test_a_window_outside_the_month_does_not(query, after, before):
    assert APRIL not in slugs(query, date_after=after, date_before=before)


def test_a_meeting_known_to_the_day_keeps_to_its_day():
    assert "2023-01-11-scc" not in slugs("2+2", date_after="2023-01-12")
    assert "2023-01-11-scc" in slugs("2+2", date_after="2023-01-11", date_before="2023-01-11")
    # the days before the window in the same month or year are not pulled in
    assert slugs(date_after="2023-01-12", date_before="2023-01-31") == {
        "2023-01-12-defense-ministers", "2023-01-13-summit", ECONOMIC_2023}  # the one known to the year: any day of 2023


def test_a_meeting_known_to_the_year_matches_any_window_in_its_year():
    assert ECONOMIC_2023 in slugs("経済版", date_after="2023-11-03", date_before="2023-11-04")
    assert ECONOMIC_2023 not in slugs("経済版", date_before="2022-12-31")
    template = Meeting.objects.get(slug=APRIL)
    Meeting.objects.create(slug="1985-talks", date=datetime.date(1985, 1, 1), date_precision="year", kind=template.kind,
                           title_ja="日米協議", title_en="Japan–U.S. talks", source=template.source)
    assert "1985-talks" in slugs(date_after="1985-11-03", date_before="1985-11-04")
    assert "1985-talks" in slugs("協議", date_after="1985-06-01")
    assert "1985-talks" not in slugs("協議", date_after="1986-01-01")


def test_outcome_items_follow_their_meeting():
    meeting = Meeting.objects.get(slug=APRIL)
    Outcome.objects.create(meeting=meeting, position=1, voice="both", text_ja="日米同盟の強化で一致。",
                           text_en="They agreed to strengthen the alliance.", source=meeting.source)
    for query in ("", "同盟"):
        items = search(query=query, kind="outcome", filters={"date_after": "2023-04-15", "date_before": "2023-04-16"})
        assert {item.meeting.slug for item in items[:100]} == {APRIL}


def test_the_api_and_the_page_answer_the_same(client):
    api = client.get("/api/v1/meetings/", {"date_after": "2023-04-15", "date_before": "2023-04-20"}).json()
    assert [meeting["slug"] for meeting in api["results"]] == [APRIL, ECONOMIC_2023]
    page = client.get("/meetings/", {"q": "Hicks", "date_after": "2023-04-15"}).content.decode()
    assert f"/meetings/{APRIL}/" in page
