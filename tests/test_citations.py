"""Citations of a meeting's record (text, BibTeX, RIS, CSL-JSON, meta tags, JSON-LD): complete, precise about dates, and unbreakable by curators' text."""

import datetime
import json
import re

import pytest

from meetings.citations import (
    SITE_NAME,
    bibtex,
    citation_text,
    csl_json,
    json_ld,
    json_ld_script,
    meta_tags,
    ris,
)
from meetings.models import Meeting

pytestmark = pytest.mark.django_db

ACCESSED = datetime.date(2026, 11, 26)
HOSTILE = 'x} @misc{evil, </script><script>alert(1)</script>\nTY  - JOUR'
HOSTILE_ON_ONE_LINE = " ".join(HOSTILE.split())  # what every format keeps of it
RIS_LINE = re.compile(r"^[A-Z][A-Z0-9]  - ")


def load(slug):
    return Meeting.objects.with_details().get(slug=slug)


def url_of(meeting):
    return f"https://alliance.example.org{meeting.get_absolute_url()}"


@pytest.fixture
def scc():
    return load("2023-01-11-scc")


@pytest.fixture
def by_month():
    """The vice-ministerial consultation, which the source dates only to April 2023."""
    return load("2023-04-vice-ministerial")


@pytest.fixture
def hostile(scc):
    scc.title_en = HOSTILE
    scc.source.locator_en = "a \\ b {c % d & e # f _ g $ h ~ i ^ j\r\nER  - "
    return scc


def braces_balance(text):
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def ris_records(text):
    """Each record of a RIS file, as its (tag, value) pairs."""
    records = [record + "ER  - \r\n" for record in text.split("ER  - \r\n")[:-1]]
    assert "".join(records) == text, "the file is whole records"
    return [ris_tags(record) for record in records]


def bibtex_entries(text):
    entries = re.split(r"\n(?=@)", text)
    assert all(braces_balance(entry) for entry in entries)
    return entries


def ris_tags(record):
    lines = record.split("\r\n")
    assert lines[-1] == "" and lines[-2] == "ER  - ", "a record ends with ER and a line break"
    lines = lines[:-1]
    assert all(RIS_LINE.match(line) for line in lines), lines
    return [(line[:2], line[6:]) for line in lines]


def script_body(html):
    match = re.fullmatch(r'<script type="application/ld\+json">(.*)</script>', str(html), re.DOTALL)
    assert match, html
    return match.group(1)


# --- plain text ----------------------------------------------------------------------------------


def test_the_english_citation_names_title_date_place_site_source_url_and_access_date(scc):
    assert citation_text(scc, url=url_of(scc), accessed=ACCESSED, language="en") == (
        'Japan–U.S. Security Consultative Committee ("2+2") [日米安全保障協議委員会（「2+2」）], 2023-01-11, '
        "Washington, D.C. In: Japan–U.S. Alliance Database. "
        f"Source: {scc.source.citation_en}. "
        "https://alliance.example.org/meetings/2023-01-11-scc/ (accessed 2026-11-26)."
    )


def test_the_japanese_citation_leads_with_the_japanese_title_in_japanese_punctuation(scc):
    assert citation_text(scc, url=url_of(scc), accessed=ACCESSED, language="ja") == (
        '日米安全保障協議委員会（「2+2」）［Japan–U.S. Security Consultative Committee ("2+2")］、2023-01-11、ワシントン。'
        "『日米同盟データベース』所収。"
        f"出典：{scc.source.citation_ja}。"
        "https://alliance.example.org/meetings/2023-01-11-scc/（2026-11-26閲覧）。"
    )


def test_a_month_precise_meeting_is_cited_by_its_month_with_no_invented_day(by_month):
    text = citation_text(by_month, url=url_of(by_month), accessed=ACCESSED, language="en")
    assert text.startswith("Japan–U.S. defense vice-ministerial consultation [日米防衛当局次官級協議], 2023-04. In:")
    assert "2023-04-01" not in text


def test_an_unknown_language_is_refused(scc):
    with pytest.raises(ValueError):
        citation_text(scc, url=url_of(scc), accessed=ACCESSED, language="fr")


# --- BibTeX --------------------------------------------------------------------------------------


def test_bibtex_is_one_balanced_misc_entry_keyed_by_the_slug(scc):
    entry, *sources = bibtex_entries(bibtex(scc, url=url_of(scc), accessed=ACCESSED))
    assert entry.startswith("@misc{2023-01-11-scc,\n") and entry.endswith("}\n")
    assert braces_balance(entry) and entry.count("@") == 1
    assert len(sources) == scc.documents.count()  # each primary source follows (see below)
    assert 'title = {{Japan–U.S. Security Consultative Committee ("2+2") [日米安全保障協議委員会（「2+2」）]}},' in entry
    for field in ("date = {2023-01-11}", "year = {2023}", "month = jan",
                  "url = {https://alliance.example.org/meetings/2023-01-11-scc/}", "urldate = {2026-11-26}",
                  f"note = {{Source: {scc.source.citation_en}}}", "organization = {Japan–U.S. Alliance Database}",
                  "publisher = {Japan–U.S. Alliance Database}", "language = {english}"):
        assert f"  {field},\n" in entry


def test_bibtex_gives_a_month_precise_meeting_its_month_and_no_day(by_month):
    entry = bibtex(by_month, url=url_of(by_month), accessed=ACCESSED, language="ja")
    assert "  date = {2023-04},\n" in entry and "  month = apr,\n" in entry
    assert "2023-04-01" not in entry and "day" not in entry
    assert "title = {{日米防衛当局次官級協議［Japan–U.S. defense vice-ministerial consultation］}}" in entry
    assert f"note = {{出典：{by_month.source.citation_ja}}}" in entry and "language = {japanese}" in entry


def test_curator_text_cannot_break_a_bibtex_entry(hostile):
    entry = bibtex(hostile, url=url_of(hostile), accessed=ACCESSED)
    assert braces_balance(entry)
    assert "@misc{evil" not in entry and entry.count("@misc{") == 1
    assert r"x\textbraceright{} @misc\textbraceleft{}evil" in entry
    assert r"a \textbackslash{} b \textbraceleft{}c \% d \& e \# f \_ g \$ h \textasciitilde{} i \textasciicircum{} j" in entry
    assert all(line == "" or line.startswith(("@misc{", "@online{", "  ", "}")) for line in entry.splitlines())
    assert entry.count("@online{") == hostile.documents.count()


def test_a_url_with_braces_stays_a_working_address_in_bibtex(scc):
    entry = bibtex(scc, url="https://example.org/a b/{x}/?q=%E6%97%A5&p=1#top", accessed=ACCESSED)
    assert "  url = {https://example.org/a%20b/%7Bx%7D/?q=%E6%97%A5&p=1#top},\n" in entry


# --- RIS -----------------------------------------------------------------------------------------


def test_ris_parses_back_line_by_line_with_every_field(scc):
    tags, *sources = ris_records(ris(scc, url=url_of(scc), accessed=ACCESSED))
    assert len(sources) == scc.documents.count()
    assert tags[0] == ("TY", "ELEC")
    fields = dict(tags)
    assert fields["T1"] == 'Japan–U.S. Security Consultative Committee ("2+2") [日米安全保障協議委員会（「2+2」）]'
    assert (fields["PY"], fields["DA"], fields["Y2"]) == ("2023", "2023/01/11/", "2026/11/26/")
    assert fields["UR"] == "https://alliance.example.org/meetings/2023-01-11-scc/"
    assert fields["PB"] == fields["T2"] == SITE_NAME["en"]
    assert (fields["CY"], fields["LA"]) == ("Washington, D.C.", "en")
    notes = [value for tag, value in tags if tag == "N1"]
    assert notes == [
        f"Source: {scc.source.citation_en}",
        (
            "Attendees: Minister of Defense Hamada; Minister for Foreign Affairs Hayashi; "
            "U.S. Secretary of Defense Austin; U.S. Secretary of State Blinken"
        ),
    ]
    assert "AU" not in fields, "attendees are not authors"


def test_ris_leaves_the_unknown_day_empty_and_omits_an_unknown_place(by_month):
    fields = dict(ris_records(ris(by_month, url=url_of(by_month), accessed=ACCESSED, language="ja"))[0])
    assert (fields["PY"], fields["DA"]) == ("2023", "2023/04//")
    assert "CY" not in fields
    assert fields["T1"] == "日米防衛当局次官級協議［Japan–U.S. defense vice-ministerial consultation］"
    assert fields["N1"].startswith("出席者：鈴木")


def test_curator_text_cannot_add_a_ris_tag(hostile):
    records = ris_records(ris(hostile, url=url_of(hostile), accessed=ACCESSED))
    assert len(records) == 1 + hostile.documents.count()  # the meeting's, then one per primary source
    tags = records[0]
    assert [tag for tag, _ in tags].count("TY") == 1
    assert [tag for tag, _ in tags].count("ER") == 1
    assert dict(tags)["T1"].startswith(HOSTILE_ON_ONE_LINE + " [")


# --- CSL-JSON ------------------------------------------------------------------------------------


def test_csl_json_is_one_webpage_item_with_the_date_at_its_precision(scc, by_month):
    item, *sources = json.loads(json.dumps(csl_json(scc, url=url_of(scc), accessed=ACCESSED)))
    assert len(sources) == scc.documents.count()
    assert item["id"] == "2023-01-11-scc" and item["type"] == "webpage"
    assert item["title"] == 'Japan–U.S. Security Consultative Committee ("2+2") [日米安全保障協議委員会（「2+2」）]'
    assert item["issued"] == {"date-parts": [[2023, 1, 11]]}
    assert item["accessed"] == {"date-parts": [[2026, 11, 26]]}
    assert item["URL"] == "https://alliance.example.org/meetings/2023-01-11-scc/"
    assert item["container-title"] == item["publisher"] == SITE_NAME["en"]
    assert item["event-place"] == "Washington, D.C."
    assert item["note"] == scc.source.citation_en and item["language"] == "en"
    month_item, *_ = csl_json(by_month, url=url_of(by_month), accessed=ACCESSED, language="ja")
    assert month_item["issued"] == {"date-parts": [[2023, 4]]}
    assert "event-place" not in month_item and month_item["note"] == by_month.source.citation_ja


def test_curator_text_survives_csl_json_intact_but_on_one_line(hostile):
    item = json.loads(json.dumps(csl_json(hostile, url=url_of(hostile), accessed=ACCESSED)))[0]
    assert item["title"].startswith(HOSTILE_ON_ONE_LINE)


# --- meta tags -----------------------------------------------------------------------------------


def test_meta_tags_give_scholar_the_title_date_url_language_publisher_and_topics(scc):
    tags = meta_tags(scc, url=url_of(scc))
    fields = dict(tags)
    assert fields["citation_title"].startswith("Japan–U.S. Security Consultative Committee")
    assert fields["citation_publication_date"] == fields["citation_date"] == "2023/01/11"
    assert fields["citation_public_url"] == "https://alliance.example.org/meetings/2023-01-11-scc/"
    assert (fields["citation_language"], fields["citation_publisher"]) == ("en", SITE_NAME["en"])
    assert ("citation_keywords", "Senkaku Islands") in tags


def test_meta_tags_date_a_month_precise_meeting_by_its_month(by_month):
    assert dict(meta_tags(by_month, url=url_of(by_month), language="ja"))["citation_publication_date"] == "2023/04"


def test_meta_tags_skip_topics_that_were_not_prefetched(scc):
    plain = Meeting.objects.select_related("source__publication").get(pk=scc.pk)
    assert "citation_keywords" not in dict(meta_tags(plain, url=url_of(plain)))


# --- JSON-LD -------------------------------------------------------------------------------------


def test_json_ld_describes_the_meeting_as_a_schema_org_event(scc):
    data = json.loads(script_body(json_ld_script(json_ld(scc, url=url_of(scc)))))
    assert (data["@context"], data["@type"]) == ("https://schema.org", "Event")
    assert data["name"] == 'Japan–U.S. Security Consultative Committee ("2+2")'
    assert data["alternateName"] == "日米安全保障協議委員会（「2+2」）"
    assert data["startDate"] == "2023-01-11"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["location"] == {
        "@type": "Place", "name": "Washington, D.C.", "alternateName": "ワシントン",
        "address": {"@type": "PostalAddress", "addressCountry": "US"},
    }
    assert data["attendee"][2] == {"@type": "Person", "name": "Lloyd J. Austin III", "alternateName": "ロイド・オースティン"}
    assert len(data["attendee"]) == 4
    assert data["url"] == "https://alliance.example.org/meetings/2023-01-11-scc/"
    assert data["subjectOf"][0]["name"] == scc.source.citation_en
    assert data["subjectOf"][0]["publisher"]["name"] == "Ministry of Defense of Japan"
    assert data["inLanguage"] == "en"


def test_json_ld_gives_a_month_precise_meeting_its_month_and_no_place(by_month):
    data = json_ld(by_month, url=url_of(by_month), language="ja")
    assert data["startDate"] == "2023-04" and "location" not in data
    assert data["name"] == "日米防衛当局次官級協議"
    assert data["attendee"][0] == {"@type": "Person", "name": "鈴木敦夫", "alternateName": "Suzuki Atsuo"}


def test_curator_text_cannot_close_the_json_ld_script(hostile):
    html = json_ld_script(json_ld(hostile, url=url_of(hostile)))
    body = script_body(html)
    assert "</script" not in body.lower() and "<" not in body and ">" not in body and "&" not in body
    assert str(html).count("</script>") == 1
    assert json.loads(body)["name"] == HOSTILE_ON_ONE_LINE


# --- every format --------------------------------------------------------------------------------


def test_curator_text_stays_on_one_line_in_the_text_citation_and_the_meta_tags(hostile):
    assert "\n" not in citation_text(hostile, url=url_of(hostile), accessed=ACCESSED, language="en")
    assert all("\n" not in content and "\r" not in content for _, content in meta_tags(hostile, url=url_of(hostile)))


# --- primary sources -----------------------------------------------------------------------------


@pytest.fixture
def readout(scc):
    """A readout of the SCC meeting whose title a curator typed with every character that could
    break a format."""
    from alliance.models import Organization
    from documents.models import Document

    document = Document.objects.create(
        url="https://www.mofa.go.jp/mofaj/na/na1/us/page_test.html", publisher=Organization.objects.get(slug="mofa"),
        language="ja", kind="readout", title="日米安全保障協議委員会 " + HOSTILE, date=datetime.date(2023, 1, 12))
    document.meetings.add(scc)
    return document


def test_each_primary_source_is_an_online_entry_the_meetings_entry_names_as_related(readout):
    meeting = load("2023-01-11-scc")
    entry, *sources = bibtex_entries(bibtex(meeting, url=url_of(meeting), accessed=ACCESSED))
    keys = [re.match(r"@online\{([^,]+),", source).group(1) for source in sources]
    assert f"  related = {{{','.join(keys)}}},\n" in entry
    [ours] = [source for source in sources if "page_test" in source]
    assert "  url = {https://www.mofa.go.jp/mofaj/na/na1/us/page_test.html},\n" in ours
    assert "  organization = {Ministry of Foreign Affairs of Japan},\n" in ours and "  type = {readout},\n" in ours
    assert "  date = {2023-01-12},\n" in ours and "  language = {japanese},\n" in ours
    assert r"x\textbraceright{} @misc\textbraceleft{}evil" in ours  # the title cannot end the entry or start one
    assert all(line.startswith(("@online{", "  ", "}")) for line in ours.splitlines())


def test_each_primary_source_is_a_ris_record_of_its_own_that_names_the_meeting(readout):
    meeting = load("2023-01-11-scc")
    records = ris_records(ris(meeting, url=url_of(meeting), accessed=ACCESSED, language="ja"))
    [ours] = [dict(tags) for tags in records[1:] if dict(tags)["UR"].endswith("page_test.html")]
    assert (ours["TY"], ours["PB"], ours["M3"], ours["LA"], ours["DA"]) == ("ELEC", "外務省", "会談概要", "ja", "2023/01/12/")
    assert ours["T1"] == "日米安全保障協議委員会 " + HOSTILE_ON_ONE_LINE
    assert ours["N1"].startswith("一次資料：日米安全保障協議委員会（「2+2」）")
    assert sum(1 for tags in records for tag, _ in tags if tag == "TY") == len(records)  # no title adds a record


def test_each_primary_source_is_a_csl_json_item_and_a_json_ld_work_about_the_meeting(readout):
    meeting = load("2023-01-11-scc")
    items = csl_json(meeting, url=url_of(meeting), accessed=ACCESSED)
    [ours] = [item for item in items if item["URL"].endswith("page_test.html")]
    assert (ours["type"], ours["publisher"], ours["genre"], ours["language"]) == (
        "webpage", "Ministry of Foreign Affairs of Japan", "readout", "ja")
    assert ours["issued"] == {"date-parts": [[2023, 1, 12]]} and ours["note"].startswith("Primary source for: Japan–U.S.")
    data = json.loads(script_body(json_ld_script(json_ld(meeting, url=url_of(meeting)))))
    [work] = [work for work in data["subjectOf"] if work.get("url", "").endswith("page_test.html")]
    assert (work["inLanguage"], work["genre"], work["publisher"]["name"]) == ("ja", "readout", "Ministry of Foreign Affairs of Japan")


def test_a_meeting_with_no_primary_source_is_cited_alone(by_month):
    by_month.documents.clear()
    meeting = load("2023-04-vice-ministerial")
    entry = bibtex(meeting, url=url_of(meeting), accessed=ACCESSED)
    assert entry.count("@") == 1 and "related" not in entry
    assert len(ris_records(ris(meeting, url=url_of(meeting), accessed=ACCESSED))) == 1
    assert len(csl_json(meeting, url=url_of(meeting), accessed=ACCESSED)) == 1
