"""The query language: terms are ANDed (AND may be written), "quoted phrases" (or 「…」), -excluded
terms (or NOT before them), OR between terms, a trailing * for words that start so (Sen*), and
・ or 、 between Japanese words as between words. The operators are capitals: "or" is a word.

Parsing never fails: whatever cannot be read is dropped and said in `Query.notes`, so that a
malformed query gives results or a clear message, never an error. The notes are lazy
translations: they read in the language of whoever shows them.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from alliance.search.analyzer import EXACT, QueryToken, is_japanese, key_hash, query_tokens, tokenize, whole

MAX_QUERY_LENGTH = 500
MAX_TERMS = 20
MIN_PREFIX = 2
QUOTES = {'"': '"', "“": "”", "「": "」", "『": "』", "”": "”"}


@dataclass(frozen=True)
class Term:
    text: str  # as the user wrote it, for messages and highlighting
    tokens: tuple[QueryToken, ...]
    phrase: bool = False

    @property
    def written(self):
        """The term as the query language writes it: quoted when it was a phrase."""
        if not self.phrase and not any(char.isspace() for char in self.text):
            return self.text
        return f"「{self.text}」" if '"' in self.text else f'"{self.text}"'


@dataclass
class Query:
    raw: str
    groups: list[list[Term]] = field(default_factory=list)  # AND of ORs
    excluded: list[Term] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def is_empty(self):
        return not self.groups

    @property
    def terms(self):
        return [term for group in self.groups for term in group]

    @cached_property
    def exact_forms(self):
        """The words of the query as written, where they are indexed under a stem ("=missiles"):
        a record that holds the form searched for ranks above one that holds another form. Words
        alone only: a phrase already ranks by its words together."""
        return list(dict.fromkeys(EXACT + term.tokens[0].word for term in self.terms
                                  if len(term.tokens) == 1 and term.tokens[0].word and not term.tokens[0].prefix))

    @cached_property
    def whole(self):
        """The query as one whole key ("secretari of defens"), hashed as the index keeps names, when
        it is plain words (no OR, no prefix): a record with a name or title that is exactly the
        query comes first."""
        if self.is_empty or any(len(group) > 1 for group in self.groups):
            return None
        if any(token.prefix and not is_japanese(token.term[0]) for term in self.terms for token in term.tokens):
            return None
        return key_hash(whole(tokenize(" ".join(term.text for term in self.terms))))

    def unparse(self, *, only=None, skip=None):
        """The query written back in its own language: only one group of it, or without one."""
        groups = [only] if only is not None else [group for group in self.groups if group is not skip]
        parts = [" OR ".join(term.written for term in group) for group in groups]
        if only is None:
            parts += ["-" + term.written for term in self.excluded]
        return " ".join(parts)


def _clean(raw):
    text = unicodedata.normalize("NFKC", raw or "")
    text = "".join(" " if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") else char for char in text)
    return text.strip()


SEPARATORS = re.compile("[・、]")  # between Japanese words, as a space is between English ones


def _pieces(text, notes):
    """(word, quoted, excluded) in order; a quote left open is closed at the end of the query."""
    pieces, i, length = [], 0, len(text)
    while i < length:
        if text[i].isspace():
            i += 1
            continue
        excluded = text[i] == "-" and i + 1 < length and not text[i + 1].isspace()
        start = i + 1 if excluded else i
        if text[start] in QUOTES:
            closing = QUOTES[text[start]]
            end = text.find(closing, start + 1)
            if end == -1:
                end = length
                notes.append(format_lazy(_("The quote {quote} was not closed: it was closed at the end of the query."),
                                         quote=text[start]))
            pieces.append((text[start + 1 : end], True, excluded))
            i = end + 1
        else:
            end = start
            while end < length and not text[end].isspace():
                end += 1
            pieces += [(word, False, excluded) for word in SEPARATORS.split(text[start:end])]
            i = end
    return pieces


def _prefixed(word, notes):
    """The tokens of `word*`: its last word matches every word that starts with it (Sen* →
    Senkaku). A Japanese term needs no star: one character already meets every word it starts."""
    tokens = list(query_tokens(word.rstrip("*")))
    if tokens and not is_japanese(tokens[-1].term[0]):
        written = tokens[-1].word or tokens[-1].term  # a prefix of words as written, not of stems
        if len(written) >= MIN_PREFIX:
            tokens[-1] = QueryToken(written, prefix=True)
        else:
            notes.append(format_lazy(_("A word ending in * needs at least {count} letters before the *: {word}"),
                                     count=MIN_PREFIX, word=word))
    return tuple(tokens)


def parse(raw):
    query = Query(raw=raw or "")
    text = _clean(raw)
    if len(text) > MAX_QUERY_LENGTH:
        text = text[:MAX_QUERY_LENGTH]
        query.notes.append(format_lazy(_("Only the first {count} characters of the query were used."), count=MAX_QUERY_LENGTH))
    pending_or = pending_not = False
    dropped = []
    counts = {True: 0, False: 0}  # terms to exclude, terms to find: each counted against its own cap
    for word, quoted, excluded in _pieces(text, query.notes):
        if not quoted and word in ("OR", "|"):
            pending_or = bool(query.groups)
            continue
        if not quoted and word == "AND":  # what a space means anyway
            continue
        if not quoted and word == "NOT":
            pending_not = True
            continue
        excluded = excluded or pending_not
        pending_not = False
        tokens = _prefixed(word, query.notes) if word.endswith("*") else tuple(query_tokens(word))
        if not tokens:
            if word:
                dropped.append(word)
            continue
        counts[excluded] += 1
        if counts[excluded] > MAX_TERMS:
            if counts[excluded] == MAX_TERMS + 1:
                query.notes.append(format_lazy(_("Only the first {count} excluded terms of the query were used."), count=MAX_TERMS)
                                   if excluded else
                                   format_lazy(_("Only the first {count} terms of the query were used."), count=MAX_TERMS))
            continue
        term = Term(text=word, tokens=tokens, phrase=quoted)
        if excluded:
            query.excluded.append(term)
        elif pending_or:
            query.groups[-1].append(term)
        else:
            query.groups.append([term])
        pending_or = False
    if dropped:
        query.notes.append(format_lazy(_("Ignored what holds no letter, digit or Japanese character: {words}"),
                                       words=" ".join(dropped[:5])))
    if query.is_empty and query.excluded:
        query.notes.append(_("Add a word to search for: a query cannot consist only of excluded terms."))
        query.excluded = []
    if query.is_empty and (raw or "").strip() and not query.notes:
        query.notes.append(_("Nothing to search for: type a word in Japanese or English, a name or a code such as 2+2."))
    return query
