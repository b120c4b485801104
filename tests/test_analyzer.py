"""The analyzer and the query language: what text becomes, for documents and queries alike."""


import pytest
from django.utils import translation
from hypothesis import example, given, settings
from hypothesis import strategies as st

from alliance.search.analyzer import QueryToken, document_terms, key_hash, normalize, query_tokens, tokenize, whole_keys
from alliance.search.fields import Tsvector, document_tsvector, fts_stream, fts_token, tsvector_entries, tsvector_literal
from alliance.search.index import REGISTRY
from alliance.search.query import MAX_TERMS, parse


def terms(text):
    return [token.term for token in tokenize(text)]


@pytest.mark.parametrize("text, expected", [
    ("２＋２", "2+2"),
    ("ＭＱ－９", "mq-9"),
    ("ｶﾞｲﾄﾞﾗｲﾝ", "ガイドライン"),
    ("か\u3099", "ガ"),  # combined, then folded to katakana
    ("Security Consultative Committee", "security consultative committee"),
    ("米國務長官", "米国務長官"),
    ("兩岸問題", "両岸問題"),
    ("米国务長官", "米国務長官"),
    ("日米安全保障協 議委員会", "日米安全保障協議委員会"),
    ("参加者は 一定していない", "参加者ハ一定シテイナイ"),  # hiragana folded to katakana
    ("はまだ", "ハマダ"),
    ("峽 繩 總 處 體 繼 歸 强 靱", "峡縄総処体継帰強靭"),  # old and variant kanji, from the generated table
    ("Japan and 日本", "japan and 日本"),
    ("2020年〜2023年", "2020年〜2023年"),
])
def test_normalization_folds_width_case_variants_and_scan_spaces(text, expected):
    assert normalize(text)[0] == expected


def test_offsets_point_back_into_the_source_text():
    text = "日米安全保障協 議委員会 (ＳＣＣ)"
    tokens = tokenize(text)
    assert [text[t.start:t.end] for t in tokens][-1] == "ＳＣＣ"
    assert [text[t.start:t.end] for t in tokens][6] == "協"
    assert [text[t.start:t.end] for t in tokens][7] == "議"


def test_japanese_runs_give_one_term_per_character():
    assert terms("尖閣諸島") == ["尖閣", "閣諸", "諸島", "島"]
    assert terms("核") == ["核"]
    assert terms("ロイド・オースティン")[:3] == ["ロイ", "イド", "ド"]  # the middle dot separates


def test_codes_stay_whole_and_hyphenated_words_split():
    assert terms("2+2 MQ-9 F-35 III-2-1-3") == ["2+2", "mq9", "f35", "iii2-1-3"]
    assert terms("MQ9 F35") == terms("MQ-9 F-35")  # a code is found with or without its hyphen
    assert terms("cross-Strait Japan–U.S.") == ["cross", "strait", "japan", "u", "s"]


@pytest.mark.parametrize("forms", [
    ("missile", "missiles", "Missiles"),
    ("capability", "capabilities"),
    ("logistic", "logistics"),
    ("Senkaku", "Senkakus"),  # a name's plural, which Snowball leaves alone
    ("deter", "deterred", "deterring"),
    ("cooperate", "cooperation", "cooperating"),
    ("secretary", "secretaries"),
])
def test_english_words_are_found_in_any_of_their_forms(forms):
    assert len({tuple(terms(form)) for form in forms}) == 1


def test_codes_numbers_and_japanese_are_not_stemmed():
    assert terms("2+2 MQ-9 2022 ISR") == ["2+2", "mq9", "2022", "isr"]
    assert tokenize("missiles")[0].word == "missiles" and tokenize("missile")[0].word == "missile"
    assert tokenize("support")[0].word == ""  # its own stem: nothing to keep beside it


def test_query_terms_are_phrases_of_bigrams_or_a_one_character_prefix():
    assert query_tokens("核") == [QueryToken("核", prefix=True)]
    assert query_tokens("尖閣") == [QueryToken("尖閣", prefix=False)]
    assert [t.term for t in query_tokens("拡大抑止")] == ["拡大", "大抑", "抑止"]
    assert query_tokens("第5条") == [QueryToken("第", False), QueryToken("5", False), QueryToken("条", True)]


def test_fields_are_set_apart_so_no_phrase_crosses_them():
    assert document_terms(["台湾", "海峡"]) == [("台湾", 1, "text"), ("湾", 2, "text"), ("海峡", 4, "text"), ("峡", 5, "text")]
    assert fts_stream(document_terms(["台湾", "海峡"])).split().count("x") == 1


def test_a_document_keeps_its_tiers_and_exact_forms():
    terms_ = document_terms(["missiles"], head=["Secretary of Defense"], about=["防衛大臣"])
    assert ("secretari", 1, "head") in terms_ and ("防衛", 5, "about") in terms_
    assert ("missil", 10, "text") in terms_ and ("=missiles", 10, "text") in terms_
    head, about, text = fts_stream(terms_).split("|")
    assert head.split()[:3] == [fts_token(t) for t in ("secretari", "of", "defens")]
    assert text.split() == [fts_token("missil"), "x", fts_token("=missiles")]  # in no phrase
    literal = tsvector_literal(terms_)
    assert "'defens':3A" in literal and "'防衛大臣':5B" in literal and "'missil':10D" in literal


def test_postgresql_holds_one_lexeme_per_japanese_character_and_word_pairs():
    # At each character, the run of up to four characters that starts there, instead of the
    # bigram: a query of up to four characters is that lexeme or its prefix.
    literal = tsvector_literal(document_terms(["拡大抑止力 extended deterrence"], facets=["kind:summit"]))
    assert literal.split()[:5] == ["'拡大抑止':1D", "'大抑止力':2D", "'抑止力':3D", "'止力':4D", "'力':5D"]
    assert "'拡大'" not in literal and "'核'" not in literal
    assert "'extend deterr':6D" in literal
    assert "'kind:summit'" in literal.split()  # a facet term: no position, no weight


def test_postgresql_keeps_terms_past_the_caps_without_a_position():
    literal = tsvector_literal(document_terms(["日米" * 300]))
    # Past 256 occurrences the bigrams stand in no phrase: a 1- or 2-character prefix query finds them.
    assert "'米日':16383D" in literal.split() and "'日米日米':1D,3D," in literal


def read_tsvector(document):
    """A `Tsvector` as PostgreSQL's binary input takes it, each lexeme with its positions
    (position and weight). That input merges nothing: each lexeme must come once, its positions
    in order, at most 256 of them."""
    lexemes = {}
    for lexeme, places in document.entries():
        assert lexeme not in lexemes, f"{lexeme!r} written twice"
        at = [place & 0x3FFF for place in places]
        assert at == sorted(set(at)) and len(at) <= 256, f"{lexeme!r} at {at}"
        lexemes[lexeme] = [f"{place & 0x3FFF}{'DCBA'[place >> 14]}" for place in places]
    return lexemes


def same_as_term_by_term(fields, facets=(), head=(), about=()):
    fast = document_tsvector(fields, facets, head=head, about=about)
    assert isinstance(fast, Tsvector)
    slow = Tsvector.of(*tsvector_entries(document_terms(fields, facets, head=head, about=about)))
    assert read_tsvector(fast) == read_tsvector(slow)
    return fast


@pytest.mark.django_db
def test_every_curated_document_is_the_same_built_field_by_field():
    documents = [document for kind, searchable in REGISTRY.items()
                 for document in searchable.documents(set(searchable.model._default_manager.values_list("pk", flat=True))).values()]
    assert len(documents) > 200  # meetings, outcome items, provisions, bodies, people
    for document in documents:
        same_as_term_by_term(document.fields, [*document.facet_terms(), "sample:3", "year:2023", "name:42"],
                             document.head, document.about)


def test_field_by_field_falls_back_to_term_by_term_where_a_cap_applies():
    # A bigram past 256 occurrences over several fields, positions past 16,383, a document past the size limit.
    capped = same_as_term_by_term(["日米" * 100] * 3)
    assert "'米日':16383D" in capped.literal().split()
    assert "'米日':16383D" in same_as_term_by_term(["核", "日米" * 300]).literal().split()  # past the cap in one field
    distinct = ["".join(chr(0x4E00 + i) for i in range(n, n + 2000)) for n in range(0, 18000, 2000)]
    assert "16383D" in same_as_term_by_term(distinct).literal()
    assert "16383D" in same_as_term_by_term(["".join(distinct)]).literal()  # past the last position in one field
    long_words = [" ".join(f"w{n + i:06d}{'y' * 43}" for i in range(4000)) for n in (0, 4000)]
    kept = read_tsvector(same_as_term_by_term(long_words))
    assert f"w000000{'y' * 43}" in kept and f"w007999{'y' * 43}" not in kept  # the last words cut to fit in 1 MB


TEXT = st.text(st.sampled_from(list("日米安全保障協議委員会核島ガイドライン 　・、。-+2９ABcd missiles deterrence Ｆ－３５")), max_size=40)


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXT, max_size=6), st.lists(TEXT, max_size=4), st.lists(TEXT, max_size=4),
       st.lists(st.sampled_from(["kind:summit", "topic:核", "person:kishida-fumio", "name:7"]), max_size=4))
@example(["拡大抑止力 extended deterrence", "", "核"], ["日米 2+2"], ["Secretary of Defense"], ["kind:summit"])
def test_a_document_is_the_same_built_field_by_field_or_term_by_term(fields, about, head, facets):
    same_as_term_by_term(fields, facets, head, about)


@pytest.mark.parametrize("raw, groups, excluded", [
    ("尖閣 台湾", [["尖閣"], ["台湾"]], []),
    ('"extended deterrence" -Austin', [["extended deterrence"]], ["Austin"]),
    ("「2+2」 OR SCC", [["2+2", "SCC"]], []),
    ("核 OR 反撃能力 -ロシア", [["核", "反撃能力"]], ["ロシア"]),
    ('"unbalanced', [["unbalanced"]], []),
    ("ＯＲ 核", [["核"]], []),
    ("尖閣\x00台湾", [["尖閣"], ["台湾"]], []),
])
def test_the_query_language(raw, groups, excluded):
    query = parse(raw)
    assert [[term.text for term in group] for group in query.groups] == groups
    assert [term.text for term in query.excluded] == excluded


@pytest.mark.parametrize("raw, note", [
    ("!!! ???", "Ignored"),
    ("-尖閣", "excluded"),
    ("\u200b", "Nothing to search for"),
    ("尖閣 " * 30, f"first {MAX_TERMS} terms"),
    ("-尖閣 " * 30 + "台湾", f"first {MAX_TERMS} excluded terms"),
    ("a" * 2000, "first 500 characters"),
])
def test_what_cannot_be_searched_is_said(raw, note):
    notes = parse(raw).notes
    with translation.override("en"):
        english = [str(message) for message in notes]
    with translation.override("ja"):
        japanese = [str(message) for message in notes]
    assert any(note in text for text in english)
    assert all(ja != en for ja, en in zip(japanese, english))  # read in the language of the page showing them


def test_the_fast_normalization_agrees_with_the_one_character_at_a_time():
    # Texts of characters that stay one character each are normalized at once; others one by
    # one. Both must give the same text and offsets, the scan's spaces removed the same way.
    import random

    from alliance.search.analyzer import SCAN_SPACE, _normalize_by_character, normalize

    alphabet = "あア日米國兩 　\t\n-+2ＭＱ－９a,Z_。「」・ー"
    rng = random.Random(2023)
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16)))
        chars, origins = _normalize_by_character(text)
        kept = [(char, origin) for index, (char, origin) in enumerate(zip(chars, origins))
                if not any(space.start() <= index < space.end() for space in SCAN_SPACE.finditer(chars))]
        assert normalize(text) == ("".join(char for char, _ in kept), [origin for _, origin in kept]), repr(text)


def test_every_pair_of_the_variant_table_folds_and_nothing_folds_twice():
    from alliance.search.variants import NEW, OLD

    assert len(OLD) == len(NEW) > 800
    for old, new in zip(OLD, NEW):
        assert normalize(old)[0] == normalize(new)[0] == new, (old, new)
    assert not set(NEW) & set(OLD)  # a folded character is never folded again


def test_hiragana_and_katakana_are_one():
    assert terms("はまだ") == terms("ハマダ") and terms("ゝ") == terms("ヽ")


def test_excluded_terms_do_not_use_up_the_terms_to_find():
    query = parse(" ".join(f"-w{n}" for n in range(MAX_TERMS)) + " 尖閣 台湾")
    assert [term.text for term in query.terms] == ["尖閣", "台湾"] and len(query.excluded) == MAX_TERMS
    assert query.notes == []
    query = parse(" ".join(f"w{n}" for n in range(MAX_TERMS + 5)) + " -台湾")
    assert len(query.terms) == MAX_TERMS and [term.text for term in query.excluded] == ["台湾"]


def test_names_are_kept_whole_so_that_a_query_can_equal_one():
    assert whole_keys(["日米安全保障協 議委員会（「2+2」）", "Secretary of Defense", "ロイド・オースティン"]) == [
        "日米安全保障協議委員会 2+2", "secretari of defens", "ロイドオースティン"]
    assert whole_keys(["x" * 121]) == []  # a long text is not a name
    assert parse("secretaries  of DEFENSE").whole == key_hash("secretari of defens")
    assert parse("ろいど・おーすてぃん").whole == parse("ロイド オースティン").whole == key_hash("ロイドオースティン")
    assert -2**63 <= key_hash("ロイドオースティン") < 2**63
    assert parse("2+2 OR SCC").whole is None and parse("Sen*").whole is None
