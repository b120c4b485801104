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
import struct
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
# A position as PostgreSQL keeps it: 14 bits of position under 2 bits of weight (A 3 … D 0).
WEIGHT_BITS = {"A": 3 << 14, "B": 2 << 14, "C": 1 << 14, "D": 0}
WEIGHT_LETTERS = "DCBA"
POSITION_MASK = (1 << 14) - 1


def tsvector_entries(terms):
    """The document's lexemes, each with its positions as PostgreSQL keeps them (`WEIGHT_BITS`),
    and its bare terms: the facet terms, and each Japanese character it holds as a term of its own
    (`character_term`): a query of one character is that lexeme, one short posting list, where the
    prefix of the lexemes that start with it ('核':*) made the GIN index gather hundreds of them
    (ranking still reads those). Not the character itself: a prefix in a phrase ('条':* in 第5条)
    would then meet a lexeme without positions, and the phrase would not match."""
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
            places.append(position | WEIGHT_BITS[WEIGHTS[tier]])
        elif not places:
            places.append(MAX_POSITION | WEIGHT_BITS[WEIGHTS[tier]])
    _within_budget(positions, bare)
    bare += [character_term(term[0]) for term in positions if JAPANESE_START.match(term)]
    return positions, bare


def tsvector_literal(terms):
    """The document as PostgreSQL's tsvector input (text)."""
    return Tsvector.of(*tsvector_entries(terms)).literal()


class Tsvector(bytes):
    """A document as PostgreSQL's tsvector in its binary form, what its `tsvectorrecv` reads (in
    a `COPY … FORMAT BINARY`): the number of lexemes, then each lexeme's UTF-8, a NUL, the number
    of its positions and the positions, all big-endian. PostgreSQL takes it in a fifth of the time
    it takes to parse the same document as text (tsvectorin sorts, merges and reads every
    character; tsvectorrecv copies). It sorts the lexemes if they are not sorted, but merges
    nothing: each lexeme must come once, with its positions in order. `literal()` is the text
    form, for the writes that go through the ORM (one record's save)."""

    @classmethod
    def of(cls, positions, bare=()):
        """From lexemes with their positions (in any order, as tsvectorin takes them: sorted, the
        same position once with its highest weight, the first 256 kept) and bare terms."""
        bare = dict.fromkeys(term for term in bare if term not in positions)
        records = []
        for lexeme, places in positions.items():
            records.append(_record(lexeme, _unique_positions(places) if len(places) > 1 else places))
        records += map(_BARE_RECORDS.__getitem__, bare)
        return cls(b"".join([len(records).to_bytes(4, "big"), *records]))

    def _records(self):
        """(lexeme as UTF-8, positions) for each record, as they come."""
        at, find = 4, self.index
        for _ in range(int.from_bytes(self[:4], "big")):
            end = find(b"\0", at)
            count = self[end + 1] << 8 | self[end + 2]
            yield self[at:end], struct.unpack_from(f">{count}H", self, end + 3) if count else ()
            at = end + 3 + 2 * count

    def entries(self):
        """(lexeme, positions) pairs, as they come."""
        return ((lexeme.decode(), places) for lexeme, places in self._records())

    def literal(self):
        """The text form, written as bytes and decoded once."""
        written, pieces = _POSITIONS_WRITTEN, []
        for lexeme, places in self._records():
            if b"'" in lexeme or b"\\" in lexeme:
                lexeme = lexeme.replace(b"\\", b"\\\\").replace(b"'", b"''")
            pieces.append(b"'" + lexeme + b"':" + b",".join(map(written.__getitem__, places)) if places
                          else b"'" + lexeme + b"'")
        return b" ".join(pieces).decode()


class _MadeOnce(dict):
    """What `make` gives for each key, made once; it starts over past `bound` keys."""

    def __init__(self, make, bound=100_000):
        super().__init__()
        self.make, self.bound = make, bound

    def __missing__(self, key):
        if len(self) >= self.bound:
            self.clear()
        value = self[key] = self.make(key)
        return value


# A position as the literal writes it (b"1234A").
_POSITIONS_WRITTEN = _MadeOnce(lambda place: f"{place & POSITION_MASK}{WEIGHT_LETTERS[place >> 14]}".encode())


def _unique_positions(places):
    """Positions as tsvectorin's uniquePos keeps them: in order, each once with its highest
    weight, the first 256, none past the last position."""
    kept = {}
    for place in sorted(places, key=lambda place: place & POSITION_MASK):
        at = place & POSITION_MASK
        if at in kept:
            kept[at] = max(kept[at], place)
            continue
        kept[at] = place
        if len(kept) > 1 and (len(kept) == MAX_POSITIONS_PER_TERM or at == MAX_POSITION):
            break
    return [*kept.values()]


def _record(lexeme, places=()):
    return _packed_record(lexeme, struct.pack(f">{len(places)}H", *places))


def _packed_record(lexeme, packed):
    """A lexeme's record, its positions already packed (two bytes each)."""
    return lexeme.encode() + b"\0" + (len(packed) // 2).to_bytes(2, "big") + packed


# A bare term's record (char:核, kind:summit): a meeting has hundreds, of a few thousand in all.
_BARE_RECORDS = _MadeOnce(_record)


def document_tsvector(fields, facets=(), *, head=(), about=()):
    """The `Tsvector` of `document_terms(fields, facets, head=head, about=about)`, built field by
    field instead of term by term.

    A field's lexemes, positions counted from its start, are the same in every document it is
    in, but for the caps: phrases and word pairs never run across fields (FIELD_GAP), so where no
    cap applies, a document's lexemes are its fields' moved to where each field starts. Each
    field's part is remembered (`_field_part`) with its lexemes already in binary form: titles,
    names, posts, places and topics come back in document after document, and a rebuild or an
    import meets the same texts again. A part is moved in one addition (`_FieldPart.moved`) and
    cut into its records by one `struct` call; only the lexemes that several fields share (about
    one in five of a meeting's: japan, of, the, 大臣…) are merged in Python, each written once with
    all its positions. Where a cap or the size limit might apply, the
    document is made term by term."""
    parts, position, size = [], 0, 0
    for tier, texts in zip(TIERS, (head, about, fields)):
        weight = WEIGHT_BITS[WEIGHTS[tier]]
        for field in texts:
            part = _field_part(field) if field else None
            if part is None:
                continue
            if parts:
                position += FIELD_GAP
            parts.append((part, position + weight))
            position += part.last
            size += part.size
    bare = [term for term in facets if not term.startswith(NAME)]
    if (position > MAX_POSITION or size > MAX_TSVECTOR_BYTES - sum(len(term.encode()) + 1 for term in bare)
            or any(part.places is None for part, _ in parts)
            or (sum(part.most for part, _ in parts) > MAX_POSITIONS_PER_TERM  # else no term can be past the cap
                and max(Counter(chain.from_iterable(part.terms for part, _ in parts)).values()) > MAX_POSITIONS_PER_TERM)):
        return Tsvector.of(*tsvector_entries(document_terms(fields, facets, head=head, about=about)))
    seen, shared = set(), set()
    for part, _ in parts:
        shared |= part.places.keys() & seen
        seen |= part.places.keys()
    entries, moved = {}, []
    for part, start in parts:
        records = part.split(part.moved(start))  # the part's lexemes, one record each, positions moved
        entries.update(zip(part.places, records))
        moved.append(records)
    if shared:  # written once with all their positions, in the order of the fields
        pieces = {lexeme: [] for lexeme in shared}
        for (part, _), records in zip(parts, moved):
            for lexeme in part.places.keys() & shared:
                index, places = part.places[lexeme]
                pieces[lexeme].append(records[index][places:])
        for lexeme, places in pieces.items():
            entries[lexeme] = _packed_record(lexeme, b"".join(places))
    # In the order met, not a set's: the same document is the same bytes in every process (its digest).
    bare = [term for term in dict.fromkeys(chain(bare, *(part.characters for part, _ in parts))) if term not in seen]
    return Tsvector(b"".join([(len(entries) + len(bare)).to_bytes(4, "big"), *entries.values(),
                              *map(_BARE_RECORDS.__getitem__, bare)]))


class _FieldPart:
    __slots__ = ("places", "split", "value", "slots", "length", "characters", "last", "terms", "most", "size")

    def moved(self, start):
        """The part's lexemes as `Tsvector` records, one after the other, each position moved by
        `start` (where the field starts, plus the bits of its tier's weight): the positions are
        2-byte fields of one big number, so one addition moves them all; none carries into the
        next, as a position stays under 2**14 (past it, the document is made term by term).
        `split` cuts the result into its records."""
        return (self.value + start * self.slots).to_bytes(self.length, "big")


@functools.lru_cache(maxsize=1024)  # a few MB: names and titles are short; a long text is tens of KB
def _field_part(field):
    """One field's share of a tsvector, positions from 1 at its start (None for a field without
    terms): its lexemes as `Tsvector` records, positions unmoved, in the order met (`value`,
    `slots`, `split`), and for each lexeme the index of its record and where its positions start
    in it (`places`; None where a cap applies within the field); the terms of the Japanese
    characters they start with; its last position; its analyzer terms (counted across a
    document's fields for the cap on a term's positions) and how often the most frequent of them
    occurs; and a bound on what its lexemes take of a tsvector's data, as `_within_budget`
    reckons it."""
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
    part.characters = tuple(dict.fromkeys(character_term(term[0]) for term in positions if JAPANESE_START.match(term)))
    part.last = own[-1][1]
    part.terms = tuple(term for term, _ in own)
    part.most = max(Counter(part.terms).values())
    part.size = sum(4 * len(term) + 4 + 2 * len(places) + 25 for term, places in positions.items())
    if any(None in places for places in positions.values()):
        part.places = None  # past a cap within the field itself: its documents are made term by term
        return part
    part.places, records, slots = {}, [], []
    for index, (term, places) in enumerate(positions.items()):
        record = _record(term, places)
        part.places[term] = (index, len(record) - 2 * len(places))  # where its positions start in its record
        records.append(record)
        slots.append(bytes(len(record) - 2 * len(places)) + b"\0\1" * len(places))
    part.split = struct.Struct("".join(f"{len(record)}s" for record in records)).unpack
    part.length = sum(map(len, records))
    part.value = int.from_bytes(b"".join(records), "big")
    part.slots = int.from_bytes(b"".join(slots), "big")
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
        if isinstance(value, Tsvector):
            return value.literal()
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
