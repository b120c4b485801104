"""The admin's bulk export and import of every curated model (CSV, XLSX, JSON): a preview
before anything is written, the same validation as the change forms and the API, every row a
version in the history, ids kept."""

import csv
import io
import json

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from alliance.history import CURATED_APPS
from alliance.models import Topic
from meetings.models import Outcome

pytestmark = pytest.mark.django_db

CSV, XLSX, JSON = 0, 1, 2  # the order of IMPORT_EXPORT_FORMATS


@pytest.fixture
def curator(client, django_user_model):
    user = django_user_model.objects.create_user("curator", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="curators"))
    client.force_login(user)
    return client


def export(client, model, format):
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/export/"
    form = client.get(url).context["form"]
    fields = {name: "on" for name in form.fields if name not in ("resource", "format", "export_items")}
    response = client.post(url, {"resource": "0", "format": str(format), **fields})
    assert response.status_code == 200
    return response


def import_rows(client, model, content, name="rows.csv", format=CSV):
    """Upload, preview, confirm: the preview page, and the confirmation's response (None if refused)."""
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    preview = client.post(base + "import/", {"resource": "0", "format": str(format),
                                            "import_file": SimpleUploadedFile(name, content)})
    assert preview.status_code == 200
    confirm = preview.context.get("confirm_form")
    if confirm is None:
        return preview, None
    return preview, client.post(base + "process_import/", {name: confirm[name].value() for name in confirm.fields})


@pytest.mark.parametrize("model", [m for m in admin.site._registry if m._meta.app_label in CURATED_APPS],
                         ids=lambda model: model._meta.label)
def test_every_curated_model_exports_every_row_as_csv(curator, model):
    rows = list(csv.DictReader(io.StringIO(export(curator, model, CSV).content.decode("utf-8-sig"))))
    assert len(rows) == model._default_manager.count()
    assert {str(record.pk) for record in model._default_manager.all()} == {row["id"] for row in rows}


def test_meetings_export_as_json_and_xlsx_with_their_japanese(curator):
    from meetings.models import Meeting

    records = json.loads(export(curator, Meeting, JSON).content)
    assert {record["slug"] for record in records} == set(Meeting.objects.values_list("slug", flat=True))
    assert any(record["title_ja"] == "日米首脳会談" for record in records)
    workbook = export(curator, Meeting, XLSX)
    assert workbook.content[:2] == b"PK"  # an XLSX file is a zip


def test_an_imported_change_is_previewed_then_saved_in_place_with_its_version(curator):
    space = Topic.objects.get(slug="space")
    rows = list(csv.DictReader(io.StringIO(export(curator, Topic, CSV).content.decode("utf-8-sig"))))
    for row in rows:
        if row["slug"] == "space":
            row["name_en"] = "outer space"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)

    preview, confirmed = import_rows(curator, Topic, out.getvalue().encode())

    assert "outer" in preview.content.decode()  # the change, shown as a diff of the row
    assert confirmed.status_code == 302
    space.refresh_from_db()
    assert space.name_en == "outer space" and Topic.objects.count() == len(rows)
    version = space.history.first()
    assert version.history_user.username == "curator" and version.history_type == "~"
    assert Topic.history.filter(history_type="~").count() == 1  # the unchanged rows were skipped


def test_an_imported_row_the_write_path_refuses_is_shown_and_nothing_is_saved(curator):
    item = Outcome.objects.get(meeting__slug="2023-01-11-scc", position=2)
    rows = list(csv.DictReader(io.StringIO(export(curator, Outcome, CSV).content.decode("utf-8-sig"))))
    row = next(row for row in rows if row["id"] == str(item.pk))
    row["voice"] = "us"  # which the text does not give: it names no side
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerow(row)

    preview, confirmed = import_rows(curator, Outcome, out.getvalue().encode())

    assert confirmed is None
    assert "item 2: the text gives voice joint (no side named), not us" in preview.content.decode()
    assert Outcome.objects.get(pk=item.pk).voice == "joint"
