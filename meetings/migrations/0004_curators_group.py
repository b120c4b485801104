"""The `curators` group: edits every curated record (alliance, guidelines, meetings), and
nothing of users, groups or tokens. Put a curator's account in it; staff status lets them in."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATED_APPS = ("alliance", "guidelines", "meetings")


def create_curators(apps, schema_editor):
    # Permissions are otherwise created after the last migration; the group needs them now.
    for label in CURATED_APPS:
        config = apps.get_app_config(label)
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
    Group, Permission = apps.get_model("auth", "Group"), apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="curators")
    group.permissions.add(*Permission.objects.filter(content_type__app_label__in=CURATED_APPS))


def remove_curators(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="curators").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("alliance", "0007_longer_source_locators"),
        ("guidelines", "0003_edition_date_source"),
        ("meetings", "0003_composed_titles_and_voice_rule"),
    ]

    operations = [migrations.RunPython(create_curators, remove_curators)]
