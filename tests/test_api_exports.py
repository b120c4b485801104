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
    assert len(rows(client.get("/api/v1/meetings/", {"format": "csv"}))) == 14
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
