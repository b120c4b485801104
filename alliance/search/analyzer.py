"""The analyzer: the one place that turns text into search terms, for documents and queries alike.

Normalization: NFKC (full/half width: ２＋２ → 2+2, ｶﾞ → ガ), case folding, old and variant
characters folded (國 → 国, 兩 → 両, 务 → 務), hiragana folded to katakana, and spaces the scan
left between two Japanese characters removed.

Terms: a Japanese character gives one term at its position: the bigram it starts with the next
Japanese character, or the character alone when it ends its run (尖閣諸島 → 尖閣 閣諸 諸島 島).
A query of two or more Japanese characters is then the phrase of its bigrams, and a query of one
character is a prefix (核*) that meets every occurrence: each one starts a bigram or ends a run.
Latin letters and digits give words; + joins (2+2), and - joins where a digit is next to it, so
codes are findable as written while cross-Strait is two words. A hyphen between a letter and a digit
is dropped (MQ-9 and MQ9 are both mq9, F-35 is f35).

English words are stemmed with Snowball's English stemmer (missiles → missil, capabilities →
capabl): a word is found in any of its forms. The word as written is kept beside its stem as an
exact-form term ("=missiles"), which ranking reads so that the form searched for comes first.
Codes and words with digits are not stemmed.

A document's fields come in tiers (head: titles and names; about: attendees, posts, places and
the topics it is tagged with; text: everything else), which ranking weighs; each head field also
gives its whole key ("secretari of defens"), so that a query that is exactly a name comes first.
"""

import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple

import Stemmer

from alliance.search import variants

# Folded after NFKC: old and variant kanji to 新字体 (國 → 国, 峽 → 峡, 兩 → 両, the OCR's 务 → 務),
# from the generated table in alliance/search/variants.py, and hiragana to katakana (はまだ →
# ハマダ), so that a word is found in either kana. Every mapping is one character to one.
HIRAGANA = "".join(chr(code) for code in range(0x3041, 0x3097)) + "ゝゞ"
KATAKANA = "".join(chr(code + 0x60) for code in range(0x3041, 0x3097)) + "ヽヾ"
VARIANTS = str.maketrans(variants.OLD + HIRAGANA, variants.NEW + KATAKANA)

# Sound marks written after a character combine with it under NFKC (ｶﾞ → ガ, か + ゙ → が).
COMBINING_MARKS = {"\uff9e", "\uff9f", "\u3099", "\u309a"}
FIELD_GAP = 1  # positions skipped between fields, so that no phrase runs across two fields


def is_japanese(char):
    code = ord(char)
    return (
        0x3041 <= code <= 0x309F  # hiragana
        or 0x30A1 <= code <= 0x30FA  # katakana, without the middle dot ・
        or 0x30FC <= code <= 0x30FF  # ー ヽ ヾ ヿ
        or 0x31F0 <= code <= 0x31FF  # small katakana
        or 0x3400 <= code <= 0x4DBF  # CJK extension A
        or 0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0xF900 <= code <= 0xFAFF  # CJK compatibility ideographs
        or 0x20000 <= code <= 0x2FA1F  # CJK extensions B–F and supplement
        or code in (0x3005, 0x3006, 0x3007)  # 々 〆 〇
    )


# The ranges of is_japanese, as a regular expression class.
JAPANESE_CLASS = ("\u3041-\u309f\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
                  "\uf900-\ufaff\U00020000-\U0002fa1f\u3005-\u3007")
# A space (or several) between two Japanese characters: what a scan leaves inside a word.
SCAN_SPACE = re.compile(f"(?<=[{JAPANESE_CLASS}]) +(?=[{JAPANESE_CLASS}])")
WHITESPACE = str.maketrans("\t\n\r", "   ")


def _one_to_one():
    """A pattern for texts of characters that NFKC and case folding turn into exactly one
    character each, none of them combining with a neighbour: ASCII, Japanese punctuation, kana,
    the unified ideographs and the full-width forms, less the few that expand (ヿ, ゟ, ㌀…)."""
    chars = []
    for low, high in ((0x20, 0x7E), (0x3000, 0x30FF), (0x4E00, 0x9FFF), (0xFF01, 0xFF5E)):
        for code in range(low, high + 1):
            char = chr(code)
            folded = unicodedata.normalize("NFKC", char).casefold()
            if (len(folded) == 1 and not unicodedata.combining(char) and char not in COMBINING_MARKS
                    and not unicodedata.combining(folded) and unicodedata.category(char) != "Mn"):
                chars.append(char)
    return chars


def _class_of(chars):
    """A regular expression class of these characters, as ranges."""
    runs, first, last = [], None, None
    for char in chars:
        if last is not None and ord(char) == ord(last) + 1:
            last = char
            continue
        if first is not None:
            runs.append((first, last))
        first = last = char
    if first is not None:
        runs.append((first, last))
    return "".join(re.escape(a) if a == b else f"{re.escape(a)}-{re.escape(b)}" for a, b in runs)


ONE_TO_ONE = re.compile(f"[\t\n\r{_class_of(_one_to_one())}]*")


def normalize(text):
    """The normalized text and, for each of its characters, the index of the source character."""
    if ONE_TO_ONE.fullmatch(text):
        # Each character becomes one: normalize the whole text at once; each stands at its own index.
        chars = unicodedata.normalize("NFKC", text).casefold().translate(VARIANTS).translate(WHITESPACE)
        origins = range(len(text))
    else:
        chars, origins = _normalize_by_character(text)
    # Drop the spaces a scan leaves inside Japanese words: 協 議委員会 → 協議委員会.
    if " " not in chars:
        return chars, list(origins)
    kept_chars, kept_origins, cursor = [], [], 0
    for space in SCAN_SPACE.finditer(chars):
        kept_chars.append(chars[cursor : space.start()])
        kept_origins.extend(origins[cursor : space.start()])
        cursor = space.end()
    kept_chars.append(chars[cursor:])
    kept_origins.extend(origins[cursor:])
    return "".join(kept_chars), kept_origins


def _normalize_by_character(text):
    """Character by character, for texts with characters that expand or combine (ｶﾞ, ß, ㈱)."""
    chars, origins = [], []
    i, length = 0, len(text)
    while i < length:
        j = i + 1
        while j < length and (text[j] in COMBINING_MARKS or unicodedata.combining(text[j])):
            j += 1
        for char in unicodedata.normalize("NFKC", text[i:j]).casefold().translate(VARIANTS):
            if char.isspace() or unicodedata.category(char) == "Cc":
                char = " "
            chars.append(char)
            origins.append(i)
        i = j
    return "".join(chars), origins


class Token(NamedTuple):  # a tuple, not a dataclass: a long text makes thousands of them
    term: str  # what is indexed: the bigram or character, the word's stem, the code
    start: int  # offsets in the source text of the character or word this token stands for
    end: int
    japanese: bool
    word: str = ""  # the word as written (folded), where its stem differs from it


ENGLISH = Stemmer.Stemmer("english")
STEMMED = re.compile("[a-z]+")  # only words of plain letters: not codes, numbers or other scripts
# Plurals of names that Snowball leaves alone: it never takes the s off a word ending in -us.
STEM_EXCEPTIONS = {"senkakus": "senkaku", "ryukyus": "ryukyu"}
# A hyphen between a letter and a digit, dropped from codes: MQ-9 is written MQ9 too.
CODE_HYPHEN = re.compile(r"(?<=[^\W\d_])-(?=\d)|(?<=\d)-(?=[^\W\d_])")
EXACT = "="  # the prefix of an exact-form term: "=missiles", beside its stem "missil"


def stem(word):
    """The stem a word is indexed under: Snowball English for words of plain letters."""
    if not STEMMED.fullmatch(word):
        return word
    return STEM_EXCEPTIONS.get(word) or ENGLISH.stemWord(word)


# A word is cut to its first MAX_WORD_BYTES bytes (UTF-8), in documents and queries alike, so that
# it is still found: PostgreSQL refuses a lexeme past 2,047 bytes, and a case-folded word may
# grow (ᾀ is five bytes folded), as may the pair of two adjacent words a document also holds.
MAX_WORD_BYTES = 200


def word_token(word, start, end):
    if "-" in word:
        word = CODE_HYPHEN.sub("", word)
    if len(word) > MAX_WORD_BYTES // 4 and len(encoded := word.encode()) > MAX_WORD_BYTES:
        word = encoded[:MAX_WORD_BYTES].decode("utf-8", "ignore")
    stemmed = stem(word)
    return Token(stemmed, start, end, False, word if stemmed != word else "")


# A token: a Japanese character, or a word (letters and digits joined by + or by a - beside a digit).
WORD_CHAR = f"[^\\W_{JAPANESE_CLASS}]"
TOKEN = re.compile(f"(?P<japanese>[{JAPANESE_CLASS}])(?=(?P<pair>[{JAPANESE_CLASS}]))?"
                   f"|{WORD_CHAR}+(?:(?:\\+|(?<=\\d)-|-(?=\\d)){WORD_CHAR}+)*")


@functools.lru_cache(maxsize=4096)
def tokenize(text):
    """The tokens of a text in order (a tuple): one per Japanese character, one per word.

    Remembered for the last few thousand texts: names, posts, places and titles come back in
    document after document, and a meeting's items are analyzed for its own document and theirs."""
    normalized, origins = normalize(text)
    tokens = []
    for match in TOKEN.finditer(normalized):
        start, end = match.span()
        if end == start + 1 and match.group("japanese"):  # the bigram it starts, or the character alone
            term = normalized[start : start + 2] if match.group("pair") else normalized[start]
            tokens.append(Token(term, origins[start], origins[start] + 1, True))
        else:
            tokens.append(word_token(normalized[start:end], origins[start], origins[end - 1] + 1))
    return tuple(tokens)


def facet(name, value):
    """A filterable property as an index term (kind:summit, person:kishida-fumio).

    Its colon keeps it apart from every term the analyzer makes of text, so filters and words
    are answered by the same index, in the same query.
    """
    return f"{name}:{str(value).casefold()}"


TIERS = ("head", "about", "text")  # where a word is found, the most telling first
MAX_WHOLE = 120  # a field longer than this gives no whole key: it is not a name


def whole(tokens):
    """A field's or a query's words as one key: Japanese characters joined, whatever separates
    them (・, spaces), words apart ("日米安全保障協議委員会 2+2", "ロイドオースティン", "secretari of
    defens"), so that a query equals a field however it is spaced or dotted."""
    units, previous_japanese = [], False
    for token in tokens:
        if token.japanese and previous_japanese:
            units[-1] += token.term[0]
        else:
            units.append(token.term[0] if token.japanese else token.term)
        previous_japanese = token.japanese
    return " ".join(units)


def whole_keys(head):
    """The whole keys of a document's head fields (its titles and names): what a query may be exactly."""
    keys = (whole(tokenize(field)) for field in head if field and len(field) <= MAX_WHOLE)
    return list(dict.fromkeys(key for key in keys if key))


def key_hash(key):
    """A whole key as a signed 64-bit number: what the index keeps of it, 8 bytes whatever its length."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


NAME = "name:"


def name_term(hashed):
    """A hashed whole name as a term of SQLite's document ("name:-8011286160740668751"): FTS5 tells
    which records hold it from its own index. PostgreSQL keeps the names in a column instead."""
    return f"{NAME}{hashed}"


def is_extra(term):
    """An exact-form term: found and ranked, but in no phrase."""
    return term.startswith(EXACT)


def field_terms(field):
    """(term, position) pairs of one field, its tokens at positions 1, 2, …: each token's term, and
    a stemmed word's exact form at the same position. The last pair is at the field's last position."""
    terms = []
    for position, token in enumerate(tokenize(field), 1):
        terms.append((token.term, position))
        if token.word:
            terms.append((EXACT + token.word, position))
    return terms


def document_terms(fields, facets=(), *, head=(), about=()):
    """(term, position, tier) triples of a document made of several fields in tiers, with a gap
    between fields: head fields first, then about, then `fields` (the text).

    A stemmed word's exact form stands at its position too, and facet terms follow, each set
    apart from its neighbours.
    """
    terms, position = [], 0
    for tier, texts in zip(TIERS, (head, about, fields)):
        for field in texts:
            own = field_terms(field) if field else ()
            if not own:
                continue
            if terms:
                position += FIELD_GAP
            terms.extend((term, position + offset, tier) for term, offset in own)
            position += own[-1][1]
    for term in dict.fromkeys(facets):
        position += FIELD_GAP + 1
        terms.append((term, position, "text"))
    return terms


@dataclass(frozen=True)
class QueryToken:
    term: str
    prefix: bool  # matches every term that starts with `term`
    word: str = ""  # the word as written, where `term` is its stem


def query_tokens(text):
    """The phrase a query term stands for.

    A run of two or more Japanese characters is the phrase of its bigrams; a lone Japanese
    character is a prefix, unless a word follows it within the term, where the document holds
    it alone too (第5条: 第 ends its run there).
    """
    tokens = tokenize(text)
    phrase = []
    for index, token in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if not token.japanese:
            phrase.append(QueryToken(token.term, prefix=False, word=token.word))
        elif len(token.term) == 2:
            phrase.append(QueryToken(token.term, prefix=False))
        elif following is not None:
            phrase.append(QueryToken(token.term, prefix=False))
        elif index > 0 and tokens[index - 1].japanese and len(tokens[index - 1].term) == 2:
            continue  # the bigram before already holds this last character
        else:
            phrase.append(QueryToken(token.term, prefix=True))
    return phrase
