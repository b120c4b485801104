"""Keeping the index current: every write reindexes the records whose documents it touches.

Each app registers its searchable kinds (how to build their documents) and the writes that
affect them. Saves and deletes, however they happen (admin, API, import, shell, a cascade, a
fixture), reach the index through post_save/post_delete in the same transaction, so a rollback
leaves the index as it was. `rebuild` rebuilds it from scratch.
"""

import datetime
from dataclasses import dataclass
from typing import Callable

from django.db.models.signals import post_delete, post_save

from alliance.search.analyzer import document_terms

UNDATED = datetime.date(1, 1, 1)


@dataclass(frozen=True)
class Searchable:
    kind: str
    model: type
    # ids → {id: (date or None, [field texts])}, for the ids that still exist
    documents: Callable[[set], dict]


REGISTRY: dict[str, Searchable] = {}


def register(kind, model, documents):
    REGISTRY[kind] = Searchable(kind, model, documents)


def reindex(kind, ids):
    """Bring the entries of these records up to date: update, create, or delete where gone."""
    from alliance.search.models import SearchEntry

    ids = {object_id for object_id in ids if object_id is not None}
    if not ids:
        return
    documents = REGISTRY[kind].documents(ids)
    existing = dict(SearchEntry.objects.filter(kind=kind, object_id__in=ids).values_list("object_id", "pk"))
    SearchEntry.objects.filter(pk__in=[pk for object_id, pk in existing.items() if object_id not in documents]).delete()
    created = []
    for object_id, (date, fields) in documents.items():
        values = {"sort_date": date or UNDATED, "document": document_terms(fields)}
        if object_id in existing:
            SearchEntry.objects.filter(pk=existing[object_id]).update(**values)
        else:
            created.append(SearchEntry(kind=kind, object_id=object_id, **values))
    SearchEntry.objects.bulk_create(created)


def follow(model, affected):
    """Reindex what `affected(instance)` names — (kind, ids) pairs — whenever `model` is saved or deleted."""

    def receiver(sender, instance, **kwargs):
        for kind, ids in affected(instance):
            reindex(kind, ids)

    post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"search-{model._meta.label}-save")
    post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"search-{model._meta.label}-delete")


def rebuild(kinds=None, batch_size=1000):
    """Rebuild the index of these kinds (all by default) from scratch; returns {kind: entries}."""
    from alliance.search.models import SearchEntry

    counts = {}
    for kind in kinds or REGISTRY:
        searchable = REGISTRY[kind]
        SearchEntry.objects.filter(kind=kind).delete()
        ids = list(searchable.model._default_manager.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), batch_size):
            reindex(kind, ids[start : start + batch_size])
        counts[kind] = SearchEntry.objects.filter(kind=kind).count()
    return counts
