"""PostgreSQL's documents hold one lexeme per Japanese character (the run of up to four
characters that starts there) instead of four (the character, the bigram, the 3- and
4-character runs), and facet terms without positions: about half the size, which ranking reads
and every write rewrites. Queries of up to three characters are prefixes of those lexemes.

Rebuilds PostgreSQL's entries (SQLite's documents are unchanged), with the GIN indexes dropped
while it writes and built once after; it runs in the migration's transaction, so the old index
keeps answering until it commits."""

from django.db import migrations


def rebuild_index(apps, schema_editor):
    from alliance.search.backends import rewrite_entries
    from alliance.search.index import rebuild

    rewrite_entries(apps, schema_editor, lambda cursor: rebuild())


class Migration(migrations.Migration):
    dependencies = [("search", "0009_public_entries_by_date")]

    operations = [migrations.RunPython(rebuild_index, migrations.RunPython.noop)]
