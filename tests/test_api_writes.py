"""Curators write meetings with their attendees and outcome items in one request; others cannot."""

import pytest
from django.contrib.auth.models import Permission
from rest_framework.authtoken.models import Token

from alliance.search.service import search
from meetings.models import Meeting, Outcome

pytestmark = pytest.mark.django_db

NEW_MEETING = {
    "slug": "2023-04-05-defense-ministers",
    "date": "2023-04-05",
    "kind": "defense-ministers",
    "place": "tokyo",
    "title_ja": "日米防衛相会談",
    "title_en": "Japan–U.S. Defense Ministerial Meeting",
    "source": "doj2023-s1-3",
    "attendees": [
        {"position": 1, "side": "japan", "person": "hamada-yasukazu", "post": "minister-of-defense",
         "label_ja": "浜田防衛大臣", "label_en": "Minister of Defense Hamada"},
        {"position": 2, "side": "us", "person": "lloyd-j-austin-iii", "post": "secretary-of-defense",
         "label_ja": "オースティン米国防長官", "label_en": "U.S. Secretary of Defense Austin"},
    ],
    "outcomes": [
        {"position": 1, "voice": "joint", "text_ja": "両閣僚は、量子暗号の共同研究で一致。",
         "text_en": "The two ministers agreed on joint research on quantum cryptography.",
         "topics": ["equipment-technology"], "provisions": ["2015:VII.A"]},
    ],
}


def curator(django_user_model, *codenames):
    user = django_user_model.objects.create_user("curator", password="pw")
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return Token.objects.create(user=user).key


def post(client, token, data, method="post", url="/api/v1/meetings/", **headers):
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Token {token}"
    return getattr(client, method)(url, data, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en", **headers)


def test_anonymous_clients_cannot_write(client):
    response = post(client, None, NEW_MEETING)
    assert response.status_code == 401


def test_a_user_without_the_permission_is_refused(client, django_user_model):
    assert post(client, curator(django_user_model), NEW_MEETING).status_code == 403


def test_a_curator_creates_a_meeting_with_its_rows_in_one_request(client, django_user_model):
    response = post(client, curator(django_user_model, "add_meeting"), NEW_MEETING)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert [a["name_en"] for a in data["attendees"]] == ["Hamada Yasukazu", "Lloyd J. Austin III"]
    assert data["outcomes"][0]["topics"] == ["equipment-technology"] and data["outcomes"][0]["provisions"] == ["VII.A"]
    # written through the same services: the search index follows in the same transaction
    assert [m.slug for m in search(query="量子暗号")[:20]] == ["2023-04-05-defense-ministers"]


@pytest.mark.parametrize("change, field, says", [
    (lambda m: m["attendees"][0].update(person="nobody"), "attendees", "does not exist"),
    (lambda m: m["attendees"][0].update(person="kishi-nobuo"), "attendees",
     "kishi-nobuo (岸信夫) did not hold minister-of-defense (Minister of Defense) on 2023-04-05"),
    (lambda m: m["outcomes"].append({**m["outcomes"][0]}), "outcomes", "position 1 is given more than once"),
    (lambda m: m["attendees"][1].update(person="hamada-yasukazu", post="minister-of-defense"), "attendees", "attends more than once"),
    (lambda m: m.update(slug="2023-01-11-scc"), "slug", "already exists"),
    (lambda m: m["outcomes"][0].update(provisions=["2015:IX.Z"]), "outcomes", "No provision 2015:IX.Z"),
    (lambda m: m.update(date="2023-04-31"), "date", "wrong format"),
    # the voice rule: an item naming the Japanese side as speaker is not joint
    (lambda m: m["outcomes"][0].update(text_ja="日本側から、量子暗号の共同研究を提案。"), "outcomes",
     "item 1: the text gives voice japan (the Japanese side), not joint"),
    (lambda m: m["outcomes"][0].update(text_ja="浜田防衛大臣から提案し、オースティン米国防長官は歓迎。", voice="japan"),
     "outcomes", "gives voice exchange (each side in turn), not japan"),
])
def test_what_must_not_be_saved_is_a_400_that_says_why_and_saves_nothing(client, django_user_model, change, field, says):
    import copy

    meeting = copy.deepcopy(NEW_MEETING)
    change(meeting)
    before = Meeting.objects.count()
    response = post(client, curator(django_user_model, "add_meeting"), meeting)
    assert response.status_code == 400
    assert says in str(response.json()["errors"][field])
    assert Meeting.objects.count() == before


def test_a_curator_amends_and_replaces_a_meeting(client, django_user_model):
    token = curator(django_user_model, "change_meeting")
    amended = post(client, token, {"title_en": "Japan–U.S. Summit (Hiroshima)"}, "patch", "/api/v1/meetings/2023-05-18-summit/")
    assert amended.status_code == 200 and amended.json()["title_en"] == "Japan–U.S. Summit (Hiroshima)"
    assert len(amended.json()["outcomes"]) == 12  # a PATCH keeps the rows it does not name
    replaced = post(client, token, {**NEW_MEETING, "slug": "2023-05-18-summit", "date": "2023-05-18"}, "put",
                    "/api/v1/meetings/2023-05-18-summit/")
    assert replaced.status_code == 200, replaced.json()
    assert len(replaced.json()["outcomes"]) == 1
    assert "2023-05-18-summit" in {m.slug for m in search(query="量子暗号")[:20]}


def test_a_curators_note_records_a_reading_the_voice_rule_would_not_give(client, django_user_model):
    meeting = {**NEW_MEETING, "outcomes": [{**NEW_MEETING["outcomes"][0], "voice": "japan",
                                            "curator_note_ja": "文脈から日本側の提案とみられる。"}]}
    response = post(client, curator(django_user_model, "add_meeting"), meeting)
    assert response.status_code == 201, response.json()
    assert response.json()["outcomes"][0]["voice"] == "japan"


def test_a_patch_of_the_title_keeps_every_items_curators_note(client, django_user_model):
    token = curator(django_user_model, "change_meeting")
    response = post(client, token, {"title_en": "Japan–U.S. Summit Meeting (Phnom Penh)"}, method="patch",
                    url="/api/v1/meetings/2022-11-13-summit/")
    assert response.status_code == 200, response.json()
    item = Outcome.objects.get(meeting__slug="2022-11-13-summit", position=4)
    assert "Japanese side" in item.curator_note_en and "日本側" in item.curator_note_ja
