"""Permalinks never break: a record a curator renames answers at its old address with a 301 to
the new one, through every rename, until another record takes that address."""

import pytest

from alliance.models import ConsultationBody, FormerAddress, Person, Topic
from meetings.models import Meeting
from tests.factories import make_meeting

pytestmark = pytest.mark.django_db


def rename(record, field, value):
    setattr(record, field, value)
    record.save()
    return record


def test_a_renamed_meeting_redirects_from_its_old_address_in_both_languages(client):
    meeting = rename(Meeting.objects.get(slug="2023-01-11-scc"), "slug", "2023-01-11-scc-washington")
    response = client.get("/meetings/2023-01-11-scc/")
    assert response.status_code == 301 and response["Location"] == "/meetings/2023-01-11-scc-washington/"
    response = client.get("/en/meetings/2023-01-11-scc/")
    assert response.status_code == 301 and response["Location"] == "/en/meetings/2023-01-11-scc-washington/"
    assert client.get("/meetings/2023-01-11-scc/cite.bib").status_code == 301
    assert client.get(meeting.get_absolute_url()).status_code == 200


def test_every_old_address_leads_to_the_newest_one(client):
    meeting = Meeting.objects.get(slug="2022-06-27-summit")
    rename(meeting, "slug", "2022-06-27-summit-elmau")
    rename(meeting, "slug", "2022-06-27-g7-summit")
    for old in ("2022-06-27-summit", "2022-06-27-summit-elmau"):
        assert client.get(f"/meetings/{old}/")["Location"] == "/meetings/2022-06-27-g7-summit/"


def test_a_rename_through_a_fresh_read_redirects_too(client):
    # The admin and the API read the record before saving it; a rename is seen however it is loaded.
    meeting = Meeting.objects.get(slug="2022-05-23-summit")
    meeting.slug = "2022-05-23-summit-tokyo"
    meeting.save(update_fields=["slug"])
    assert client.get("/meetings/2022-05-23-summit/")["Location"] == "/meetings/2022-05-23-summit-tokyo/"


def test_a_new_record_may_take_an_old_address_and_then_owns_it(client):
    old = Meeting.objects.get(slug="2022-09-14-defense-ministers")
    rename(old, "slug", "2022-09-14-defense-ministers-washington")
    newcomer = make_meeting(old.source, slug="2022-09-14-defense-ministers")
    assert client.get("/meetings/2022-09-14-defense-ministers/").status_code == 200
    assert client.get("/meetings/2022-09-14-defense-ministers/").context["meeting"] == newcomer


def test_renaming_back_forgets_the_redirect_of_the_address_taken_back(client):
    meeting = rename(Meeting.objects.get(slug="2023-01-13-summit"), "slug", "2023-01-13-summit-washington")
    rename(meeting, "slug", "2023-01-13-summit")
    assert client.get("/meetings/2023-01-13-summit/").status_code == 200
    assert client.get("/meetings/2023-01-13-summit-washington/")["Location"] == "/meetings/2023-01-13-summit/"
    assert not FormerAddress.objects.filter(key="2023-01-13-summit").exists()


@pytest.mark.parametrize("model, field, old, new, url", [
    (Person, "slug", "hamada-yasukazu", "hamada-yasukazu-1955", "/people/{}/"),
    (Topic, "slug", "senkaku-islands", "senkaku", "/topics/{}/"),
    (ConsultationBody, "abbreviation", "SDC", "SDC2", "/bodies/{}/"),
])
def test_people_topics_and_bodies_keep_their_old_addresses_too(client, model, field, old, new, url):
    rename(model.objects.get(**{field: old}), field, new)
    response = client.get(url.format(old))
    assert response.status_code == 301 and response["Location"] == url.format(new)


def test_a_deleted_record_is_gone(client):
    meeting = make_meeting(Meeting.objects.first().source, slug="2024-01-01-summit")
    rename(meeting, "slug", "2024-01-02-summit")
    meeting.delete()
    assert client.get("/meetings/2024-01-01-summit/").status_code == 404
