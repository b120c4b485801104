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
from urllib.parse import quote
from dataclasses import dataclass
from typing import Callable

from django.conf import settings
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import translation

from alliance.models import Source
from alliance.cells import neutralized
from meetings.models import Attendance, Meeting, Outcome

CHUNK = 500
JOIN = " | "  # between the values of a list in one cell (a meeting's attendees, an item's topics)


def joined(values):
    """The values in one cell; a missing one is an empty place, so the lists of a row line up."""
    values = values if isinstance(values, list) else list(values)
    try:
        return JOIN.join(values)  # text, as nearly every list is: no conversion per value
    except TypeError:
        return JOIN.join("" if value is None else str(value) for value in values)


@dataclass(frozen=True)
class Export:
    """One kind of row: its columns (name → how to read it from a meeting's or an item's values
    and the meeting's address), and the rows one meeting gives."""

    name: str
    columns: dict[str, Callable]
    rows_of: Callable  # meeting → the values of its rows (the meeting itself, or its items)

    @property
    def attendees(self):
        """Whether its rows read the meetings' attendees."""
        return any(name.startswith("attendees.") for name in self.columns)


def _meeting_columns():
    def attendees(key):
        return lambda m, url: joined([a[key] or "" for a in m["attendances"]])

    def items(key):
        return lambda m, url: joined([o[key] for o in m["outcomes"]])

    return {
        "id": lambda m, url: m["id"],
        "slug": lambda m, url: m["slug"],
        "url": lambda m, url: url,
        "date": lambda m, url: m["date"].isoformat(),
        "date_precision": lambda m, url: m["date_precision"],
        "kind": lambda m, url: m["kind"],
        "status": lambda m, url: m["status"],
        "state": lambda m, url: m["state"],
        "body": lambda m, url: m["body__abbreviation"] or "",
        "place.slug": lambda m, url: m["place__slug"] or "",
        "place.name_ja": lambda m, url: m["place__name_ja"] or "",
        "place.name_en": lambda m, url: m["place__name_en"] or "",
        "title_ja": lambda m, url: m["title_ja"],
        "title_en": lambda m, url: m["title_en"],
        "attendees.side": attendees("side"),
        "attendees.person": attendees("person__slug"),
        "attendees.name_ja": attendees("person__name_ja"),
        "attendees.name_en": attendees("person__name_en"),
        "attendees.post": attendees("post__title_en"),
        "attendees.post_ja": attendees("post__title_ja"),
        "attendees.label_ja": attendees("label_ja"),
        "attendees.label_en": attendees("label_en"),
        "outcomes.count": lambda m, url: len(m["outcomes"]),
        "outcomes.voice": items("voice"),
        "outcomes.text_ja": items("text_ja"),
        "outcomes.text_en": items("text_en"),
        "topics": lambda m, url: joined(dict.fromkeys(slug for o in m["outcomes"] for slug in o["topics"])),
        "notes_ja": lambda m, url: m["notes_ja"],
        "notes_en": lambda m, url: m["notes_en"],
        "source": lambda m, url: m["source"][0],
        "source.citation": lambda m, url: m["source"][1],
    }


def _outcome_columns():
    return {
        "meeting": lambda o, url: o["meeting"]["slug"],
        "meeting.date": lambda o, url: o["meeting"]["date"].isoformat(),
        "meeting.kind": lambda o, url: o["meeting"]["kind"],
        "meeting.body": lambda o, url: o["meeting"]["body__abbreviation"] or "",
        "meeting.title_ja": lambda o, url: o["meeting"]["title_ja"],
        "meeting.title_en": lambda o, url: o["meeting"]["title_en"],
        "position": lambda o, url: o["position"],
        "url": lambda o, url: f"{url}#item-{o['position']}",
        "voice": lambda o, url: o["voice"],
        "text_ja": lambda o, url: o["text_ja"],
        "text_en": lambda o, url: o["text_en"],
        "en_unofficial": lambda o, url: "true" if o["en_unofficial"] else "false",
        "text_printed": lambda o, url: o["text_printed"],
        "curator_note_ja": lambda o, url: o["curator_note_ja"],
        "curator_note_en": lambda o, url: o["curator_note_en"],
        "topics": lambda o, url: joined(o["topics"]),
        "provisions": lambda o, url: joined(o["provisions"]),
        "source": lambda o, url: o["source"][0],
        "source.citation": lambda o, url: o["source"][1],
    }


EXPORTS = {
    "meetings": Export("meetings", _meeting_columns(), lambda meeting: [meeting]),
    "outcomes": Export("outcomes", _outcome_columns(), lambda meeting: meeting["outcomes"]),
}

MEETING_VALUES = ("id", "slug", "date", "date_precision", "kind", "status", "state", "title_ja", "title_en", "notes_ja",
                  "notes_en", "body__abbreviation", "place__slug", "place__name_ja", "place__name_en", "source_id")
ATTENDEE_VALUES = ("meeting_id", "side", "person__slug", "person__name_ja", "person__name_en", "post__title_en",
                   "post__title_ja", "label_ja", "label_en")
OUTCOME_VALUES = ("id", "meeting_id", "position", "voice", "text_ja", "text_en", "en_unofficial", "text_printed",
                  "curator_note_ja", "curator_note_en", "source_id")


class _Sources(dict):
    """(slug, citation) of each source, read once per export: a few hundred at most."""

    def of(self, ids):
        missing = set(ids) - self.keys()
        if missing:
            for source in Source.objects.filter(pk__in=missing).select_related("publication"):
                self[source.pk] = (source.slug, source.citation_en)
        return self


def _chunk(ids, export, sources):
    """The values of these meetings, with their items (and attendees): plain values, not model
    instances, in five queries whatever the chunk's size (a tenth of the cost of the ORM's)."""
    meetings = {m["id"]: {**m, "attendances": [], "outcomes": []}
                for m in Meeting.objects.filter(pk__any=ids).order_by().values(*MEETING_VALUES)}
    if export.attendees:
        for attendance in (Attendance.objects.filter(meeting_id__any=meetings).order_by("meeting_id", "position")
                           .values(*ATTENDEE_VALUES)):
            meetings[attendance["meeting_id"]]["attendances"].append(attendance)
    outcomes = {}
    for outcome in Outcome.objects.filter(meeting_id__any=meetings).order_by("meeting_id", "position").values(*OUTCOME_VALUES):
        outcome.update(topics=[], provisions=[], meeting=meetings[outcome["meeting_id"]])
        outcomes[outcome["id"]] = outcome
        meetings[outcome["meeting_id"]]["outcomes"].append(outcome)
    # The items' topics by their meetings' ids: five times fewer parameters than by the items' (a
    # third of an export's time went to passing 2,500 ids). Not their provisions: few items have
    # any, and for a small table PostgreSQL walked every item to join it (0.3 s a chunk).
    for outcome_id, slug in (Outcome.topics.through.objects.filter(outcome__meeting_id__any=meetings)
                             .order_by("outcome_id", "topic__slug").values_list("outcome_id", "topic__slug")):
        outcomes[outcome_id]["topics"].append(slug)
    for outcome_id, path in (Outcome.provisions.through.objects.filter(outcome_id__any=outcomes)
                             .order_by("outcome_id", "provision__edition", "provision__path")
                             .values_list("outcome_id", "provision__path")):
        outcomes[outcome_id]["provisions"].append(path)
    sources.of({m["source_id"] for m in meetings.values()} | {o["source_id"] for o in outcomes.values()} - {None})
    for record in [*meetings.values(), *outcomes.values()]:
        record["source"] = sources.get(record["source_id"], ("", ""))
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
        by_id = {record.pk: record for record in queryset.filter(pk__any=chunk)}
        yield from (by_id[pk] for pk in chunk if pk in by_id)


def rows(export, ids, absolute_url):
    """The export's lines (header first) for the meetings of `ids`, in that order, a chunk at a time.

    `absolute_url(path)`: a meeting's address as the client should cite it."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield "\ufeff" + writer.writerow(export.columns)
    sources, readers = _Sources(), list(export.columns.values())
    with translation.override(settings.LANGUAGE_CODE):  # the plain (Japanese) permalink, whatever the client reads
        # a meeting's page is its slug under the list's address (reversing each cost 0.6 s a 10,000,
        # making each absolute 0.1 s)
        meetings_url = absolute_url(reverse("meetings:list"))
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            meetings, lines = _chunk(chunk, export, sources), []
            for pk in chunk:
                meeting = meetings.get(pk)
                if meeting is None:
                    continue  # deleted since the search ran
                url = f"{meetings_url}{quote(meeting['slug'])}/"
                for record in export.rows_of(meeting):
                    lines.append(writer.writerow([neutralized(read(record, url)) for read in readers]))
            yield "".join(lines)


def streamed(export, ids, absolute_url, filename):
    """A streaming CSV response of the export's rows for these meeting ids."""
    response = StreamingHttpResponse((line.encode("utf-8") for line in rows(export, ids, absolute_url)),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
