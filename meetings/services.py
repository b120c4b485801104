"""Writes that touch a meeting and its rows, in one transaction; the API and imports call these."""

from django.core.exceptions import ValidationError
from django.db import transaction

from meetings.models import Attendance, Meeting, Outcome
from meetings.voice import meeting_names, voice_error


def _check(attendances, outcomes, date, kept=frozenset()):
    errors = {}
    for name, rows in (("attendees", attendances), ("outcomes", outcomes)):
        positions = [row["position"] for row in rows]
        duplicates = sorted({p for p in positions if positions.count(p) > 1})
        if duplicates:
            errors[name] = [f"position {', '.join(map(str, duplicates))} is given more than once"]
    people = [row["person"].slug for row in attendances if row.get("person")]
    repeated = sorted({slug for slug in people if people.count(slug) > 1})
    if repeated:
        errors.setdefault("attendees", []).append(f"{', '.join(repeated)} attends more than once")
    for row in attendances:
        person, post = row.get("person"), row.get("post")
        if person and post and not any(t.covers(date) for t in person.tenures.filter(post=post)):
            errors.setdefault("attendees", []).append(
                f"{person.slug} did not hold {post.slug} on {date.isoformat()} (see /api/v1/people/{person.slug}/)")
    names = meeting_names((row.get("side"), row.get("label_ja", ""), row.get("person")) for row in attendances)
    for row in outcomes:
        if row.get("curator_note_ja") or row.get("curator_note_en"):
            continue  # the voice follows the curator's reading, which the note gives
        if (row["position"], row.get("voice"), row.get("text_ja")) in kept:
            continue  # an item saved before as it is now is not judged again
        problem = voice_error(row.get("voice"), row.get("text_ja", ""), names)
        if problem:
            errors.setdefault("outcomes", []).append(f"item {row['position']}: {problem}")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_meeting(*, meeting=None, fields, attendances, outcomes):
    """Create or replace a meeting with its attendees and outcome items, all or nothing.

    `attendances` and `outcomes` replace the meeting's rows; each outcome may carry `topics`
    and `provisions`. Raises ValidationError (by field) for what must not be saved.
    """
    date = fields.get("date") or (meeting.date if meeting else None)
    kept = frozenset(meeting.outcomes.values_list("position", "voice", "text_ja")) if meeting else frozenset()
    _check(attendances, outcomes, date, kept)
    if meeting is None:
        meeting = Meeting(**fields)
    else:
        for name, value in fields.items():
            setattr(meeting, name, value)
    meeting.full_clean()
    meeting.save()
    meeting.attendances.all().delete()
    meeting.outcomes.all().delete()
    for row in attendances:
        Attendance.objects.create(meeting=meeting, source=row.pop("source", None) or meeting.source, **row)
    for row in outcomes:
        topics, provisions = row.pop("topics", []), row.pop("provisions", [])
        outcome = Outcome.objects.create(meeting=meeting, source=row.pop("source", None) or meeting.source, **row)
        outcome.topics.set(topics)
        outcome.provisions.set(provisions)
    return meeting
