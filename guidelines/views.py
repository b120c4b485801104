"""The Guidelines: the editions, and an edition's provision tree with a permanent anchor per path."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, render

from documents.models import Document
from guidelines.models import Edition, OperationRole, Provision
from meetings.models import Outcome


def edition_list(request):
    editions = Edition.objects.select_related("source__publication", "date_source__publication").annotate(provision_count=Count("provisions"))
    return render(request, "guidelines/edition_list.html", {"editions": editions})


@dataclass
class Chapter:
    """A chapter and everything under it: one block, marked "unofficial translation" once when
    every English text in it is the curators' own."""

    provision: Provision
    provisions: list = field(default_factory=list)  # the chapter first, then its descendants in order

    @property
    def unofficial(self):
        return all(p.en_unofficial for p in self.provisions if p.heading_en or p.text_en)


def edition_detail(request, year):
    edition = get_object_or_404(Edition.objects.select_related("source__publication", "date_source__publication"), year=year)
    acting = Outcome.objects.visible_to(request.user).select_related("meeting").order_by("meeting__date", "meeting__slug", "position")
    provisions = list(edition.provisions.select_related("source").prefetch_related(
        "topics", Prefetch("outcomes", acting),
        Prefetch("operation_roles", OperationRole.objects.order_by("position")),
    ))
    chapters = []
    for provision in tree_order(provisions):
        provision.heading_level = min(2 + provision.depth, 6)
        provision.meetings = _meetings_acting_on(provision)
        if provision.depth == 0:
            chapters.append(Chapter(provision))
        chapters[-1].provisions.append(provision)
    for chapter in chapters:
        for provision in chapter.provisions:
            provision.marked_unofficial = provision.en_unofficial and not chapter.unofficial
    documents = Document.objects.filter(Q(editions=edition) | Q(provisions__edition=edition)).distinct().select_related("publisher")
    return render(request, "guidelines/edition_detail.html", {"edition": edition, "chapters": chapters, "documents": documents})


def _meetings_acting_on(provision):
    """[(meeting, [item positions])] of the outcome items that act on the provision, by date."""
    meetings = {}
    for outcome in provision.outcomes.all():
        meetings.setdefault(outcome.meeting, []).append(outcome.position)
    return list(meetings.items())


def tree_order(provisions):
    """Provisions depth-first in source order, each with its depth for the heading level."""
    children = {}
    for provision in provisions:
        children.setdefault(provision.parent_id, []).append(provision)
    for siblings in children.values():
        siblings.sort(key=lambda provision: provision.position)
    ordered = []

    def walk(parent_id, depth):
        for provision in children.get(parent_id, []):
            provision.depth = depth
            ordered.append(provision)
            walk(provision.pk, depth + 1)

    walk(None, 0)
    return ordered
