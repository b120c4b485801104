"""Highlighted snippets, built from the analyzer's offsets and HTML-escaped."""

import unicodedata
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import mark_safe

from alliance.search.analyzer import STEMMED, VARIANTS, is_japanese, tokenize


def _matches(token, query_token):
    if query_token.prefix:  # the stem or the word as written starts so
        return token.term.startswith(query_token.term) or token.word.startswith(query_token.term)
    return token.term == query_token.term


def _rough(term):
    """What of a query token must be in a text that holds it, roughly normalized: a stem may end
    otherwise than the word it came from (capabl, capability), a code's hyphen may be left out."""
    if STEMMED.fullmatch(term):
        return term[: max(1, len(term) - 3)]
    return term.replace("-", "")


def _may_match(text, query):
    """False when no term of the query can match `text`: some token of every term is absent from
    it even roughly normalized (NFKC, case, variants, no spaces or hyphens). Cheap, in C, and never
    wrong when it says False, so that the analyzer runs only on texts that may match."""
    rough = "".join(unicodedata.normalize("NFKC", text).casefold().translate(VARIANTS).split()).replace("-", "")
    return any(all(_rough(token.term) in rough for token in term.tokens) for term in query.terms)


def spans(text, query):
    """(start, end) offsets in `text` of every match of the query's terms, merged and sorted."""
    if not text or not _may_match(text, query):
        return []
    tokens = tokenize(text)
    found = []
    for term in query.terms:
        width = len(term.tokens)
        last = term.tokens[-1]
        # A query's last bigram stands for two characters; the document token holds only the first.
        reaches_next = len(last.term) == 2 and not last.prefix and all(map(is_japanese, last.term))
        first, rest = term.tokens[0], term.tokens[1:]
        for i in range(len(tokens) - width + 1):
            # The first token decides most positions; the rest of the phrase is checked only there.
            if _matches(tokens[i], first) and all(_matches(tokens[i + k], token) for k, token in enumerate(rest, 1)):
                end_token = tokens[i + width] if reaches_next and i + width < len(tokens) else tokens[i + width - 1]
                found.append((tokens[i].start, end_token.end))
    merged = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text, query):
    """The text, escaped, with each match wrapped in <mark>; empty when nothing matches."""
    found = spans(text, query)
    if not found:
        return ""
    parts, cursor = [], 0
    for start, end in found:
        parts.append(escape(text[cursor:start]))
        parts.append("<mark>" + escape(text[start:end]) + "</mark>")
        cursor = end
    parts.append(escape(text[cursor:]))
    return mark_safe("".join(parts))


@dataclass(frozen=True)
class Snippet:
    """An outcome item that matched, with its matched spans marked (escaped HTML)."""

    outcome: object
    text_ja: str
    text_en: str
    printed: str  # the scan's form, marked, when only it matched (a misread the user typed)


def matching_outcomes(outcomes, query):
    """The outcome items among `outcomes` that match any term of `query`, in their order."""
    snippets = []
    for outcome in outcomes:
        ja, en = highlight(outcome.text_ja, query), highlight(outcome.text_en, query)
        printed = "" if ja or en else highlight(outcome.text_printed, query)
        if ja or en or printed:
            snippets.append(Snippet(outcome, ja or escape(outcome.text_ja), en or escape(outcome.text_en), printed))
    return snippets
