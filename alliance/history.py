"""Every version of every curated record: who changed it, when, what and why (django-simple-history)."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from simple_history.models import HistoricalRecords

# The apps whose records are curated: versioned, loaded from fixtures/<app>.yaml, edited by curators.
CURATED_APPS = ("alliance", "guidelines", "meetings", "documents")


class CuratedHistory(HistoricalRecords):
    """A record's history, its many-to-many links (an item's topics and provisions) kept with each
    version, the version of its deletion included."""

    def get_m2m_fields_from_model(self, model):
        return list(model._meta.many_to_many)

    def post_save(self, instance, created, using=None, **kwargs):
        if kwargs.get("raw"):
            instance._loaded_raw = True  # a fixture being loaded: its links follow, as part of the load
        return super().post_save(instance, created, using=using, **kwargs)

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        if getattr(instance, "_loaded_raw", False):
            return  # loaddata setting a loaded record's links is not a change
        return super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)

    def pre_delete(self, instance, **kwargs):
        # A delete removes the links before the record: read them while they are there.
        super().pre_delete(instance, **kwargs)
        instance._links_at_delete = {
            field.name: list(field.remote_field.through.objects.filter(**{field.m2m_field_name(): instance}))
            for field in instance._meta.many_to_many}

    def create_historical_record_m2ms(self, history_instance, instance):
        kept = getattr(instance, "_links_at_delete", None)
        if history_instance.history_type != "-" or kept is None:
            return super().create_historical_record_m2ms(history_instance, instance)
        for field in history_instance._history_m2m_fields:
            names = [through_field.attname for through_field in field.remote_field.through._meta.fields]
            self.m2m_models[field].objects.bulk_create(
                self.m2m_models[field](history=history_instance, **{name: getattr(link, name) for name in names})
                for link in kept.get(field.name, []))


def is_historical(model):
    """Whether `model` holds versions of another (HistoricalMeeting, HistoricalOutcome_topics)."""
    from simple_history.models import HistoricalChanges

    return issubclass(model, HistoricalChanges)


def record_created(model, records, links=()):
    """One "+" version for each of `records`, saved without one because their many-to-many links
    were written in bulk after them (`links`: the through rows): the version holds the links.
    Two queries per relation, whatever the number of records."""
    versions = {version.id: version for version in model.history.bulk_history_create(records)}
    for field in model._meta.many_to_many:
        through = field.remote_field.through
        version_model = getattr(model.history.model, field.name).model
        owner = field.m2m_field_name()
        names = [through_field.attname for through_field in through._meta.fields]
        version_model.objects.bulk_create(
            version_model(history=versions[getattr(link, f"{owner}_id")], **{name: getattr(link, name) for name in names})
            for link in links if isinstance(link, through))


def restore(version):
    """Bring a record back as `version` holds it (its fields and its many-to-many links), under its
    own id: a deleted record is recreated, an existing one reverted. Saved normally, so the
    restore is itself a version, and the search index follows."""
    record = version.instance
    for field in record._meta.concrete_fields:  # what it pointed to may be gone since
        if field.is_relation and getattr(record, field.attname) is not None and not \
                field.related_model._base_manager.filter(pk=getattr(record, field.attname)).exists():
            if not field.null:
                raise ValidationError(f"{record._meta.verbose_name} {record.pk} cannot come back: its "
                                      f"{field.name} ({getattr(record, field.attname)}) has been deleted since.")
            setattr(record, field.attname, None)
    record.save()
    for field in record._meta.many_to_many:
        links = getattr(version, field.name).all()  # the links as the version holds them
        target = field.m2m_reverse_field_name()
        wanted = [getattr(link, f"{target}_id") for link in links]
        getattr(record, field.name).set(field.related_model._base_manager.filter(pk__in=wanted))
    return record


def last_versions(model, **filters):
    """The newest version of each record of `model` matching `filters` (fields of the record)."""
    newest = {}
    for version in model.history.filter(**filters).order_by("history_date", "history_id"):
        newest[version.id] = version
    return list(newest.values())


@dataclass(frozen=True)
class Change:
    """One version of a record as a page lists it."""

    when: object  # datetime
    record: str  # "meeting", "item", "attendee"
    position: int | None
    kind: str  # "+" created, "~" changed, "-" deleted
    fields: tuple  # the fields this version changed
    reason: str
    compared: bool  # whether there was a version before it to compare with


def changes(groups, limit=20):
    """The newest `limit` changes of the records in `groups` — (label, versions queryset) pairs —
    each with the fields it changed against the version before it (the version loaded from the
    fixtures is the base, not a change). One query per group."""
    found = []
    for label, versions in groups:
        before = {}
        for version in versions.order_by("history_date", "history_id"):
            names = [field.attname for field in version.instance_type._meta.concrete_fields if field.attname != "id"]
            previous = before.get(version.id)
            changed = () if previous is None else tuple(
                name.removesuffix("_id") for name in names if getattr(previous, name) != getattr(version, name))
            before[version.id] = version
            if version.history_change_reason == LOADED:
                continue  # the record as the source gave it: the base later changes are told against
            if previous is not None and not changed and not version.instance_type._meta.many_to_many:
                continue  # saved as it was: nothing to tell
            found.append(Change(version.history_date, label, getattr(version, "position", None), version.history_type,
                                changed, version.history_change_reason or "", previous is not None))
    return sorted(found, key=lambda change: change.when, reverse=True)[:limit]


LOADED = "loaded from the curated fixtures"


def record_loaded(models):
    """A first version ("+") for every record of `models` that has none, links included: what
    `loaddata` wrote, so that later versions show what they changed. Returns how many."""
    count = 0
    for model in models:
        missing = list(model._default_manager.exclude(pk__in=model.history.values("id")))
        if not missing:
            continue
        links = [link for field in model._meta.many_to_many for link in field.remote_field.through.objects.filter(
            **{f"{field.m2m_field_name()}__in": [record.pk for record in missing]})]
        for record in missing:
            record._change_reason = LOADED
        record_created(model, missing, links)
        count += len(missing)
    return count


def versioned_models(app_labels=CURATED_APPS):
    """The models whose records keep versions."""
    from django.apps import apps

    return [model for label in app_labels for model in apps.get_app_config(label).get_models()
            if not is_historical(model) and hasattr(model._meta, "simple_history_manager_attribute")]
