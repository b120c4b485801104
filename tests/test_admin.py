"""Curators can open every model in the admin: its list, its search, and a record's form."""

import html

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator(client, django_user_model):
    user = django_user_model.objects.create_superuser("curator", "curator@example.org", "pw")
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda model: model._meta.label)
def test_every_model_has_a_working_list_search_and_form(curator, model):
    info = (model._meta.app_label, model._meta.model_name)
    changelist = curator.get(reverse("admin:%s_%s_changelist" % info))
    assert changelist.status_code == 200
    if admin.site._registry[model].search_fields:
        assert curator.get(reverse("admin:%s_%s_changelist" % info), {"q": "日米"}).status_code == 200
    record = model.objects.first()
    if record is not None:
        change = curator.get(reverse("admin:%s_%s_change" % info, args=[record.pk]))
        assert change.status_code == 200


def test_a_meeting_form_shows_its_attendees_and_outcomes_inline(curator):
    from meetings.models import Meeting

    meeting = Meeting.objects.get(slug="2023-01-11-scc")
    html = curator.get(reverse("admin:meetings_meeting_change", args=[meeting.pk])).content.decode()
    assert "ブリンケン米国務長官" in html
    assert html.count('name="outcomes-') > 24 * 3


def test_anonymous_visitors_cannot_open_the_admin(client):
    response = client.get(reverse("admin:meetings_meeting_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize("periods, says", [
    ({"2+3": {"since": "1990-12-26"}}, "2+3 is not one of the aliases"),
    ({"2+2": {"since": "26/12/1990"}}, "dates are written YYYY-MM-DD"),
    ({"2+2": {"since": "1990-12-26", "until": "1980-01-01"}}, "until is before since"),
    ({"2+2": {"from": "1990-12-26"}}, 'give {"since": "YYYY-MM-DD"}'),
])
def test_an_alias_period_that_cannot_be_read_is_a_form_error(periods, says):
    from django.core.exceptions import ValidationError

    from alliance.models import ConsultationBody

    scc = ConsultationBody.objects.get(abbreviation="SCC")
    scc.alias_periods = periods
    with pytest.raises(ValidationError) as error:
        scc.full_clean()
    assert says in str(error.value.message_dict["alias_periods"])


def inline_management(prefix, total=0):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000"}


def test_the_admins_add_form_refuses_an_attendee_in_a_post_not_held_then_as_the_api_does(curator):
    from alliance.models import Person, Post, Source
    from meetings.models import Meeting

    data = {"slug": "2023-04-05-defense-ministers", "date": "2023-04-05", "date_precision": "day",
            "kind": "defense-ministers", "status": "held", "title_ja": "日米防衛相会談", "title_en": "Defense Ministers",
            "source": Source.objects.get(slug="doj2023-s1-3").pk, "en_unofficial": "on",
            **inline_management("attendances", 1), **inline_management("outcomes"),
            "attendances-0-position": "1", "attendances-0-side": "japan",
            "attendances-0-person": Person.objects.get(slug="kishi-nobuo").pk,
            "attendances-0-post": Post.objects.get(slug="minister-of-defense").pk,
            "attendances-0-label_ja": "岸防衛大臣", "attendances-0-label_en": "Minister Kishi",
            "attendances-0-source": Source.objects.get(slug="doj2023-s1-3").pk, "attendances-0-en_unofficial": "on"}
    response = curator.post(reverse("admin:meetings_meeting_add"), data)
    assert response.status_code == 200  # the form again, with the error
    assert "kishi-nobuo (岸信夫) did not hold minister-of-defense (Minister of Defense) on 2023-04-05" in \
        response.content.decode()
    assert not Meeting.objects.filter(slug="2023-04-05-defense-ministers").exists()


def as_posted(form):
    """What the browser would post back of an admin form as it was shown."""
    return posted(form)


def test_a_save_from_a_copy_someone_saved_over_since_is_refused_and_says_what_changed(curator):
    from alliance.models import Topic

    topic = Topic.objects.get(slug="space")
    url = reverse("admin:alliance_topic_change", args=[topic.pk])
    mine = as_posted(curator.get(url).context["adminform"].form)  # I open the topic...
    Topic.objects.filter(pk=topic.pk).update(name_en="outer space")  # ...someone else saves it...
    mine["name_en"] = "space (mine)"

    response = curator.post(url, mine)  # ...and I save my copy

    html = response.content.decode()
    assert response.status_code == 200 and "changed by someone else since you loaded it: name_en" in html
    assert Topic.objects.get(pk=topic.pk).name_en == "outer space"
    # opened again, the current version saves
    fresh = as_posted(curator.get(url).context["adminform"].form)
    fresh["name_en"] = "space (mine)"
    assert curator.post(url, fresh).status_code == 302
    assert Topic.objects.get(pk=topic.pk).name_en == "space (mine)"


def test_a_meetings_version_covers_its_inline_rows(curator):
    from meetings.models import Meeting, Outcome

    meeting = Meeting.objects.get(slug="2022-06-27-summit")
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    page = curator.get(url)
    loaded = page.context["adminform"].form["loaded_version"].value()
    Outcome.objects.filter(meeting=meeting, position=2).update(text_en="Someone else's translation.")
    form = page.context["adminform"].form.__class__(
        data={**as_posted(page.context["adminform"].form), "loaded_version": loaded}, instance=meeting)
    assert not form.is_valid() and "outcome 2: text_en" in str(form.errors)


@pytest.mark.parametrize("model, term, expected", [
    ("meetings_meeting", "尖閣", {"2022-05-04-defense-ministers", "2022-05-23-summit", "2023-01-11-scc"}),  # an item's word
    ("meetings_meeting", "Hamada", {"2022-09-14-defense-ministers", "2023-01-11-scc", "2023-01-12-defense-ministers"}),
    ("meetings_meeting", "核", None),  # one character
    ("meetings_meeting", "2023-04-vice", {"2023-04-vice-ministerial"}),  # the slug, through search_fields
])
def test_the_admins_search_finds_what_the_sites_search_finds(curator, model, term, expected):
    from alliance.search.service import search

    response = curator.get(reverse(f"admin:{model}_changelist"), {"q": term})
    found = {meeting.slug for meeting in response.context["cl"].result_list}
    if expected is None:
        expected = {meeting.slug for meeting in search(query=term)[:100]}
    assert found == expected and found


def test_the_meeting_list_shows_dates_at_their_precision(curator):
    html = curator.get(reverse("admin:meetings_meeting_changelist")).content.decode()
    assert ">2023-04<" in html and ">2023<" in html and "2023-04-01" not in html


def test_a_curator_edits_the_records_but_cannot_reach_users(client, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("editor", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="curators"))
    client.force_login(user)
    assert client.get(reverse("admin:meetings_meeting_changelist")).status_code == 200
    assert client.get(reverse("admin:alliance_topic_add")).status_code == 200
    assert client.get(reverse("admin:guidelines_provision_changelist")).status_code == 200
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert not user.has_perm("auth.change_user") and user.has_perm("meetings.delete_outcome")


def posted(form):
    """What the browser would post back of a form as it was shown, under the form's prefix."""
    from django import forms

    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[form[name].html_name] = "on"
        elif value is not None:
            data[form[name].html_name] = field.prepare_value(value)
    return data


def change_page_as_posted(page):
    """A meeting's change page as posted back unchanged: the form and every inline row."""
    data = posted(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        data.update(posted(inline.formset.management_form))
        for form in inline.formset.forms:
            data.update(posted(form))
    return data


def test_the_admin_saves_a_meeting_in_place_keeping_its_rows_ids_and_history(curator):
    from meetings.models import Meeting

    meeting = Meeting.objects.get(slug="2023-01-11-scc")
    rows = {(row.position, row.pk) for row in meeting.outcomes.all()}, {(row.position, row.pk) for row in meeting.attendances.all()}
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    data = change_page_as_posted(curator.get(url))
    data.update({"title_en": "Japan–U.S. Security Consultative Committee (2+2), Washington", "change_reason": "the place in the title"})

    assert curator.post(url, data).status_code == 302

    meeting.refresh_from_db()
    assert meeting.title_en.endswith("Washington")
    assert ({(row.position, row.pk) for row in meeting.outcomes.all()},
            {(row.position, row.pk) for row in meeting.attendances.all()}) == rows
    assert meeting.history.first().history_change_reason == "the place in the title"
    assert meeting.history.first().history_user.username == "curator"
    assert not meeting.outcomes.first().history.filter(history_type="~").exists()  # no row was written


def test_the_admin_refuses_an_item_whose_voice_the_text_does_not_give_in_the_apis_words(curator, client, django_user_model):
    from meetings.models import Meeting
    from tests.test_api_writes import post

    meeting = Meeting.objects.get(slug="2023-01-11-scc")
    item = meeting.outcomes.get(position=2)
    assert item.voice == "joint"
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    data = change_page_as_posted(curator.get(url))
    index = [o.pk for o in meeting.outcomes.all()].index(item.pk)
    data[f"outcomes-{index}-voice"] = "us"

    response = curator.post(url, data)

    assert response.status_code == 200
    message = "item 2: the text gives voice joint (no side named), not us"
    assert message in response.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).outcomes.get(position=2).voice == "joint"
    # the API says the same of the same row
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=django_user_model.objects.get(username="curator")).key
    rows = [{"position": o.position, "voice": "us" if o.pk == item.pk else o.voice, "text_ja": o.text_ja,
             "text_en": o.text_en} for o in meeting.outcomes.all()]
    api = post(client, token, {"outcomes": rows}, "patch", f"/api/v1/meetings/{meeting.slug}/")
    assert api.status_code == 400 and message in str(api.json())


def test_an_outcome_items_own_page_refuses_a_position_its_meeting_has_given(curator):
    from meetings.models import Outcome

    item = Outcome.objects.get(meeting__slug="2023-01-11-scc", position=2)
    url = reverse("admin:meetings_outcome_change", args=[item.pk])
    data = posted(curator.get(url).context["adminform"].form)
    data["position"] = "1"

    response = curator.post(url, data)

    assert response.status_code == 200
    assert "position 1 is given more than once" in response.content.decode()
    assert Outcome.objects.get(pk=item.pk).position == 2


# What each admin page costs in queries: a list (whatever its page size) and the most costly
# change page of the curated records. A change page's cost does not grow with its inline rows:
# the records its rows show (their person, post, topics, provisions, source) load once per model.
LIST_QUERIES = {"auth.Group": 5, "auth.User": 6, "authtoken.TokenProxy": 5, "axes.AccessAttempt": 8, "axes.AccessLog": 8, "axes.AccessFailureLog": 8, "alliance.Publication": 7,
                "alliance.Source": 9, "alliance.Person": 7, "alliance.Post": 7, "alliance.Tenure": 7,
                "alliance.Organization": 7, "alliance.Topic": 7, "alliance.Place": 7, "alliance.LegalInstrument": 7,
                "alliance.Article": 7, "alliance.ConsultationBody": 7, "guidelines.Edition": 7, "guidelines.Provision": 9,
                "guidelines.OperationRole": 7, "meetings.Meeting": 10, "meetings.Attendance": 7, "meetings.Outcome": 8,
                "documents.Document": 10}
CHANGE_QUERIES = {"alliance.Publication": 6, "alliance.Source": 8,
                  "alliance.Person": 10, "alliance.Post": 8, "alliance.Tenure": 11, "alliance.Organization": 8,
                  "alliance.Topic": 7, "alliance.Place": 7, "alliance.LegalInstrument": 9, "alliance.Article": 9,
                  "alliance.ConsultationBody": 16, "guidelines.Edition": 7, "guidelines.Provision": 19,
                  "guidelines.OperationRole": 9, "meetings.Meeting": 21, "meetings.Attendance": 10, "meetings.Outcome": 15,
                  "documents.Document": 19}


def queries_of(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()  # as on a fresh process: what one test loaded, the next would not pay for
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda model: model._meta.label)
def test_every_admin_list_costs_a_fixed_number_of_queries_whatever_its_page_size(curator, model, monkeypatch):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert queries_of(curator, url) == LIST_QUERIES[model._meta.label]
    monkeypatch.setattr(admin.site._registry[model], "list_per_page", 3)
    assert queries_of(curator, url) == LIST_QUERIES[model._meta.label]


@pytest.mark.parametrize("model", [model for model in admin.site._registry if model._meta.label in CHANGE_QUERIES],
                         ids=lambda model: model._meta.label)
def test_every_change_page_costs_at_most_its_pinned_number_of_queries(curator, model):
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}_change"
    costs = {queries_of(curator, reverse(name, args=[record.pk])) for record in model._default_manager.all()}
    assert max(costs) == CHANGE_QUERIES[model._meta.label]


def test_a_meeting_with_three_times_the_items_costs_the_same_queries(curator):
    from meetings.models import Meeting
    from meetings.services import save_meeting

    scc = Meeting.objects.get(slug="2023-01-11-scc")
    items = [{"position": n * 100 + o.position, "voice": o.voice, "text_ja": o.text_ja, "text_en": o.text_en,
              "curator_note_ja": o.curator_note_ja, "topics": list(o.topics.all()), "provisions": list(o.provisions.all())}
             for n in range(3) for o in scc.outcomes.all()]
    big = save_meeting(fields={"slug": "2023-01-11-scc-copy", "date": scc.date, "kind": scc.kind, "body": scc.body,
                               "place": scc.place, "title_ja": scc.title_ja, "title_en": scc.title_en, "source": scc.source},
                       attendances=[{"position": a.position, "side": a.side, "person": a.person, "post": a.post,
                                     "label_ja": a.label_ja, "label_en": a.label_en} for a in scc.attendances.all()],
                       outcomes=items)
    assert big.outcomes.count() == 3 * scc.outcomes.count()
    change = "admin:meetings_meeting_change"
    assert queries_of(curator, reverse(change, args=[big.pk])) == queries_of(curator, reverse(change, args=[scc.pk]))


@pytest.mark.parametrize("path, label, says", [
    ("IV.D.2", "2", "'IV.D.2' does not fit under its parent IV.C: a child's path is its parent's and one part more"),
    ("IV.C.3", "2", "'IV.C.3' ends in '3', but its label '2' gives '2'."),
])
def test_a_provision_path_that_does_not_fit_its_parent_is_a_form_error(curator, path, label, says):
    from guidelines.models import Provision

    provision = Provision.objects.get(edition__year=2015, path="IV.C.2")
    url = reverse("admin:guidelines_provision_change", args=[provision.pk])
    page = curator.get(url)
    data = change_page_as_posted(page)
    data.update({"path": path, "label": label})

    response = curator.post(url, data)

    assert response.status_code == 200 and says in html.unescape(response.content.decode())
    assert Provision.objects.get(pk=provision.pk).path == "IV.C.2"


def test_a_provision_page_lists_its_children_in_order(curator):
    from guidelines.models import Provision

    provision = Provision.objects.get(edition__year=2015, path="IV.C")
    page = curator.get(reverse("admin:guidelines_provision_change", args=[provision.pk]))
    children = [form.instance.path for form in page.context["inline_admin_formsets"][0].formset.forms]
    assert children == list(provision.children.order_by("position").values_list("path", flat=True))
    assert children and all(path.startswith("IV.C.") for path in children)
