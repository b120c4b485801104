"""Facet terms beside each document, so that facet counts need not read the documents."""

import alliance.search.fields
from django.db import migrations

from alliance.search import backends


def recreate_index_structures(apps, schema_editor):
    # SQLite adds the column by rebuilding the table, which drops the triggers that feed FTS5.
    with schema_editor.connection.cursor() as cursor:
        backends.for_connection(schema_editor.connection).create_structures(cursor)


def fill_facets(apps, schema_editor):
    # The index is derived data: rebuild the entries that exist so that they carry their facets.
    # (Live models, not historical ones: the documents are built by the apps' current code.)
    from alliance.search.index import REGISTRY, reindex

    SearchEntry = apps.get_model("search", "SearchEntry")
    for kind in REGISTRY:
        ids = list(SearchEntry.objects.filter(kind=kind).values_list("object_id", flat=True))
        for start in range(0, len(ids), 1000):
            reindex(kind, ids[start : start + 1000])


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0002_data_version"),
        ("meetings", "0001_initial"),
        ("guidelines", "0001_initial"),
        ("alliance", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="facets",
            field=alliance.search.fields.FacetsField(
                default=list, editable=False,
                help_text="The document's facet terms again, for counting them without reading the document."),
        ),
        migrations.RunPython(recreate_index_structures, migrations.RunPython.noop),
        migrations.RunPython(fill_facets, migrations.RunPython.noop),
    ]
