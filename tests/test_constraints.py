"""The database itself refuses what must never be true, on SQLite and PostgreSQL alike."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from alliance.models import ConsultationBody, Tenure
from guidelines.models import Edition, Provision
from meetings.models import Attendance, Meeting, Outcome
from tests.factories import make_meeting, make_person, make_post, make_source, make_tenure

pytestmark = pytest.mark.django_db


def refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


@pytest.fixture
def source():
    return make_source()


def test_a_duplicate_meeting_slug_is_refused(source):
    make_meeting(source)
    refused(lambda: make_meeting(source, date=datetime.date(2024, 2, 1)))


def test_a_duplicate_body_abbreviation_is_refused(source):
    scc = ConsultationBody.objects.get(abbreviation="SCC")
    refused(lambda: ConsultationBody.objects.create(
        abbreviation="SCC", name_ja="重複", name_en="Duplicate", purpose_ja="x", purpose_en="x",
        legal_basis_ja="x", legal_basis_en="x", position=9, source=scc.source,
    ))


def test_a_duplicate_provision_path_in_one_edition_is_refused_but_allowed_in_another(source):
    edition_2015 = Edition.objects.get(year=2015)
    refused(lambda: Provision.objects.create(edition=edition_2015, kind="chapter", label="I", path="I", position=9, heading_ja="重複", source=source))
    edition_1997 = Edition.objects.get(year=1997)
    Provision.objects.create(edition=edition_1997, kind="chapter", label="I", path="I", position=1, heading_ja="目的", heading_en="Aim", source=source)


def test_a_tenure_that_ends_before_it_starts_is_refused(source):
    person, post = make_person(source), make_post(source)
    refused(lambda: make_tenure(person, post, start=datetime.date(2022, 1, 1), end=datetime.date(2021, 12, 31)))


def test_a_month_precise_date_must_be_stored_as_the_first_of_the_month(source):
    person, post = make_person(source), make_post(source)
    refused(lambda: make_tenure(person, post, start=datetime.date(2022, 7, 15), start_precision="month"))
    make_tenure(person, post, start=datetime.date(2022, 7, 1), start_precision="month")
    refused(lambda: make_meeting(source, date=datetime.date(2023, 4, 12), date_precision="month"))


def test_a_duplicate_tenure_is_refused(source):
    person, post = make_person(source), make_post(source)
    make_tenure(person, post)
    refused(lambda: make_tenure(person, post))


def test_two_outcomes_at_one_position_are_refused(source):
    meeting = make_meeting(source)
    Outcome.objects.create(meeting=meeting, position=1, voice="joint", text_ja="一致。", text_en="Agreed.", source=source)
    refused(lambda: Outcome.objects.create(meeting=meeting, position=1, voice="joint", text_ja="確認。", text_en="Confirmed.", source=source))


def test_an_outcome_without_text_or_at_position_zero_is_refused(source):
    meeting = make_meeting(source)
    refused(lambda: Outcome.objects.create(meeting=meeting, position=1, voice="joint", text_ja="", text_en="", source=source))
    refused(lambda: Outcome.objects.create(meeting=meeting, position=0, voice="joint", text_ja="一致。", text_en="Agreed.", source=source))


def test_one_person_attending_a_meeting_twice_is_refused(source):
    meeting = make_meeting(source)
    person = make_person(source)
    Attendance.objects.create(meeting=meeting, position=1, side="japan", person=person, label_ja="試験大臣", label_en="Minister", source=source)
    refused(lambda: Attendance.objects.create(meeting=meeting, position=2, side="japan", person=person, label_ja="試験大臣", label_en="Minister", source=source))
    # An unresolved name (no person yet) may appear beside others: nothing printed is lost.
    Attendance.objects.create(meeting=meeting, position=2, side="us", person=None, label_ja="未確認の出席者", label_en="Unresolved attendee", source=source)
    Attendance.objects.create(meeting=meeting, position=3, side="us", person=None, label_ja="未確認の出席者2", label_en="Unresolved attendee 2", source=source)


def test_a_body_cannot_be_its_own_parent():
    scc = ConsultationBody.objects.get(abbreviation="SCC")
    scc.parent = scc
    refused(lambda: scc.save())


def test_a_record_without_a_source_is_refused():
    refused(lambda: Meeting.objects.create(slug="x", date=datetime.date(2024, 1, 1), kind="summit", title_ja="x", title_en="x"))


def test_a_source_in_use_cannot_be_deleted():
    from django.db.models import ProtectedError

    meeting = Meeting.objects.get(slug="2023-01-11-scc")
    with pytest.raises(ProtectedError):
        meeting.source.delete()


def test_validation_refuses_a_post_outside_its_tenure(source):
    from django.core.exceptions import ValidationError

    person, post = make_person(source), make_post(source)
    make_tenure(person, post, start=datetime.date(2020, 1, 1), end=datetime.date(2021, 1, 1))
    meeting = make_meeting(source, date=datetime.date(2024, 1, 1))
    attendance = Attendance(meeting=meeting, position=1, side="japan", person=person, post=post, label_ja="試験大臣", label_en="Minister", source=source)
    with pytest.raises(ValidationError, match="did not hold"):
        attendance.full_clean()
    assert Tenure.objects.filter(person=person).count() == 1


def test_a_tenure_known_to_the_month_covers_the_whole_month(source):
    person, post = make_person(source), make_post(source)
    tenure = make_tenure(person, post, start=datetime.date(2021, 1, 1), end=datetime.date(2023, 7, 1), end_precision="month")
    assert tenure.covers(datetime.date(2023, 7, 31))
    assert not tenure.covers(datetime.date(2023, 8, 1))
    assert not tenure.covers(datetime.date(2020, 12, 31))


def test_a_body_participant_who_left_before_joining_is_refused():
    participant = ConsultationBody.objects.get(abbreviation="SCC").participants.get(side="us", position=1)
    participant.until = datetime.date(1980, 1, 1)
    refused(lambda: participant.save())
