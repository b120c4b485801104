"""How to cite a meeting's record: plain text, BibTeX, RIS, CSL-JSON, citation_* meta tags, JSON-LD.

What is cited is the meeting's page in the Japan–U.S. Alliance Database, which names the printed
source it was curated from (`meeting.source`). Every function is pure: it reads the meeting, its
place, body, source and publication, and its attendances with their people (callers prefetch
them, e.g. `Meeting.objects.with_details()`), and writes nothing.

Rules shared by every format:

* The date is given at the meeting's own precision (`format_date`): a month-precise meeting is
  cited by its month and never given a day.
* The title is the page language's title with the other language's title in brackets:
  `English [日本語]` for "en", `日本語［English］` for "ja".
* Curator-written text is collapsed to one line (every run of whitespace, line breaks included,
  becomes one space; other control characters are dropped) and escaped for the format, so no
  text can end a field, start an entry or tag, or close a script element.
"""

import datetime
import json
import re
import unicodedata
from urllib.parse import quote

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import SafeString, mark_safe

from alliance.language import choice_label
from alliance.models import DatePrecision, format_date

SITE_NAME = {"ja": "日米同盟データベース", "en": "Japan–U.S. Alliance Database"}

LANGUAGES = ("ja", "en")

# BibTeX's standard month macros, which biblatex reads too.
_BIBTEX_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

# Language names as biblatex and babel spell them.
_BIBTEX_LANGUAGES = {"en": "english", "ja": "japanese"}

# Braces are written as commands, not as \{ and \}: BibTeX counts every brace, escaped or not,
# when it looks for the end of a value, so a lone \} would still end it.
_BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "_": r"\_",
    "$": r"\$",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_SPECIAL = re.compile("|".join(re.escape(char) for char in _BIBTEX_ESCAPES))

# What Django's json_script escapes, so that no text can close the script element.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}

# Characters a URL keeps as they are: RFC 3986's reserved and unreserved ones, and % so that an
# address already percent-encoded is not encoded twice. Everything else is percent-encoded.
_URL_SAFE = ":/?#[]@!$&'()*+,;=-._~%"


# --- shared pieces -------------------------------------------------------------------------------


def _check_language(language):
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")


def _one_line(text):
    """The text on one line: whitespace runs (line breaks too) become one space, controls go."""
    collapsed = " ".join(str(text or "").split())
    return "".join(char for char in collapsed if unicodedata.category(char) != "Cc")


def _other(language):
    return "en" if language == "ja" else "ja"


def _field(record, name, language):
    """`record.name_ja` or `record.name_en`, on one line."""
    return _one_line(getattr(record, f"{name}_{language}"))


def _title(meeting, language):
    """The page language's title, with the other language's in brackets."""
    main, other = _field(meeting, "title", language), _field(meeting, "title", _other(language))
    if not other or other == main:
        return main
    return f"{main}［{other}］" if language == "ja" else f"{main} [{other}]"


def _place(meeting, language):
    return _field(meeting.place, "name", language) if meeting.place_id else ""


def _source(meeting, language):
    """The printed source's citation (`Source.citation_en` / `citation_ja`), on one line."""
    return _one_line(getattr(meeting.source, f"citation_{language}"))


def _source_note(meeting, language):
    """`Source: <citation>` / `出典：<citation>`, or nothing when the source gives no citation."""
    source = _source(meeting, language)
    if not source:
        return ""
    return f"出典：{source}" if language == "ja" else f"Source: {source}"


def _attendee_note(meeting, language):
    """Who attended, name and post as the source gives them, in the source's order."""
    labels = [_field(attendance, "label", language) for attendance in meeting.attendances.all()]
    labels = [label for label in labels if label]
    if not labels:
        return ""
    return "出席者：" + "、".join(labels) if language == "ja" else "Attendees: " + "; ".join(labels)


def _date_parts(meeting):
    """[year], [year, month] or [year, month, day]: as much of the date as the source vouches for."""
    date = meeting.date
    if meeting.date_precision == DatePrecision.YEAR:
        return [date.year]
    if meeting.date_precision == DatePrecision.MONTH:
        return [date.year, date.month]
    return [date.year, date.month, date.day]


def _iso_date(meeting):
    """2023-01-11, 2023-04 or 2023."""
    return format_date(meeting.date, meeting.date_precision)


def _accessed(accessed):
    if isinstance(accessed, datetime.datetime):
        accessed = accessed.date()
    return accessed


def _url(url):
    """The URL on one line, with anything outside URL syntax (spaces, braces, backslashes,
    non-ASCII) percent-encoded; a valid URL comes out unchanged."""
    return quote(_one_line(url), safe=_URL_SAFE)


def _sentence(text, language):
    """The text ended with a full stop, unless it already ends with one."""
    if language == "ja":
        return text if text.endswith(("。", ".", "！", "？")) else f"{text}。"
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _topics(meeting, language):
    """The outcome items' topics, first mention first, but only if they were prefetched
    (`with_details` does): a citation never costs a query per outcome."""
    if "outcomes" not in getattr(meeting, "_prefetched_objects_cache", {}):
        return []
    names = {}
    for outcome in meeting.outcomes.all():
        if "topics" not in getattr(outcome, "_prefetched_objects_cache", {}):
            return []
        for topic in outcome.topics.all():
            names.setdefault(_field(topic, "name", language), None)
    return [name for name in names if name]


def _documents(meeting):
    """The meeting's primary sources, if they were prefetched (`with_details` does), else none:
    a citation never costs a query of its own."""
    if "documents" not in getattr(meeting, "_prefetched_objects_cache", {}):
        return []
    return list(meeting.documents.all())


def _document_key(meeting, number):
    return f"{_bibtex_key(meeting.slug)}-source-{number}"


def _publisher(document, language):
    return _field(document.publisher, "name", language)


def _kind(document, language):
    """The document's kind in the citation's language: "readout" / 「会談概要」."""
    return choice_label(document.get_kind_display(), language)


def _related_note(meeting, language):
    """What a primary source is to the meeting cited with it."""
    title = _title(meeting, language)
    return f"一次資料：{title}" if language == "ja" else f"Primary source for: {title}"


# --- plain text ----------------------------------------------------------------------------------


def citation_text(meeting, *, url, accessed, language):
    """A ready-to-copy citation of the meeting's record, on one line.

    en: `Title [日本語], 2023-01-11, Washington, D.C. In: Japan–U.S. Alliance Database.
    Source: <source.citation_en>. <url> (accessed 2026-11-26).`
    ja: `日本語［Title］、2023-01-11、ワシントン。『日米同盟データベース』所収。
    出典：<source.citation_ja>。<url>（2026-11-26閲覧）。`
    """
    _check_language(language)
    accessed = _accessed(accessed).isoformat()
    head = [_title(meeting, language), _iso_date(meeting), _place(meeting, language)]
    source = _source_note(meeting, language)
    if language == "ja":
        parts = [_sentence("、".join(part for part in head if part), "ja"), f"『{SITE_NAME['ja']}』所収。"]
        if source:
            parts.append(_sentence(source, "ja"))
        parts.append(f"{_url(url)}（{accessed}閲覧）。")
        return "".join(parts)
    parts = [_sentence(", ".join(part for part in head if part), "en"), f"In: {SITE_NAME['en']}."]
    if source:
        parts.append(_sentence(source, "en"))
    parts.append(f"{_url(url)} (accessed {accessed}).")
    return " ".join(parts)


# --- BibTeX --------------------------------------------------------------------------------------


def _bibtex_escape(text):
    return _BIBTEX_SPECIAL.sub(lambda match: _BIBTEX_ESCAPES[match.group()], _one_line(text))


def _braced(value):
    """A BibTeX value in braces; nothing for no value, so the field is left out."""
    return "{" + value + "}" if value else ""


def _bibtex_key(slug):
    return re.sub(r"[^A-Za-z0-9_:-]", "-", slug or "") or "meeting"


def bibtex(meeting, *, url, accessed, language="en"):
    """One `@misc` entry, written for biblatex and still read by classic BibTeX styles; then an
    `@online` entry for each primary source (an official readout, a joint statement), which the
    meeting's entry names in `related` and each names the meeting in its `note`.

    The date is given both ways: `date = {2023-01-11}` (or `{2023-04}`, `{2023}`) for biblatex,
    which reads a date of any precision from it, and `year` plus `month` (a month macro, only
    when the source gives the month) for BibTeX styles. There is no `day` field: BibTeX styles
    ignore it and biblatex takes the day from `date`. `urldate` is the access date; `note` names
    the printed source (`Source: …` / `出典：…`); `organization` and `publisher` the site.

    Every value is TeX-escaped (`{ } % & # _ $ ~ ^ \\` become commands), so a curator's text
    cannot end a value or begin a new entry; braces become \\textbraceleft{} and
    \\textbraceright{}, because BibTeX counts \\{ and \\} as braces too. The exception is `url`,
    which biblatex and the url package read verbatim (`\\%` there would be a broken address):
    it is percent-encoded instead, which leaves no brace or backslash in it.
    """
    _check_language(language)
    parts = _date_parts(meeting)
    fields = [
        ("title", _braced(_braced(_bibtex_escape(_title(meeting, language))))),  # inner pair: keep the case
        ("date", _braced(_iso_date(meeting))),
        ("year", _braced(str(parts[0]))),
        ("month", _BIBTEX_MONTHS[parts[1] - 1] if len(parts) > 1 else None),  # a macro, not braced
        ("url", _braced(_url(url))),
        ("urldate", _braced(_accessed(accessed).isoformat())),
        ("note", _braced(_bibtex_escape(_source_note(meeting, language)))),
        ("organization", _braced(_bibtex_escape(SITE_NAME[language]))),
        ("publisher", _braced(_bibtex_escape(SITE_NAME[language]))),
        ("language", _braced(_BIBTEX_LANGUAGES[language])),
    ]
    documents = _documents(meeting)
    related = ",".join(_document_key(meeting, number) for number in range(1, len(documents) + 1))
    fields.append(("related", _braced(related)))  # biblatex: the primary sources, entries of their own below
    entries = [_bibtex_entry("misc", _bibtex_key(meeting.slug), fields)]
    for number, document in enumerate(documents, 1):
        entries.append(_bibtex_entry("online", _document_key(meeting, number), [
            ("title", _braced(_braced(_bibtex_escape(document.title)))),
            ("date", _braced(document.date.isoformat())),
            ("year", _braced(str(document.date.year))),
            ("month", _BIBTEX_MONTHS[document.date.month - 1]),
            ("url", _braced(_url(document.url))),
            ("organization", _braced(_bibtex_escape(_publisher(document, language)))),
            ("type", _braced(_bibtex_escape(_kind(document, language)))),
            ("note", _braced(_bibtex_escape(_related_note(meeting, language)))),
            ("language", _braced(_BIBTEX_LANGUAGES[document.language])),
        ]))
    return "\n".join(entries)


def _bibtex_entry(kind, key, fields):
    lines = [f"@{kind}{{{key},"]
    lines += [f"  {name} = {value}," for name, value in fields if value]
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- RIS -----------------------------------------------------------------------------------------


def ris(meeting, *, url, accessed, language="en"):
    """One RIS record, lines ended with CRLF as the RIS specification writes them.

    TY is ELEC (web page): what is cited is the database's page, with its address and access
    date, and Zotero imports ELEC as a "Web Page" item with T2 as the website's title and Y2 as
    the access date. (GEN imports as a journal article or a generic document, HEAR as a
    congressional hearing, neither of which this is.) Zotero's web page has no publisher or
    place, so it keeps PB and CY as notes.

    The attendees are not authors, so there are no AU lines: they go in an N1 note, as does the
    printed source. Dates are `YYYY/MM/DD/` with the parts the source does not give left empty
    (`2023/04//`). Every value is on one line, so no text can begin a tag of its own.

    Each primary source follows as a record of its own (ELEC, its publisher as PB, its kind as
    M3), with a note that names the meeting: RIS has no tag that links records.
    """
    _check_language(language)
    year, month, day = (_date_parts(meeting) + [None, None])[:3]
    date = f"{year:04d}/{f'{month:02d}' if month else ''}/{f'{day:02d}' if day else ''}/"
    accessed = _accessed(accessed)
    lines = [
        ("TY", "ELEC"),
        ("ID", meeting.slug),
        ("T1", _title(meeting, language)),
        ("T2", SITE_NAME[language]),
        ("PY", f"{year:04d}"),
        ("DA", date),
        ("CY", _place(meeting, language)),
        ("PB", SITE_NAME[language]),
        ("UR", _url(url)),
        ("Y2", f"{accessed.year:04d}/{accessed.month:02d}/{accessed.day:02d}/"),
        ("LA", language),
        ("N1", _source_note(meeting, language)),
        ("N1", _attendee_note(meeting, language)),
    ]
    records = [_ris_record(lines)]
    for number, document in enumerate(_documents(meeting), 1):
        records.append(_ris_record([
            ("TY", "ELEC"),
            ("ID", _document_key(meeting, number)),
            ("T1", document.title),
            ("PY", f"{document.date.year:04d}"),
            ("DA", f"{document.date.year:04d}/{document.date.month:02d}/{document.date.day:02d}/"),
            ("PB", _publisher(document, language)),
            ("M3", _kind(document, language)),
            ("UR", _url(document.url)),
            ("LA", document.language),
            ("N1", _related_note(meeting, language)),
        ]))
    return "".join(records)


def _ris_record(lines):
    record = [f"{tag}  - {_one_line(value)}" for tag, value in lines if _one_line(value)]
    record.append("ER  - ")
    return "\r\n".join(record) + "\r\n"


# --- CSL-JSON ------------------------------------------------------------------------------------


def csl_json(meeting, *, url, accessed, language="en"):
    """A CSL-JSON array: the meeting's record, then each primary source, all of CSL 1.0.2 type
    "webpage" (a source's `genre` is its kind, its `note` names the meeting).

    "webpage", not "event": what is cited is the database's page, which has an address, an
    access date and a site (`container-title`), and every CSL style and processor renders a
    webpage with those; "event" is new in CSL 1.0.2 and most styles and Zotero do not render it
    yet. `issued` and `event-date` carry the meeting's date at its precision, `event-place` the
    place. `note` is the printed source's citation as it is, with no "Source:" label: citeproc
    processors read `name: value` lines in `note` as variables.
    """
    _check_language(language)
    parts = _date_parts(meeting)
    accessed = _accessed(accessed)
    item = {
        "id": meeting.slug,
        "type": "webpage",
        "title": _title(meeting, language),
        "issued": {"date-parts": [parts]},
        "event-date": {"date-parts": [parts]},
        "accessed": {"date-parts": [[accessed.year, accessed.month, accessed.day]]},
        "URL": _url(url),
        "container-title": SITE_NAME[language],
        "publisher": SITE_NAME[language],
        "language": language,
    }
    if place := _place(meeting, language):
        item["event-place"] = place
    if source := _source(meeting, language):
        item["note"] = source
    items = [item]
    for number, document in enumerate(_documents(meeting), 1):
        date = document.date
        items.append({
            "id": _document_key(meeting, number),
            "type": "webpage",
            "title": _one_line(document.title),
            "issued": {"date-parts": [[date.year, date.month, date.day]]},
            "URL": _url(document.url),
            "publisher": _publisher(document, language),
            "genre": _kind(document, language),
            "language": document.language,
            "note": _related_note(meeting, language),
        })
    return items


# --- HTML head -----------------------------------------------------------------------------------


def meta_tags(meeting, *, url, language="en"):
    """(name, content) pairs for `<meta name=… content=…>`: Google Scholar's and Zotero's
    citation_* tags. Dates are YYYY/MM/DD, YYYY/MM or YYYY by precision; one
    citation_keywords tag per outcome topic when the outcomes and topics were prefetched."""
    _check_language(language)
    date = "/".join(f"{part:02d}" for part in _date_parts(meeting))
    tags = [
        ("citation_title", _title(meeting, language)),
        ("citation_publication_date", date),
        ("citation_date", date),
        ("citation_public_url", _url(url)),
        ("citation_language", language),
        ("citation_publisher", SITE_NAME[language]),
    ]
    tags += [("citation_keywords", topic) for topic in _topics(meeting, language)]
    return tags


def json_ld(meeting, *, url, language="en"):
    """The meeting as a schema.org `Event`.

    `eventStatus` is EventScheduled for held and planned meetings alike. schema.org defines it
    as "the event is taking place or has taken place on the startDate as scheduled" and has no
    "completed" value, so it is the honest status of a meeting held on its date as much as of one
    the source reports as planned. (Its other values say an event was cancelled, postponed,
    rescheduled or moved online, which no record says.)

    The printed source is given as `subjectOf`, a CreativeWork about the event: `isBasedOn` and
    `citation` belong to creative works, and an Event is not one, so validators flag them.
    Names are the page language's, with the other language's as `alternateName`.
    """
    _check_language(language)
    other = _other(language)
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": _field(meeting, "title", language),
        "alternateName": _field(meeting, "title", other),
        "startDate": _iso_date(meeting),
        "eventStatus": "https://schema.org/EventScheduled",
    }
    if meeting.place_id:
        place = meeting.place
        data["location"] = {
            "@type": "Place",
            "name": _field(place, "name", language),
            "alternateName": _field(place, "name", other),
            "address": {"@type": "PostalAddress", "addressCountry": place.country},
        }
    attendees = [
        {
            "@type": "Person",
            "name": _field(attendance.person, "name", language),
            "alternateName": _field(attendance.person, "name", other),
        }
        for attendance in meeting.attendances.all()
        if attendance.person_id
    ]
    if attendees:
        data["attendee"] = attendees
    data["url"] = _url(url)
    data["subjectOf"] = [_printed_source(meeting, language), *(
        _primary_source(document, language) for document in _documents(meeting))]
    data["inLanguage"] = language
    return data


def _printed_source(meeting, language):
    publication = meeting.source.publication
    work = {"@type": "CreativeWork", "name": _source(meeting, language)}
    if publisher := _field(publication, "publisher", language):
        work["publisher"] = {"@type": "Organization", "name": publisher}
    if publication.year:
        work["datePublished"] = str(publication.year)
    if publication.url:
        work["url"] = _url(publication.url)
    return work


def _primary_source(document, language):
    return {"@type": "CreativeWork", "name": _one_line(document.title), "url": _url(document.url),
            "inLanguage": document.language, "datePublished": document.date.isoformat(), "genre": _kind(document, language),
            "publisher": {"@type": "Organization", "name": _publisher(document, language)}}


def json_ld_script(data) -> SafeString:
    """`<script type="application/ld+json">…</script>`, with <, > and & escaped in the JSON as
    Django's json_script escapes them, so no text in it can close the element."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')
