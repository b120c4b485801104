"""Search over the curated data: the exact meetings each query finds, the same on SQLite and PostgreSQL."""

import datetime

import pytest
from django.utils import translation
from django.core.paginator import Paginator
from django.db import connection

from alliance.models import Person
from alliance.search.highlight import highlight, spans
from alliance.search.index import REGISTRY
from alliance.search.query import Query, parse
from alliance.search.service import search
from meetings.models import Meeting

pytestmark = pytest.mark.django_db

SCC_2023 = "2023-01-11-scc"
ALL_MEETINGS = {
    "1976-07-08-scc", "1996-06-28-vice-ministerial", "2012-04-27-scc", "2022-05-04-defense-ministers",
    "2022-05-23-summit", "2022-06-27-summit", "2022-07-economic-2plus2", "2022-09-14-defense-ministers",
    "2022-11-13-summit", "2023-01-11-scc", "2023-01-12-defense-ministers", "2023-01-13-summit",
    "2023-04-vice-ministerial", "2023-05-18-summit", "2023-economic-2plus2",
}
DEFENSE_MINISTERS = {"2022-05-04-defense-ministers", "2022-09-14-defense-ministers", "2023-01-12-defense-ministers"}
AUSTIN = DEFENSE_MINISTERS | {SCC_2023}
KISHIDA = {"2022-05-23-summit", "2022-06-27-summit", "2022-11-13-summit", "2023-01-13-summit", "2023-05-18-summit"}
SCC_MEETINGS = {"1976-07-08-scc", "2012-04-27-scc", SCC_2023, "2023-01-13-summit", "2023-05-18-summit"}
ECONOMIC_2PLUS2 = {"2022-07-economic-2plus2", "2023-economic-2plus2"}
# The SCC became the "2+2" on 26 December 1990: its 1976 meeting is not found by the name (note 1)
TWO_PLUS_TWO = (SCC_MEETINGS - {"1976-07-08-scc"}) | ECONOMIC_2PLUS2 | {
    "2022-06-27-summit", "2022-11-13-summit", "2023-01-12-defense-ministers"}
SENKAKU = {"2022-05-04-defense-ministers", "2022-05-23-summit", SCC_2023}
TAIWAN = {"2022-05-04-defense-ministers", "2022-05-23-summit", "2022-09-14-defense-ministers", SCC_2023,
          "2023-01-13-summit", "2023-05-18-summit"}
CROSS_STRAIT = TAIWAN - {"2022-05-04-defense-ministers"}
EXTENDED_DETERRENCE = {"2022-05-04-defense-ministers", "2022-05-23-summit", "2022-09-14-defense-ministers",
                       SCC_2023, "2023-01-12-defense-ministers", "2023-05-18-summit"}
NORTH_KOREA = {"2022-05-04-defense-ministers", "2022-05-23-summit", "2022-09-14-defense-ministers",
               "2022-11-13-summit", SCC_2023, "2023-01-13-summit", "2023-05-18-summit"}
MAGESHIMA = {"2022-05-04-defense-ministers", "2022-09-14-defense-ministers", SCC_2023}
INTELLIGENCE_PROVISIONS = {"IV.A.p2", "IV.A.p2.1", "V.A.p2", "V.A.p2.6"}
MQ9 = {"2022-09-14-defense-ministers", "2023-01-12-defense-ministers"}

QUERIES = [
    # 1 Japanese character: every occurrence, inside words and at their ends
    ("核", NORTH_KOREA | {"2023-01-12-defense-ministers"}),
    ("島", NORTH_KOREA),
    ("湾", TAIWAN),
    # 2 characters
    ("尖閣", SENKAKU),
    ("台湾", TAIWAN),
    ("日米", ALL_MEETINGS),
    # 3 characters
    ("北朝鮮", NORTH_KOREA),
    ("馬毛島", MAGESHIMA),
    ("辺野古", MAGESHIMA),
    # 4 and more
    ("拡大抑止", EXTENDED_DETERRENCE),
    ("反撃能力", {"2022-09-14-defense-ministers", SCC_2023, "2023-01-12-defense-ministers", "2023-01-13-summit"}),
    ("両岸問題", CROSS_STRAIT),
    ("日米安全保障協議委員会", SCC_MEETINGS),
    ("第12海兵沿岸連隊", {SCC_2023}),
    # variant and misread characters find the corrected record
    ("兩岸", CROSS_STRAIT),
    ("國務", {SCC_2023}),
    ("米国务長官", {SCC_2023}),
    ("プリンケン", {SCC_2023}),
    ("プライスキップ", {"2022-06-27-summit"}),
    ("I2+2J", {"2012-04-27-scc", SCC_2023}),
    # full-width and half-width input
    ("２＋２", TWO_PLUS_TWO),
    ("ＭＱ－９", MQ9),
    ("ＳＣＣ", SCC_MEETINGS),
    ("ｵｰｽﾃｨﾝ", AUSTIN),
    ("ＩＳＲ", {"2022-09-14-defense-ministers", SCC_2023, "2023-01-12-defense-ministers"}),
    # English
    ("extended deterrence", EXTENDED_DETERRENCE),
    ("cross-Strait", CROSS_STRAIT),
    ("hypersonic", DEFENSE_MINISTERS),
    ("Elmau", {"2022-06-27-summit"}),
    ("summit", KISHIDA | ECONOMIC_2PLUS2),
    # people, in both languages
    ("オースティン", AUSTIN),
    ("Austin", AUSTIN),
    ("ロイド・オースティン", AUSTIN),
    ("ブリンケン", {SCC_2023}),
    ("Blinken", {SCC_2023}),
    ("岸田", KISHIDA),
    ("Kishida", KISHIDA),
    ("浜田", {"2022-09-14-defense-ministers", SCC_2023, "2023-01-12-defense-ministers"}),
    ("Kahl", {"2023-04-vice-ministerial"}),
    ("カール", {"2023-04-vice-ministerial"}),
    # abbreviations, codes and aliases
    ("SCC", SCC_MEETINGS),
    ("2+2", TWO_PLUS_TWO),
    ("「2+2」", TWO_PLUS_TWO),
    ("経済版「2+2」", ECONOMIC_2PLUS2 | {"2022-06-27-summit", "2022-11-13-summit", "2023-01-13-summit", "2023-05-18-summit"}),
    ("MQ-9", MQ9),
    ("BIAC", {"2023-01-12-defense-ministers"}),
    ("FDO", {SCC_2023}),
    ("IPEF", {"2022-11-13-summit", "2023-01-13-summit", "2023-05-18-summit"}),
    ("防衛相会談", DEFENSE_MINISTERS),
    # phrases, AND, exclusion, OR
    ('"extended deterrence"', EXTENDED_DETERRENCE),
    ('"Pacific Dragon"', {"2022-09-14-defense-ministers"}),
    ('"日米同盟の抑止力"', {"2022-05-04-defense-ministers", "2022-05-23-summit", "2022-09-14-defense-ministers",
                        "2022-11-13-summit", "2023-01-13-summit", "2023-05-18-summit"}),
    ("尖閣 台湾", SENKAKU),
    ("宇宙 サイバー", {SCC_2023}),
    ("尖閣 -台湾", set()),
    ("北朝鮮 -拉致", {"2022-05-04-defense-ministers", "2022-09-14-defense-ministers"}),
    ("馬毛島 OR プノンペン", MAGESHIMA | {"2022-11-13-summit"}),
    ("尖閣 OR 馬毛島 -ロシア", set()),
    # nothing
    ("存在しない語", set()),
    ("zzz", set()),
]


def test_the_table_has_at_least_forty_queries():
    assert len(QUERIES) >= 40


@pytest.mark.parametrize("query, expected", QUERIES, ids=[q for q, _ in QUERIES])
def test_a_query_finds_exactly_these_meetings(query, expected):
    result = search(query=query)
    assert {meeting.slug for meeting in result[:100]} == expected
    assert result.count() == len(expected)


def matches_by_brute_force(query, kind):
    """What a full scan of every field would find, term by term: the oracle the index must equal."""
    parsed = parse(query)
    searchable = REGISTRY[kind]
    documents = searchable.documents(set(searchable.model._default_manager.values_list("pk", flat=True)))

    def has(fields, term):
        single = Query(raw=term.text, groups=[[term]])
        return any(spans(field, single) for field in fields if field)

    return {
        pk for pk, document in documents.items()
        if all(any(has(document.texts, term) for term in group) for group in parsed.groups)
        and not any(has(document.texts, term) for term in parsed.excluded)
    }


@pytest.mark.parametrize("kind", ["meeting", "outcome", "provision", "body", "person"])
@pytest.mark.parametrize("query", ["核", "国", "の", "米", "日米", "ISR", "宇宙", "作戦", "自衛隊", "協力", "the", '"the alliance"',
                                   "U.S.", "2+2", "Article", "第5条", "同盟 -中国", "サイバー OR 宇宙", "両岸問題の平和的解決",
                                   "ロイド・オースティン", "MQ-9の一時展開", '"the U.S. side"', "日米「2+2」", "第12海兵沿岸連隊",
                                   '"Japan and the United States"', "日米同盟の抑止力・対処力", "自衛隊の作戦を支援し",
                                   "deter*", "Sen*", '"the U.S. s*"', "尖閣 NOT 台湾", "北朝鮮・拉致",
                                   "capabil*", "missiles", "Senkakus", "MQ9", "はまだ"])
def test_the_index_finds_what_a_full_scan_finds(query, kind):
    result = search(query=query, kind=kind)
    found = {record.pk for record in result[:100]}
    assert result.count() == len(found) or result.count() > 100
    if result.count() <= 100:
        assert found == matches_by_brute_force(query, kind)


def test_a_prefix_meets_the_words_as_written_not_only_their_stems():
    # capabilities is indexed under capabl: capabil* still finds it
    found = {o.pk for o in search(query="capabil*", kind="outcome")[:100]}
    assert found and found == {o.pk for o in search(query="capabilities OR capability", kind="outcome")[:100]}


def test_provisions_bodies_and_people_are_searchable_too():
    # ISR in the text, and the provisions tagged with the ISR topic
    assert {p.path for p in search(query="ISR", kind="provision")[:100]} == {"IV.C.2.p2", "VI.A.p3"} | INTELLIGENCE_PROVISIONS
    # 情報収集 in the text, and in the name of the ISR topic, which VI.A.p3 is tagged with
    assert {p.path for p in search(query="情報収集", kind="provision")[:100]} == INTELLIGENCE_PROVISIONS | {"VI.A.p3"}
    assert [b.abbreviation for b in search(query="地位協定", kind="body")[:20]] == ["JC"]
    assert [b.abbreviation for b in search(query="2+2", kind="body")[:20]] == ["SCC"]
    assert [p.slug for p in search(query="オースティン", kind="person")[:20]] == ["lloyd-j-austin-iii"]
    assert [p.slug for p in search(query="Secretary of State", kind="person")[:20]] == ["antony-j-blinken"]


def slugs(**arguments):
    return {m.slug for m in search(**arguments)[:100]}


def test_filters_narrow_a_search():
    assert slugs(query="台湾", filters={"kind": "summit"}) == TAIWAN & KISHIDA
    assert slugs(query="尖閣", filters={"date_after": "2022-01-01", "date_before": "2022-12-31"}) == SENKAKU - {SCC_2023}
    assert slugs(query="核", filters={"body": "SCC"}) == {SCC_2023}
    assert slugs(query="日米", filters={"person": "antony-j-blinken"}) == {SCC_2023}
    assert slugs(query="北朝鮮", filters={"topic": "abductions"}) == slugs(query="拉致")
    assert slugs(query="", filters={"place": "hiroshima"}) == {"2023-05-18-summit"}
    assert slugs(query="", filters={"voice": "us", "kind": "defense-ministers"}) == DEFENSE_MINISTERS


def test_filters_alone_list_every_record_that_has_them():
    assert slugs(filters={"topic": "senkaku-islands"}) == SENKAKU
    assert slugs(filters={"date_before": "1999-12-31"}) == {"1976-07-08-scc", "1996-06-28-vice-ministerial"}
    assert slugs(filters={"kind": "scc"}) == {"1976-07-08-scc", "2012-04-27-scc", SCC_2023}
    outcomes = search(kind="outcome", filters={"topic": "senkaku-islands", "voice": "us"})[:100]
    assert {(o.meeting.slug, o.position) for o in outcomes} == {("2022-05-04-defense-ministers", 5), (SCC_2023, 4), (SCC_2023, 7)}


def test_an_unknown_filter_or_a_bad_date_is_named():
    with pytest.raises(ValueError, match="unknown filter 'colour'"):
        search(query="尖閣", filters={"colour": "red"})
    with pytest.raises(ValueError, match="date_after: '2023-13-01' is not a date"):
        search(query="尖閣", filters={"date_after": "2023-13-01"})


def test_sorting_by_date_both_ways():
    newest = [m.slug for m in search(query="尖閣", sort="newest")[:20]]
    assert newest == [SCC_2023, "2022-05-23-summit", "2022-05-04-defense-ministers"]
    assert [m.slug for m in search(query="尖閣", sort="oldest")[:20]] == newest[::-1]


def test_relevance_ranks_a_meeting_more_about_a_term_above_a_newer_one():
    # 2022-09-14 speaks of the MQ-9 three times in one item; 2023-01-12 once.
    assert [m.slug for m in search(query="MQ-9")[:20]] == ["2022-09-14-defense-ministers", "2023-01-12-defense-ministers"]
    assert [m.slug for m in search(query="MQ-9", sort="newest")[:20]] == ["2023-01-12-defense-ministers", "2022-09-14-defense-ministers"]
    # 2023-01-12 is the meeting whose items speak most of counterstrike capabilities.
    assert search(query="反撃能力")[0].slug == "2023-01-12-defense-ministers"


def test_pages_split_the_results_without_gaps_or_repeats():
    paginator = Paginator(search(query="日米", sort="relevance"), 5)
    pages = [paginator.page(n) for n in (1, 2, 3)]
    slugs = [m.slug for page in pages for m in page.object_list]
    assert len(slugs) == len(ALL_MEETINGS) and set(slugs) == ALL_MEETINGS
    assert paginator.count == len(ALL_MEETINGS) and paginator.num_pages == 3 and not pages[2].has_next()
    assert search(query="日米")[40:45] == []


def test_an_empty_query_lists_by_date_and_an_unsearchable_one_says_why():
    everything = search(query="")
    assert everything.count() == len(ALL_MEETINGS) and everything[0].slug == "2023-05-18-summit"
    nothing = search(query="!!! ???")
    with translation.override("en"):
        assert nothing.count() == 0 and "Ignored" in str(nothing.messages[0])


@pytest.mark.parametrize("query", ['"unbalanced quote', "「閉じない", "-", "--尖閣", "OR", "尖閣 OR", "OR OR 台湾",
                                   "a" * 2000, "尖閣\x00\x07台湾", "\u200b", "((( )))", "*", "尖閣*", ":*", "'\\'",
                                   "NEAR(a b)", "AND", "NOT 尖閣", '"', "「」", "🇯🇵", "&|!<->"])
def test_malformed_queries_give_results_or_a_message_never_an_error(query):
    result = search(query=query)
    if parse(query).is_empty:
        assert result.count() == 0 and result[:20] == []
        assert result.messages, "a query with nothing to search for must say so"
    else:
        assert result.count() == len(result[:20]) or result.count() > 20


def test_a_long_query_is_cut_and_says_so():
    result = search(query="尖閣 " * 400)
    assert {m.slug for m in result[:20]} == SENKAKU
    with translation.override("en"):
        assert any("first" in str(note) for note in result.messages)


def test_highlights_mark_the_matched_span_and_escape_the_rest():
    text = "<b>尖閣諸島</b>は日米安全保障条約第5条の適用対象"
    html = highlight(text, parse("尖閣 第5条"))
    assert html == "&lt;b&gt;<mark>尖閣</mark>諸島&lt;/b&gt;は日米安全保障条約<mark>第5条</mark>の適用対象"
    assert highlight("核を含めた拡大抑止", parse("核")) == "<mark>核</mark>を含めた拡大抑止"
    assert highlight("MQ-9の一時展開", parse("ＭＱ－９")) == "<mark>MQ-9</mark>の一時展開"
    assert highlight("兩岸問題", parse("両岸")) == "<mark>兩岸</mark>問題"
    assert highlight("台湾海峡", parse("北朝鮮")) == ""


def test_searching_costs_the_same_queries_however_many_results(django_assert_num_queries):
    # A page: the most recent matches with their rank (or, sorted by date, the page's ids), then the records.
    with django_assert_num_queries(2):
        search(query="日米")[:100]
    with django_assert_num_queries(2):
        search(query="Kahl")[:20]
    with django_assert_num_queries(2):
        search(query="日米", sort="newest")[:20]
    with django_assert_num_queries(2):
        search(query="日米", filters={"kind": "summit", "date_after": "2023-01-01"}, sort="oldest")[:20]
    with django_assert_num_queries(2):
        search(filters={"topic": "china"})[:20]
    # The count: the data version (its cache key), the count in a sample of the records and, as
    # that finds few, the count of every match; asked once…
    results = search(query="日米")
    with django_assert_num_queries(3):
        assert results.count() == results.count() == len(results) == len(ALL_MEETINGS)
    # …then, until the data changes, read back from the cache by the next search of it: the version alone.
    with django_assert_num_queries(1):
        assert search(query="日米").count() == len(ALL_MEETINGS)
    Meeting.objects.get(slug="2023-01-11-scc").save()  # a write moves the data version: counted again
    with django_assert_num_queries(3):
        assert search(query="日米").count() == len(ALL_MEETINGS)


def test_nothing_to_search_for_costs_no_query(django_assert_num_queries):
    results = search(query="!!! ???")
    with django_assert_num_queries(0):
        assert results.count() == 0 and results[:20] == [] and results.facets().total == 0


def test_facets_count_the_matches_that_carry_each_value(django_assert_num_queries):
    results = search(query="尖閣")
    # the data version (for the cache), the count in a sample, then every match (few), the facets
    with django_assert_num_queries(4):
        facets = results.facets()
    assert facets.total == 3 and facets.years == {2022: 2, 2023: 1}
    assert facets.counts["kind"] == {"defense-ministers": 1, "summit": 1, "scc": 1}
    assert facets.counts["person"]["lloyd-j-austin-iii"] == 2 and facets.counts["person"]["kishida-fumio"] == 1
    assert facets.counts["topic"]["senkaku-islands"] == 3
    assert facets.per_year["kind"][2022] == {"defense-ministers": 1, "summit": 1}
    assert not facets.estimated
    with django_assert_num_queries(0):
        assert results.count() == 3  # counted once


def test_facets_are_counted_once_per_change_of_the_data(django_assert_num_queries):
    first = search(query="台湾").facets()
    with django_assert_num_queries(1):  # the data version: the rest comes from the cache
        again = search(query="台湾")
        assert again.facets() == first and again.count() == 6
    meeting = Meeting.objects.get(slug="2022-05-04-defense-ministers")
    meeting.outcomes.filter(text_ja__contains="台湾").delete()  # any curated write moves the data version
    assert search(query="台湾").facets().total == 5


def test_the_facets_of_very_many_matches_are_estimated_from_a_fixed_sample(monkeypatch):
    from alliance.search import service

    monkeypatch.setattr(service, "EXACT_FACETS", 5)
    monkeypatch.setattr(service, "FACET_SAMPLE", 5)
    facets = search(query="日米").facets()
    assert facets.total == len(ALL_MEETINGS) and facets.estimated and 0 < facets.sampled < len(ALL_MEETINGS)
    assert abs(sum(facets.counts["kind"].values()) - 14) <= len(facets.counts["kind"])  # scaled up, rounded
    assert facets.values("kind") == search(query="日米").facets().values("kind")  # the same sample every time
    exact = search(query="尖閣").facets()
    assert not exact.estimated and exact.sampled == exact.total == 3


def matches_in_groups(results, groups):
    """How many of a search's matches fall in the first `groups` sample groups, counted in Python."""
    from alliance.search.backends import sample_group

    return sum(1 for meeting in Meeting.objects.filter(pk__in=results.ids()) if sample_group(meeting.pk) < groups)


def test_a_count_past_exact_count_is_the_matches_of_a_sample_scaled_up(monkeypatch):
    from alliance.search import service

    monkeypatch.setattr(service, "EXACT_COUNT", 5)
    monkeypatch.setattr(service, "COUNT_SAMPLE", 128)  # half of the records: the estimate is twice their matches
    results = search(query="日米")
    assert results.count() == 2 * matches_in_groups(results, 128) and results.count_estimated
    assert results.facets().total == results.count() and results.facets().total_estimated
    assert len(results[0:20]) == len(ALL_MEETINGS)  # the matches themselves are all there, whatever the estimate
    few = search(query="尖閣")  # estimated at no more than EXACT_COUNT: then counted exactly
    assert few.count() == len(SENKAKU) and not few.count_estimated and not few.facets().total_estimated


@pytest.mark.parametrize("query", ["蜃", "蜃気", "蜃気楼", "ｍｉｒａｇｅ", "ＭＩＲＡＧＥ"])
def test_in_a_large_kind_a_frequent_term_is_counted_in_the_first_sample_group_alone(query, monkeypatch):
    """At a million meetings a term in half of them is counted in 1/256 of the records, not 1/32:
    the smallest sample that holds enough matches for the estimate."""
    from django.core.cache import cache
    from django.test.utils import CaptureQueriesContext

    from alliance.search import service
    from alliance.search.backends import sample_group
    from tests.factories import make_meeting, make_source

    monkeypatch.setattr(service, "EXACT_COUNT", 64)  # then an estimate rests on at least 64 * 8 / 256 + 1 = 3 matches
    source = make_source()
    first_group = [pk for pk in range(100_000, 200_000) if sample_group(pk) == 0][:3]
    other_groups = [pk for pk in range(100_000, 200_000) if 1 <= sample_group(pk) < 8][:2]
    past_the_sample = [pk for pk in range(100_000, 200_000) if sample_group(pk) >= 8][:5]
    for day, pk in enumerate(first_group + other_groups + past_the_sample, start=1):
        make_meeting(source, pk=pk, slug=f"2024-01-{day:02}-summit", date=datetime.date(2024, 1, day),
                     title_ja="蜃気楼をめぐる日米首脳会談", title_en="Japan–U.S. Summit on the Mirage")

    def counted(size, filters=None):
        cache.clear()
        if size:  # as a count in a kind of that size, dated 1960–2026, would have left it
            cache.set(service.size_key("meeting"), (size, range(1960, 2027)))
        results = search(query=query, filters=filters)
        with CaptureQueriesContext(connection) as captured:
            count = results.count()
        return count, results.count_estimated, sum("count(" in q["sql"].lower() for q in captured)

    # a kind of a million: the first group holds 3 of the matches, enough; one count
    assert counted(1_000_000) == (3 * 256, True, 1)
    # a small kind: 8 groups (1/32) hold 5 of them, scaled up; one count
    assert counted(None) == (5 * 32, True, 1)
    # a kind of 200,000 records: the first group, but not within dates that hold too few of them
    # to fill it (one year of 67: ~3,000 records, and 4 × 256 × 3 are needed); then 8 groups at once
    assert counted(200_000) == (3 * 256, True, 1)
    assert counted(200_000, {"date_after": "2024-01-01", "date_before": "2024-12-31"}) == (5 * 32, True, 1)
    assert counted(200_000, {"date_after": "2000-01-01"}) == (3 * 256, True, 1)  # 27 years of 67
    # a large kind where the first group holds too few: then 8 groups, two counts
    monkeypatch.setattr(service, "EXACT_COUNT", 96)  # 4 matches needed
    assert counted(1_000_000) == (5 * 32, True, 2)
    # fewer than that even in 8 groups: every match counted, exactly
    monkeypatch.setattr(service, "EXACT_COUNT", 256)  # 9 needed
    assert counted(1_000_000) == (10, False, 3)
    assert counted(None) == (10, False, 2)


def test_a_list_without_words_or_facets_is_always_counted_exactly(monkeypatch, django_assert_num_queries):
    from alliance.search import service

    monkeypatch.setattr(service, "EXACT_COUNT", 5)
    for results in (search(), search(filters={"date_after": "2022-01-01"})):
        with django_assert_num_queries(2):  # the data version, the count: no sample first
            assert results.count() > 5 and not results.count_estimated


def test_the_list_by_date_alone_counts_every_record_added_published_or_removed(monkeypatch):
    from django.core.cache import cache
    from django.db import connection

    from alliance.models import Source
    from alliance.search import backends
    from alliance.search.index import rebuild
    from alliance.search.models import EntryTally
    from tests.factories import make_meeting

    monkeypatch.setattr(backends, "TALLY_ROWS", 2)  # PostgreSQL's tally is folded at nearly every count

    def counts():  # the public list's, a curator's
        return search().count(), search(drafts=True).count()

    public = len(ALL_MEETINGS)
    assert counts() == (public, public)
    source = Source.objects.get(slug="doj2023-s1-3")
    added = [make_meeting(source, slug=f"2024-01-0{day}-summit", date=datetime.date(2024, 1, day)) for day in (1, 2, 3)]
    draft = make_meeting(source, slug="2024-02-01-summit", date=datetime.date(2024, 2, 1), state=Meeting.State.DRAFT)
    assert counts() == (public + 3, public + 4)
    draft.state = Meeting.State.PUBLISHED
    draft.save()
    assert counts() == (public + 4, public + 4)
    added[0].delete()
    Meeting.objects.filter(slug__in=["2024-01-02-summit", "2024-02-01-summit"]).delete()
    assert counts() == (public + 1, public + 1)
    rebuild(["meeting"])  # moves no data version: the counts are read again only once forgotten
    cache.clear()
    assert counts() == (public + 1, public + 1)
    assert search(filters={"date_after": "2024-01-01"}).count() == 1  # a window is counted from the entries
    if connection.vendor == "postgresql":
        assert list(EntryTally.objects.filter(kind="meeting").values_list("public", "n")) == [(True, public + 1)]  # folded


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's tally")
def test_a_count_while_another_folds_the_tally_leaves_it_and_is_still_exact(monkeypatch):
    import psycopg

    from alliance.models import Source
    from alliance.search import backends
    from alliance.search.models import EntryTally
    from tests.factories import make_meeting

    monkeypatch.setattr(backends, "TALLY_ROWS", 0)
    source = Source.objects.get(slug="doj2023-s1-3")
    make_meeting(source, slug="2024-01-01-summit")
    make_meeting(source, slug="2024-01-02-summit", date=datetime.date(2024, 1, 2))
    rows = EntryTally.objects.filter(kind="meeting").count()
    settings = connection.settings_dict
    with psycopg.connect(host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432, user=settings["USER"],
                         dbname=settings["NAME"], autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [backends.TALLY_LOCK])  # another request, folding
        assert search().count() == len(ALL_MEETINGS) + 2
        assert EntryTally.objects.filter(kind="meeting").count() == rows  # left to the other
    Meeting.objects.filter(slug="2024-01-02-summit").delete()  # the lock released, the next count folds
    assert search().count() == len(ALL_MEETINGS) + 1
    assert EntryTally.objects.filter(kind="meeting").count() == 1


@pytest.mark.parametrize("query, filters", [("", {}), ("核", {}), ("日米", {"kind": "summit"}), ("台湾", {"person": "kishida-fumio"}),
                                            ("", {"topic": "china", "date_after": "2022-06-01"})])
def test_every_facet_count_is_what_that_filter_then_finds(query, filters):
    facets = search(query=query, filters=filters).facets()
    assert facets.total == search(query=query, filters=filters).count()
    for name, values in facets.counts.items():
        if name in filters:  # a dimension already chosen: every match carries the chosen value
            assert values[filters[name]] == facets.total
            continue
        for value, count in values.items():
            assert search(query=query, filters={**filters, name: value}).count() == count, (name, value)
    for year, count in facets.years.items():
        bounds = {"date_after": f"{year}-01-01", "date_before": f"{year}-12-31"}
        narrowed = {**filters, **bounds} if not {"date_after", "date_before"} & set(filters) else None
        if narrowed:
            assert search(query=query, filters=narrowed).count() == count, year


def test_a_second_reading_of_the_same_results_reuses_no_stale_slice():
    results = search(query="日米", sort="newest")
    first, second = results[0:5], results[5:10]
    assert not {m.pk for m in first} & {m.pk for m in second}
    assert [m.slug for m in results.order_by("oldest")[0:1]] == ["1976-07-08-scc"]


def test_people_are_found_by_a_scan_misread_alias():
    assert search(query="プリンケン", kind="person")[:20] == [Person.objects.get(slug="antony-j-blinken")]


def test_a_meeting_result_shows_its_matching_outcome_items_highlighted():
    from alliance.search.highlight import matching_outcomes

    meeting = search(query="尖閣 第5条")[0]
    snippets = matching_outcomes(meeting.outcomes.all(), parse("尖閣 第5条"))
    assert snippets and all("<mark>" in s.text_ja for s in snippets)
    first = snippets[0]
    assert "<mark>尖閣</mark>諸島" in first.text_ja
    assert "<mark>" not in first.text_en  # a Japanese query marks nothing in the English

    english = matching_outcomes(Meeting.objects.get(slug="2022-09-14-defense-ministers").outcomes.all(), parse("MQ-9"))
    assert [s.outcome.position for s in english] == [8]
    assert english[0].text_ja.count("<mark>MQ-9</mark>") == 3
    assert "<mark>MQ-9</mark>" in english[0].text_en


def test_a_misread_form_shows_the_item_with_the_printed_form_marked():
    from alliance.search.highlight import matching_outcomes

    meeting = Meeting.objects.get(slug="2022-06-27-summit")
    [snippet] = matching_outcomes(meeting.outcomes.all(), parse("プライスキップ"))
    assert "<mark>プライスキップ</mark>" in snippet.printed
    assert "プライスキャップ" in snippet.text_ja and "<mark>" not in snippet.text_ja


@pytest.mark.parametrize("object_id", [1, 2, 3, 1000, 99_999, 123_456_789, 2**31 + 5, 3_000_000_000])
def test_the_sample_group_is_the_same_in_the_database_and_in_python(object_id):
    from django.db import connection

    from alliance.search.backends import SAMPLE_GROUP_SQL, sample_group

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {SAMPLE_GROUP_SQL} FROM (SELECT CAST(%s AS BIGINT) AS object_id) t", [object_id])
        assert cursor.fetchone()[0] == sample_group(object_id)


def test_the_sample_groups_spread_evenly_and_the_index_selects_them():
    import dataclasses

    from alliance.search.backends import SAMPLE_GROUPS, sample_group

    groups = [sample_group(object_id) for object_id in range(1, 25601)]
    assert min(groups.count(g) for g in range(SAMPLE_GROUPS)) > 50  # about 100 each
    half = search(query="日米")
    half.match = dataclasses.replace(half.match, sample=SAMPLE_GROUPS // 2)
    expected = {m.pk for m in search(query="日米")[:100] if sample_group(m.pk) < SAMPLE_GROUPS // 2}
    assert {m.pk for m in half[:100]} == expected and 0 < len(expected) < 14
    assert search(query="sample").count() == 0  # the sample term is no word anyone can search for


@pytest.mark.parametrize("query, same_as", [
    ("尖閣・台湾", "尖閣 台湾"),  # ・ between Japanese words separates them, as a space does
    ("尖閣、台湾", "尖閣 台湾"),
    ("尖閣 AND 台湾", "尖閣 台湾"),  # AND in capitals is what a space means
    ("北朝鮮 NOT 拉致", "北朝鮮 -拉致"),  # NOT in capitals excludes the next term
    ("馬毛島 OR プノンペン", "馬毛島 OR プノンペン"),
])
def test_the_operators_in_capitals_and_japanese_separators(query, same_as):
    assert {m.slug for m in search(query=query)[:100]} == {m.slug for m in search(query=same_as)[:100]} != set()


def test_lowercase_and_or_not_are_words():
    assert [[term.text for term in group] for group in parse("尖閣 or 台湾").groups] == [["尖閣"], ["or"], ["台湾"]]
    assert parse("not").groups and not parse("not").excluded


@pytest.mark.parametrize("query, including", [
    ("Sen*", SENKAKU),  # Senkaku, and any other word that starts with sen
    ("Senkak*", SENKAKU),
    ("deter*", EXTENDED_DETERRENCE),
    ('"extended deter*"', EXTENDED_DETERRENCE),  # a phrase whose last word is a prefix
    ("MQ*", MQ9),
])
def test_a_trailing_star_finds_every_word_that_starts_so(query, including):
    found = {m.pk for m in search(query=query)[:100]}
    assert found == matches_by_brute_force(query, "meeting")
    assert {Meeting.objects.get(slug=slug).pk for slug in including} <= found
    assert found > {m.pk for m in search(query=query.replace("*", ""))[:100]} or query == "Senkak*"


def test_a_star_after_one_letter_or_a_japanese_word_is_said_or_needs_nothing():
    with translation.override("en"):
        assert "at least 2 letters" in str(search(query="a*").messages[0])
    assert {m.slug for m in search(query="尖閣*")[:100]} == SENKAKU and not search(query="尖閣*").messages


def test_a_quote_left_open_is_closed_at_the_end_and_said():
    results = search(query="台湾 「両岸問題")
    assert {m.slug for m in results[:100]} == CROSS_STRAIT
    with translation.override("en"):
        assert "was not closed" in str(results.messages[0])
