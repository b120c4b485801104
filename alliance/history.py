"""Every version of every curated record: who changed it, when, what and why (django-simple-history)."""

from simple_history.models import HistoricalRecords


class CuratedHistory(HistoricalRecords):
    """A record's history, its many-to-many links (an item's topics and provisions) kept with each
    version, the version of its deletion included."""

    def get_m2m_fields_from_model(self, model):
        return list(model._meta.many_to_many)

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
    from django.core.exceptions import ValidationError

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
