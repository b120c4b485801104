"""One write path for a meeting and its rows: rows are updated in place, what a write does not
name is kept, the index follows once per write, and the cost is a fixed number of queries plus
a few per new row."""

import copy
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliance.models import Person, Source
from alliance.search import index
from alliance.search.service import search
from meetings.models import Attendance, Meeting, Outcome
from meetings.services import save_meeting
from tests.test_api_writes import NEW_MEETING, curator, post

pytestmark = pytest.mark.django_db

SCC = "/api/v1/meetings/2023-01-11-scc/"


def ids(slug):
    meeting = Meeting.objects.get(slug=slug)
    return ({a.position: a.pk for a in meeting.attendances.all()}, {o.position: o.pk for o in meeting.outcomes.all()})


def as_written(slug):
    """The meeting as the API gives it, in the shape a PUT takes."""
    meeting = Meeting.objects.get(slug=slug)
    return {"slug": slug, "date": meeting.date.isoformat(), "kind": meeting.kind, "title_ja": meeting.title_ja,
            "title_en": meeting.title_en, "source": meeting.source.slug,
            "body": meeting.body.abbreviation if meeting.body else None,
            "place": meeting.place.slug if meeting.place else None,
            "attendees": [{"position": a.position, "side": a.side, "person": a.person.slug if a.person else None,
                           "post": a.post.slug if a.post else None, "label_ja": a.label_ja, "label_en": a.label_en,
                           "label_printed": a.label_printed} for a in meeting.attendances.all()],
            "outcomes": [{"position": o.position, "voice": o.voice, "text_ja": o.text_ja, "text_en": o.text_en,
                          "text_printed": o.text_printed, "curator_note_ja": o.curator_note_ja,
                          "curator_note_en": o.curator_note_en, "topics": [t.slug for t in o.topics.all()],
                          "provisions": [f"{p.edition.year}:{p.path}" for p in o.provisions.all()]}
                         for o in meeting.outcomes.all()]}


def test_a_patch_of_the_title_leaves_every_row_as_it_was(client, django_user_model):
    before = ids("2023-01-11-scc")
    response = post(client, curator(django_user_model, "change_meeting"), {"title_en": "2+2 in Washington"}, "patch", SCC)
    assert response.status_code == 200
    assert ids("2023-01-11-scc") == before


def test_a_put_that_changes_one_item_changes_that_item_only(client, django_user_model):
    item = Outcome.objects.get(meeting__slug="2023-01-11-scc", position=3)
    other = Source.objects.exclude(pk=item.source_id).first()
    Outcome.objects.filter(pk=item.pk).update(source=other, en_unofficial=False)  # the item's own source and flag
    before = ids("2023-01-11-scc")
    meeting = as_written("2023-01-11-scc")
    meeting["outcomes"][9]["text_en"] = "A curator's better translation."

    response = post(client, curator(django_user_model, "change_meeting"), meeting, "put", SCC)

    assert response.status_code == 200, response.json()
    assert ids("2023-01-11-scc") == before  # every row keeps its id
    item.refresh_from_db()
    assert (item.source, item.en_unofficial) == (other, False)  # fields the PUT did not give are kept
    assert Outcome.objects.get(pk=before[1][10]).text_en == "A curator's better translation."


def test_rows_no_longer_given_are_deleted_and_new_positions_created(client, django_user_model):
    meeting = as_written("2023-01-12-defense-ministers")
    kept = ids("2023-01-12-defense-ministers")[1]
    meeting["outcomes"] = meeting["outcomes"][:3] + [{**meeting["outcomes"][0], "position": 20}]
    response = post(client, curator(django_user_model, "change_meeting"), meeting, "put",
                    "/api/v1/meetings/2023-01-12-defense-ministers/")
    assert response.status_code == 200, response.json()
    now = ids("2023-01-12-defense-ministers")[1]
    assert sorted(now) == [1, 2, 3, 20] and all(now[p] == kept[p] for p in (1, 2, 3))


def test_attendees_may_swap_positions(client, django_user_model):
    meeting = as_written("2023-01-11-scc")
    first, second = meeting["attendees"][0], meeting["attendees"][1]
    first["position"], second["position"] = 2, 1
    meeting["attendees"][0], meeting["attendees"][1] = second, first
    response = post(client, curator(django_user_model, "change_meeting"), meeting, "put", SCC)
    assert response.status_code == 200, response.json()
    assert [a["person"] for a in response.json()["attendees"][:2]] == ["hayashi-yoshimasa", "hamada-yasukazu"]


def test_a_patch_of_the_title_costs_a_fixed_number_of_queries(client, django_user_model):
    token = curator(django_user_model, "change_meeting")
    for slug in ("2023-01-13-summit", "2022-06-27-summit"):  # 11 items, then 3: the same count
        with CaptureQueriesContext(connection) as captured:
            assert post(client, token, {"title_en": "Edited"}, "patch", f"/api/v1/meetings/{slug}/").status_code == 200
        # 32, the transaction's savepoint, the row lock and the version; the savepoint around the
        # meeting's row (a slug taken meanwhile is refused as taken); its primary sources, read for
        # the version before and the record after
        assert len(captured) == 40, slug


@pytest.mark.parametrize("items, queries", [(20, 116), (40, 176)])
def test_creating_a_meeting_costs_a_fixed_number_of_queries_and_three_per_item(client, django_user_model, items, queries):
    # per item: its insert, and reading its topic and its provision from their slugs; the items'
    # versions and their links' are written together; once: the savepoint around the meeting's
    # row, and its (no) primary sources in the record answered
    meeting = copy.deepcopy(NEW_MEETING)
    meeting["outcomes"] = [{**meeting["outcomes"][0], "position": n} for n in range(1, items + 1)]
    token = curator(django_user_model, "add_meeting")
    with CaptureQueriesContext(connection) as captured:
        assert post(client, token, meeting).status_code == 201
    assert len(captured) == queries
    assert Outcome.objects.filter(meeting__slug=meeting["slug"], topics__slug="equipment-technology").count() == items


@pytest.fixture
def reindexed(monkeypatch):
    calls = []
    real = index.reindex

    def recording(kind, ids):
        ids = set(ids)
        calls.append((kind, frozenset(ids)))
        return real(kind, ids)

    monkeypatch.setattr(index, "reindex", recording)
    return calls


def test_each_document_is_reindexed_once_per_write(reindexed):
    meeting = Meeting.objects.get(slug="2023-01-11-scc")
    save_meeting(meeting=meeting, fields={"date": datetime.date(2023, 1, 10)})
    kinds = [kind for kind, _ in reindexed]
    assert sorted(kinds) == ["meeting", "outcome"]  # the date is in the items' documents: once, together
    assert len(dict(reindexed)["outcome"]) == meeting.outcomes.count()


def test_a_title_is_not_in_the_items_documents_so_they_are_not_reindexed(reindexed):
    save_meeting(meeting=Meeting.objects.get(slug="2023-01-11-scc"), fields={"title_en": "Edited"})
    assert [kind for kind, _ in reindexed] == ["meeting"]
    # outside the write path too: a save through the ORM
    reindexed.clear()
    Meeting.objects.filter(slug="2023-01-12-defense-ministers").first().save()
    assert [kind for kind, _ in reindexed] == ["meeting"]


def test_a_change_of_who_attended_reaches_the_items_facets():
    attendance = Attendance.objects.get(meeting__slug="2023-01-12-defense-ministers", side="japan")
    attendance.person = Person.objects.get(slug="kishi-nobuo")
    attendance.post = None
    attendance.save()
    hits = search(kind="outcome", filters={"person": "kishi-nobuo"})
    assert "2023-01-12-defense-ministers" in {item.meeting.slug for item in hits[:100]}


def test_a_write_that_fails_reindexes_nothing(reindexed):
    meeting = Meeting.objects.get(slug="2023-01-11-scc")
    rows = [{"position": 1, "voice": "joint", "text_ja": "両閣僚は一致。", "text_en": "Agreed."}] * 2
    with pytest.raises(Exception):
        save_meeting(meeting=meeting, fields={"title_en": "Edited"}, outcomes=rows)
    assert reindexed == []


def test_a_meeting_comes_with_an_etag_that_a_write_may_send_back(client, django_user_model):
    loaded = client.get(SCC)
    etag = loaded["ETag"]
    assert etag.startswith('"') and client.get(SCC, HTTP_IF_NONE_MATCH=etag).status_code == 304
    token = curator(django_user_model, "change_meeting")
    saved = post(client, token, {"title_en": "2+2 (edited)"}, "patch", SCC, HTTP_IF_MATCH=etag)
    assert saved.status_code == 200 and saved["ETag"] != etag
    assert client.get(SCC)["ETag"] == saved["ETag"]


def test_a_write_from_a_stale_copy_is_refused_and_says_what_changed(client, django_user_model):
    token = curator(django_user_model, "change_meeting")
    mine = client.get(SCC)  # I load the meeting...
    theirs = post(client, token, {"title_en": "Their title"}, "patch", SCC)  # ...someone else saves it...
    assert theirs.status_code == 200
    meeting = as_written("2023-01-11-scc")
    meeting["title_en"], meeting["outcomes"] = "My title", meeting["outcomes"][:1]
    refused = post(client, token, meeting, "put", SCC, HTTP_IF_MATCH=mine["ETag"])  # ...and I save my copy
    assert refused.status_code == 412
    assert "title_en" in refused.json()["detail"] and refused.json()["current"]["title_en"] == "Their title"
    assert refused["ETag"] == theirs["ETag"]  # the version to start again from
    assert Meeting.objects.get(slug="2023-01-11-scc").title_en == "Their title"
    assert Outcome.objects.filter(meeting__slug="2023-01-11-scc").count() == 24  # nothing of mine written
    # a delete from the stale copy is refused too
    assert client.delete(SCC, HTTP_AUTHORIZATION=f"Token {curator_token(django_user_model)}",
                         HTTP_IF_MATCH=mine["ETag"]).status_code == 412


def curator_token(django_user_model):
    from django.contrib.auth.models import Permission
    from rest_framework.authtoken.models import Token

    user = django_user_model.objects.create_user("deleter", password="pw")
    user.user_permissions.set(Permission.objects.filter(codename="delete_meeting"))
    return Token.objects.create(user=user).key


def test_an_unknown_version_is_refused_without_guessing_what_changed(client, django_user_model):
    response = post(client, curator(django_user_model, "change_meeting"), {"title_en": "X"}, "patch", SCC,
                    HTTP_IF_MATCH='"0000"')
    assert response.status_code == 412 and "changed by someone else" in response.json()["detail"]
    assert Meeting.objects.get(slug="2023-01-11-scc").title_en != "X"


@pytest.mark.parametrize("rows, says", [
    ({"outcomes": [{"text_en": "x"}]}, "position"),
    ({"outcomes": [{"position": 30, "voice": "joint", "text_en": "x"}]}, "text_ja"),
    ({"attendees": [{"position": 9, "label_ja": "某", "label_en": "someone"}]}, "side"),
])
def test_a_patch_names_whole_rows_or_is_a_400(client, django_user_model, rows, says):
    response = post(client, curator(django_user_model, "change_meeting"), rows, "patch", SCC)
    assert response.status_code == 400 and says in str(response.json()["errors"])


def test_a_record_not_read_from_the_database_reindexes_all_it_may_touch(reindexed):
    # as the admin's revert to a version does: a meeting built from a version's values, saved over the row
    meeting = Meeting.objects.get(slug="2023-01-11-scc")
    version = {field.attname: getattr(meeting, field.attname) for field in Meeting._meta.concrete_fields}
    save_meeting(meeting=meeting, fields={"date": datetime.date(2023, 1, 9)})  # a later change...
    reindexed.clear()
    built = Meeting(**version)  # ...reverted to the version before it
    built._state.adding = False
    built.save()
    assert sorted(kind for kind, _ in reindexed) == ["meeting", "outcome"]
    assert "2023-01-11-scc" in {item.meeting.slug for item in search(
        kind="outcome", filters={"date_after": "2023-01-11", "date_before": "2023-01-11"})[:100]}


def test_an_item_inserted_at_the_top_leaves_every_other_item_its_id_note_and_topics(client, django_user_model):
    slug = "2022-11-13-summit"  # item 4 carries a curator's note
    before = {o.text_ja: (o.pk, o.curator_note_ja, sorted(t.slug for t in o.topics.all()))
              for o in Outcome.objects.filter(meeting__slug=slug)}
    meeting = as_written(slug)
    for row in meeting["outcomes"]:
        row["position"] += 1
        row.pop("curator_note_ja"), row.pop("curator_note_en"), row.pop("topics")  # sent without them
    meeting["outcomes"].insert(0, {"position": 1, "voice": "joint", "text_ja": "両首脳は、新たな項目で一致。",
                                   "text_en": "The leaders agreed on a new item."})
    response = post(client, curator(django_user_model, "change_meeting"), meeting, "put", f"/api/v1/meetings/{slug}/")
    assert response.status_code == 200, response.json()
    after = {o.text_ja: (o.pk, o.curator_note_ja, sorted(t.slug for t in o.topics.all()))
             for o in Outcome.objects.filter(meeting__slug=slug)}
    assert {text: after[text] for text in before} == before  # each item moved down, with all it had
    assert after["両首脳は、新たな項目で一致。"][1:] == ("", [])


@pytest.mark.parametrize("change", ["same person twice", "person handed to a new row"])
def test_a_person_at_two_attendances_is_a_400_whatever_the_order(client, django_user_model, change):
    meeting = as_written("2023-01-12-defense-ministers")
    hamada = meeting["attendees"][0]
    if change == "same person twice":
        meeting["attendees"].append({**hamada, "position": 3, "label_ja": "浜田大臣"})
    else:  # the row that had him keeps him (no person given), a new row names him too
        meeting["attendees"] = [{**hamada, "position": 3, "label_ja": "浜田大臣"},
                                {k: v for k, v in hamada.items() if k != "person"}]
    response = post(client, curator(django_user_model, "change_meeting"), meeting, "put",
                    "/api/v1/meetings/2023-01-12-defense-ministers/")
    assert response.status_code == 400 and "attends more than once" in str(response.json()["errors"])


def test_a_slug_another_writer_takes_after_the_check_is_refused_as_taken(monkeypatch):
    """Two curators creating one slug at once: the check passes for both, the database lets one in,
    and the other is told the slug is taken (a ValidationError on `slug`, the API's 400), with
    nothing of its meeting written."""
    other = Meeting.objects.get(slug="2023-01-12-defense-ministers")
    checked = Meeting.full_clean

    def then_the_other_writer_saves(self, *args, **kwargs):
        checked(self, *args, **kwargs)
        Meeting.objects.filter(pk=other.pk).update(slug="2023-06-30-summit")

    monkeypatch.setattr(Meeting, "full_clean", then_the_other_writer_saves)
    count = Meeting.objects.count()
    with pytest.raises(ValidationError) as refused:
        save_meeting(fields={"slug": "2023-06-30-summit", "date": datetime.date(2023, 6, 30), "kind": Meeting.Kind.SUMMIT,
                             "title_ja": "日米首脳会談", "title_en": "Japan–U.S. Summit",
                             "source": Source.objects.get(slug="doj2023-s1-3")},
                     outcomes=[{"position": 1, "voice": "joint", "text_ja": "両首脳は一致。", "text_en": "Agreed."}])
    assert "slug" in refused.value.message_dict
    assert Meeting.objects.count() == count and not Outcome.objects.filter(text_en="Agreed.").exists()
