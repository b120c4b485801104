"""A fixed pseudo-random bucket per entry, for estimating the facet counts of very many matches."""

from django.db import migrations, models

from alliance.search import backends


def fill_buckets(apps, schema_editor):
    # sample_bucket(object_id) in SQL: the top 10 bits of (object_id * 2654435761) mod 2**32.
    schema_editor.execute(
        "UPDATE search_searchentry SET sample = ((object_id * 2654435761) % 4294967296) / 4194304"
    )
    # SQLite adds the column by rebuilding the table, which drops the triggers that feed FTS5.
    with schema_editor.connection.cursor() as cursor:
        backends.for_connection(schema_editor.connection).create_structures(cursor)


class Migration(migrations.Migration):

    dependencies = [
        ('search', '0003_entry_facets'),
    ]

    operations = [
        migrations.AddField(
            model_name='searchentry',
            name='sample',
            field=models.PositiveSmallIntegerField(default=0, help_text='A fixed pseudo-random bucket, 0–1023: facet counts of very many matches are estimated from the matches in the first few buckets.'),
        ),
        migrations.AddIndex(
            model_name='searchentry',
            index=models.Index(fields=['kind', 'sample'], name='search_entry_by_sample'),
        ),
        migrations.RunPython(fill_buckets, migrations.RunPython.noop),
    ]
