"""Import of a white paper's table of meetings, in the layout of Defense of Japan's Figure
III-2-1-3 (最近行われた主な日米会談など), as draft meetings through the write path.

The table is text: a header line (年月日, 会議/場所, 出席者, 結果概要) starts each printed page;
each row is four cells separated by tabs: the date (2023/1/11, or 2023/4 for a month), the
meeting and its place (日米首脳会談／ワシントン), the attendees separated by spaces, and the
outcome items as a list (<ul><li>…</li></ul>). A row split across a page break is printed again
at the top of the next page with the rest of its items: the parts are one meeting.

    table = read_table(text)                       # TableError naming the line it cannot read
    plan = plan_import(table, source=first_page)   # what it would create, change, not resolve
    apply_import(plan)                             # in one transaction, through save_meeting

Scan errors are corrected from `scan_errata.yaml` (the printed form kept beside); attendees are
resolved to people and posts by name and by who held the post on the meeting's date; the voice
of each item is the voice rule's. What a curator adds (English, topics, provisions, notes) is
never touched: an import changes only what it reads from the table, and only with `update`.
"""

import datetime
import difflib
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from alliance.models import ConsultationBody, Person, Place, Side, Source, Tenure, save_unique
from meetings.models import Meeting
from meetings.services import save_meeting
from meetings.voice import meeting_names, voice_of

ERRATA = Path(__file__).with_name("scan_errata.yaml")
HEADER = "年月日"

# The kind of a meeting, from the words of its name (the first that matches).
KINDS = [
    ("首脳会談", Meeting.Kind.SUMMIT),
    ("防衛相会談", Meeting.Kind.DEFENSE_MINISTERS),
    ("外相会談", Meeting.Kind.FOREIGN_MINISTERS),
    ("経済政策協議委員会", Meeting.Kind.ECONOMIC_2PLUS2),
    ("経済版", Meeting.Kind.ECONOMIC_2PLUS2),
    ("安全保障協議委員会", Meeting.Kind.SCC),
    ("「2+2」", Meeting.Kind.SCC),
    ("次官級協議", Meeting.Kind.VICE_MINISTERIAL),
]
BODIES = {Meeting.Kind.SCC: "SCC"}
TITLES_EN = {
    Meeting.Kind.SUMMIT: "Japan–U.S. Summit Meeting",
    Meeting.Kind.DEFENSE_MINISTERS: "Japan–U.S. Defense Ministerial Meeting",
    Meeting.Kind.FOREIGN_MINISTERS: "Japan–U.S. Foreign Ministers' Meeting",
    Meeting.Kind.SCC: 'Japan–U.S. Security Consultative Committee ("2+2")',
    Meeting.Kind.ECONOMIC_2PLUS2: 'Japan–U.S. Economic Policy Consultative Committee (Economic "2+2")',
    Meeting.Kind.VICE_MINISTERIAL: "Japan–U.S. Vice-Ministerial Consultation",
}
SPLIT_NOTE = ("図表の行は頁をまたいで2行に分かれて印刷されている。", "The figure prints this row in two parts across a page break.")
COUNTRY_SIDES = {"JP": Side.JAPAN, "US": Side.US}


class TableError(Exception):
    """A line of the table that cannot be read: nothing is imported."""

    def __init__(self, line, message):
        super().__init__(f"line {line}: {message}" if line else message)
        self.line = line


# -- reading -------------------------------------------------------------------------------------

@dataclass
class Row:
    line: int
    page: int
    date: object
    precision: str
    printed: str  # the meeting/place cell as printed
    attendees: list  # as printed, in order
    items: list  # as printed, in order, bullets removed


def _date(text):
    match = re.fullmatch(r"(\d{4})(?:[/.年-](\d{1,2})(?:[/.月-](\d{1,2})日?)?月?)?年?", text.strip())
    if not match:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        if day:
            return datetime.date(year, month, day), "day"
        if month:
            return datetime.date(year, month, 1), "month"
        return datetime.date(year, 1, 1), "year"
    except ValueError:
        return None


def _items(cell, line):
    """The outcome items of a cell: the texts of its <li> elements, unescaped, the printed bullet
    (・) removed. Anything else than list markup and white space is an error."""
    items = re.findall(r"<li\b[^>]*>(.*?)</li>", cell, flags=re.S | re.I)
    rest = re.sub(r"<li\b[^>]*>.*?</li>|</?ul\b[^>]*>", "", cell, flags=re.S | re.I).strip()
    if rest:
        raise TableError(line, f"the outcomes cell has text outside its list items: {rest[:40]!r} "
                               "(write each item as <li>…</li> inside <ul>…</ul>)")
    texts = []
    for item in items:
        text = html.unescape(re.sub(r"<[^>]+>", "", item)).strip()
        text = re.sub(r"^[・･]\s*", "", text)
        if not text:
            raise TableError(line, "an outcome item is empty")
        texts.append(text)
    return texts


def read_table(text):
    """The rows of a table, each with its line and page. Raises TableError for a line it cannot read."""
    rows, page = [], 0
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if line.strip().startswith(HEADER):
            page += 1
            continue
        if not page:
            continue  # the figure's number and title, before its first header
        cells = line.split("\t")
        if len(cells) != 4:
            raise TableError(number, f"a row has 4 cells separated by tabs (date, meeting/place, attendees, outcomes); "
                                     f"this line has {len(cells)}")
        parsed = _date(cells[0])
        if parsed is None:
            raise TableError(number, f"{cells[0].strip()!r} is not a date (2023/1/11, or 2023/4 for a month)")
        if not cells[1].strip():
            raise TableError(number, "the meeting/place cell is empty")
        rows.append(Row(number, page, *parsed, cells[1].strip(), cells[2].split(), _items(cells[3], number)))
    if not rows:
        raise TableError(0, f"no rows: a table starts with a header line ({HEADER}\\t会議/場所\\t出席者\\t結果概要) "
                            "followed by rows of four tab-separated cells")
    return rows


# -- correcting ----------------------------------------------------------------------------------

class Errata:
    """The scan's known misreadings (scan_errata.yaml), and two rules: no space between Japanese
    text and a Latin abbreviation in parentheses (偵察 (ISR) 活動 → 偵察(ISR)活動)."""

    def __init__(self, path=ERRATA):
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as error:
            raise ValueError(f"{path}: not YAML ({error})") from None
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected the keys characters and phrases")
        self.characters = {str(k): str(v) for k, v in (data.get("characters") or {}).items()}
        self.phrases = sorted(((str(k), str(v)) for k, v in (data.get("phrases") or {}).items()),
                              key=lambda pair: len(pair[0]), reverse=True)

    def __call__(self, text):
        for wrong, right in self.phrases:
            text = text.replace(wrong, right)
        text = "".join(self.characters.get(char, char) for char in text)
        text = re.sub(r"(?<=[^\x00-\x7f]) \((?=[A-Za-z])", "(", text)
        return re.sub(r"(\([A-Za-z][A-Za-z0-9 .&/-]*\)) (?=[^\x00-\x7f])", r"\1", text)


def _title(name, correct):
    """The meeting's name as a title: spaces the layout put in it removed, its brackets full-width."""
    return correct(re.sub(r"\s+", "", name)).replace("(", "（").replace(")", "）")


# -- resolving -----------------------------------------------------------------------------------

class Resolver:
    """Attendees to people and posts, places by name, one query per kind of record."""

    def __init__(self):
        self.people = list(Person.objects.all())
        self.tenures = list(Tenure.objects.select_related("post", "person"))
        self.places = {name: place for place in Place.objects.all() for name in (place.name_ja, place.name_en, place.slug)}

    @staticmethod
    def post_forms(post):
        """How a label may write the post: 国防長官, 米国防長官; 米国大統領, 大統領, 米大統領."""
        title = post.title_ja
        bare = title.removeprefix("米国")
        return sorted({title, bare, "米" + bare, "米" + title} if post.country == "US" else {title}, key=len, reverse=True)

    def _post_of(self, label, tenures):
        """The tenure among these whose post the label ends with (the longest form wins)."""
        found = [(len(form), tenure) for tenure in tenures for form in self.post_forms(tenure.post) if label.endswith(form)]
        return max(found, key=lambda pair: pair[0])[1] if found else None

    def attendee(self, label, date):
        """(person, post, side, problem): problem says what could not be resolved, or is None."""
        held = [tenure for tenure in self.tenures if tenure.covers(date)]
        named = [person for person in self.people if label in (person.name_ja, *person.aliases)]
        if len(named) == 1:
            person = named[0]
            own = [tenure for tenure in held if tenure.person_id == person.pk]
            tenure = self._post_of(label, own) or (own[0] if len(own) == 1 else None)
            problem = None if tenure else f"{person.slug} held no post on {date.isoformat()} that the label names"
            return person, tenure.post if tenure else None, COUNTRY_SIDES.get(person.country), problem
        # By post: whoever held the post the label ends with, whose name the rest of the label begins
        tenure = self._post_of(label, held)
        if tenure is not None:
            name = label[: len(label) - max(len(form) for form in self.post_forms(tenure.post) if label.endswith(form))]
            holders = [t for t in held if t.post_id == tenure.post_id and name and (
                t.person.name_ja.startswith(name) or name in t.person.aliases
                or t.person.name_ja.split("・")[-1] == name)]
            if len(holders) == 1:
                return holders[0].person, holders[0].post, COUNTRY_SIDES.get(holders[0].post.country), None
            side = COUNTRY_SIDES.get(tenure.post.country)
            return None, tenure.post, side, (
                f"nobody named {name!r} held {tenure.post.slug} ({tenure.post.title_ja}) on {date.isoformat()}")
        side = Side.US if "米" in label else Side.JAPAN
        return None, None, side, f"no person or post found for {label!r} on {date.isoformat()} (side guessed: {side})"

    def place(self, name):
        return self.places.get(name)


# -- planning ------------------------------------------------------------------------------------

@dataclass
class Planned:
    """One meeting as the table gives it, and what importing it would do."""

    slug: str
    line: int
    fields: dict
    attendances: list
    outcomes: list
    split: bool = False
    existing: Meeting | None = None
    differences: list = field(default_factory=list)  # "what: database → table"
    unresolved: list = field(default_factory=list)  # "line N: what"
    corrected: list = field(default_factory=list)  # "line N: printed → corrected"

    @property
    def action(self):
        if self.existing is None:
            return "create"
        return "change" if self.differences else "unchanged"


@dataclass
class Plan:
    meetings: list
    sources: list  # Source records to create (unsaved)

    def counts(self):
        counts = {"create": 0, "change": 0, "unchanged": 0}
        for planned in self.meetings:
            counts[planned.action] += 1
        return counts

    def summary(self, update):
        """What an import of the plan did, in a line."""
        counts = self.counts()
        changed = counts["change"] if update else 0
        return (f"Imported: {counts['create']} meeting(s) created as drafts, {changed} changed, "
                f"{counts['unchanged'] + counts['change'] - changed} left as they were.")


def _page_sources(source, pages):
    """{page: Source} for the table's pages: page 1 is `source`, page n the same figure's page
    source.page + n - 1 (found, or made from `source` to be created)."""
    sources, created = {}, []
    base = re.sub(r"-p\d+$", "", source.slug)
    for page in sorted(pages):
        number = (source.page or 1) + page - 1
        if page == 1:
            sources[page] = source
            continue
        found = Source.objects.filter(publication=source.publication, figure=source.figure, page=number).first()
        if found is None:
            found = Source(slug=f"{base}-p{number}", publication=source.publication, section_ja=source.section_ja,
                           section_en=source.section_en, figure=source.figure, page=number, locator_ja=source.locator_ja,
                           locator_en=source.locator_en, abridged=source.abridged)
            created.append(found)
        sources[page] = found
    return sources, created


def _kind(name, line):
    for words, kind in KINDS:
        if words in name:
            return kind
    known = ", ".join(words for words, _ in KINDS)
    raise TableError(line, f"cannot tell the kind of meeting from {name!r} (a name holds one of: {known})")


def _slug(date, precision, kind):
    return f"{date.isoformat()[: {'day': 10, 'month': 7, 'year': 4}[precision]]}-{kind}"


def plan_import(rows, *, source, errata=None):
    """What importing these rows would do. Raises TableError for rows that contradict each other."""
    correct = errata or Errata()
    resolver = Resolver()
    sources, new_sources = _page_sources(source, {row.page for row in rows})
    bodies = {body.abbreviation: body for body in ConsultationBody.objects.filter(abbreviation__in=BODIES.values())}
    groups = {}
    for row in rows:
        name, place = _split_cell(row.printed)
        title = _title(name, correct)
        kind = _kind(title, row.line)
        slug = _slug(row.date, row.precision, kind)
        groups.setdefault(slug, []).append((row, title, kind, place))
    plans = []
    for slug, parts in groups.items():
        first, title, kind, place_name = parts[0]
        planned = Planned(slug=slug, line=first.line, fields={}, attendances=[], outcomes=[], split=len(parts) > 1)
        for row, other_title, _, _ in parts[1:]:
            if other_title != title:
                raise TableError(row.line, f"continues line {first.line} ({title}) but names {other_title}")
            if len(row.attendees) != len(first.attendees):
                raise TableError(row.line, f"continues line {first.line} but lists {len(row.attendees)} attendees, "
                                           f"not {len(first.attendees)}")
        place = resolver.place(place_name) if place_name else None
        if place_name and place is None:
            planned.unresolved.append(f"line {first.line}: place {place_name!r} (no place of that name)")
        planned.fields = {
            "slug": slug, "date": first.date, "date_precision": first.precision, "kind": kind,
            "status": Meeting.Status.HELD, "body": bodies.get(BODIES.get(kind)), "place": place,
            "title_ja": title, "title_en": TITLES_EN[kind], "title_composed": False,
            "printed_ja": " | ".join(dict.fromkeys(row.printed for row, *_ in parts)),
            "source": sources[first.page], "en_unofficial": True,
        }
        for position, printings in enumerate(zip(*(row.attendees for row, *_ in parts)), 1):
            labels = {correct(printed) for printed in printings}
            if len(labels) > 1:
                raise TableError(parts[-1][0].line, f"attendee {position} is {' and '.join(sorted(labels))} in the parts of one row")
            label = labels.pop()
            person, post, side, problem = resolver.attendee(label, first.date)
            if problem:
                planned.unresolved.append(f"line {first.line}: attendee {position} {label!r}: {problem}")
            printed = list(dict.fromkeys(printings))
            planned.attendances.append({
                "position": position, "side": side, "person": person, "post": post, "label_ja": label,
                "label_printed": " | ".join(printed) if any(p != label for p in printed) else "",
                "source": sources[first.page], "en_unofficial": True,
            })
            if printed != [label]:
                planned.corrected += [f"line {first.line}: {p} → {label}" for p in printed if p != label]
        names = meeting_names((a["side"], a["label_ja"], a["person"]) for a in planned.attendances)
        position = 0
        for row, *_ in parts:
            for printed in row.items:
                position += 1
                text = correct(printed)
                if text != printed:
                    planned.corrected.append(f"line {row.line}: item {position}: {_difference(printed, text)}")
                planned.outcomes.append({
                    "position": position, "voice": voice_of(text, names), "text_ja": text,
                    "text_printed": printed if text != printed else "", "source": sources[row.page], "en_unofficial": True,
                })
        plans.append(planned)
    _compare(plans)
    return Plan(plans, new_sources)


def _split_cell(printed):
    """(meeting name, place) of a meeting/place cell: 日米首脳会談 ／ワシントン."""
    parts = re.split(r"\s*[／/]\s*", printed, maxsplit=1)
    return (parts[0], parts[1].strip()) if len(parts) == 2 else (parts[0], "")


def _difference(printed, corrected):
    matcher = difflib.SequenceMatcher(None, printed, corrected, autojunk=False)
    def shown(text):
        return text.replace(" ", "␣") or "∅"

    return ", ".join(f"{shown(printed[a:b])} → {shown(corrected[c:d])}"
                     for op, a, b, c, d in matcher.get_opcodes() if op != "equal")


MEETING_FIELDS = ("date", "date_precision", "kind", "body", "place", "title_ja", "printed_ja", "source")
ROW_FIELDS = {"attendances": ("side", "person", "post", "label_ja", "label_printed"),
              "outcomes": ("text_ja", "text_printed", "voice", "source")}


def _compare(plans):
    """Find the meetings already in the database and what the table says otherwise: the fields it
    reads (never English, topics, provisions or notes, which are the curators')."""
    existing = {meeting.slug: meeting for meeting in Meeting.objects.filter(slug__in=[p.slug for p in plans])
                .select_related("body", "place", "source").prefetch_related("attendances__person", "attendances__post",
                                                                             "outcomes__source")}
    for planned in plans:
        meeting = existing.get(planned.slug)
        if meeting is None:
            continue
        planned.existing = meeting
        for name in MEETING_FIELDS:
            if getattr(meeting, name) != planned.fields[name]:
                planned.differences.append(f"{name}: {_shown(getattr(meeting, name))} → {_shown(planned.fields[name])}")
        for key, held in (("attendances", meeting.attendances.all()), ("outcomes", meeting.outcomes.all())):
            held = {row.position: row for row in held}
            given = {row["position"]: row for row in getattr(planned, key)}
            for position in sorted(held.keys() | given.keys()):
                what = f"{'attendee' if key == 'attendances' else 'item'} {position}"
                if position not in given:
                    planned.differences.append(f"{what}: in the database, not in the table")
                    continue
                if position not in held:
                    planned.differences.append(f"{what}: in the table, not in the database")
                    continue
                row, data = held[position], given[position]
                for name in ROW_FIELDS[key]:
                    if name == "voice" and (row.curator_note_ja or row.curator_note_en):
                        data.pop("voice")  # the curator's reading stands
                        continue
                    if getattr(row, name) != data[name]:
                        planned.differences.append(f"{what} {name}: {_shown(getattr(row, name))} → {_shown(data[name])}")


def _shown(value):
    text = getattr(value, "slug", None) or getattr(value, "abbreviation", None) or str(value)
    text = "—" if value in (None, "") else text
    return text if len(text) <= 40 else text[:39] + "…"


def report(plan, *, dry_run, update):
    """What the import does (or would do, `dry_run`), as (level, line) pairs: level "warning" for
    what it could not resolve, "info" for the rest. The command prints them; the admin shows them."""
    would = "Would " if dry_run else ""
    lines = [("info", f"{would}create source {source.slug} (page {source.page} of figure {source.figure})")
             for source in plan.sources]
    for planned in plan.meetings:
        counts = f"{len(planned.attendances)} attendees, {len(planned.outcomes)} items"
        if planned.action == "create":
            verb = "Would create" if dry_run else "create"
            lines.append(("info", f"{verb} {planned.slug} (draft): {planned.fields['title_ja']}, {counts}  [line {planned.line}]"))
        elif planned.action == "unchanged":
            lines.append(("info", f"unchanged {planned.slug}"))
        else:
            verb = f"{would}change" if update else "differs (kept as in the database; --update takes the table's)"
            lines.append(("info", f"{verb} {planned.slug}:"))
            lines += [("info", f"    {difference}") for difference in planned.differences]
        lines += [("warning", f"    not resolved, {problem}") for problem in planned.unresolved]
        lines += [("info", f"    scan error corrected, {correction}") for correction in planned.corrected]
    counts = plan.counts()
    lines.append(("info", f"{len(plan.meetings)} meetings in the table: {counts['create']} new, {counts['change']} differing, "
                          f"{counts['unchanged']} unchanged; {sum(len(p.unresolved) for p in plan.meetings)} not resolved."))
    return lines


# -- importing -----------------------------------------------------------------------------------

def apply_import(plan, *, update=False, reason="imported from a white-paper table"):
    """Write the plan in one transaction: new meetings as drafts; with `update`, the table's
    fields of the meetings that differ (rows matched by position, everything else kept)."""
    with transaction.atomic():
        for source in plan.sources:
            source.full_clean()
            save_unique(source)
        for planned in plan.meetings:
            try:
                if planned.action == "create":
                    fields = {**planned.fields, "state": Meeting.State.DRAFT}
                    if planned.split:
                        fields["notes_ja"], fields["notes_en"] = SPLIT_NOTE
                    save_meeting(fields=fields, attendances=planned.attendances, outcomes=planned.outcomes, reason=reason)
                elif planned.action == "change" and update:
                    save_meeting(meeting=planned.existing, fields=planned.fields, attendances=planned.attendances,
                                 outcomes=planned.outcomes, reason=reason)
            except ValidationError as error:
                raise TableError(planned.line, f"{planned.slug}: {'; '.join(error.messages)}") from None
