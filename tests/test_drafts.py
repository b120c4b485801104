"""Drafts: a meeting a curator is still working on is seen by curators only, marked as a draft;
nobody else finds it anywhere (pages, API, feeds, calendar, exports, citations, search counts)
until it is published, and then everywhere."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from alliance.models import ConsultationBody, Person, Place, Post, Source, Topic
from guidelines.models import Provision
from meetings.models import Meeting, Outcome
from meetings.services import save_meeting
from tests.factories import content

pytestmark = pytest.mark.django_db

WORD_JA = "量子暗号"  # in no curated record
WORD_EN = "Zanzibar"
SLUG = "2023-06-30-summit"


@pytest.fixture
def draft():
    return save_meeting(fields={
        "slug": SLUG, "date": datetime.date(2023, 6, 30), "kind": Meeting.Kind.SUMMIT, "state": Meeting.State.DRAFT,
        "title_ja": f"日米首脳会談（{WORD_JA}）", "title_en": f"Japan–U.S. Summit ({WORD_EN})",
        "body": None, "place": Place.objects.get(slug="tokyo"), "source": Source.objects.get(slug="doj2023-s1-3"),
    }, attendances=[
        {"position": 1, "side": "japan", "person": Person.objects.get(slug="kishida-fumio"),
         "post": Post.objects.get(slug="prime-minister"), "label_ja": "岸田総理大臣", "label_en": "Prime Minister Kishida"},
    ], outcomes=[
        {"position": 1, "voice": "joint", "text_ja": f"両首脳は、{WORD_JA}の共同研究で一致。",
         "text_en": f"The two leaders agreed on joint research in {WORD_EN}.",
         "topics": [Topic.objects.get(slug="china")], "provisions": [Provision.objects.get(edition__year=2015, path="VII.A")]},
    ])


@pytest.fixture
def scc_draft():
    """A draft of a body's meeting, for the body's page and counts."""
    return save_meeting(fields={
        "slug": "2023-07-01-scc", "date": datetime.date(2023, 7, 1), "kind": Meeting.Kind.SCC, "state": Meeting.State.DRAFT,
        "title_ja": f"日米安全保障協議委員会（{WORD_JA}）", "title_en": f"SCC ({WORD_EN})",
        "body": ConsultationBody.objects.get(abbreviation="SCC"), "source": Source.objects.get(slug="doj2023-s1-3"),
    }, attendances=[], outcomes=[])


def curator_client(client, django_user_model):
    user = django_user_model.objects.create_user("curator", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="curators"))
    client.force_login(user)
    return client


PUBLIC = [
    "/", "/en/", "/meetings/", f"/meetings/?q={WORD_JA}", f"/meetings/?q={WORD_EN}", "/meetings/?q=量",
    "/meetings/?person=kishida-fumio", "/meetings/?topic=china", "/meetings/?kind=summit&ordering=-date",
    f"/search/?q={WORD_JA}", f"/search/?q={WORD_EN}&type=outcome", "/search/?q=首脳",
    "/people/", "/people/kishida-fumio/", "/bodies/", "/bodies/SCC/", "/topics/", "/topics/china/", "/guidelines/2015/",
    "/api/v1/meetings/", f"/api/v1/meetings/?q={WORD_JA}", "/api/v1/meetings/?state=draft",
    "/api/v1/meetings/?format=csv", "/api/v1/meetings/?format=csv&rows=outcomes", f"/api/v1/search/?q={WORD_JA}", f"/api/v1/search/?q={WORD_EN}",
    "/api/v1/people/kishida-fumio/", "/api/v1/topics/china/", "/api/v1/bodies/SCC/",
    "/meetings.ics", "/meetings/feed/", f"/meetings/feed/?q={WORD_JA}",
]


@pytest.mark.parametrize("url", PUBLIC)
def test_anonymous_visitors_see_no_trace_of_a_draft(client, draft, scc_draft, url):
    response = client.get(url)
    assert response.status_code == 200
    body = content(response).decode()
    # the draft's words, but where the page only echoes the query
    for trace in (SLUG, "2023-07-01-scc", *(word for word in (WORD_JA, WORD_EN) if word not in url)):
        assert trace not in body
    assert "2023-06-30" not in body


@pytest.mark.parametrize("url", [f"/meetings/{SLUG}/", f"/en/meetings/{SLUG}/", f"/meetings/{SLUG}/cite.bib",
                                 f"/meetings/{SLUG}/cite.json", f"/api/v1/meetings/{SLUG}/"])
def test_a_drafts_own_addresses_are_not_found_by_anonymous_visitors(client, draft, url):
    assert client.get(url).status_code == 404


def test_counts_and_facets_leave_drafts_out(client, draft, scc_draft):
    home = client.get("/en/").context["counts"]
    published = Meeting.objects.published()
    assert (home["meetings"], home["outcomes"]) == (published.count(), Outcome.objects.published().count())
    assert home["meetings"] == Meeting.objects.count() - 2
    listing = client.get("/api/v1/meetings/", {"person": "kishida-fumio"}).json()
    assert SLUG not in {meeting["slug"] for meeting in listing["results"]}
    facets = client.get("/meetings/", {"q": "首脳"}).context["facets"]
    assert facets.total == client.get("/api/v1/meetings/", {"q": "首脳"}).json()["count"]
    bodies = {body.abbreviation: body.meeting_count for body in client.get("/en/bodies/").context["bodies"]}
    assert bodies["SCC"] == Meeting.objects.published().filter(body__abbreviation="SCC").count()
    people = {person.slug: person.meeting_count for person in client.get("/en/people/").context["people"]}
    assert people["kishida-fumio"] == Meeting.objects.published().filter(attendances__person__slug="kishida-fumio").count()


def test_curators_see_drafts_marked_in_lists_search_and_their_page(client, django_user_model, draft):
    curator = curator_client(client, django_user_model)
    listing = curator.get("/en/meetings/", {"q": WORD_JA})
    assert listing.context["results"].count() == 1
    assert 'class="draft-mark"' in listing.content.decode()
    page = curator.get(f"/en/meetings/{SLUG}/").content.decode()
    assert "Draft: only curators see this meeting" in page and reverse("admin:meetings_meeting_change", args=[draft.pk]) in page
    assert 'class="draft-mark"' in curator.get("/en/people/kishida-fumio/").content.decode()
    assert curator.get(f"/search/?q={WORD_EN}").context["groups"][0]["results"].count() == 1
    public = Client().get("/meetings/", {"q": "量"}).context["results"].count()
    assert curator.get("/meetings/", {"q": "量"}).context["results"].count() == public + 1  # one character finds it too
    assert curator.get("/meetings/", {"q": "量子", "state": "draft"}).context["results"].count() == 1
    api = curator.get("/api/v1/meetings/", {"state": "draft"}).json()
    assert [(meeting["slug"], meeting["state"]) for meeting in api["results"]] == [(SLUG, "draft")]
    assert curator.get("/api/v1/meetings/", {"state": "published"}).json()["count"] == Meeting.objects.published().count()
    assert "private" in curator.get("/api/v1/meetings/")["Cache-Control"]


def test_publishing_a_draft_shows_it_everywhere(client, django_user_model, draft):
    token_user = django_user_model.objects.create_superuser("editor", "editor@example.org", "pw")
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=token_user).key
    response = client.patch(f"/api/v1/meetings/{SLUG}/", {"state": "published"}, content_type="application/json",
                            HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200 and response.json()["state"] == "published"
    client.logout()
    assert client.get(f"/meetings/{SLUG}/").status_code == 200
    assert client.get("/api/v1/meetings/", {"q": WORD_JA}).json()["count"] == 1
    hits = client.get("/api/v1/search/", {"q": WORD_EN}).json()
    assert hits["outcomes"]["count"] == 1  # the items' documents followed the meeting's state
    assert WORD_JA in client.get("/meetings/feed/").content.decode()


def test_the_admin_starts_a_new_meeting_as_a_draft_and_publishes_through_the_write_path(client, django_user_model, draft):
    curator = curator_client(client, django_user_model)
    form = curator.get(reverse("admin:meetings_meeting_add")).context["adminform"].form
    assert form["state"].value() == "draft"
    response = curator.post(reverse("admin:meetings_meeting_changelist"),
                            {"action": "publish", "_selected_action": [draft.pk]})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == "published"
    assert draft.history.first().history_change_reason == "published (admin action)"
    assert draft.history.first().history_user.username == "curator"
