"""The analyzer changed: it folds hiragana to katakana and every old form of the generated variant
table, stems English words (keeping the form as written beside the stem), writes MQ-9 as mq9,
weighs each field by its tier and adds whole-field terms; documents name their topics; entries
keep the last day of a month-precise date. SQLite's FTS5 tables gain a column per tier, and its
entry table was remade by the new column (which drops its triggers). Rebuild the structures and
the index.

This rebuilds every entry in Python (about a minute per 10,000 meetings); on a large database,
expect it to take a while. It runs in the migration's transaction: the old index keeps answering
until it commits."""

from django.db import migrations


def rebuild_index(apps, schema_editor):
    # Derived data, built by the apps' current code (live models, not historical ones).
    from alliance.search import backends
    from alliance.search.index import rebuild

    connection = schema_editor.connection
    backend = backends.for_connection(connection)
    SearchEntry = apps.get_model("search", "SearchEntry")
    with connection.cursor() as cursor:
        # Without the structures, the old entries leave without feeding triggers, and the new ones
        # are written without growing a GIN index row by row: the structures are built after.
        backend.drop_structures(cursor)
        had_entries = SearchEntry.objects.exists()
        SearchEntry.objects.all().delete()
        if connection.vendor != "postgresql":
            backend.create_structures(cursor)  # SQLite's triggers feed FTS5 as the entries are written
    if had_entries:
        rebuild()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            backend.create_structures(cursor)


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0006_entry_date_end_names"),
        ("alliance", "0003_topic_aliases"),
    ]

    operations = [migrations.RunPython(rebuild_index, migrations.RunPython.noop)]
