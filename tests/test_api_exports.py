"""Exports: every list as CSV that spreadsheet software opens with its Japanese intact."""

import csv
import io

import pytest

pytestmark = pytest.mark.django_db


def rows(response):
    text = response.content.decode("utf-8")
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
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert sorted(str(event["uid"]) for event in events) == [
        "2022-05-04-defense-ministers@alliance-database", "2022-05-23-summit@alliance-database", "2023-01-11-scc@alliance-database"]
    scc = next(event for event in events if str(event["uid"]).startswith("2023-01-11"))
    assert scc.decoded("dtstart").isoformat() == "2023-01-11"
    assert str(scc["summary"]).startswith("日米安全保障協議委員会") and "ワシントン" in str(scc["location"])
    assert str(scc["url"]).endswith("/meetings/2023-01-11-scc/")


def test_the_calendar_leaves_out_what_the_source_dates_only_to_the_month(client):
    from icalendar import Calendar

    uids = [str(e["uid"]) for e in Calendar.from_ical(client.get("/meetings.ics").content).walk("VEVENT")]
    assert len(uids) == 12 and not any(uid.startswith("2023-04-") or uid.startswith("2022-07-") for uid in uids)


def test_the_feed_lists_the_newest_meetings_of_a_search(client):
    import xml.etree.ElementTree as ElementTree

    response = client.get("/meetings/feed/", {"q": "尖閣"})
    assert response["Content-Type"].startswith("application/atom+xml")
    atom = "{http://www.w3.org/2005/Atom}"
    entries = ElementTree.fromstring(response.content).findall(f"{atom}entry")
    assert [e.find(f"{atom}title").text.split()[0] for e in entries] == ["2023-01-11", "2022-05-23", "2022-05-04"]


@pytest.mark.parametrize("url", ["/meetings.ics", "/meetings/feed/"])
def test_bad_filters_on_calendar_and_feed_are_400s_that_say_why(client, url):
    response = client.get(url, {"date_after": "soon"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "date_after" in response.content.decode()
