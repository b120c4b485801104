"""`make run` loads the curated data once, and never over what curators have since written."""

import pytest
from django.core.management import call_command

from alliance.models import Publication
from meetings.models import Meeting, Outcome

pytestmark = pytest.mark.django_db


def test_it_leaves_a_database_that_holds_the_data_alone(capsys):
    outcome = Outcome.objects.get(meeting__slug="2023-05-18-summit", position=1)
    outcome.text_en = "A curator's better translation."
    outcome.save()

    call_command("load_curated")

    assert "already loaded" in capsys.readouterr().out
    outcome.refresh_from_db()
    assert outcome.text_en == "A curator's better translation."


def test_it_loads_an_empty_database():
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    assert not Publication.objects.exists()

    call_command("load_curated", verbosity=0)

    assert Meeting.objects.count() == 14
    assert Outcome.objects.count() == 107


def test_force_reloads_the_curated_version():
    meeting = Meeting.objects.get(slug="2023-05-18-summit")
    meeting.title_en = "Edited"
    meeting.save()

    call_command("load_curated", force=True, verbosity=0)

    meeting.refresh_from_db()
    assert meeting.title_en == "Japan–U.S. Summit Meeting"
