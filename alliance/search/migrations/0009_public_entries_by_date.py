"""The published entries of each kind by date, for the public list and its count (PostgreSQL)."""

from django.db import migrations

from alliance.search.backends import ENTRY_TABLE, KINDS, PUBLIC


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for kind in KINDS:
            cursor.execute(f"CREATE INDEX IF NOT EXISTS search_{kind}_public_by_date ON {ENTRY_TABLE} "
                           f"(sort_date DESC, object_id DESC) WHERE kind = '{kind}' AND {PUBLIC}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for kind in KINDS:
            cursor.execute(f"DROP INDEX IF EXISTS search_{kind}_public_by_date")


class Migration(migrations.Migration):
    dependencies = [("search", "0008_gin_without_pending_list")]

    operations = [migrations.RunPython(forwards, backwards)]
