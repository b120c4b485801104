"""Nothing a curator writes is lost: every create, change and delete of a curated record is kept
as a version with who, when and why, through every write path; any version can be restored, and
a deleted meeting comes back with its attendees and items."""

import copy

import pytest
from django.urls import reverse

from alliance.models import Topic
from alliance.search.service import search
from meetings.models import Attendance, Meeting, Outcome
from meetings.services import restore_meeting, save_meeting
from tests.test_api_writes import NEW_MEETING, curator, post

pytestmark = pytest.mark.django_db


def test_an_api_write_is_a_version_with_its_author(client, django_user_model):
    token = curator(django_user_model, "change_meeting")
    assert post(client, token, {"title_en": "The 2+2 in Washington"}, "patch", "/api/v1/meetings/2023-01-11-scc/").status_code == 200
    version = Meeting.objects.get(slug="2023-01-11-scc").history.first()
    assert (version.history_type, version.title_en, version.history_user.username) == ("~", "The 2+2 in Washington", "curator")


def test_new_items_are_versions_holding_their_topics_and_provisions(client, django_user_model):
    meeting = copy.deepcopy(NEW_MEETING)
    meeting["outcomes"] = [{**meeting["outcomes"][0], "position": n} for n in (1, 2, 3)]
    assert post(client, curator(django_user_model, "add_meeting"), meeting).status_code == 201
    for item in Outcome.objects.filter(meeting__slug=meeting["slug"]):
        version = item.history.get()
        assert version.history_type == "+" and version.history_user.username == "curator"
        assert [link.topic.slug for link in version.topics.all()] == ["equipment-technology"]
        assert [link.provision.path for link in version.provisions.all()] == ["VII.A"]


def test_an_earlier_version_can_be_restored():
    topic = Topic.objects.get(slug="space")
    topic.name_en = "outer space"
    topic.save()
    topic.name_en = "a mistake"
    topic.save()
    earlier = topic.history.get(name_en="outer space")
    earlier.instance.save()
    assert Topic.objects.get(pk=topic.pk).name_en == "outer space"
    assert topic.history.count() == 4  # as loaded, two changes, and the restore, which is a version too


def test_a_deleted_meeting_comes_back_with_its_attendees_and_items_under_their_ids():
    meeting = Meeting.objects.get(slug="2023-01-12-defense-ministers")
    before = {
        "attendees": sorted(meeting.attendances.values_list("pk", "label_ja")),
        "items": sorted((o.pk, o.text_ja, tuple(sorted(t.slug for t in o.topics.all()))) for o in meeting.outcomes.all()),
    }
    meeting_id = meeting.pk
    meeting.delete()
    assert not search(query="BIAC")[:10]
    assert Outcome.history.filter(meeting_id=meeting_id, history_type="-").count() == len(before["items"])

    restored = restore_meeting(meeting_id)

    assert restored.pk == meeting_id and restored.slug == "2023-01-12-defense-ministers"
    assert sorted(restored.attendances.values_list("pk", "label_ja")) == before["attendees"]
    assert sorted((o.pk, o.text_ja, tuple(sorted(t.slug for t in o.topics.all()))) for o in restored.outcomes.all()) \
        == before["items"]
    assert [m.slug for m in search(query="BIAC")[:10]] == ["2023-01-12-defense-ministers"]  # indexed again


def test_an_item_deleted_before_its_meeting_stays_deleted():
    import datetime

    from django.db.models import F

    meeting = Meeting.objects.get(slug="2022-06-27-summit")
    item = meeting.outcomes.get(position=3)
    item_id = item.pk
    item.delete()
    # deleted by a curator an hour before the meeting was
    Outcome.history.filter(id=item_id, history_type="-").update(history_date=F("history_date") - datetime.timedelta(hours=1))
    meeting_id = meeting.pk
    meeting.delete()
    restored = restore_meeting(meeting_id)
    assert sorted(restored.outcomes.values_list("position", flat=True)) == [1, 2]


def test_only_a_deleted_meeting_is_brought_back():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="only a deleted meeting"):
        restore_meeting(Meeting.objects.get(slug="2022-06-27-summit").pk)


@pytest.fixture
def staff(client, django_user_model):
    user = django_user_model.objects.create_superuser("curator", "curator@example.org", "pw")
    client.force_login(user)
    return client


def test_the_admin_keeps_who_changed_what_and_why_and_shows_the_history(staff):
    from tests.test_admin import as_posted

    topic = Topic.objects.get(slug="space")
    url = reverse("admin:alliance_topic_change", args=[topic.pk])
    data = as_posted(staff.get(url).context["adminform"].form)
    data.update(name_en="outer space", change_reason="the usual English name")
    assert staff.post(url, data).status_code == 302
    version = topic.history.first()
    assert (version.name_en, version.history_user.username, version.history_change_reason) == (
        "outer space", "curator", "the usual English name")
    history = staff.get(reverse("admin:alliance_topic_history", args=[topic.pk]))
    assert history.status_code == 200 and "the usual English name" in history.content.decode()
    revert = staff.get(reverse("admin:alliance_topic_simple_history", args=[topic.pk, version.history_id]))
    assert revert.status_code == 200


def test_a_cascade_and_a_bulk_delete_are_versions_too():
    meeting = Meeting.objects.get(slug="2023-04-vice-ministerial")
    attendance_ids = list(meeting.attendances.values_list("pk", flat=True))
    Meeting.objects.filter(pk=meeting.pk).delete()  # a queryset delete: the cascade, row by row
    assert Meeting.history.filter(id=meeting.pk, history_type="-").exists()
    assert set(Attendance.history.filter(history_type="-").values_list("id", flat=True)) >= set(attendance_ids)


def test_a_write_through_the_one_path_is_one_version_per_row_it_changed():
    meeting = Meeting.objects.get(slug="2022-06-27-summit")
    before = Outcome.history.filter(meeting_id=meeting.pk).count()
    rows = [{"position": o.position, "voice": o.voice, "text_ja": o.text_ja, "text_en": o.text_en}
            for o in meeting.outcomes.all()]
    rows[1]["text_en"] = "A better translation."
    save_meeting(meeting=meeting, fields={}, outcomes=rows)
    assert Outcome.history.filter(meeting_id=meeting.pk).count() == before + 1


def test_a_curator_restores_a_deleted_meeting_by_its_slug(capsys):
    from django.core.management import CommandError, call_command

    items = Meeting.objects.get(slug="2023-01-13-summit").outcomes.count()
    Meeting.objects.get(slug="2023-01-13-summit").delete()
    call_command("restore_meeting", "--list")
    assert "2023-01-13-summit\tdeleted" in capsys.readouterr().out
    call_command("restore_meeting", "2023-01-13-summit")
    assert f"{items} outcome items" in capsys.readouterr().out
    assert Meeting.objects.get(slug="2023-01-13-summit").outcomes.count() == items
    with pytest.raises(CommandError, match="No deleted meeting has the slug"):
        call_command("restore_meeting", "2023-01-13-summit")


def test_a_meeting_page_lists_its_changes_with_what_changed_and_why(client):
    meeting = Meeting.objects.get(slug="2022-06-27-summit")
    untouched = client.get("/en/meetings/2022-06-27-summit/").content.decode()
    assert "No change since the record was taken from the source." in untouched
    meeting.title_en = "Japan–U.S. Summit Meeting (Elmau)"
    meeting._change_reason = "the place in the title"
    meeting.save()
    meeting.outcomes.get(position=3).delete()
    html = client.get("/en/meetings/2022-06-27-summit/").content.decode()
    changes = html[html.index('id="changes-title"'):html.index('id="cite-title"')]
    assert "title_en" in changes and "the place in the title" in changes
    assert "item 3" in changes and "deleted" in changes
    assert "curator" not in changes  # who made a change is for the admin, not the public page


def test_a_curator_restores_a_deleted_meeting_from_the_admin(staff):
    meeting = Meeting.objects.get(slug="2023-01-12-defense-ministers")
    rows = (sorted(meeting.attendances.values_list("pk", flat=True)), sorted(meeting.outcomes.values_list("pk", flat=True)))
    staff.post(reverse("admin:meetings_meeting_delete", args=[meeting.pk]), {"post": "yes"})
    assert not Meeting.objects.filter(pk=meeting.pk).exists()

    listing = staff.get(reverse("admin:meetings_meeting_deleted"))
    assert [version.slug for version in listing.context["deleted"]] == ["2023-01-12-defense-ministers"]
    assert listing.context["deleted"][0].history_user.username == "curator"

    restored = staff.post(reverse("admin:meetings_meeting_deleted"), {"meeting": meeting.pk})

    assert restored.status_code == 302 and restored["Location"] == reverse("admin:meetings_meeting_change", args=[meeting.pk])
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert (sorted(meeting.attendances.values_list("pk", flat=True)), sorted(meeting.outcomes.values_list("pk", flat=True))) == rows
    assert staff.get(reverse("admin:meetings_meeting_deleted")).context["deleted"] == []
    assert search(query="BIAC").count() == 1  # back in the search too


def test_a_meeting_whose_slug_is_taken_again_is_not_restored_over_it(staff):
    meeting = Meeting.objects.get(slug="2023-01-12-defense-ministers")
    pk = meeting.pk
    meeting.delete()
    Meeting.objects.filter(slug="2023-01-13-summit").update(slug="2023-01-12-defense-ministers")
    response = staff.post(reverse("admin:meetings_meeting_deleted"), {"meeting": pk}, follow=True)
    assert "exists again; rename it before restoring the deleted one" in response.content.decode()
    assert Meeting.objects.filter(slug="2023-01-12-defense-ministers").count() == 1


def _rename_body():
    from alliance.models import ConsultationBody

    body = ConsultationBody.objects.get(abbreviation="SCC")
    body.name_en += " (amended)"
    body._change_reason = "a reason given"
    body.save()


def _end_tenure():
    import datetime

    from alliance.models import Tenure

    tenure = Tenure.objects.get(person__slug="kishida-fumio")
    tenure.end = datetime.date(2030, 1, 1)
    tenure._change_reason = "a reason given"
    tenure.save()


def _rename_topic():
    topic = Topic.objects.get(slug="space")
    topic.name_en = "outer space"
    topic._change_reason = "a reason given"
    topic.save()


@pytest.mark.parametrize("url, change, record, fields", [
    ("/en/bodies/SCC/", _rename_body, "the body", "name_en"),
    ("/en/people/kishida-fumio/", _end_tenure, "post held", "end"),
    ("/en/topics/space/", _rename_topic, "the topic", "name_en"),
])
def test_body_person_and_topic_pages_list_their_changes(client, url, change, record, fields):
    assert "No change since the record was taken from the source." in client.get(url).content.decode()
    change()
    changes = client.get(url).context["changes"]
    assert [(str(c.record), c.fields, c.reason) for c in changes] == [(record, (fields,), "a reason given")]
