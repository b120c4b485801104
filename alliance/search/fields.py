"""The column that holds a document's terms: a tsvector on PostgreSQL, a token stream on SQLite.

Both hold the same (term, position) pairs, each in its tier, under the same limits, so that the same query finds
the same records on both: PostgreSQL keeps at most 256 positions of a term and clamps positions
past 16,383, so occurrences past those limits take part in no phrase on either database.

PostgreSQL checks a phrase by reading every candidate document, which costs a third of a second
when a term matches a third of 100,000 meetings. So its tsvector holds, at each Japanese
character's position, the run of up to four characters that starts there instead of the bigram,
and each pair of adjacent words beside the first: a query of up to four Japanese characters, or
two words, is then one lexeme or the prefix of one, which the GIN index answers exactly (see
`lexemes`). Facet terms carry no position: they are matched, never part of a phrase or ranked.
SQLite's FTS5 keeps positions in its index and needs none of this.
"""

import functools
import json
import re
from collections import Counter
from itertools import chain

from django.db import models

from alliance.search.analyzer import FIELD_GAP, JAPANESE_CLASS, NAME, TIERS, document_terms, field_terms, is_extra

MAX_POSITIONS_PER_TERM = 256
MAX_POSITION = 16383
FILLER = "x"  # not a hex digit: a token that no query term encodes to, and breaks every phrase


def capped(terms):
    """The (term, position, tier) triples, position None where the term may take part in no phrase."""
    seen = {}
    for term, position, tier in terms:
        count = seen[term] = seen.get(term, 0) + 1
        if count > MAX_POSITIONS_PER_TERM or position > MAX_POSITION:
            yield term, None, tier
        else:
            yield term, position, tier


def fts_token(term):
    """A term as FTS5's ascii tokenizer keeps it whole: the hex digits of its UTF-8 bytes."""
    return term.encode("utf-8").hex()


JAPANESE_START = re.compile(f"[{JAPANESE_CLASS}]")


def is_japanese_term(term):
    return JAPANESE_START.match(term) is not None


def lexemes(terms):
    """PostgreSQL's lexemes of the capped terms, each at its position: one per Japanese character,
    the run of up to four characters that starts there (尖閣諸島 → 尖閣諸島 閣諸島 諸島 島), in place of
    the analyzer's bigram; the words as they are, each pair of adjacent words beside the first.

    A query of up to four Japanese characters is then one lexeme, or the prefix of one ('尖閣':*),
    which the GIN index answers exactly; a longer one is a chain of 4-character lexemes. One
    lexeme per character keeps the document small: ranking reads it, and every write rewrites it.
    Occurrences in no phrase (past the caps) keep the analyzer's term, with no position."""
    out = []
    run = []  # (char, position, tier) of the current Japanese run, within phrase-able positions
    japanese_start = JAPANESE_START.match

    def close_run():
        chars = "".join(char for char, _, _ in run)
        out.extend((chars[i : i + 4], position, tier) for i, (_, position, tier) in enumerate(run))
        run.clear()

    previous_term = previous_position = None
    for term, position, tier in capped(terms):
        if is_extra(term):
            out.append((term, position, tier))  # exact forms stand beside their words, in no phrase
            continue
        japanese = japanese_start(term) is not None
        if run and not (japanese and position is not None and previous_position == position - 1
                        and len(previous_term) == 2 and previous_term[1] == term[0]):
            close_run()
        if japanese and position is not None:
            run.append((term[0], position, tier))
        else:
            out.append((term, position, tier))
            if (not japanese and position is not None and previous_position == position - 1
                    and japanese_start(previous_term) is None):
                out.append((previous_term + " " + term, previous_position, tier))
        previous_term, previous_position = (term, position) if position is not None else (None, None)
    if run:
        close_run()
    return out


# Ranking weighs a word by the tier it is found in: PostgreSQL's weights A (head), B (about), D
# (text); SQLite's FTS5 columns, one per tier.
WEIGHTS = {"head": "A", "about": "B", "text": "D"}
COLUMN_SEPARATOR = "|"  # between the tiers' streams in SQLite's column; triggers split on it


def tsvector_literal(terms):
    """The document as PostgreSQL's tsvector input: each lexeme with its positions and weights
    (which PostgreSQL sorts), a facet term bare, and each Japanese character it holds as a bare
    term of its own (`character_term`): a query of one character is that lexeme, one short posting
    list, where the prefix of the lexemes that start with it ('核':*) made the GIN index gather
    hundreds of them (ranking still reads those). Not the character itself: a prefix in a phrase
    ('条':* in 第5条) would then meet a lexeme without positions, and the phrase would not match."""
    positions, bare = {}, []
    for term, position, tier in lexemes(terms):
        if ":" in term:  # text gives no colon: a facet term, found, in no phrase, not ranked…
            if not term.startswith(NAME):  # …or a name, which PostgreSQL reads from its own column
                bare.append(term)
            continue
        places = positions.get(term)
        if places is None:
            places = positions[term] = []
        if position is not None:
            places.append(f"{position}{WEIGHTS[tier]}")
        elif not places:
            places.append(f"{MAX_POSITION}{WEIGHTS[tier]}")
    _within_budget(positions, bare)
    characters = {character_term(term[0]) for term in positions if JAPANESE_START.match(term)}
    return " ".join([*(f"{_quoted(term)}:{','.join(places)}" for term, places in positions.items()),
                     *(_quoted(term) for term in dict.fromkeys(bare)), *(_quoted(term) for term in characters)])


def document_tsvector(fields, facets=(), *, head=(), about=()):
    """The tsvector of `document_terms(fields, facets, head=head, about=about)`: what
    `tsvector_literal` makes of them, built field by field instead of term by term.

    A field's lexemes, positions counted from its start, are the same in every document it is
    in, but for the caps: phrases and word pairs never run across fields (FIELD_GAP), so where no
    cap applies, a document's lexemes are its fields' moved to where each field starts. Each
    field's part is remembered (`_field_part`): titles, names, posts, places and topics come back
    in document after document, and a rebuild or an import meets the same texts again. A lexeme
    met in several fields is written once for each; PostgreSQL merges them as it reads the
    literal. Where a cap or the size limit might apply, the document is made term by term."""
    parts, position, size = [], 0, 0
    for tier, texts in zip(TIERS, (head, about, fields)):
        weight = WEIGHTS[tier]
        for field in texts:
            part = _field_part(field) if field else None
            if part is None:
                continue
            if parts:
                position += FIELD_GAP
            parts.append((part, position, weight))
            position += part.last
            size += part.size
    bare = [term for term in dict.fromkeys(facets) if not term.startswith(NAME)]
    if (position > MAX_POSITION or size > MAX_TSVECTOR_BYTES - sum(len(term.encode()) + 1 for term in bare)
            or (sum(part.most for part, _, _ in parts) > MAX_POSITIONS_PER_TERM  # else no term can be past the cap
                and max(Counter(chain.from_iterable(part.terms for part, _, _ in parts)).values()) > MAX_POSITIONS_PER_TERM)):
        return tsvector_literal(document_terms(fields, facets, head=head, about=about))
    pieces, characters = [], set()
    for part, start, weight in parts:
        pieces.append(part.written(weight).format(*map(start.__add__, part.offsets)))
        characters |= part.characters
    return " ".join([*pieces, *(_quoted(term) for term in bare), *characters])


class _FieldPart:
    __slots__ = ("lexemes", "offsets", "templates", "characters", "last", "terms", "most", "size")

    def written(self, weight):
        """The part as the literal writes it in a tier of this weight, each position a format
        field to fill with the position moved to where the field starts: '尖閣諸島':{}D '閣諸島':{}D …
        One format call a field, not a string a lexeme and a position."""
        template = self.templates.get(weight)
        if template is None:
            template = self.templates[weight] = " ".join(
                lexeme.replace("{", "{{").replace("}", "}}") + ":" + ",".join(["{}" + weight] * len(offsets))
                for lexeme, offsets in self.lexemes)
        return template


@functools.lru_cache(maxsize=1024)  # a few MB: names and titles are short; a long text is tens of KB
def _field_part(field):
    """One field's share of a tsvector, positions from 1 at its start (None for a field without
    terms): its quoted lexemes each with its positions, in the order met; the Japanese characters
    they start with, as the literal writes their own terms; its last position; its analyzer terms
    (counted across a document's fields for the cap on a term's positions) and how often the most
    frequent of them occurs; and a bound on what its lexemes take of a tsvector's data,
    as `_within_budget` reckons it."""
    own = field_terms(field)
    if not own:
        return None
    positions = {}
    for term, position, _ in lexemes([(term, position, "text") for term, position in own]):
        places = positions.get(term)
        if places is None:
            places = positions[term] = []
        places.append(position)
    part = _FieldPart()
    part.lexemes = tuple((_quoted(term), tuple(places)) for term, places in positions.items())
    part.offsets = tuple(chain.from_iterable(places for _, places in part.lexemes))
    part.templates = {}
    part.characters = frozenset(_quoted(character_term(term[0])) for term in positions if JAPANESE_START.match(term))
    part.last = own[-1][1]
    part.terms = tuple(term for term, _ in own)
    part.most = max(Counter(part.terms).values())
    part.size = sum(4 * len(term) + 4 + 2 * len(places) + 25 for term, places in positions.items())
    return part


def _within_budget(positions, bare):
    """Drop the lexemes a document met last until all of them fit in PostgreSQL's limit on a
    tsvector's data (1 MB: each lexeme's bytes, then its positions, two bytes each and two for
    their count, aligned on two): a document of hundreds of thousands of distinct characters (a
    whole text pasted into a record) is indexed by its first part instead of not saved at all.
    The facet terms, which filters need, and each character's own term always stay."""

    def size(term, places=()):
        return len(term.encode()) + 1 + (2 + 2 * len(places) if places else 0)

    budget = MAX_TSVECTOR_BYTES - sum(size(term) for term in bare)
    if sum(4 * len(term) + 4 + 2 * len(places) + 25 for term, places in positions.items()) <= budget:
        return  # surely within (4 bytes a character at most, and its own term): the usual case
    total, characters = 0, set()
    for term in list(positions):
        cost = size(term, positions[term])
        if JAPANESE_START.match(term) and term[0] not in characters:
            cost += size(character_term(term[0]))
        if total + cost > budget:
            del positions[term]
            continue
        total += cost
        if JAPANESE_START.match(term):
            characters.add(term[0])


MAX_TSVECTOR_BYTES = 1_048_575  # PostgreSQL's limit on the data of one tsvector


def character_term(character):
    """The term by which PostgreSQL's document holds a Japanese character it contains: 核 → char:核."""
    return f"char:{character}"


def _quoted(term):
    if "'" in term or "\\" in term:
        term = term.replace("\\", "\\\\").replace("'", "''")
    return f"'{term}'"


def fts_stream(terms):
    """The tiers' token streams, joined by COLUMN_SEPARATOR: in each, the words in order (a filler
    where positions skip), then each term that is in no phrase once, set apart by fillers."""
    streams = {tier: ([], []) for tier in WEIGHTS}  # tier → (phrase tokens, tokens in no phrase)
    previous = {}
    for term, position, tier in capped(terms):
        tokens, apart = streams[tier]
        if position is None or is_extra(term):
            apart.append(fts_token(term))  # once is enough: the same term again only lengthens the stream
            continue
        if tier in previous and position != previous[tier] + 1:
            tokens.append(FILLER)
        tokens.append(fts_token(term))
        previous[tier] = position
    return COLUMN_SEPARATOR.join(
        f" {FILLER} ".join([" ".join(tokens)] * bool(tokens) + list(dict.fromkeys(apart)))
        for tokens, apart in streams.values()
    )


class SearchDocumentField(models.Field):
    """Takes a list of (term, position) pairs; stores what the database's full-text index reads."""

    description = "analyzed search document"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("editable", False)
        kwargs.setdefault("serialize", False)
        super().__init__(*args, **kwargs)

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else "text"

    def get_placeholder(self, value, compiler, connection):
        return "%s::tsvector" if connection.vendor == "postgresql" else "%s"

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None or isinstance(value, str):
            return value
        return tsvector_literal(value) if connection.vendor == "postgresql" else fts_stream(value)


class FacetsField(models.Field):
    """A record's facet terms (kind:summit, person:kishida-fumio…), kept beside the document so
    that facet counts read a few short strings per match instead of the document itself.

    A text[] on PostgreSQL (counted with unnest), a JSON array on SQLite (counted with json_each).
    """

    description = "facet terms"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def db_type(self, connection):
        return "text[]" if connection.vendor == "postgresql" else "text"

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return value
        return list(value) if connection.vendor == "postgresql" else json.dumps(list(value), ensure_ascii=False)

    def from_db_value(self, value, expression, connection):
        if value is None or isinstance(value, list):
            return value
        return json.loads(value)


class NamesField(FacetsField):
    """A record's titles and names, each as one whole key (alliance.search.analyzer.whole), hashed
    to 64 bits: read beside the document when ranking on PostgreSQL (`key = ANY(names)`, a
    bigint[]), so that telling whether the query is exactly one of them costs no second reading of
    the document, and kept small so that the entry table stays narrow. SQLite's ranking asks its
    FTS5 index instead, where the same names are terms of the document (a JSON array here)."""

    description = "hashed whole names"

    def db_type(self, connection):
        return "bigint[]" if connection.vendor == "postgresql" else "text"
