"""What a visitor sees: the home page's true counts, a meeting's permalink, a guideline edition's tree."""

import pytest
from django.test.utils import CaptureQueriesContext
from django.db import connection

from meetings.models import Meeting, Outcome

pytestmark = pytest.mark.django_db


def test_the_home_page_says_what_the_site_holds_with_real_counts(client, django_assert_num_queries):
    # 8 counts, the five latest meetings with place and body, the bodies, the editions.
    with django_assert_num_queries(11):
        response = client.get("/")
    assert response.status_code == 200
    assert response.context["counts"] == {
        "meetings": 14, "outcomes": 107, "attendances": 23, "people": 10,
        "bodies": 4, "editions": 3, "provisions": 91, "topics": 32,
    }
    html = response.content.decode()
    assert "<dd>107</dd>" in html and "<dd>14</dd>" in html
    assert "日米安全保障協議委員会 (SCC)" in html
    assert "/meetings/2023-05-18-summit/" in html


def test_a_meeting_page_shows_attendees_outcomes_and_its_source(client):
    response = client.get("/meetings/2023-01-11-scc/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "ブリンケン米国務長官" in html and "Antony J. Blinken" in html
    assert html.count('<li id="outcome-') == 24
    assert "Defense of Japan 2023" in html and "Fig. III-2-1-3" in html
    assert "unofficial translation" in html


def test_a_meeting_page_costs_the_same_queries_however_many_outcomes(client):
    # The meeting with body, place and source; attendances with people and posts; outcomes; their topics.
    def queries(slug):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/meetings/{slug}/").status_code == 200
        return len(captured)

    assert queries("2023-01-11-scc") == queries("2022-06-27-summit") == 4


def test_a_meeting_page_escapes_what_curators_write(client):
    outcome = Outcome.objects.get(meeting__slug="2022-06-27-summit", position=1)
    outcome.text_ja = "<script>alert(1)</script>・注記"
    outcome.save()
    html = client.get("/meetings/2022-06-27-summit/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;・注記" in html


def test_a_meeting_known_only_to_the_month_shows_no_invented_day(client):
    meeting = Meeting.objects.get(slug="2023-04-vice-ministerial")
    assert meeting.date_display == "2023-04"
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert "2023-04" in html and "2023-04-01" not in html
    assert "鈴木防衛事務次官" in html and "Kathleen H. Hicks" in html


def test_an_unknown_meeting_is_a_404(client):
    assert client.get("/meetings/1900-01-01-summit/").status_code == 404


def test_the_2015_guidelines_page_has_an_anchor_per_provision_and_the_operations_table(client, django_assert_num_queries):
    with django_assert_num_queries(4):
        response = client.get("/guidelines/2015/")
    html = response.content.decode()
    assert html.count('<section id="') == 91
    assert 'id="IV.C.2"' in html and 'href="#IV.A.p2.1"' in html
    assert "陸上攻撃に対処するための作戦" in html and "Operations to Counter Ground Attacks" in html


def test_an_edition_the_source_only_names_says_so(client):
    html = client.get("/guidelines/1978/").content.decode()
    assert "1978-11-27" in html
    assert "gives no provisions of this edition" in html
    assert client.get("/guidelines/1999/").status_code == 404
