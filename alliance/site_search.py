"""One query over every kind of record, for the site-wide search page and /api/v1/search/.

It lives in the project package, not in the search engine: it knows the apps' models and how
each kind of hit is shown; the engine knows none of them.
"""

from alliance.models import ConsultationBody, Person
from alliance.search.index import REGISTRY
from alliance.search.service import DATE_FILTERS, search
from guidelines.models import Provision
from meetings.models import Meeting, Outcome

KINDS = ("meeting", "outcome", "provision", "body", "person")


def display_queryset(kind):
    """How the hits of a kind are loaded: what a hit shows, prefetched."""
    return {
        "meeting": lambda: Meeting.objects.with_details(),
        "outcome": lambda: Outcome.objects.with_meeting(),
        "provision": lambda: Provision.objects.with_details(),
        "body": lambda: ConsultationBody.objects.with_details(),
        "person": lambda: Person.objects.with_tenures(),
    }[kind]()


def kinds_taking(filters, kinds=KINDS):
    """The kinds whose documents answer every one of these filters (a topic: meetings, outcome
    items and provisions; a person: meetings and outcome items)."""
    names = {name for name, value in (filters or {}).items() if value not in (None, "")}
    return [kind for kind in kinds if names <= set(REGISTRY[kind].facets) | set(DATE_FILTERS)]


def search_everything(*, query="", kinds=KINDS, filters=None, drafts=False):
    """{kind: SearchResults} for each of `kinds` that takes every filter, in the order of `kinds`;
    `drafts`: whether draft meetings and their items are found too (for curators)."""
    return {kind: search(query=query, kind=kind, filters=filters, queryset=display_queryset(kind), drafts=drafts)
            for kind in kinds_taking(filters, kinds)}
