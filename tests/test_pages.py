"""The record pages a visitor reads: home, a meeting, a body, a person, a topic, the Guidelines.

Each shows the right records with links to the records around them, escapes what curators
write, answers 404 for what does not exist, and costs the same number of queries however much
the record holds.
"""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliance.models import ConsultationBody, Person, Topic
from meetings.models import Meeting, Outcome

pytestmark = pytest.mark.django_db


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_home_page_says_what_the_site_holds_with_real_counts(client):
    response = client.get("/")
    assert response.context["counts"] == {
        "meetings": 15, "outcomes": 107, "attendances": 23, "people": 10,
        "bodies": 4, "editions": 3, "provisions": 91, "topics": 33, "with_documents": 12, "without_documents": 3,
        "with_readout": 9, "without_readout": 6,
    }
    html = response.content.decode()
    assert "<dd>107</dd>" in html and "<dd>15</dd>" in html
    assert 'href="/bodies/SCC/"' in html and 'href="/meetings/2023-05-18-summit/"' in html
    assert '<figure class="chart"' in html and "<svg" in html  # meetings per year by kind


def test_the_home_page_counts_once_per_change_of_the_data(client):
    # The data version (read once per request); the first time, the meeting facets (count and
    # facets) and 9 counts (the meetings with a primary source, and with a readout, among them);
    # then recent meetings, bodies and editions.
    assert queries(client, "/") == 15
    assert queries(client, "/") == 4
    Topic.objects.filter(slug="china").first().save()  # any curated write moves the data version
    assert queries(client, "/") == 15


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statistics of its tables")
def test_past_a_size_the_home_page_estimates_the_items_and_attendances_from_the_tables_statistics(client, monkeypatch):
    # Counting five million outcome items took 0.6 s: a large table is not counted but estimated
    # from the planner's row count, times the share of the meetings that is published.
    from meetings.models import Attendance

    summit = Meeting.objects.get(slug="2023-05-18-summit")
    summit.state = Meeting.State.DRAFT  # 14 of the 15 meetings are published
    summit.save()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE meetings_meeting, meetings_outcome, meetings_attendance")
    monkeypatch.setattr("alliance.views.EXACT_ROWS", 50)  # 107 items are past it, 23 attendances are not
    response = client.get("/en/")
    counts, html = response.context["counts"], response.content.decode()
    assert counts["outcomes"] == round(107 * 14 / 15) == 100  # the summit's own items may be more or fewer: estimated
    assert counts["attendances"] == Attendance.objects.published().count() < 23  # few enough to count exactly
    assert response.context["estimated_counts"] == {"outcomes"}
    assert "<dd>≈100</dd>" in html and f"<dd>{counts['attendances']}</dd>" in html
    assert "are estimated from the database" in html
    assert queries(client, "/") == 4  # cached like the exact counts


def test_a_meeting_page_shows_attendees_linked_outcomes_anchored_and_its_source(client):
    html = page(client, "/meetings/2023-01-11-scc/")
    assert "ブリンケン米国務長官" in html and "Antony J. Blinken" in html
    assert 'href="/people/antony-j-blinken/"' in html and 'href="/bodies/SCC/"' in html
    assert len(re.findall(r'<li id="item-\d+"', html)) == 24
    assert 'href="#item-3"' in html
    assert 'href="/topics/senkaku-islands/"' in html
    assert 'href="/guidelines/2015/#III.A"' in html  # item 12 acts on the 2015 Guidelines, III.A
    assert "Defense of Japan 2023" in html and "図表III-2-1-3" in html
    assert "結果概要(抄)" in html  # the outcomes are the white paper's abridged summary
    assert "プリンケン米國務長官" in html  # the scan's own form, beside the corrected one


def test_a_meeting_page_links_the_meetings_before_and_after_it(client):
    html = page(client, "/meetings/2023-01-11-scc/")
    # the Economic "2+2" known only to 2023 stands at the start of its year
    assert re.search(r'<a rel="prev" href="/meetings/2023-economic-2plus2/"', html)
    assert re.search(r'<a rel="next" href="/meetings/2023-01-12-defense-ministers/"', html)
    oldest = page(client, "/meetings/1976-07-08-scc/")
    assert 'rel="prev"' not in oldest and 'rel="next" href="/meetings/1996-06-28-vice-ministerial/"' in oldest


def test_a_meeting_page_says_when_the_source_only_reports_a_plan(client):
    meeting = Meeting.objects.get(slug="2022-07-economic-2plus2")  # planned in the curated data
    assert "出典の記載による" in page(client, meeting.get_absolute_url())
    assert "as the source reports it" in page(client, "/en" + meeting.get_absolute_url())
    assert client.get(f"/api/v1/meetings/{meeting.slug}/").json()["status"] == "planned"
    assert "as the source reports it" in page(client, "/en/meetings/?q=Economic")
    assert "as the source reports it" not in page(client, "/en/meetings/2023-01-11-scc/")


def test_a_meeting_page_costs_the_same_queries_however_many_outcomes(client):
    # The meeting with body, place and source; attendances with people and posts; outcomes; their
    # topics; their provisions with editions; its primary sources with their publishers; the meeting
    # before and the one after. 8, and the versions of the meeting, its attendees and its items for
    # the list of changes
    assert queries(client, "/meetings/2023-01-11-scc/") == queries(client, "/meetings/2022-06-27-summit/") == 11


def test_a_meeting_known_only_to_the_month_shows_no_invented_day(client):
    meeting = Meeting.objects.get(slug="2023-04-vice-ministerial")
    html = page(client, meeting.get_absolute_url())
    assert "2023-04" in html and "2023-04-01" not in html
    assert "鈴木防衛事務次官" in html and "Kathleen H. Hicks" in html


HOSTILE = '<script>alert("x")</script>・注記'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;・注記"


@pytest.mark.parametrize("url", ["/", "/meetings/", "/meetings/?q=注記", "/meetings/2022-06-27-summit/",
                                 "/en/meetings/2022-06-27-summit/", "/bodies/", "/bodies/SCC/", "/people/",
                                 "/people/kishida-fumio/", "/topics/", "/topics/china/", "/search/?q=注記"])
def test_every_page_escapes_what_curators_write(client, url):
    meeting = Meeting.objects.get(slug="2022-06-27-summit")
    meeting.title_ja = meeting.title_en = HOSTILE
    meeting.save()
    Outcome.objects.filter(meeting=meeting, position=1).update(text_ja=HOSTILE, text_en=HOSTILE)
    for model, key in ((Person, {"slug": "kishida-fumio"}), (ConsultationBody, {"abbreviation": "SCC"}),
                       (Topic, {"slug": "china"})):
        record = model.objects.get(**key)
        record.name_ja = record.name_en = HOSTILE
        record.save()
    from alliance.search.index import rebuild

    rebuild()
    html = page(client, url)
    assert "<script>alert" not in html
    assert ESCAPED in re.sub(r"</?mark[^>]*>", "", html)  # a search page marks the matched 注記


@pytest.mark.parametrize("url", ["/meetings/1900-01-01-summit/", "/people/nobody/", "/topics/weather/",
                                 "/bodies/XYZ/", "/guidelines/1999/", "/en/meetings/1900-01-01-summit/",
                                 "/meetings/1900-01-01-summit/cite.bib"])
def test_an_unknown_record_is_a_404_page_in_the_pages_language(client, url):
    response = client.get(url)
    assert response.status_code == 404
    html = response.content.decode()
    assert ('<html lang="en">' in html) == url.startswith("/en/")
    assert 'action="/meetings/"' in html or 'action="/en/meetings/"' in html  # a search box to carry on


def test_the_body_page_shows_participants_per_side_with_periods_legal_basis_notes_and_meetings(client):
    html = page(client, "/bodies/SCC/")
    assert "日米安全保障協議委員会" in html
    japan, us = html.index('id="side-japan"'), html.index('id="side-us"')
    assert japan < html.index("外務大臣", japan) < us  # the Japanese side lists its ministers
    assert "1990-12-26" in html  # the U.S. side's participants since the change of 1990
    assert "Article IV" in html or "第4条" in html
    assert 'id="note-1"' in html
    assert 'href="/meetings/2023-01-11-scc/"' in html and 'href="/meetings/?body=SCC"' in html


def test_the_body_list_and_the_lower_case_address(client):
    html = page(client, "/bodies/")
    assert all(f'href="/bodies/{abbreviation}/"' in html for abbreviation in ("SCC", "SSC", "SDC", "JC"))
    response = client.get("/bodies/scc/")
    assert response.status_code == 301 and response["Location"] == "/bodies/SCC/"


def test_a_person_page_shows_names_reading_posts_and_every_meeting_attended(client):
    html = page(client, "/people/hamada-yasukazu/")
    assert "浜田靖一" in html and "Hamada Yasukazu" in html and "ハマダ" in html
    assert "2022-08-10" in html  # took office
    for slug in ("2022-09-14-defense-ministers", "2023-01-11-scc", "2023-01-12-defense-ministers"):
        assert f'href="/meetings/{slug}/"' in html
    assert 'href="/meetings/?person=hamada-yasukazu"' in html


def test_the_people_list_links_everyone_with_their_meetings(client):
    html = page(client, "/people/")
    assert len(set(re.findall(r'href="/people/([a-z-]+)/"', html))) == 10
    assert 'href="/meetings/?person=lloyd-j-austin-iii">4<' in html


def test_a_topic_page_threads_its_items_and_provisions_in_date_order_with_a_chart(client):
    html = page(client, "/topics/senkaku-islands/")
    dates = re.findall(r'<li><a href="/meetings/[^"]+#item-\d+"><time datetime="([\d-]+)"', html)
    assert len(dates) == 4 and dates == sorted(dates)
    assert '<figure class="chart"' in html
    intelligence = page(client, "/topics/isr/") if Topic.objects.filter(slug="isr").exists() else ""
    assert intelligence == "" or "/guidelines/2015/#" in intelligence


def test_the_topic_list_counts_items_and_provisions(client):
    response = client.get("/topics/")
    topics = {topic.slug: topic for topic in response.context["topics"]}
    assert len(topics) == 33
    assert topics["senkaku-islands"].outcome_count == 4
    assert sum(topic.provision_count for topic in topics.values()) == sum(
        Topic.objects.get(slug=slug).provisions.count() for slug in topics)


def test_the_2015_guidelines_page_has_contents_headings_in_order_and_an_anchor_per_provision(client):
    html = page(client, "/guidelines/2015/")
    assert len(re.findall(r'<div id="[^"]+" class="provision depth-', html)) == 91
    assert 'id="IV.C.2"' in html and 'href="#IV.A.p2.1"' in html
    assert '<nav class="toc"' in html and 'href="#IV"' in html
    levels = [int(level) for level in re.findall(r"<h(\d) id=\"[^\"]+-heading\"", html)]
    assert levels[0] == 2 and all(b <= a + 1 for a, b in zip(levels, levels[1:]))  # no level skipped going down
    assert "陸上攻撃に対処するための作戦" in html and "Operations to Counter Ground Attacks" in html
    assert 'href="/meetings/2023-01-11-scc/#item-12"' in html  # the meeting whose item acts on III.A


def test_the_guidelines_mark_unofficial_english_once_per_chapter_from_the_records_flags(client):
    html = page(client, "/guidelines/2015/")
    chapters = html.count('<section class="chapter"')
    marks = html.count('class="unofficial"')
    assert 0 < marks <= chapters + 2  # a chapter's mark, not one per paragraph (91 provisions)


def test_the_guidelines_page_costs_the_same_queries_however_many_provisions(client):
    # The edition; its provisions with sources; their topics; the outcome items acting on them with
    # their meetings; the operations table; the primary sources about the edition or its provisions.
    assert queries(client, "/guidelines/2015/") == 6
    assert queries(client, "/guidelines/1978/") == 3  # no provisions: nothing to prefetch


def test_an_edition_the_source_only_names_says_so(client):
    html = page(client, "/en/guidelines/1978/")
    assert "1978-11-27" in html and "gives no provisions" in html
    assert 'href="/guidelines/2015/"' in page(client, "/guidelines/")


@pytest.mark.parametrize("url, expected", [
    ("/bodies/", 1),  # bodies with their parent and meeting counts
    ("/people/", 2),  # people with meeting counts; their tenures with posts
    ("/guidelines/", 1),  # editions with provision counts
    # body with parent and source; articles; participants; notes; subsidiaries; its meetings and their
    # count; its changes (the body's versions, its participants', its notes'); the primary sources about it
    ("/bodies/SCC/", 11),
    # person with source; tenures with posts; meetings attended and their count; its changes (the
    # person's versions, its tenures')
    ("/people/hamada-yasukazu/", 6),
    # topic with source; the page of items and their count; provisions; items per year from the
    # index (the data version, the count in a sample then of every match, the facets); its versions
    ("/topics/senkaku-islands/", 9),
])
def test_lists_and_record_pages_cost_a_fixed_number_of_queries(client, url, expected):
    assert queries(client, url) == expected


def test_the_topic_list_counts_once_per_change_of_the_data(client):
    # The data version, then (first time) the items and provisions per topic; the topics.
    assert queries(client, "/topics/") == 4
    assert queries(client, "/topics/") == 2


def test_a_fault_is_a_plain_500_page_in_the_pages_language(client, monkeypatch):
    from meetings.models import MeetingQuerySet

    def broken(queryset):
        raise RuntimeError("the database is on fire")

    assert client.get("/").status_code == 200  # every module loaded before the fault is planted
    monkeypatch.setattr(MeetingQuerySet, "for_hits", broken)
    client.raise_request_exception = False
    response = client.get("/en/meetings/")
    html = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="en">' in html and "Something went wrong" in html
    assert "on fire" not in html and "Traceback" not in html
    assert '<html lang="ja">' in client.get("/meetings/").content.decode()


def test_a_meeting_page_offers_its_citation_to_copy_download_and_harvest(client):
    html = page(client, "/en/meetings/2023-01-11-scc/")
    citation = re.search(r'<textarea id="citation"[^>]*>([^<]+)</textarea>', html).group(1)
    assert "2023-01-11" in citation and "/meetings/2023-01-11-scc/" in citation and "Fig. III-2-1-3" in citation
    assert '<meta name="citation_title"' in html and '<meta name="citation_publication_date" content="2023/01/11">' in html
    data = json.loads(re.search(r'<script type="application/ld\+json">(.+?)</script>', html, re.S).group(1))
    assert data["@type"] == "Event" and data["startDate"] == "2023-01-11"
    for suffix, content_type, says in (("bib", "application/x-bibtex", "@misc{"), ("ris", "application/x-research-info-systems", "TY  - "),
                                       ("json", "application/vnd.citationstyles.csl+json", '"issued"')):
        response = client.get(f"/meetings/2023-01-11-scc/cite.{suffix}")
        assert response.status_code == 200 and response["Content-Type"].startswith(content_type)
        assert response["Content-Disposition"] == f'attachment; filename="2023-01-11-scc.{suffix}"'
        assert says in response.content.decode()


def test_the_admin_link_is_shown_to_staff_only(client, django_user_model):
    assert 'href="/admin/"' not in page(client, "/")
    client.force_login(django_user_model.objects.create_user("curator", password="x", is_staff=True))
    assert 'href="/admin/"' in page(client, "/")


def test_the_abridged_summary_is_said_where_the_items_come_from_the_figure(client):
    assert "結果概要(抄)" in page(client, "/meetings/2023-01-11-scc/")
    assert client.get("/api/v1/meetings/2023-01-11-scc/").json()["source"]["abridged"] is True
    # the 1976 SCC comes from the narrative, which abridges nothing
    assert "結果概要(抄)" not in page(client, "/meetings/1976-07-08-scc/")
    assert client.get("/api/v1/meetings/1976-07-08-scc/").json()["source"]["abridged"] is False


def test_a_curators_note_on_a_doubtful_reading_is_shown_and_served(client):
    html = page(client, "/meetings/2022-11-13-summit/")
    assert "編集者注" in html and "日本側の発言である可能性が高い" in html
    assert "most likely means the Japanese side" in page(client, "/en/meetings/2022-11-13-summit/")
    item = client.get("/api/v1/meetings/2022-11-13-summit/").json()["outcomes"][3]
    assert item["position"] == 4 and item["voice"] == "japan" and "Japanese side" in item["curator_note_en"]


def test_the_operations_table_shows_a_corrected_row_as_printed_with_the_reason(client):
    html = page(client, "/guidelines/2015/")
    assert "航空優勢を確保しつつ、防空作戦を主体的に実施" in html and "重複して印字" in html
    rows = client.get("/api/v1/provisions/", {"edition": 2015, "path": "IV.C.2.p2"}).json()["results"][0]["operation_roles"]
    assert any("air superiority" in row["curator_note_en"] for row in rows)
