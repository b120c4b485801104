"""Importing a white paper's table of meetings: the source's own table gives the curated
meetings; a second import changes nothing; a line it cannot read stops it, names the line and
writes nothing; what curators added is never overwritten."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from meetings.models import Attendance, Meeting, Outcome

pytestmark = pytest.mark.django_db

TABLE = Path(__file__).resolve().parent.parent / "fixtures" / "tables" / "doj2023-fig-iii-2-1-3.txt"
SOURCE = "doj2023-fig-iii-2-1-3-p1"


def snapshot(with_sources=True):
    """What the table gives of every meeting it holds: the meeting, its attendees, its items."""
    meetings = Meeting.objects.filter(source__figure="III-2-1-3").exclude(outcomes=None).prefetch_related(
        "attendances", "outcomes")
    shot = {}
    for meeting in meetings:
        fields = ("date", "date_precision", "kind", "body_id", "place_id", "status", "title_ja", "title_en", "printed_ja",
                  *(("source_id",) if with_sources else ()))
        shot[meeting.slug] = (
            tuple(getattr(meeting, name) for name in fields),
            [(a.position, a.side, a.person_id, a.post_id, a.label_ja, a.label_printed) for a in meeting.attendances.all()],
            [(o.position, o.text_ja, o.text_printed, *((o.source_id,) if with_sources else ()),
              None if o.curator_note_ja else o.voice) for o in meeting.outcomes.all()],
        )
    return shot


def as_curated(imported, curated):
    """The imported snapshot, less the voice of the items whose curated voice follows a curator's
    note (a reading of the text the rule cannot make: the note is the curators' to write)."""
    shot = {}
    for slug, (fields, attendees, items) in imported.items():
        noted = {row[0] for row in curated.get(slug, ((), [], []))[2] if row[-1] is None}
        shot[slug] = (fields, attendees, [(*row[:-1], None if row[0] in noted else row[-1]) for row in items])
    return shot


def run(path, *args):
    out = StringIO()
    call_command("import_meetings", str(path), "--source", SOURCE, *args, stdout=out)
    return out.getvalue()


def without_meetings():
    curated = snapshot()
    Meeting.objects.all().delete()
    return curated


def test_the_sources_table_into_a_database_without_meetings_gives_the_curated_meetings_as_drafts():
    curated = without_meetings()

    report = run(TABLE)

    assert as_curated(snapshot(), curated) == curated
    assert len(curated) == 9 and sum(len(rows) for _, _, rows in curated.values()) == 107
    assert set(Meeting.objects.values_list("state", flat=True)) == {"draft"}
    assert "Imported: 9 meeting(s) created as drafts" in report
    # the corrections it made are said, each with its line
    assert "line 18: プリンケン米國務長官 → ブリンケン米国務長官" in report
    assert "line 32: item 6: 兩 → 両" in report
    # what a curator adds is still to do: English, topics; the split rows say they were split
    scc = Meeting.objects.get(slug="2023-01-11-scc")
    assert scc.outcomes.get(position=9).text_en == "" and not scc.outcomes.get(position=9).topics.exists()
    assert scc.notes_en == "The figure prints this row in two parts across a page break."
    assert scc.history.first().history_change_reason == f"imported from {TABLE}"


def test_importing_the_same_table_twice_changes_nothing():
    without_meetings()
    run(TABLE)
    versions = (Meeting.history.count(), Attendance.history.count(), Outcome.history.count())
    rows = sorted(Outcome.objects.values_list("pk", "text_ja"))

    report = run(TABLE)

    assert "0 new, 0 differing, 9 unchanged" in report
    assert (Meeting.history.count(), Attendance.history.count(), Outcome.history.count()) == versions
    assert sorted(Outcome.objects.values_list("pk", "text_ja")) == rows


def test_the_curated_database_already_holds_everything_the_table_says():
    assert "0 new, 0 differing, 9 unchanged; 0 not resolved" in run(TABLE, "--dry-run")


def test_a_reordered_copy_gives_the_same_meetings(tmp_path):
    """The meetings in another order (each row with the part that continues it)."""
    curated = without_meetings()
    lines = TABLE.read_text(encoding="utf-8").splitlines()
    header = next(line for line in lines if line.startswith("年月日"))
    rows = [line for line in lines if line[:4].isdigit()]
    blocks = {}
    for row in rows:  # a row and its continuation: the same date and meeting, however the scan printed it
        date, meeting = row.split("\t")[:2]
        blocks.setdefault((date, "".join(meeting.split())[:6]), []).append(row)
    reordered = [header, *(row for block in reversed(list(blocks.values())) for row in block)]
    copy = tmp_path / "reordered.txt"
    copy.write_text("\n".join(reordered), encoding="utf-8")

    run(copy)

    expected = {slug: ((*fields[:-1],), attendees, [(*row[:3], row[4]) for row in items])
                for slug, (fields, attendees, items) in curated.items()}
    assert as_curated(snapshot(with_sources=False), expected) == expected


@pytest.mark.parametrize("bad, says", [
    ("2023/5/19\t日米首脳会談／広島\t岸田内閣総理大臣", "a row has 4 cells separated by tabs"),
    ("2023/13/1\t日米首脳会談／広島\t岸田内閣総理大臣\t<ul><li>両首脳は一致。</li></ul>", "'2023/13/1' is not a date"),
    ("2023/5/19\t日米首脳会談／広島\t岸田内閣総理大臣\t両首脳は一致。", "the outcomes cell has text outside its list items"),
    ("2023/5/19\t日米懇談会／広島\t岸田内閣総理大臣\t<ul><li>両首脳は一致。</li></ul>", "cannot tell the kind of meeting from '日米懇談会'"),
])
def test_a_line_it_cannot_read_stops_the_import_names_the_line_and_writes_nothing(tmp_path, bad, says):
    without_meetings()
    lines = TABLE.read_text(encoding="utf-8").splitlines()
    copy = tmp_path / "bad.txt"
    copy.write_text("\n".join([*lines, bad]), encoding="utf-8")  # after every good row

    with pytest.raises(CommandError) as refused:
        run(copy)

    assert f"line {len(lines) + 1}: {says}" in str(refused.value) and "Nothing was imported" in str(refused.value)
    assert not Meeting.objects.exists()


def test_a_dry_run_reports_and_writes_nothing():
    without_meetings()
    report = run(TABLE, "--dry-run")
    assert "Would create 2023-01-11-scc (draft): 日米安全保障協議委員会（「2+2」）, 4 attendees, 24 items  [line 18]" in report
    assert not Meeting.objects.exists()


def test_an_attendee_it_cannot_resolve_is_reported_and_kept_by_name(tmp_path):
    copy = tmp_path / "new.txt"
    copy.write_text("年月日\t会議／場所\t出席者\t結果概要(抄)\n"
                    "2023/7/1\t日米外相会談／ジャカルタ\t林外務大臣 山田米国務長官\t<ul><li>・日米双方は、連携を確認。</li></ul>\n",
                    encoding="utf-8")
    report = run(copy)
    meeting = Meeting.objects.get(slug="2023-07-01-foreign-ministers")
    hayashi, unknown = meeting.attendances.order_by("position")
    assert (hayashi.person.slug, hayashi.post.slug, hayashi.side) == ("hayashi-yoshimasa", "minister-for-foreign-affairs", "japan")
    assert (unknown.person, unknown.post.slug, unknown.side, unknown.label_ja) == (None, "secretary-of-state", "us", "山田米国務長官")
    assert "not resolved, line 2: attendee 2 '山田米国務長官': nobody named '山田' held secretary-of-state" in report
    assert "not resolved, line 2: place 'ジャカルタ'" in report
    assert meeting.outcomes.get().text_ja == "日米双方は、連携を確認。"  # the printed bullet is markup, not text


def test_what_curators_wrote_is_kept_and_a_difference_is_only_reported_without_update():
    item = Outcome.objects.get(meeting__slug="2022-06-27-summit", position=1)
    item.text_ja = item.text_ja.replace("言及した上で", "言及の上で")
    item.save()

    report = run(TABLE)

    assert "differs (kept as in the database; --update takes the table's) 2022-06-27-summit:" in report
    assert "item 1 text_ja:" in report
    assert Outcome.objects.get(pk=item.pk).text_ja == item.text_ja

    run(TABLE, "--update")

    updated = Outcome.objects.get(pk=item.pk)  # the same row, its English and topics kept
    assert "言及した上で" in updated.text_ja and updated.text_en == item.text_en
    assert list(updated.topics.all()) == list(item.topics.all())
    assert Meeting.objects.get(slug="2022-06-27-summit").state == "published"


def test_a_draft_is_published_only_once_it_is_translated(client, django_user_model):
    from meetings.services import save_meeting
    from django.core.exceptions import ValidationError

    without_meetings()
    run(TABLE)
    meeting = Meeting.objects.get(slug="2022-06-27-summit")
    with pytest.raises(ValidationError) as refused:
        save_meeting(meeting=meeting, fields={"state": "published"})
    assert "item 1, 2, 3 has no English text (text_en): a published meeting needs it" in str(refused.value)
    assert "attendee 1, 2 has no English label (label_en)" in str(refused.value)

    save_meeting(meeting=meeting, fields={"state": "published"},
                 attendances=[{"position": a.position, "label_en": f"attendee {a.position}"} | _row(a) for a in meeting.attendances.all()],
                 outcomes=[{"position": o.position, "text_ja": o.text_ja, "voice": o.voice, "text_en": f"item {o.position}"}
                           for o in meeting.outcomes.all()])
    assert Meeting.objects.get(pk=meeting.pk).state == "published"


def _row(attendance):
    return {"side": attendance.side, "person": attendance.person, "post": attendance.post, "label_ja": attendance.label_ja}


def test_staff_preview_a_table_in_the_admin_then_import_it(client, django_user_model):
    from django.contrib.auth.models import Group
    from django.core.files.uploadedfile import SimpleUploadedFile

    from alliance.models import Source

    without_meetings()
    user = django_user_model.objects.create_user("curator", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="curators"))
    client.force_login(user)
    url = "/admin/meetings/meeting/import-table/"
    source = Source.objects.get(slug=SOURCE).pk
    assert "Import a table" in client.get("/admin/meetings/meeting/").content.decode()

    preview = client.post(url, {"preview": "1", "source": source,
                                "file": SimpleUploadedFile("table.txt", TABLE.read_bytes())})

    assert preview.status_code == 200 and not Meeting.objects.exists()
    lines = [line for _, line in preview.context["lines"]]
    assert "Would create 2022-05-04-defense-ministers (draft): 日米防衛相会談, 2 attendees, 15 items  [line 6]" in lines
    carried = preview.context["form"].initial

    imported = client.post(url, {"import": "1", "source": source, "table": carried["table"], "update": "False"})

    assert imported.status_code == 302 and imported["Location"].endswith("?state__exact=draft")
    assert Meeting.objects.filter(state="draft").count() == 9
    assert Meeting.objects.get(slug="2023-01-11-scc").history.first().history_user == user


def test_the_admin_names_the_line_it_cannot_read_and_imports_nothing(client, django_user_model):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from alliance.models import Source

    without_meetings()
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.org", "pw"))
    bad = TABLE.read_text(encoding="utf-8") + "\n2023/5/19\t日米首脳会談／広島\n"
    response = client.post("/admin/meetings/meeting/import-table/", {
        "preview": "1", "source": Source.objects.get(slug=SOURCE).pk,
        "file": SimpleUploadedFile("table.txt", bad.encode())})
    assert response.status_code == 200
    assert "line 33: a row has 4 cells separated by tabs" in response.content.decode()
    assert not Meeting.objects.exists()
