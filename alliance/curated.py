"""Bringing a database up to date with the curated fixtures without undoing what curators wrote.

Each field of each curated record is seen in three versions: what this database was last given
(its baseline, kept in `CuratedBaseline`), what it holds now, and what the fixtures say now.

- A field no curator touched (it still holds the baseline) takes the fixtures' new value.
- A field a curator changed keeps the curator's value; when the fixtures changed it too, the
  update reports the conflict, and the curator decides.
- A record the fixtures add is created; a record a curator deleted is not brought back.

A database loaded before baselines were kept takes as its baseline the fixtures it was loaded
from: the first release, kept in `fixtures/baselines/first-release/`.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from alliance.history import CURATED_APPS

FIXTURES = CURATED_APPS  # each app's fixture file, in load order
FIRST_RELEASE = "first-release"


def fixtures_dir():
    return Path(settings.FIXTURE_DIRS[0])


def normalized(value):
    """A value as the fixtures write it: dates as ISO strings, natural keys as lists."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def raw_objects(directory):
    """The fixtures' objects in load order, each as {"model": label, "fields": {...}}."""
    for name in FIXTURES:
        path = Path(directory) / f"{name}.yaml"
        if not path.exists() and Path(directory) != fixtures_dir():
            continue  # a baseline from before the app's records were curated: it had none
        with open(path, encoding="utf-8") as stream:
            yield from yaml.safe_load(stream) or []


def natural_key(model, fields):
    """A record's natural key from its fixture fields: a foreign key's part is its target's key."""
    key, seen = [], set()
    for path in model.natural_key_fields:
        head = path.split("__")[0]
        if head in seen:
            continue
        seen.add(head)
        value = fields[head]
        key += value if isinstance(value, list) else [value]
    return normalized(key)


def key_text(model, fields):
    return json.dumps(natural_key(model, fields), ensure_ascii=False)


def versions(directory):
    """{(label, key): fields} of the fixtures in `directory`, in load order."""
    return {(raw["model"], key_text(apps.get_model(raw["model"]), raw["fields"])): normalized(raw["fields"])
            for raw in raw_objects(directory)}


def comparable(model, name, value):
    """A field's value for comparing versions: many-to-many lists in any order are the same."""
    if value is not None and model._meta.get_field(name).many_to_many:
        return sorted(json.dumps(item, ensure_ascii=False) for item in value)
    return value


def _default(model, name):
    """A field's value in a record saved before the field existed: its default (a field a
    migration added is not a curator's edit)."""
    model_field = model._meta.get_field(name)
    return [] if model_field.many_to_many else normalized(model_field.get_default())


def current_fields(instance):
    """A saved record's fields as the fixtures write them (natural keys for its relations)."""
    data = serializers.serialize("python", [instance], use_natural_foreign_keys=True, use_natural_primary_keys=True)
    return normalized(data[0]["fields"])


@dataclass
class Report:
    created: list = field(default_factory=list)  # "meetings.meeting 2023-05-…"
    updated: list = field(default_factory=list)  # "meetings.outcome … : voice"
    kept: list = field(default_factory=list)  # a curator's value kept where the fixtures changed it too
    not_restored: list = field(default_factory=list)  # records a curator deleted

    def lines(self):
        for title, entries in (("created", self.created), ("updated", self.updated),
                               ("kept the curator's value (the fixtures changed it too)", self.kept),
                               ("not restored (a curator deleted it)", self.not_restored)):
            yield f"{len(entries)} {title}"
            yield from (f"  {entry}" for entry in entries)


@transaction.atomic
def update():
    """Bring the database up to date with the fixtures; returns a Report. Records the fixtures'
    version of every record as its new baseline."""
    from alliance.models import CuratedBaseline

    baselines = {(b.model, b.key): b.fields for b in CuratedBaseline.objects.all()}
    if not baselines:  # loaded before baselines were kept: from the first release
        baselines = versions(fixtures_dir() / "baselines" / FIRST_RELEASE)
    report, seen = Report(), []
    for raw in raw_objects(fixtures_dir()):
        label, model = raw["model"], apps.get_model(raw["model"])
        theirs = normalized(raw["fields"])
        key = key_text(model, theirs)
        base = baselines.get((label, key))
        name = f"{label} {key}"
        seen.append((label, key, theirs))
        try:
            instance = model._default_manager.get_by_natural_key(*json.loads(key))
        except model.DoesNotExist:
            instance = None
        if instance is None:
            if base is not None:
                report.not_restored.append(name)
            else:
                next(serializers.deserialize("python", [raw], handle_forward_references=True)).save()
                report.created.append(name)
            continue
        mine = current_fields(instance)
        changes = []
        for field_name, value in theirs.items():
            now = comparable(model, field_name, mine.get(field_name))
            if now == comparable(model, field_name, value):
                continue
            was = comparable(model, field_name, base.get(field_name, _default(model, field_name))) if base is not None else None
            if base is not None and now == was:  # no curator touched it: the correction applies
                changes.append(field_name)
            elif base is None or comparable(model, field_name, value) != was:  # both changed it
                report.kept.append(f"{name}: {field_name}")
            # else a curator changed it and the fixtures did not: nothing to say
        if changes:
            _apply(instance, raw, changes)
            report.updated.append(f"{name}: {', '.join(changes)}")
    _keep_baselines(seen)
    return report


def _apply(instance, raw, names):
    """Set these fields of `instance` to the fixture's values, and save it (which reindexes it)."""
    built = next(serializers.deserialize("python", [raw], handle_forward_references=True))
    instance._change_reason = "load_curated: a correction of the curated fixtures"  # kept with the version
    plain = []
    for name in names:
        model_field = instance._meta.get_field(name)
        if model_field.many_to_many:
            getattr(instance, name).set(built.m2m_data.get(name, []))
        else:
            setattr(instance, model_field.attname, getattr(built.object, model_field.attname))
            plain.append(name)
    if plain:
        instance.save(update_fields=plain)


def record_baselines():
    """After a fresh load: the fixtures as loaded are the database's baseline."""
    _keep_baselines((label, key, fields) for (label, key), fields in versions(fixtures_dir()).items())


def _keep_baselines(records):
    """Replace the baselines with these (label, key, fields)."""
    from alliance.models import CuratedBaseline

    CuratedBaseline.objects.all().delete()
    CuratedBaseline.objects.bulk_create(CuratedBaseline(model=label, key=key, fields=fields) for label, key, fields in records)
