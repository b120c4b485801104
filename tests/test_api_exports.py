"""Exports: every list as CSV that spreadsheet software opens with its Japanese intact; the
meetings of a search streamed flat, one meeting or one outcome item a row; a calendar file."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings import exports
from meetings.models import Meeting, Outcome
from tests.factories import content

pytestmark = pytest.mark.django_db


def rows(response):
    text = content(response).decode("utf-8")
    assert text.startswith("\ufeff"), "a byte-order mark tells spreadsheet software the text is UTF-8"
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_meetings_as_csv_are_the_same_rows_as_json(client):
    as_json = client.get("/api/v1/meetings/", {"q": "尖閣", "ordering": "-date"}).json()["results"]
    response = client.get("/api/v1/meetings/", {"q": "尖閣", "ordering": "-date", "format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    table = rows(response)
    assert [row["slug"] for row in table] == [meeting["slug"] for meeting in as_json]
    first = table[0]
    assert first["title_ja"] == "日米安全保障協議委員会（「2+2」）"
    assert first["attendees.name_en"] == "Hamada Yasukazu | Hayashi Yoshimasa | Lloyd J. Austin III | Antony J. Blinken"
    assert first["place.name_ja"] == "ワシントン" and first["body"] == "SCC"
    assert "尖閣諸島" in first["outcomes.text_ja"]
    assert first["url"] == "http://testserver/meetings/2023-01-11-scc/"
    assert response.streaming, "written as it is read, not built whole in memory"


def test_one_row_per_outcome_item_with_its_meeting_and_address(client):
    table = rows(client.get("/api/v1/meetings/", {"q": "尖閣", "ordering": "-date", "format": "csv", "rows": "outcomes"}))
    expected = Outcome.objects.filter(meeting__slug__in=["2023-01-11-scc", "2022-05-23-summit", "2022-05-04-defense-ministers"])
    assert len(table) == expected.count()
    assert [row["meeting"] for row in table][:1] == ["2023-01-11-scc"]  # newest first, the items in order
    scc = [row for row in table if row["meeting"] == "2023-01-11-scc"]
    assert [int(row["position"]) for row in scc] == sorted(int(row["position"]) for row in scc)
    first = scc[0]
    assert first["url"] == "http://testserver/meetings/2023-01-11-scc/#item-1"
    assert first["meeting.date"] == "2023-01-11" and first["meeting.body"] == "SCC" and first["text_ja"]
    item = Outcome.objects.get(meeting__slug="2023-01-11-scc", position=1)
    assert first["text_en"] == item.text_en and first["voice"] == item.voice
    assert first["topics"] == " | ".join(item.topics.values_list("slug", flat=True))


def test_the_flat_export_follows_the_order_asked_for(client):
    newest = [row["slug"] for row in rows(client.get("/api/v1/meetings/", {"format": "csv", "ordering": "-date"}))]
    oldest = [row["slug"] for row in rows(client.get("/api/v1/meetings/", {"format": "csv", "ordering": "date"}))]
    assert newest == list(reversed(oldest)) and len(newest) == 15
    page = rows(client.get("/api/v1/meetings/", {"format": "csv", "ordering": "-date", "page_size": 4, "page": 2}))
    assert [row["slug"] for row in page] == newest[4:8]


def test_a_cell_a_spreadsheet_would_run_is_written_as_text(client):
    # OWASP's rule for CSV injection: a leading =, +, -, @, tab or carriage return gets an apostrophe.
    Outcome.objects.filter(meeting__slug="2023-01-11-scc", position=1).update(text_en='=HYPERLINK("http://evil.example","x")')
    Meeting.objects.filter(slug="2023-01-11-scc").update(title_en="@SUM(A1:A2)", notes_en="-2+3")
    table = rows(client.get("/api/v1/meetings/", {"format": "csv", "rows": "outcomes", "body": "SCC"}))
    item = next(row for row in table if row["meeting"] == "2023-01-11-scc" and row["position"] == "1")
    assert item["text_en"] == '\'=HYPERLINK("http://evil.example","x")'
    assert item["meeting.title_en"] == "'@SUM(A1:A2)"
    meeting = next(row for row in rows(client.get("/api/v1/meetings/", {"format": "csv", "body": "SCC"}))
                   if row["slug"] == "2023-01-11-scc")
    assert meeting["title_en"] == "'@SUM(A1:A2)" and meeting["notes_en"] == "'-2+3"
    assert meeting["outcomes.text_en"].startswith("'=HYPERLINK")
    assert exports.neutralized("2+2") == "2+2" and exports.neutralized("\tx") == "'\tx"


@pytest.mark.parametrize("url", ["/api/v1/people/", "/api/v1/topics/", "/api/v1/bodies/", "/api/v1/provisions/",
                                 "/api/v1/people/kishida-fumio/"])
def test_every_csv_of_the_api_writes_formulas_as_text(client, url):
    # Not only the meetings' exports: every list and record the API gives as CSV.
    from alliance.models import ConsultationBody, Person, Topic
    from guidelines.models import Provision

    Person.objects.filter(slug="kishida-fumio").update(name_en="=cmd|' /C calc'!A0")
    Topic.objects.update(name_en="+SUM(1,1)")
    ConsultationBody.objects.update(name_en="@evil")
    Provision.objects.update(heading_en="-1+1")
    text = client.get(url, {"format": "csv", "page_size": 100}).content.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not [cell for cell in cells if cell and cell[0] in "=+-@\t\r"]
    assert {"'=cmd|' /C calc'!A0", "'+SUM(1,1)", "'@evil", "'-1+1"} & set(cells)  # there, as text


@pytest.mark.parametrize("row_kind", ["meetings", "outcomes"])
def test_the_flat_export_reads_a_chunk_of_meetings_in_a_fixed_number_of_queries(client, monkeypatch, row_kind):
    # The search's ids, then per chunk of meetings: the meetings, their items, the items' topics and
    # provisions (and, one meeting a row, the attendees with people and posts); the sources a chunk
    # names that no chunk before it did. A chunk whose meetings have no items skips their topics
    # and provisions.
    per_chunk = 5 if row_kind == "meetings" else 4
    for chunk, chunks in ((500, 1), (4, 4)):  # 15 meetings: one chunk, or four
        monkeypatch.setattr(exports, "CHUNK", chunk)
        with CaptureQueriesContext(connection) as captured:
            assert len(rows(client.get("/api/v1/meetings/", {"format": "csv", "rows": row_kind}))) >= 15
        records = [q["sql"] for q in captured if "search_" not in q["sql"]]  # not the index, nor the data version
        sources = [sql for sql in records if sql.startswith('SELECT "alliance_source"')]
        rows_read = [sql for sql in records if sql not in sources]
        assert per_chunk * (chunks - 1) < len(rows_read) <= per_chunk * chunks, [sql[:70] for sql in rows_read]
        assert 1 <= len(sources) <= chunks
        assert all(" IN (" in sql or "= ANY(" in sql for sql in records), "each query reads one chunk's rows, none every meeting"


def test_a_chunk_of_ids_is_one_parameter_whatever_its_length():
    # 2,500 items' ids as 2,500 placeholders cost a third of an export: `__any` sends one array
    from meetings.models import Meeting, Outcome

    ids = list(Meeting.objects.values_list("pk", flat=True))
    chunk = Meeting.objects.filter(pk__any=ids[:7] + [10**9])  # an id that is not there is no match
    assert len(chunk.query.sql_with_params()[1]) == 1
    assert sorted(chunk.values_list("pk", flat=True)) == sorted(ids[:7])
    items = Outcome.objects.filter(meeting_id__any=ids[:3])
    assert items.count() == Outcome.objects.filter(meeting_id__in=ids[:3]).count() > 0
    assert not Meeting.objects.filter(pk__any=[]).exists()


def test_a_row_kind_that_is_not_one_is_a_400_that_says_which(client):
    response = client.get("/api/v1/meetings/", {"format": "csv", "rows": "everything"})
    assert response.status_code == 400
    assert response.json()["errors"]["rows"] == ["one of meetings, outcomes"]


def test_a_csv_export_holds_every_row_not_one_page(client):
    assert len(rows(client.get("/api/v1/meetings/", {"format": "csv"}))) == 15
    assert len(rows(client.get("/api/v1/provisions/", {"format": "csv"}))) == 91
    assert len(rows(client.get("/api/v1/provisions/", {"format": "csv", "page_size": 10}))) == 10


@pytest.mark.parametrize("resource", ["bodies", "people", "posts", "organizations", "topics", "editions"])
def test_every_list_exports(client, resource):
    as_json = client.get(f"/api/v1/{resource}/").json()
    table = rows(client.get(f"/api/v1/{resource}/", {"format": "csv"}))
    assert len(table) == as_json["count"]


def test_a_bad_filter_in_csv_is_still_a_400(client):
    response = client.get("/api/v1/meetings/", {"format": "csv", "kind": "picnic"})
    assert response.status_code == 400


def test_the_calendar_holds_the_filtered_meetings_parsed_back(client):
    from icalendar import Calendar

    response = client.get("/meetings.ics", {"q": "尖閣"})
    assert response["Content-Type"] == "text/calendar; charset=utf-8" and response.streaming
    events = Calendar.from_ical(content(response)).walk("VEVENT")
    assert sorted(str(event["uid"]) for event in events) == [
        "2022-05-04-defense-ministers@alliance-database", "2022-05-23-summit@alliance-database", "2023-01-11-scc@alliance-database"]
    scc = next(event for event in events if str(event["uid"]).startswith("2023-01-11"))
    assert scc.decoded("dtstart").isoformat() == "2023-01-11"
    assert str(scc["summary"]).startswith("日米安全保障協議委員会") and "ワシントン" in str(scc["location"])
    assert str(scc["url"]).endswith("/meetings/2023-01-11-scc/")


def test_the_calendar_leaves_out_what_the_source_dates_only_to_the_month(client):
    from icalendar import Calendar

    uids = [str(e["uid"]) for e in Calendar.from_ical(content(client.get("/meetings.ics"))).walk("VEVENT")]
    assert len(uids) == 12 and not any(uid.startswith("2023-04-") or uid.startswith("2022-07-") for uid in uids)


def test_the_feed_lists_the_newest_meetings_of_a_search(client):
    import xml.etree.ElementTree as ElementTree

    response = client.get("/meetings/feed/", {"q": "尖閣"})
    assert response["Content-Type"].startswith("application/atom+xml")
    atom = "{http://www.w3.org/2005/Atom}"
    entries = ElementTree.fromstring(response.content).findall(f"{atom}entry")
    assert [e.find(f"{atom}title").text.split()[0] for e in entries] == ["2023-01-11", "2022-05-23", "2022-05-04"]


def test_the_feeds_summaries_show_stored_markup_as_text_to_a_feed_reader(client):
    # The summary is HTML to a feed reader: an item's text is escaped as text inside it, so the
    # reader, which unescapes the XML once, shows "<script>" and never runs it.
    import xml.etree.ElementTree as ElementTree

    outcome = Outcome.objects.get(meeting__slug="2023-01-11-scc", position=1)
    outcome.text_ja = '尖閣 <script>alert("x")</script> & <b>bold</b>'
    outcome.save()
    response = client.get("/meetings/feed/", {"q": "尖閣"})
    assert b"<script>" not in response.content and b"&lt;script&gt;" not in response.content.replace(b"&amp;", b"")
    atom = "{http://www.w3.org/2005/Atom}"
    summary = ElementTree.fromstring(response.content).find(f"{atom}entry/{atom}summary")
    assert summary.get("type") == "html"
    html = summary.text  # what the reader renders as HTML
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "<br>" in html  # one item a line


@pytest.mark.parametrize("url", ["/meetings.ics", "/meetings/feed/"])
def test_bad_filters_on_calendar_and_feed_are_400s_that_say_why(client, url):
    response = client.get(url, {"date_after": "soon"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "date_after" in response.content.decode()
