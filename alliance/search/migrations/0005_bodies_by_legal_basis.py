"""A body's document now names the instruments of its legal basis (SOFA finds the Joint Committee):
reindex the bodies, a handful of records."""

from django.db import migrations


def reindex_bodies(apps, schema_editor):
    # Derived data, built by the apps' current code (live models, not historical ones).
    from alliance.search.index import reindex

    ConsultationBody = apps.get_model("alliance", "ConsultationBody")
    reindex("body", list(ConsultationBody.objects.values_list("pk", flat=True)))


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0004_sample_terms"),
        ("alliance", "0002_former_address"),
    ]

    operations = [migrations.RunPython(reindex_bodies, migrations.RunPython.noop)]
