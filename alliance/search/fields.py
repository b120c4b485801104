"""The column that holds a document's terms: a tsvector on PostgreSQL, a token stream on SQLite.

Both hold the same (term, position) pairs under the same limits, so that the same query finds
the same records on both: PostgreSQL keeps at most 256 positions of a term and clamps positions
past 16,383, so occurrences past those limits take part in no phrase on either database.
"""

from django.db import models

MAX_POSITIONS_PER_TERM = 256
MAX_POSITION = 16383
FILLER = "x"  # not a hex digit: a token that no query term encodes to, and breaks every phrase


def capped(terms):
    """The (term, position) pairs that may take part in phrases; None marks one that may not."""
    seen = {}
    for term, position in terms:
        seen[term] = seen.get(term, 0) + 1
        if seen[term] > MAX_POSITIONS_PER_TERM or position > MAX_POSITION:
            yield term, None
        else:
            yield term, position


def fts_token(term):
    """A term as FTS5's ascii tokenizer keeps it whole: the hex digits of its UTF-8 bytes."""
    return term.encode("utf-8").hex()


def tsvector_literal(terms):
    positions = {}
    for term, position in capped(terms):
        entry = positions.setdefault(term, [])
        if position is not None:
            entry.append(position)
        elif not entry:
            entry.append(MAX_POSITION)
    return " ".join(
        "'{}':{}".format(term.replace("\\", "\\\\").replace("'", "''"), ",".join(map(str, sorted(set(places)))))
        for term, places in positions.items()
    )


def fts_stream(terms):
    tokens, previous = [], None
    for term, position in capped(terms):
        if position is None:
            # Present, but in no phrase: set apart by fillers.
            tokens.extend([FILLER, fts_token(term), FILLER])
            previous = None
            continue
        if previous is not None and position != previous + 1:
            tokens.append(FILLER)
        tokens.append(fts_token(term))
        previous = position
    return " ".join(tokens)


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
