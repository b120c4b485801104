"""A tally of the entries of each kind, public or not, kept by triggers on PostgreSQL: the list by
date alone is counted from it, which at a million meetings took a scan of a million index entries
(~90 ms of a 156 ms page, against 66 ms at 100,000).

Statement-level triggers, which see the rows a statement wrote as a table: one row of tally per
statement, whatever its size (a COPY of 2,000 entries, a rebuild's batch), and none for an update
that publishes nothing. They only insert, so that two writers never wait for each other on it.
TRUNCATE empties it. The tally starts from the entries there are."""

from django.db import migrations, models

from alliance.search.backends import ENTRY_TABLE, PUBLIC, TALLY_TABLE

TRIGGERS = {  # event: (the transition tables, what each contributes)
    "INSERT": ("NEW TABLE AS added", "SELECT kind, {public}, count(*) FROM added GROUP BY 1, 2"),
    "DELETE": ("OLD TABLE AS removed", "SELECT kind, {public}, -count(*) FROM removed GROUP BY 1, 2"),
    "UPDATE": ("OLD TABLE AS removed NEW TABLE AS added",
               "SELECT kind, public, sum(n) FROM (SELECT kind, {public} AS public, 1 AS n FROM added "
               "UNION ALL SELECT kind, {public}, -1 FROM removed) changes GROUP BY 1, 2 HAVING sum(n) <> 0"),
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    public = PUBLIC
    with schema_editor.connection.cursor() as cursor:
        for event, (tables, rows) in TRIGGERS.items():
            name = f"search_tally_{event.lower()}"
            cursor.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"INSERT INTO {TALLY_TABLE} (kind, public, n) {rows.format(public=public)}; RETURN NULL; END $$")
            cursor.execute(f"CREATE TRIGGER {name} AFTER {event} ON {ENTRY_TABLE} REFERENCING {tables} "
                           f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()")
        cursor.execute(f"CREATE FUNCTION search_tally_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                       f"DELETE FROM {TALLY_TABLE}; RETURN NULL; END $$")
        cursor.execute(f"CREATE TRIGGER search_tally_truncate AFTER TRUNCATE ON {ENTRY_TABLE} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION search_tally_truncate()")
        cursor.execute(f"INSERT INTO {TALLY_TABLE} (kind, public, n) SELECT kind, {public}, count(*) "
                       f"FROM {ENTRY_TABLE} GROUP BY 1, 2")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for event in [*TRIGGERS, "TRUNCATE"]:
            name = f"search_tally_{event.lower()}"
            cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {ENTRY_TABLE}")
            cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")


class Migration(migrations.Migration):
    dependencies = [("search", "0013_bare_characters")]

    operations = [
        migrations.CreateModel(
            name="EntryTally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=10)),
                ("public", models.BooleanField()),
                ("n", models.BigIntegerField()),
            ],
            options={"indexes": [models.Index(fields=["kind"], name="search_tally_kind")]},
        ),
        migrations.RunPython(forwards, backwards),
    ]
