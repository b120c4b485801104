"""The search GIN indexes without a pending list (fastupdate off), the list they had flushed."""

from django.db import migrations

from alliance.search.backends import KINDS


def existing_indexes(cursor):
    """The search GIN indexes this database has."""
    for kind in KINDS:
        cursor.execute("SELECT to_regclass(%s)", [f"search_{kind}_gin"])
        if cursor.fetchone()[0] is not None:
            yield f"search_{kind}_gin"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for index in list(existing_indexes(cursor)):
            cursor.execute(f"SELECT gin_clean_pending_list('{index}'::regclass)")
            cursor.execute(f"ALTER INDEX {index} SET (fastupdate = off)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for index in list(existing_indexes(cursor)):
            cursor.execute(f"ALTER INDEX {index} RESET (fastupdate)")


class Migration(migrations.Migration):
    dependencies = [("search", "0007_rebuild_for_the_new_analyzer")]

    operations = [migrations.RunPython(forwards, backwards)]
