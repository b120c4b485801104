"""The search GIN indexes without a pending list (fastupdate off), the list they had flushed."""

from django.db import migrations

from alliance.search.backends import KINDS


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for kind in KINDS:
            cursor.execute("SELECT to_regclass(%s)", [f"search_{kind}_gin"])
            if cursor.fetchone()[0] is None:
                continue
            cursor.execute(f"SELECT gin_clean_pending_list('search_{kind}_gin'::regclass)")
            cursor.execute(f"ALTER INDEX search_{kind}_gin SET (fastupdate = off)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for kind in KINDS:
            cursor.execute("SELECT to_regclass(%s)", [f"search_{kind}_gin"])
            if cursor.fetchone()[0] is not None:
                cursor.execute(f"ALTER INDEX search_{kind}_gin RESET (fastupdate)")


class Migration(migrations.Migration):
    dependencies = [("search", "0007_rebuild_for_the_new_analyzer")]

    operations = [migrations.RunPython(forwards, backwards)]
