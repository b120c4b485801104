"""Keeping the index current: every write reindexes the records whose documents it touches.

Each app registers its searchable kinds (how to build their documents) and the writes that
affect them. Saves and deletes, however they happen (admin, API, import, shell, a cascade, a
fixture), reach the index through post_save/post_delete in the same transaction, so a rollback
leaves the index as it was. `rebuild` rebuilds it from scratch.

A write of many rows (a meeting with its items, an import) runs inside `reindex_once()`: the
records its saves touch are collected and each is reindexed once, at the end of the block and
inside its transaction, instead of once per row saved.
"""

import collections
import datetime
import hashlib
import itertools
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.pool import AsyncResult
from typing import Callable

from django.db.models import Exists, OuterRef
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from alliance.search.analyzer import document_terms, facet, key_hash, name_term, whole_keys
from alliance.search.backends import DRAFT, UNDATED, sample_group, sample_term, year_term


@dataclass(frozen=True)
class Document:
    """A record's texts in tiers that ranking weighs: `head` (its titles and names), `about`
    (attendees, posts, places, the names of the topics it is tagged with), `fields` (everything
    else: the text)."""

    date: datetime.date | None
    fields: list  # texts, analyzed
    facets: dict = field(default_factory=dict)  # filter name → values, indexed as name:value terms
    head: list = field(default_factory=list)
    about: list = field(default_factory=list)
    until: datetime.date | None = None  # the last day `date` may stand for, when it is known to the month or year
    draft: bool = False  # not published: found only by searches that ask for drafts (curators')

    @property
    def texts(self):
        """Every text of the document, whatever its tier."""
        return [*self.head, *self.about, *self.fields]

    def facet_terms(self):
        terms = [facet(name, value) for name, values in self.facets.items() for value in values]
        return list(dict.fromkeys([*terms, DRAFT] if self.draft else terms))

    def name_keys(self):
        """Its head fields (titles and names), each whole and hashed: the names a query may be exactly."""
        return [key_hash(key) for key in whole_keys(self.head)]

    def terms(self, extra=()):
        """The document's (term, position, tier) triples; `extra`: terms beside the facets (its sample term).

        The hashed names are terms too, for SQLite (PostgreSQL's document leaves them out)."""
        names = [name_term(hashed) for hashed in self.name_keys()]
        return document_terms(self.fields, [*self.facet_terms(), *names, *extra], head=self.head, about=self.about)


@dataclass(frozen=True)
class Searchable:
    kind: str
    model: type
    documents: Callable[[set], dict]  # ids → {id: Document} for the ids that still exist
    facets: tuple = ()  # the filters the kind's documents can answer
    drafts: bool = False  # whether some of its documents may be drafts (Document.draft)
    per_year: tuple = ()  # the facets counted per year as well (a chart's); the matches always are


REGISTRY: dict[str, Searchable] = {}


def register(kind, model, documents, facets=(), drafts=False, per_year=()):
    REGISTRY[kind] = Searchable(kind, model, documents, tuple(facets), drafts, tuple(per_year))


ENTRY_VALUES = ("sort_date", "date_end", "facets", "names", "document", "digest")  # what a record's entry holds of it


def reindex(kind, ids, analyze=None):
    """Bring the entries of these records up to date: update, create, or delete where gone.

    One record's entry is updated in place; the entries of many are replaced in bulk (a few
    statements, whatever their number: a rebuild's batch, a rename's documents).
    `analyze`: how to run `analyzed` over the documents (a pool's starmap); here by default.

    Returns how many entries it wrote.

    A save of one of the records in another transaction meanwhile (a curator's, during a rebuild)
    is never undone by documents read before it: the entries of many replace only those that no
    other transaction wrote since they were read (the backend's `entry_versions`), and one entry that
    another transaction replaced after it was looked up is written again over what is there.
    An entry that already holds what would be written (its digest, `entry_digest`) is left as it
    is: a rebuild after which nothing changed writes nothing, nor does a save that leaves a
    document as it was."""
    from alliance.search.models import SearchEntry

    ids = {object_id for object_id in ids if object_id is not None}
    if not ids:
        return 0
    if len(ids) > 1:
        return replace_entries(kind, ids, *read_entries(kind, ids, analyze))
    documents = REGISTRY[kind].documents(ids)
    entries = _entries(kind, documents, _analyze_documents(documents))
    existing = {object_id: (pk, digest) for object_id, pk, digest
                in SearchEntry.objects.filter(kind=kind, object_id__in=ids).values_list("object_id", "pk", "digest")}
    SearchEntry.objects.filter(pk__in=[pk for object_id, (pk, _) in existing.items() if object_id not in documents]).delete()
    written = 0
    for object_id, entry in entries.items():
        if object_id in existing and existing[object_id][1] == entry.digest:
            continue  # it holds this already: a save that did not change the document
        written += 1
        values = {name: getattr(entry, name) for name in ENTRY_VALUES}
        if object_id in existing and SearchEntry.objects.filter(pk=existing[object_id][0]).update(**values):
            continue
        # A new entry, or one that a rebuild's batch replaced since it was looked up (it waited
        # for that batch to commit, then found its row gone): this document is the newer.
        SearchEntry.objects.bulk_create([entry], update_conflicts=True, unique_fields=["kind", "object_id"],
                                        update_fields=list(ENTRY_VALUES))
    return written


def read_entries(kind, ids, analyze=None):
    """What `replace_entries` needs to write the entries of these records, read now: which
    transaction last wrote each of their entries (first), their documents, and their analysis,
    which `analyze` may leave running (a pool's `starmap_async`: a rebuild analyzes the next batch
    while it writes this one)."""
    from django.db import connection

    from alliance.search.backends import for_connection

    with connection.cursor() as cursor:
        versions = for_connection(connection).entry_versions(cursor, kind, ids)  # before the documents are read
    documents = REGISTRY[kind].documents(ids)
    return versions, documents, _analyze_documents(documents, analyze)


def replace_entries(kind, ids, versions, documents, analysis, force=False):
    """Write the entries `read_entries` read: each replaces the entry it was read beside, unless
    another transaction wrote that entry since (see the backend's `replace_entries`). An entry
    that held what it would be replaced with (the same digest) is left as it is, unless `force`:
    whatever is there now is that, or newer. Returns how many it wrote."""
    from django.db import connection

    from alliance.search.backends import for_connection

    entries = _entries(kind, documents, analysis)
    if not force:
        same = {object_id for object_id, (_, digest) in versions.items()
                if object_id in entries and entries[object_id].digest == digest}
        versions = {object_id: read for object_id, read in versions.items() if object_id not in same}
        entries = {object_id: entry for object_id, entry in entries.items() if object_id not in same}
    with connection.cursor() as cursor:
        return for_connection(connection).replace_entries(cursor, kind, ids, versions, list(entries.values()))


def _analyze_documents(documents, analyze=None):
    from django.db import connection

    work = [(connection.vendor, object_id, document) for object_id, document in documents.items()]
    return (analyze or itertools.starmap)(analyzed, work)


def _entries(kind, documents, analysis):
    from alliance.search.models import SearchEntry

    values = analysis.get() if isinstance(analysis, AsyncResult) else analysis
    return {object_id: SearchEntry(kind=kind, object_id=object_id, **entry_values)
            for object_id, entry_values in zip(documents, values)}


def analyzed(vendor, object_id, document):
    """A record's entry, but for its kind and id: its dates, facets, names and its document as
    the database stores it (a tsvector literal, or SQLite's token streams). The costly part of
    indexing, and all in Python: a rebuild runs it in worker processes."""
    from alliance.search.fields import document_tsvector, fts_stream

    extra = [sample_term(sample_group(object_id)), year_term((document.date or UNDATED).year)]
    if vendor == "postgresql":  # the names are a column of their own there
        value = document_tsvector(document.fields, [*document.facet_terms(), *extra], head=document.head,
                                  about=document.about)
    else:
        value = fts_stream(document.terms(extra))
    values = {"sort_date": document.date or UNDATED, "date_end": document.until or document.date or UNDATED,
              "facets": document.facet_terms(), "names": document.name_keys(), "document": value}
    return {**values, "digest": entry_digest(values)}


def entry_digest(values):
    """A hash of an entry's values (dates, facets, names, document), 64 bits: the same values give
    the same digest in every process, so that a write whose digest is the stored one is left out.
    Cheap beside the analysis (~20 µs for a meeting's ~24 KB document)."""
    document = values["document"]
    hashed = hashlib.blake2b(repr((values["sort_date"], values["date_end"], values["facets"], values["names"])).encode(),
                             digest_size=8)
    hashed.update(document if isinstance(document, bytes) else document.encode())
    return int.from_bytes(hashed.digest(), "big", signed=True)


_batch = threading.local()  # .pending: [(kind, ids)] and .touched while inside reindex_once()


@contextmanager
def reindex_once():
    """Collect the reindexing the writes inside ask for, and do it at the end: each record once.

    Nested blocks join the outermost. Use it inside the transaction of the writes (the index
    then commits or rolls back with them); when the block raises, nothing is reindexed.
    """
    if getattr(_batch, "pending", None) is not None:
        yield
        return
    _batch.pending, _batch.touched = [], False
    try:
        yield
        _flush()
    finally:
        _batch.pending = None


def _flush():
    pending, touched = _batch.pending, _batch.touched
    _batch.pending = None  # what reindexing itself saves is not collected
    wanted = {}
    for kind, ids in pending:
        wanted.setdefault(kind, set()).update(ids)  # querysets are read now, after every write
    for kind, ids in wanted.items():
        reindex(kind, ids)
    if touched:
        _move_version()


def request_reindex(kind, ids):
    """Reindex these records now, or at the end of the enclosing `reindex_once()` block."""
    pending = getattr(_batch, "pending", None)
    if pending is None:
        reindex(kind, ids)
    else:
        pending.append((kind, ids))


def touch(**kwargs):
    """Move the data version: something curated changed (once per `reindex_once()` block)."""
    if getattr(_batch, "pending", None) is None:
        _move_version()
    else:
        _batch.touched = True


def _move_version():
    from django.utils import timezone

    from alliance.search.models import DataVersion

    DataVersion.objects.update_or_create(pk=1, defaults={"changed_at": timezone.now()})
    scope = getattr(_request, "scope", None)
    if scope is not None:
        scope.pop("version", None)  # read again after this write


_request = threading.local()  # .scope: {"version": …} while a request runs (data_version_scope)


def data_version():
    """When the curated data last changed (None before any change): what cached counts and
    Last-Modified are keyed on. Inside `data_version_scope()` (a request), read once."""
    from alliance.search.models import DataVersion

    scope = getattr(_request, "scope", None)
    if scope is not None and "version" in scope:
        return scope["version"]
    version = DataVersion.objects.filter(pk=1).values_list("changed_at", flat=True).first()
    if scope is not None:
        scope["version"] = version
    return version


@contextmanager
def data_version_scope():
    """Within the block (a request), `data_version()` reads the database once; a write inside
    moves it and forgets the copy."""
    outer = getattr(_request, "scope", None)
    _request.scope = {} if outer is None else outer
    try:
        yield
    finally:
        _request.scope = outer


def follow_every_write(app_labels):
    """Move the data version on every save, delete and relation change in these apps."""
    from django.apps import apps

    from alliance.history import is_historical

    for label in app_labels:
        for model in apps.get_app_config(label).get_models():
            if is_historical(model):
                continue  # a version written beside a change: the change moves the data version
            post_save.connect(touch, sender=model, weak=False, dispatch_uid=f"version-{model._meta.label}-save")
            post_delete.connect(touch, sender=model, weak=False, dispatch_uid=f"version-{model._meta.label}-delete")
            for relation in model._meta.many_to_many:
                m2m_changed.connect(touch, sender=relation.remote_field.through, weak=False,
                                    dispatch_uid=f"version-{model._meta.label}-{relation.name}")


_FOLLOWERS = {}  # model label → how many follow() calls watch it
_WATCHED = {}  # model label → the attnames some follow() call depends on


def _watch(model, attnames):
    """Remember, per instance of `model` read from the database, the values of `attnames` as read
    and as last saved, so that a save can tell which of them it changed (`_search_changed`).

    Only a read from the database is a trusted starting point: an instance built otherwise (a
    version restored from history, an object made by hand with a primary key) has no snapshot,
    and its save reindexes everything it may touch."""
    label = model._meta.label
    first = label not in _WATCHED
    _WATCHED.setdefault(label, set()).update(attnames)
    if not first:
        return
    read = model.from_db.__func__

    def from_db(cls, db, field_names, values):
        instance = read(cls, db, field_names, values)
        instance._search_loaded = {name: instance.__dict__.get(name) for name in _WATCHED[label]}
        return instance

    def compare(sender, instance, update_fields=None, **kwargs):
        loaded = instance.__dict__.get("_search_loaded")
        current = {name: instance.__dict__.get(name) for name in _WATCHED[label]}
        instance._search_changed = None if loaded is None or instance._state.adding else {
            name for name, value in current.items() if loaded.get(name) != value}
        if update_fields is not None:  # what the save leaves out stays as it was in the database
            saved = {model._meta.get_field(name).attname for name in update_fields}
            current = {name: value if name in saved else loaded.get(name) for name, value in current.items()} \
                if loaded is not None else None
        instance._search_loaded = current

    model.from_db = classmethod(from_db)
    pre_save.connect(compare, sender=model, weak=False, dispatch_uid=f"search-{label}-compare")


def follow(model, affected, fields=None):
    """Reindex what `affected(instance)` names — (kind, ids) pairs — whenever `model` is saved or deleted.

    `fields`: what the documents depend on, when not every field: a save that changes none of
    them reindexes nothing (a meeting's title is not in its outcome items' documents; its date
    is). A new or deleted record always reindexes. Several apps may follow one model (a topic's
    name is in meetings, outcome items and provisions): each call connects receivers of its own."""
    attnames = {model._meta.get_field(name).attname for name in fields} if fields else None
    if attnames:
        _watch(model, attnames)

    def receiver(sender, instance, **kwargs):
        if attnames and "created" in kwargs and not kwargs["created"]:
            changed = getattr(instance, "_search_changed", None)
            if changed is not None and not changed & attnames:
                return
        for kind, ids in affected(instance):
            request_reindex(kind, ids)

    label = model._meta.label
    _FOLLOWERS[label] = number = _FOLLOWERS.get(label, 0) + 1
    post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"search-{label}-save-{number}")
    post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"search-{label}-delete-{number}")


def follow_m2m(descriptor, affected):
    """Reindex what `affected(record)` names when a record's many-to-many `descriptor` changes.

    `descriptor` is the relation on its model (Outcome.topics); changes made from either side
    (outcome.topics.add(topic) or topic.outcomes.add(outcome)) reach the records of that model.
    """
    relation = descriptor.rel
    model, through = relation.related_model, relation.through  # the model that holds the field
    source_column = relation.field.m2m_field_name()
    target_column = relation.field.m2m_reverse_field_name()

    def receiver(sender, instance, action, reverse, pk_set, **kwargs):
        if not reverse:
            records = [instance] if action.startswith("post_") else []
        elif action == "pre_clear":
            # After the clear nothing says which records had this target: remember them now.
            instance._search_cleared = list(through.objects.filter(**{target_column: instance.pk})
                                            .values_list(f"{source_column}_id", flat=True))
            return
        elif action.startswith("post_"):
            ids = pk_set if action != "post_clear" else getattr(instance, "_search_cleared", [])
            records = model._default_manager.filter(pk__in=ids)
        else:
            return
        for record in records:
            for kind, ids in affected(record):
                request_reindex(kind, ids)

    label = through._meta.label
    _FOLLOWERS[label] = number = _FOLLOWERS.get(label, 0) + 1  # several hooks on one relation all run
    m2m_changed.connect(receiver, sender=through, weak=False, dispatch_uid=f"search-{label}-m2m-{number}")


def rebuild(kinds=None, batch_size=1000, start_after=None, progress=None, workers=1, force=False):
    """Rebuild the index of these kinds (all by default), in batches that each commit: while it
    runs, every record is found by its old entry or by its new one, and an interrupted rebuild
    resumes where it stopped. Returns {kind: entries}.

    Each record's document is made again, and its entry written where it differs from what the
    entry holds (its digest), or whatever it holds with `force` (after the entry table itself
    was edited by hand).

    `start_after`: (kind, id) — resume after that record (the kinds before it are done).
    `progress(kind, done, total, last_id, batch, written)`: called after each batch of `batch`
    records, `written` of whose entries it wrote.
    `workers`: processes that analyze the documents while this one writes the database and, on
    PostgreSQL, a thread reads the next batch (not inside a transaction, which they could not
    share: there, one process does everything).
    Entries of records that no longer exist are deleted at the end of each kind."""
    from django.db import connection, connections

    if workers > 1 and not connection.in_atomic_block:
        import multiprocessing

        connections.close_all()  # forked workers must not inherit an open connection
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return _rebuild(kinds, batch_size, start_after, progress, force, lambda function, work: pool.starmap_async(
                function, work, chunksize=max(1, len(work) // (4 * workers))))
    return _rebuild(kinds, batch_size, start_after, progress, force, None)


def _rebuild(kinds, batch_size, start_after, progress, force, analyze):
    from django.db import connection, transaction

    from alliance.search.backends import for_connection
    from alliance.search.models import SearchEntry

    counts, kinds, changed = {}, list(kinds or REGISTRY), 0
    if start_after is not None:
        kinds = kinds[kinds.index(start_after[0]):]
    # Outside a transaction, each batch is written in bulk and flushed into the index after it
    # commits (PostgreSQL's GIN pending list); inside one, as every other write is.
    backend = for_connection(connection) if not connection.in_atomic_block else None
    # A batch's reads need not share its write's transaction where each entry's version is read
    # beside its document (PostgreSQL; SQLite relies on one IMMEDIATE transaction for both): with
    # workers, the next batch is read on another connection while this one is written.
    pipelined = analyze is not None and backend is not None and connection.vendor == "postgresql"
    for kind in kinds:
        manager = REGISTRY[kind].model._default_manager
        last = start_after[1] if start_after is not None and kind == start_after[0] else 0
        total, done = manager.count(), manager.filter(pk__lte=last).count() if last else 0
        if backend is not None:
            with connection.cursor() as cursor:
                backend.begin_batches(cursor, kind)
        try:
            batches = _batches(manager, last, batch_size)
            for batch in _read_ahead(kind, batches, analyze) if pipelined else batches:
                ids = batch[0] if pipelined else batch
                with transaction.atomic():
                    if pipelined:
                        written = replace_entries(kind, set(ids), *batch[1:], force=force)
                    else:
                        written = replace_entries(kind, set(ids), *read_entries(kind, set(ids), analyze), force=force)
                if backend is not None:
                    with connection.cursor() as cursor:
                        backend.end_batch(cursor, kind)
                last, done, changed = ids[-1], done + len(ids), changed + written
                if progress is not None:
                    progress(kind, done, total, last, len(ids), written)
        finally:
            if backend is not None:
                with connection.cursor() as cursor:
                    backend.end_batches(cursor, kind)
        with transaction.atomic():
            # NOT EXISTS, an anti-join: NOT IN (SELECT …) compared each entry with every record
            # once the ids no longer fitted in work_mem (it ran for ten minutes at a million).
            gone, _ = SearchEntry.objects.filter(kind=kind).exclude(Exists(manager.filter(pk=OuterRef("object_id")))).delete()
        counts[kind], changed = SearchEntry.objects.filter(kind=kind).count(), changed + gone
    if changed:  # else the statistics are as fresh as they were, and there is nothing to vacuum
        _analyze()
    return counts


def _read_ahead(kind, batches, analyze, depth=2):
    """Each batch's ids with what `read_entries` read of them, the next `depth` batches read
    meanwhile by a thread on a connection of its own, their analysis started in the workers as
    each is read: while the caller writes one batch, the workers analyze the next and the
    database reads the one after, and reading never waits for the caller to start on the batch
    before it."""
    from django.db import connections

    with ThreadPoolExecutor(1) as reader:
        try:
            ahead = collections.deque()
            for ids in batches:
                ahead.append((ids, reader.submit(read_entries, kind, set(ids), analyze)))
                if len(ahead) > depth:
                    ids, read = ahead.popleft()
                    yield ids, *read.result()
            while ahead:
                ids, read = ahead.popleft()
                yield ids, *read.result()
        finally:
            reader.submit(connections.close_all).result()  # the reader's own connection


def _batches(manager, after, size):
    """The ids of the records after `after`, `size` at a time, each batch read as it is asked for."""
    while ids := list(manager.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:size]):
        yield ids
        after = ids[-1]


def _analyze():
    """Fresh planner statistics for the entries after a rebuild rewrote them: with the old ones,
    PostgreSQL took every entry for a meeting (59,038 of 60,227 rows estimated for 10,015). And,
    outside a transaction, a VACUUM: the rebuild left a dead copy of every entry it rewrote, which
    the list by date fetched from the table (its index no longer said every row was visible) and
    the GIN index kept, until autovacuum came by (only past a fifth of the table)."""
    from django.db import connection

    from alliance.search.backends import ENTRY_TABLE

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"{'ANALYZE' if connection.in_atomic_block else 'VACUUM (ANALYZE)'} {ENTRY_TABLE}")
