"""PostgreSQL's documents hold each Japanese character they contain as a term of its own
without position (char:核), so that a query of one character is one short posting list: as the
prefix of the lexemes that start with it ('核':*), the GIN index gathered hundreds of them (12 ms
for 核 at 100,000 meetings, three times a search). Documents about 9 % larger; ranking still
reads the positioned lexemes.

Added in place, in SQL, from the lexemes the documents already hold (every Japanese character
starts one), with the GIN indexes dropped while it writes and built once after. SQLite's
documents already hold the characters."""

from django.db import migrations


def add_bare_characters(apps, schema_editor):
    from alliance.search.analyzer import JAPANESE_CLASS
    from alliance.search.backends import ENTRY_TABLE, rewrite_entries

    rewrite_entries(apps, schema_editor, lambda cursor: cursor.execute(
        f"UPDATE {ENTRY_TABLE} SET document = document || array_to_tsvector(ARRAY("
        "SELECT DISTINCT 'char:' || left(u.lexeme, 1) FROM unnest(document) u WHERE u.lexeme ~ %s))",
        [f"^[{JAPANESE_CLASS}]"]))


class Migration(migrations.Migration):
    dependencies = [("search", "0012_year_terms")]

    operations = [migrations.RunPython(add_bare_characters, migrations.RunPython.noop)]
