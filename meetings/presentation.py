"""What the meeting search page shows beside its hits: facet panels with counts and links, the
chart of meetings per year by kind, and, when nothing matches, what each part alone would find.

Facets narrow (drill down): a value's count is what the search finds once it is chosen, and a
chosen dimension shows only its value, with a link that removes it.
"""

import datetime
from urllib.parse import urlencode
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliance.charts import year_chart
from alliance.language import choice_label, in_language, languages
from alliance.models import ConsultationBody, Person, Place, Topic
from alliance.search.highlight import highlight, matching_outcomes
from meetings.models import Meeting, Outcome

SHOWN = 8  # values a panel shows before "more"
DIMENSIONS = [  # (filter, heading), in the order the panels appear
    ("kind", gettext_lazy("Kind")),
    ("body", gettext_lazy("Consultation body")),
    ("year", gettext_lazy("Year")),
    ("person", gettext_lazy("Person")),
    ("topic", gettext_lazy("Topic")),
    ("place", gettext_lazy("Place")),
    ("voice", gettext_lazy("Voice")),
]
FILTERS = ("kind", "body", "person", "topic", "place", "voice", "date_after", "date_before")


def link(params, **changes):
    """The query string of `params` (a QueryDict) with `changes` applied (None removes a
    parameter), page reset; a parameter changed keeps its place. Without copying the QueryDict:
    the facet panels make a link for each of their hundreds of values."""
    pairs = []
    for name, values in params.lists():
        if name == "page":
            continue
        if name in changes:
            if changes[name] is not None:
                pairs.append((name, changes[name]))
        else:
            pairs.extend((name, value) for value in values)
    pairs.extend((name, value) for name, value in changes.items() if value is not None and name not in params)
    return "?" + urlencode(pairs)


@dataclass
class Value:
    value: str
    label: str
    lang: str
    count: int
    url: str


@dataclass
class Panel:
    name: str
    heading: str
    values: list = field(default_factory=list)
    chosen: Value | None = None
    remove_url: str = ""

    @property
    def shown(self):
        return self.values[:SHOWN]

    @property
    def more(self):
        return self.values[SHOWN:]


def _labels(name, values):
    """{facet value: (label, lang, filter value)} for the values of a dimension, in one query."""
    if not values:
        return {}
    if name == "kind":
        return {kind.value: (choice_label(kind.label), "", kind.value) for kind in Meeting.Kind}
    if name == "voice":
        return {voice.value: (choice_label(voice.label), "", voice.value) for voice in Outcome.Voice}
    if name == "body":  # a handful of bodies; the facet holds their abbreviations case-folded
        return {body.abbreviation.casefold(): (f"{in_language(body, 'name')[0]} ({body.abbreviation})",
                                               in_language(body, "name")[1], body.abbreviation)
                for body in ConsultationBody.objects.all()}
    model = {"person": Person, "topic": Topic, "place": Place}[name]
    return {record.slug: (*in_language(record, "name"), record.slug) for record in model.objects.filter(slug__in=values)}


def facet_panels(facets, params, chosen):
    """The panels for `facets` (a `Facets`), `params` the request's GET, `chosen` the valid filters."""
    panels = []
    for name, heading in DIMENSIONS:
        panel = Panel(name, str(heading))
        if name == "year":
            _year_panel(panel, facets, params, chosen)
        else:
            counts = facets.counts.get(name, {})
            labels = _labels(name, [value for value, _count in facets.values(name)])
            for value, count in facets.values(name):
                label, lang, canonical = labels.get(value, (value, "", value))
                entry = Value(canonical, label, lang, count, link(params, **{name: canonical}))
                if chosen.get(name) and canonical.casefold() == str(chosen[name]).casefold():
                    panel.chosen, panel.remove_url = entry, link(params, **{name: None})
                elif not chosen.get(name):
                    panel.values.append(entry)
            if chosen.get(name) and panel.chosen is None:  # chosen, and nothing matches
                label, lang, canonical = _labels(name, [str(chosen[name]).casefold()]).get(
                    str(chosen[name]).casefold(), (chosen[name], "", chosen[name]))
                panel.chosen = Value(canonical, label, lang, counts.get(str(chosen[name]).casefold(), 0), "")
                panel.remove_url = link(params, **{name: None})
        if panel.chosen:
            panel.chosen.count = facets.total  # every match carries the value chosen: exact, never estimated
        if panel.values or panel.chosen:
            panels.append(panel)
    return panels


def _year_panel(panel, facets, params, chosen):
    after, before = chosen.get("date_after"), chosen.get("date_before")
    for year, count in sorted(facets.years.items(), reverse=True):
        first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        # Within a date range already chosen, a year means the part of it that the range covers.
        start, end = max(first, after) if after else first, min(last, before) if before else last
        entry = Value(str(year), str(year), "", count, link(params, date_after=start.isoformat(), date_before=end.isoformat()))
        if after and before and after.year == before.year == year:
            panel.chosen, panel.remove_url = entry, link(params, date_after=None, date_before=None)
        else:
            panel.values.append(entry)
    if panel.chosen:
        panel.values = []


def kind_chart(per_year, *, chart_id):
    """Meetings per year, stacked by kind."""
    present = {kind for counts in per_year.values() for kind, count in counts.items() if count}
    return year_chart(
        counts=per_year,
        series=[(kind.value, choice_label(kind.label)) for kind in Meeting.Kind if kind.value in present],
        title=_("Meetings per year, by kind"),
        description=_("How many of the meetings shown here were held each year, stacked by kind of meeting."),
        chart_id=chart_id,
    )


@dataclass
class Snippet:
    position: int
    html: str  # the item's text with the matches marked, escaped
    lang: str
    printed: str  # the scan's form, marked, when only it matched


@dataclass
class Hit:
    meeting: Meeting
    title: str  # the title in the page's language, matches marked (escaped HTML)
    title_lang: str
    snippets: list


def hits(meetings, query):
    """Each meeting of a page with its title and matching outcome items highlighted; an item is
    shown in the page's language when the match is there, in the other language otherwise."""
    first, other = languages()
    found = []
    for meeting in meetings:
        text, lang = in_language(meeting, "title")
        snippets = []
        for match in matching_outcomes(meeting.outcomes.all(), query) if not query.is_empty else []:
            texts = {"ja": match.text_ja, "en": match.text_en}
            shown = first if "<mark>" in texts[first] or "<mark>" not in texts[other] else other
            snippets.append(Snippet(match.outcome.position, texts[shown], shown, match.printed))
        found.append(Hit(meeting, highlight(text, query) or text, lang, snippets))
    return found


@dataclass
class Alone:
    label: str
    count: int
    drop_url: str
    alone_url: str


def each_part_alone(results, params):
    """For a search that found nothing: how many meetings each of its terms and filters would
    find alone, with a link that drops it and one that searches for it alone."""
    headings = {**dict(DIMENSIONS), "date_after": gettext_lazy("From"), "date_before": gettext_lazy("Until")}
    query, parts = results.query, []
    for name, value, count in results.parts_alone():
        if name == "q":
            label = _("the words %(words)s") % {"words": value}
            drop = link(params, q=query.unparse(skip=next(g for g in query.groups if query.unparse(only=g) == value)))
            parts.append(Alone(label, count, drop, "?" + urlencode({"q": value})))
            continue
        shown = value.isoformat() if isinstance(value, datetime.date) else value
        label = shown if isinstance(value, datetime.date) else _labels(name, [str(value).casefold()]).get(
            str(value).casefold(), (value,))[0]
        parts.append(Alone(f"{headings[name]}: {label}", count, link(params, **{name: None}), "?" + urlencode({name: shown})))
    return parts
