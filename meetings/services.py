"""Writes that touch a meeting and its rows, in one transaction; the API and imports call these."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from alliance.history import last_versions, record_created, restore
from alliance.models import post_not_held, save_unique
from alliance.search.index import reindex_once
from meetings.models import Attendance, Meeting, Outcome
from meetings.voice import meeting_names, voice_error

RELATIONS = ("topics", "provisions")  # an outcome row's many-to-many fields
CASCADE_WINDOW = datetime.timedelta(seconds=2)  # a meeting's rows are deleted just before it


def _check(attendances, outcomes, date, kept=frozenset(), present=None):
    """Refuse what must not be saved. `present`: the attendees the meeting will have, whose names
    say who speaks in the items (the given `attendances` unless they are left as they are)."""
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
        problem = person and post and post_not_held(person, post, date)
        if problem:
            errors.setdefault("attendees", []).append(problem)
    present = attendances if present is None else present
    names = meeting_names((row.get("side"), row.get("label_ja", ""), row.get("person")) for row in present)
    for row in outcomes:
        if row.get("curator_note_ja") or row.get("curator_note_en"):
            continue  # the voice follows the curator's reading, which the note gives
        if (row.get("voice"), row.get("text_ja")) in kept:
            continue  # an item saved before as it is now (at this position or another) is not judged again
        problem = voice_error(row.get("voice"), row.get("text_ja", ""), names)
        if problem:
            errors.setdefault("outcomes", []).append(f"item {row['position']}: {problem}")
    if errors:
        raise ValidationError(errors)


# What a row is about, to tell a row moved to another position from a row edited in place.
IDENTITY = {
    Outcome: (lambda row: row.text_ja, lambda data: data.get("text_ja")),
    Attendance: (lambda row: (row.person_id, row.label_ja),
                 lambda data: (data["person"].pk if data.get("person") else None, data.get("label_ja"))),
}
SPARE_POSITION = 32767  # positions above the given ones, held for a moment while rows change places


def _match(model, existing, rows):
    """Pair each given row with the held row it continues: the one at its position when it is
    about the same thing; else one about the same thing at another position (a row moved); else
    the one at its position (a row edited). Returns {position: record} and the held rows left."""
    of_row, of_data = IDENTITY[model]
    free, pairs = dict(existing), {}
    for data in rows:
        record = free.get(data["position"])
        if record is not None and of_row(record) == of_data(data):
            pairs[data["position"]] = free.pop(data["position"])
    elsewhere = {}
    for position, record in free.items():
        elsewhere.setdefault(of_row(record), []).append(position)
    for data in rows:
        if data["position"] not in pairs:
            for position in elsewhere.get(of_data(data), []):
                if position in free:
                    pairs[data["position"]] = free.pop(position)
                    break
    for data in rows:
        if data["position"] not in pairs and data["position"] in free:
            pairs[data["position"]] = free.pop(data["position"])
    return pairs, free


def _sync(meeting, model, existing, rows, unique=(), reason=""):
    """Make the meeting's rows of `model` the given ones. A given row continues the held row it
    is about (see `_match`), which keeps its id and every field the row does not give (its own
    source, its unofficial flag, a curator's note); a row about nothing held is created; a held
    row no given row continues is deleted. `unique`: fields unique within the meeting."""
    pairs, gone = _match(model, existing, rows)
    for record in gone.values():
        if reason:
            record._change_reason = reason
        record.delete()
    final = {name: [data[name] if name in data else getattr(pairs[data["position"]], name, None)
                    if data["position"] in pairs else data.get(name) for data in rows] for name in unique}
    for name, values in final.items():
        taken = [value.pk for value in values if value is not None]
        repeated = sorted({pk for pk in taken if taken.count(pk) > 1})
        if repeated:
            raise ValidationError({"attendees": [f"{name} {', '.join(map(str, repeated))} attends more than once"]})
    # rows changing places, or handing over a unique value, step aside first
    stepping = [(data, pairs[data["position"]]) for data in rows if data["position"] in pairs and (
        pairs[data["position"]].position != data["position"]
        or any(name in data and getattr(pairs[data["position"]], name) != data[name] for name in unique))]
    for number, (data, record) in enumerate(stepping):
        record.position = SPARE_POSITION - number
        for name in unique:
            if name in data and getattr(record, name) != data[name]:
                setattr(record, name, None)
        record.save(update_fields=["position", *(name for name in unique if name in data)])
    links, created = {}, []  # the new rows and their many-to-many links, written together at the end
    for data in rows:
        data = dict(data)
        relations = {name: list(dict.fromkeys(data.pop(name))) for name in RELATIONS if name in data}
        record = pairs.get(data["position"])
        if record is None:
            data["source"] = data.get("source") or meeting.source
            record = model(meeting=meeting, **data)
            if reason:
                record._change_reason = reason
            record.skip_history_when_saving = True  # its version is written once its links are
            record.save()  # which reindexes it, links included, at the end of the write
            del record.skip_history_when_saving
            created.append(record)
            for name, values in relations.items():
                field = model._meta.get_field(name)
                through = field.remote_field.through
                links.setdefault(through, []).extend(
                    through(**{field.m2m_field_name(): record, field.m2m_reverse_field_name(): item}) for item in values)
            continue
        if not data.get("source"):
            data.pop("source", None)
        changed = [name for name, value in data.items() if getattr(record, name) != value]
        for name in changed:
            setattr(record, name, data[name])
        if changed and reason:
            record._change_reason = reason
        if changed:
            record.save(update_fields=changed)
        for name, values in relations.items():
            if {item.pk for item in getattr(record, name).all()} != {item.pk for item in values}:
                getattr(record, name).set(values)
    written = [link for through, objects in links.items() for link in through.objects.bulk_create(objects)]
    record_created(model, created, written)

def validate_meeting(*, meeting=None, fields, attendances=None, outcomes=None):
    """Refuse what `save_meeting` with these arguments must not save: a ValidationError keyed
    "attendees" and "outcomes" (a position twice, a person twice, a post the person did not hold
    on the meeting's date, a voice the voice rule does not give). The admin's forms ask it before
    they save; `save_meeting` asks it itself. Returns the rows held now, by position."""
    date = fields.get("date") or (meeting.date if meeting else None)
    moved = meeting is not None and fields.get("date") not in (None, meeting.date)
    held_attendances, held_outcomes = {}, {}  # the rows as they are, read only where they are needed
    if meeting is not None and (attendances is not None or outcomes is not None or moved):
        held_attendances = {row.position: row for row in meeting.attendances.select_related("person", "post")}
    if meeting is not None and outcomes is not None:
        held_outcomes = {row.position: row for row in meeting.outcomes.prefetch_related(*RELATIONS)}
    kept = frozenset((o.voice, o.text_ja) for o in held_outcomes.values())
    present = attendances if attendances is not None else [
        {"position": a.position, "side": a.side, "person": a.person, "post": a.post, "label_ja": a.label_ja}
        for a in held_attendances.values()]
    # attendees kept as they are are checked again only when the date moves under them
    _check(present if attendances is not None or moved else [], outcomes or [], date, kept, present)
    state = fields.get("state") or (meeting.state if meeting else Meeting.State.PUBLISHED)
    if state == Meeting.State.PUBLISHED:
        publishing = meeting is None or meeting.state != Meeting.State.PUBLISHED
        _check_translated(meeting, attendances, outcomes, held_attendances, held_outcomes, publishing)
    return held_attendances, held_outcomes


def _check_translated(meeting, attendances, outcomes, held_attendances, held_outcomes, publishing):
    """A published meeting has its English: every attendee's label and every item's text (an
    imported draft may lack them until a curator translates it). The rows a write gives are
    checked; the rows it leaves are checked when it publishes the meeting."""
    errors = {}
    for key, rows, held, model, name, what in (
            ("attendees", attendances, held_attendances, Attendance, "label_en", "attendee {} has no English label (label_en)"),
            ("outcomes", outcomes, held_outcomes, Outcome, "text_en", "item {} has no English text (text_en)")):
        if rows is None:
            if not publishing or meeting is None:
                continue
            final = dict(model.objects.filter(meeting=meeting).values_list("position", name))
        else:
            final = {row["position"]: row[name] if name in row else getattr(held.get(row["position"]), name, "")
                     for row in rows}
        missing = [position for position, value in sorted(final.items()) if not (value or "").strip()]
        if missing:
            errors[key] = [what.format(", ".join(map(str, missing))) +
                           ": a published meeting needs it; keep the meeting a draft until it is translated"]
    if errors:
        raise ValidationError(errors)


ROW_ARGUMENTS = {Attendance: "attendances", Outcome: "outcomes"}


def validate_row(record):
    """Refuse an attendee or an item saved on its own (its admin page, a bulk import) that the
    write path would refuse among its meeting's other rows, in the same words."""
    model = type(record)
    names = [field.name for field in model._meta.concrete_fields if field.editable and field.name not in ("id", "meeting")]
    others = model.objects.filter(meeting=record.meeting).exclude(pk=record.pk)
    rows = [{name: getattr(row, name) for name in names} for row in others]
    rows.append({name: getattr(record, name) for name in names})
    validate_meeting(meeting=record.meeting, fields={}, **{ROW_ARGUMENTS[model]: rows})


def validate_meeting_record(record):
    """Refuse a meeting saved without its rows (a bulk import) that the write path would refuse:
    published without its English, or moved to a date its attendees did not hold their posts."""
    held = Meeting.objects.filter(pk=record.pk).first() if record.pk else None
    validate_meeting(meeting=held, fields={"date": record.date, "state": record.state})


@transaction.atomic
def save_meeting(*, meeting=None, fields, attendances=None, outcomes=None, reason=""):
    """Create or update a meeting with its attendees and outcome items, all or nothing.

    `attendances` and `outcomes` (None: leave them as they are) become the meeting's rows,
    matched by position: a row whose position the meeting has is updated in place and keeps its
    id and the fields not given; each outcome may carry `topics` and `provisions`. The search
    index follows once, at the end. Raises ValidationError (by field) for what must not be saved
    (`validate_meeting`). `reason`: why, kept in the history of the meeting and of the rows written.
    """
    held_attendances, held_outcomes = validate_meeting(meeting=meeting, fields=fields, attendances=attendances,
                                                       outcomes=outcomes)
    with reindex_once():
        if meeting is None:
            meeting = Meeting(**fields)
        else:
            fields = {name: value for name, value in fields.items() if getattr(meeting, name) != value}
            for name, value in fields.items():
                setattr(meeting, name, value)
        if reason:
            meeting._change_reason = reason
        if meeting._state.adding or fields:  # a write of its rows alone leaves the meeting's row as it is
            meeting.full_clean()
            save_unique(meeting)
        if attendances is not None:
            _sync(meeting, Attendance, held_attendances, attendances, unique=("person",), reason=reason)
        if outcomes is not None:
            _sync(meeting, Outcome, held_outcomes, outcomes, reason=reason)
    return meeting


def deleted_meetings():
    """The deletion of each meeting that is deleted now, newest first (its last version)."""
    newest = {}
    versions = Meeting.history.filter(history_type="-").exclude(id__in=Meeting.objects.values("id")).select_related(
        "history_user").order_by("history_date", "history_id")
    for version in versions:
        newest[version.id] = version
    return sorted(newest.values(), key=lambda version: version.history_date, reverse=True)


@transaction.atomic
def restore_meeting(meeting_id):
    """Bring back a deleted meeting with the attendees and outcome items it had when it was
    deleted (their topics and provisions included), under their own ids."""
    versions = last_versions(Meeting, id=meeting_id)
    if not versions or versions[0].history_type != "-":
        raise ValidationError(f"No deleted meeting has id {meeting_id}: only a deleted meeting is brought back.")
    deleted = versions[0]
    if Meeting.objects.filter(slug=deleted.slug).exists():
        raise ValidationError(f"A meeting {deleted.slug!r} exists again; rename it before restoring the deleted one.")
    # the rows deleted with it, in the same cascade (an item a curator deleted before stays deleted)
    window = (deleted.history_date - CASCADE_WINDOW, deleted.history_date)
    with reindex_once():
        meeting = restore(deleted)
        for model in (Attendance, Outcome):
            taken = set(model.objects.filter(meeting=meeting).values_list("position", flat=True))
            versions = sorted((version for version in last_versions(model, meeting_id=meeting_id)
                               if version.history_type == "-" and window[0] <= version.history_date <= window[1]),
                              key=lambda version: version.history_date, reverse=True)
            for version in versions:
                if version.position not in taken:  # one row per position: the last deleted
                    restore(version)
                    taken.add(version.position)
    return meeting
