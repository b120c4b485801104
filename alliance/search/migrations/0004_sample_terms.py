"""Each document gains its sample term ("sample:0" … "sample:255", from its record's id), so that
the facet counts of very many matches can be estimated from the matches the index selects in a
few sample groups. Written in SQL, in place: no document is rebuilt."""

from django.db import migrations

from alliance.search import backends

# alliance.search.backends.SAMPLE_GROUP_SQL as it was when this was written.
GROUP = "((object_id * 2654435761 - (object_id * 2654435761 / 4294967296) * 4294967296) / 16777216)"


def add_sample_terms(apps, schema_editor):
    connection = schema_editor.connection
    backend = backends.for_connection(connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM search_searchentry")
        if not cursor.fetchone()[0]:
            return
        if connection.vendor == "postgresql":
            # Rewriting every row is much faster without the GIN indexes, which are rebuilt after.
            backend.drop_structures(cursor)
            cursor.execute(f"UPDATE search_searchentry SET document = document || ('''sample:' || {GROUP} || '''')::tsvector")
            backend.create_structures(cursor)
        else:
            # The FTS5 stream holds hex-encoded terms; the update trigger re-feeds FTS5. "x" keeps the
            # term out of every phrase, as between fields.
            cursor.execute(f"UPDATE search_searchentry SET document = document || ' x ' || lower(hex('sample:' || {GROUP}))")


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0003_entry_facets"),
    ]

    operations = [migrations.RunPython(add_sample_terms, migrations.RunPython.noop)]
