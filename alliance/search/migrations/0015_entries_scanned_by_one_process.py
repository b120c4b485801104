"""The entry table is never scanned by parallel workers (PostgreSQL).

Starting them cost more than the work they share: counting 1,690 matches at 100,000 meetings
took 8.7 ms with one worker, 3.6 ms without, and a walk by date at a million read twice the
documents it needed, each worker reading ahead of the merge. On two cores serving several
requests, workers also take a core from another request. Other tables keep the planner's choice."""

from django.db import migrations

from alliance.search.backends import ENTRY_TABLE


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {ENTRY_TABLE} SET (parallel_workers = 0)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {ENTRY_TABLE} RESET (parallel_workers)")


class Migration(migrations.Migration):
    dependencies = [("search", "0014_entry_tally")]

    operations = [migrations.RunPython(forwards, backwards)]
