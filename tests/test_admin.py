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
