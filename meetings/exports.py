"""Flat CSV exports of a search's meetings, streamed: one meeting a row, or one outcome item a row.

The rows are written as they are read: the search gives the ids (newest first, or in the
requested order), and the records are loaded CHUNK at a time with their attendees and items,
each related query limited to that chunk's meetings. Memory stays flat however many rows are
asked for, and the first bytes leave before the last record is read.

A cell that a spreadsheet would take for a formula (it starts with =, +, -, @, a tab or a
carriage return) is written with a leading apostrophe, as OWASP advises: a record's text is
shown, never run.
"""

import csv
from dataclasses import dataclass
from typing import Callable

from django.conf import settings
from django.db.models import Prefetch
from django.http import StreamingHttpResponse
from django.utils import translation

from alliance.models import Topic
from meetings.models import Attendance, Meeting, Outcome

CHUNK = 500
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
JOIN = " | "  # between the values of a list in one cell (a meeting's attendees, an item's topics)


def neutralized(value):
    """A cell as text, with a leading apostrophe where a spreadsheet would read a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def joined(values):
    return JOIN.join("" if value is None else str(value) for value in values)


@dataclass(frozen=True)
class Export:
    """One kind of row: its columns (name → how to read it), and what one meeting gives."""

    name: str
    columns: dict[str, Callable]
    rows_of: Callable  # meeting → the records of its rows (the meeting itself, or its items)


def _meeting_columns():
    def attendees(attribute):
        return lambda m, url: joined(attribute(a) for a in m.attendances.all())

    return {
        "id": lambda m, url: m.pk,
        "slug": lambda m, url: m.slug,
        "url": lambda m, url: url,
        "date": lambda m, url: m.date.isoformat(),
        "date_precision": lambda m, url: m.date_precision,
        "kind": lambda m, url: m.kind,
        "status": lambda m, url: m.status,
        "state": lambda m, url: m.state,
        "body": lambda m, url: m.body.abbreviation if m.body else "",
        "place.slug": lambda m, url: m.place.slug if m.place else "",
        "place.name_ja": lambda m, url: m.place.name_ja if m.place else "",
        "place.name_en": lambda m, url: m.place.name_en if m.place else "",
        "title_ja": lambda m, url: m.title_ja,
        "title_en": lambda m, url: m.title_en,
        "attendees.side": attendees(lambda a: a.side),
        "attendees.person": attendees(lambda a: a.person.slug if a.person else ""),
        "attendees.name_ja": attendees(lambda a: a.person.name_ja if a.person else ""),
        "attendees.name_en": attendees(lambda a: a.person.name_en if a.person else ""),
        "attendees.post": attendees(lambda a: a.post.title_en if a.post else ""),
        "attendees.post_ja": attendees(lambda a: a.post.title_ja if a.post else ""),
        "attendees.label_ja": attendees(lambda a: a.label_ja),
        "attendees.label_en": attendees(lambda a: a.label_en),
        "outcomes.count": lambda m, url: len(m.outcomes.all()),
        "outcomes.voice": lambda m, url: joined(o.voice for o in m.outcomes.all()),
        "outcomes.text_ja": lambda m, url: joined(o.text_ja for o in m.outcomes.all()),
        "outcomes.text_en": lambda m, url: joined(o.text_en for o in m.outcomes.all()),
        "topics": lambda m, url: joined(dict.fromkeys(t.slug for o in m.outcomes.all() for t in o.topics.all())),
        "notes_ja": lambda m, url: m.notes_ja,
        "notes_en": lambda m, url: m.notes_en,
        "source": lambda m, url: m.source.slug,
        "source.citation": lambda m, url: m.source.citation_en,
    }


def _outcome_columns():
    return {
        "meeting": lambda o, url: o.meeting.slug,
        "meeting.date": lambda o, url: o.meeting.date.isoformat(),
        "meeting.kind": lambda o, url: o.meeting.kind,
        "meeting.body": lambda o, url: o.meeting.body.abbreviation if o.meeting.body else "",
        "meeting.title_ja": lambda o, url: o.meeting.title_ja,
        "meeting.title_en": lambda o, url: o.meeting.title_en,
        "position": lambda o, url: o.position,
        "url": lambda o, url: f"{url}#item-{o.position}",
        "voice": lambda o, url: o.voice,
        "text_ja": lambda o, url: o.text_ja,
        "text_en": lambda o, url: o.text_en,
        "en_unofficial": lambda o, url: "true" if o.en_unofficial else "false",
        "text_printed": lambda o, url: o.text_printed,
        "curator_note_ja": lambda o, url: o.curator_note_ja,
        "curator_note_en": lambda o, url: o.curator_note_en,
        "topics": lambda o, url: joined(t.slug for t in o.topics.all()),
        "provisions": lambda o, url: joined(p.path for p in o.provisions.all()),
        "source": lambda o, url: o.source.slug if o.source else "",
        "source.citation": lambda o, url: o.source.citation_en if o.source else "",
    }


EXPORTS = {
    "meetings": Export("meetings", _meeting_columns(), lambda meeting: [meeting]),
    "outcomes": Export("outcomes", _outcome_columns(), lambda meeting: meeting.outcomes.all()),
}


def _chunk_queryset(export):
    """How a chunk of meetings is loaded: what its rows read, and nothing else."""
    from guidelines.models import Provision

    # Ordered by the meeting's id, not its default ordering (by date, which joins the meetings).
    outcomes = Outcome.objects.order_by("meeting_id", "position").select_related("source__publication").prefetch_related(
        Prefetch("topics", Topic.objects.only("pk", "slug")), Prefetch("provisions", Provision.objects.only("pk", "path")))
    meetings = Meeting.objects.select_related("body", "place", "source__publication").prefetch_related(
        Prefetch("outcomes", outcomes))
    if export.name == "meetings":
        meetings = meetings.prefetch_related(Prefetch("attendances", Attendance.objects.order_by("meeting_id", "position")
                                                          .select_related("person", "post")))
    return meetings


class _Line:
    """A file-like target for csv.writer that hands back the line it was given."""

    def write(self, text):
        return text


def in_order(queryset, ids):
    """The records of `ids` in that order, loaded through `queryset` CHUNK at a time (its
    prefetches then read only that chunk's related rows); ids deleted meanwhile are skipped."""
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        by_id = {record.pk: record for record in queryset.filter(pk__in=chunk)}
        yield from (by_id[pk] for pk in chunk if pk in by_id)


def rows(export, ids, absolute_url):
    """The export's lines (header first) for the meetings of `ids`, in that order, a chunk at a time.

    `absolute_url(path)`: a meeting's address as the client should cite it."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield "\ufeff" + writer.writerow(export.columns)
    lines = []
    with translation.override(settings.LANGUAGE_CODE):  # the plain (Japanese) permalink, whatever the client reads
        for meeting in in_order(_chunk_queryset(export), ids):
            url = absolute_url(meeting.get_absolute_url())
            for record in export.rows_of(meeting):
                if record is not meeting:
                    record.meeting = meeting  # the item's meeting, loaded already
                lines.append(writer.writerow([neutralized(read(record, url)) for read in export.columns.values()]))
            if len(lines) >= CHUNK:
                yield "".join(lines)
                lines = []
    yield "".join(lines)


def streamed(export, ids, absolute_url, filename):
    """A streaming CSV response of the export's rows for these meeting ids."""
    response = StreamingHttpResponse((line.encode("utf-8") for line in rows(export, ids, absolute_url)),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
