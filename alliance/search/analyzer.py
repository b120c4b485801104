"""The analyzer: the one place that turns text into search terms, for documents and queries alike.

Normalization: NFKC (full/half width: ２＋２ → 2+2, ｶﾞ → ガ), case folding, old and variant
characters folded (國 → 国, 兩 → 両, 务 → 務), and spaces the scan left between two Japanese
characters removed.

Terms: a Japanese character gives one term at its position: the bigram it starts with the next
Japanese character, or the character alone when it ends its run (尖閣諸島 → 尖閣 閣諸 諸島 島).
A query of two or more Japanese characters is then the phrase of its bigrams, and a query of one
character is a prefix (核*) that meets every occurrence: each one starts a bigram or ends a run.
Latin letters and digits give words; + joins (2+2), and - joins where a digit is next to it
(MQ-9, F-35), so codes are findable as written while cross-Strait is two words.
"""

import unicodedata
from dataclasses import dataclass

# Old and variant forms (and the simplified forms an OCR may produce) that NFKC leaves alone.
VARIANTS = str.maketrans(
    "國兩务爲來圓與會學實對應關戰發經濟臺灣黨條權邊區澤濱邉髙﨑德衞號舊歐亞惡氣當聯樂萬絲廣擴擔據擧譯讀變狀兒嶋"
    "东关发对战军长协议门见贸纪组经济维该区办图计间题话说认证务补让侦弹导",
    "国両務為来円与会学実対応関戦発経済台湾党条権辺区沢浜辺高崎徳衛号旧欧亜悪気当連楽万糸広拡担拠挙訳読変状児島"
    "東関発対戦軍長協議門見貿紀組経済維該区弁図計間題話説認証務補譲偵弾導",
)

# Sound marks written after a character combine with it under NFKC (ｶﾞ → ガ, か + ゙ → が).
COMBINING_MARKS = {"\uff9e", "\uff9f", "\u3099", "\u309a"}
WORD_JOINERS = "+-"
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


def is_word_char(char):
    return char.isalnum() and not is_japanese(char)


def normalize(text):
    """The normalized text and, for each of its characters, the index of the source character."""
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
    # Drop the spaces a scan leaves inside Japanese words: 協 議委員会 → 協議委員会.
    kept_chars, kept_origins = [], []
    for index, char in enumerate(chars):
        if char == " " and kept_chars and is_japanese(kept_chars[-1]):
            following = next((c for c in chars[index + 1 :] if c != " "), "")
            if following and is_japanese(following):
                continue
        kept_chars.append(char)
        kept_origins.append(origins[index])
    return "".join(kept_chars), kept_origins


@dataclass(frozen=True)
class Token:
    term: str
    start: int  # offsets in the source text of the character or word this token stands for
    end: int
    japanese: bool


def _words(normalized):
    """Spans of words: runs of letters and digits, joined by + or by a - beside a digit."""
    spans, i, length = [], 0, len(normalized)
    while i < length:
        if not is_word_char(normalized[i]):
            i += 1
            continue
        j = i
        while True:
            while j < length and is_word_char(normalized[j]):
                j += 1
            if j + 1 < length and normalized[j] in WORD_JOINERS and is_word_char(normalized[j + 1]):
                if normalized[j] == "+" or normalized[j - 1].isdigit() or normalized[j + 1].isdigit():
                    j += 1
                    continue
            break
        spans.append((i, j))
        i = j
    return spans


def tokenize(text):
    """The tokens of a text in order: one per Japanese character, one per word."""
    normalized, origins = normalize(text)
    tokens = []
    words = {start: end for start, end in _words(normalized)}
    i, length = 0, len(normalized)

    def span(start, end):
        return origins[start], origins[end - 1] + 1

    while i < length:
        char = normalized[i]
        if is_japanese(char):
            following = normalized[i + 1] if i + 1 < length else ""
            term = char + following if following and is_japanese(following) else char
            tokens.append(Token(term, *span(i, i + 1), japanese=True))
            i += 1
        elif i in words:
            end = words[i]
            tokens.append(Token(normalized[i:end], *span(i, end), japanese=False))
            i = end
        else:
            i += 1
    return tokens


def facet(name, value):
    """A filterable property as an index term (kind:summit, person:kishida-fumio).

    Its colon keeps it apart from every term the analyzer makes of text, so filters and words
    are answered by the same index, in the same query.
    """
    return f"{name}:{str(value).casefold()}"


def document_terms(fields, facets=()):
    """(term, position) pairs of a document made of several fields, with a gap between fields.

    Facet terms follow, each set apart from its neighbours.
    """
    terms, position = [], 0
    for field in fields:
        if not field:
            continue
        tokens = tokenize(field)
        if not tokens:
            continue
        if terms:
            position += FIELD_GAP
        for token in tokens:
            position += 1
            terms.append((token.term, position))
    for term in dict.fromkeys(facets):
        position += FIELD_GAP + 1
        terms.append((term, position))
    return terms


@dataclass(frozen=True)
class QueryToken:
    term: str
    prefix: bool  # matches every term that starts with `term`


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
            phrase.append(QueryToken(token.term, prefix=False))
        elif len(token.term) == 2:
            phrase.append(QueryToken(token.term, prefix=False))
        elif following is not None:
            phrase.append(QueryToken(token.term, prefix=False))
        elif index > 0 and tokens[index - 1].japanese and len(tokens[index - 1].term) == 2:
            continue  # the bigram before already holds this last character
        else:
            phrase.append(QueryToken(token.term, prefix=True))
    return phrase
