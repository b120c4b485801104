"""The analyzer now folds hiragana to katakana and every old form of the generated variant table,
and documents name their topics: rebuild the index, which was built with the old analyzer.

This rebuilds every entry in Python (about a minute per 10,000 meetings); on a large database,
expect it to take a while: the site's search answers with the old index until it is done."""

from django.db import migrations


def rebuild_index(apps, schema_editor):
    # Derived data, built by the apps' current code (live models, not historical ones).
    from alliance.search.index import rebuild

    SearchEntry = apps.get_model("search", "SearchEntry")
    if SearchEntry.objects.exists():
        rebuild()


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0005_bodies_by_legal_basis"),
        ("alliance", "0003_topic_aliases"),
    ]

    operations = [migrations.RunPython(rebuild_index, migrations.RunPython.noop)]
