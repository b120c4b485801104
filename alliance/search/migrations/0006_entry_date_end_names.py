"""Each entry keeps the last day its record's date may stand for, so that a meeting known only to
its month matches a date window that overlaps its month, and its names and titles, each whole, so
that a query that is exactly one of them puts it first. Filled by the rebuild that follows.

On PostgreSQL, documents are stored out of line uncompressed (STORAGE EXTERNAL): ranking and
phrase checks read hundreds of them per search, and a copy is about twice as fast to read back as
a pglz-compressed document, which saves under a tenth of its size. It holds for the documents
written from now on: the rebuild that follows writes them all."""

import datetime

from django.db import migrations, models

import alliance.search.fields


def store_documents_uncompressed(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE search_searchentry ALTER COLUMN document SET STORAGE EXTERNAL")


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0005_bodies_by_legal_basis"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="date_end",
            field=models.DateField(
                default=datetime.date(1, 1, 1),
                help_text="The last day the record's date may stand for: the end of its month for a meeting known to "
                          "the month; the sort date itself for one known to the day.",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="searchentry",
            name="names",
            field=alliance.search.fields.NamesField(
                default=list, editable=False,
                help_text="The record's titles and names, each analyzed whole and hashed: a query that is exactly one of "
                          "them puts the record first.",
            ),
        ),
        migrations.RunPython(store_documents_uncompressed, migrations.RunPython.noop),
    ]
