"""Curators can open every model in the admin: its list, its search, and a record's form."""

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
    from django import forms

    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = field.prepare_value(value)
    return data


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
