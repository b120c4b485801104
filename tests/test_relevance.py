"""Ranking: the record a researcher means comes first.

A graded relevance set over the curated data: for each query, the record that must come first
and the records that must be in the top three. It runs on both databases, whose rank functions
differ (ts_rank_cd, bm25) but weigh the same way: a word in a title, name or kind counts more
than one among the attendees, posts, places and topics, which counts more than one in the text;
a long document is not favoured for being long; a record with a name or title that is exactly the
query comes first; a word in the form searched for ranks above another form of it.
"""

import pytest

from alliance.search.service import search
from meetings.models import Meeting, Outcome

pytestmark = pytest.mark.django_db

SCC_2023 = "2023-01-11-scc"


def key(record):
    for name in ("slug", "path", "abbreviation"):
        if getattr(record, name, None):
            return getattr(record, name)
    return f"{record.meeting.slug}#{record.position}"


# (kind, query, the record that must come first, records that must be in the top three)
RELEVANCE = [
    # the SCC, called "2+2", above meetings that only mention the Economic "2+2"
    ("meeting", "2+2", SCC_2023, {SCC_2023, "2012-04-27-scc"}),
    ("meeting", "２＋２", SCC_2023, {SCC_2023, "2012-04-27-scc"}),
    ("meeting", "日米安全保障協議委員会", SCC_2023, {SCC_2023, "2012-04-27-scc"}),
    ("meeting", "SCC", SCC_2023, {SCC_2023, "2012-04-27-scc"}),
    ("meeting", "Economic 2+2", None, {"2022-07-economic-2plus2", "2023-economic-2plus2"}),
    ("meeting", "経済版2+2", None, {"2022-07-economic-2plus2", "2023-economic-2plus2"}),
    # a meeting that has it on its agenda (four items), and the summit that spoke of it at length
    ("meeting", "拡大抑止", None, {SCC_2023, "2023-05-18-summit"}),
    ("meeting", "extended deterrence", None, {SCC_2023, "2023-05-18-summit"}),
    # attendees above the text: the only meeting Hicks attended
    ("meeting", "Hicks", "2023-04-vice-ministerial", set()),
    ("meeting", "鈴木", "2023-04-vice-ministerial", set()),
    # a place, in either language
    ("meeting", "Phnom Penh", "2022-11-13-summit", set()),
    ("meeting", "広島", "2023-05-18-summit", set()),
    # people: the one who held the post exactly, above those who held a longer title with it
    ("person", "Secretary of Defense", "lloyd-j-austin-iii", set()),
    ("person", "国防長官", "lloyd-j-austin-iii", set()),
    ("person", "Secretary of State", "antony-j-blinken", set()),
    ("person", "Minister for Foreign Affairs", "hayashi-yoshimasa", set()),
    ("person", "防衛大臣", None, {"hamada-yasukazu", "kishi-nobuo"}),
    ("person", "はやし", "hayashi-yoshimasa", set()),
    ("person", "Kishida", "kishida-fumio", set()),
    # bodies by name, alias and legal basis
    ("body", "2+2", "SCC", set()),
    ("body", "SOFA", "JC", set()),
    ("body", "地位協定", "JC", set()),
    # provisions: the one headed so, above those that mention it
    ("provision", "Cooperation on Space", "VI.A", set()),
    ("provision", "宇宙に関する協力", "VI.A", set()),
    ("provision", "space", None, {"VI.A", "VI"}),
    ("provision", "情報協力", "VII.B", set()),
]


def test_the_relevance_set_has_at_least_fifteen_queries_with_a_first():
    assert len([first for _, _, first, _ in RELEVANCE if first]) >= 15


@pytest.mark.parametrize("kind, query, first, top", RELEVANCE, ids=[f"{k}:{q}" for k, q, _, _ in RELEVANCE])
def test_the_record_meant_comes_first(kind, query, first, top):
    ranked = [key(record) for record in search(query=query, kind=kind, sort="relevance")[:3]]
    if first:
        assert ranked[0] == first, ranked
    assert top <= set(ranked), ranked


def test_a_meeting_with_the_word_in_its_title_ranks_above_one_with_it_in_an_item():
    ranked = [m.slug for m in search(query="2+2")[:9]]
    economic_mentions = [slug for slug in ranked if slug.endswith("summit")]
    assert ranked.index("2012-04-27-scc") < min(ranked.index(slug) for slug in economic_mentions)


@pytest.fixture
def two_forms():
    """Two new meetings alike but for one word: one says "missile", the other "missiles"."""
    template = Meeting.objects.get(slug="2023-01-12-defense-ministers")
    made = {}
    for word in ("missile", "missiles"):
        meeting = Meeting.objects.create(slug=f"2023-01-12-test-{word}", date=template.date, kind=template.kind,
                                         title_ja="試験", title_en="Test", source=template.source)
        Outcome.objects.create(meeting=meeting, position=1, voice="both", text_ja="試験",
                               text_en=f"The two sides discussed the {word} threat in the region.", source=template.source)
        made[word] = meeting.slug
    return made


@pytest.mark.parametrize("word", ["missile", "missiles", "MISSILES"])
def test_the_form_searched_for_ranks_above_another_form(two_forms, word):
    # (a curated meeting about missile defense and a 試験 may rank anywhere: only the two made here are compared)
    ranked = [m.slug for m in search(query=f"{word} 試験")[:20] if m.slug in two_forms.values()]
    assert ranked == [two_forms[word.lower()], two_forms["missile" if word.lower() == "missiles" else "missiles"]]
