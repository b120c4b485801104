"""The `curators` group edits primary sources as it edits every other curated record."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    config = apps.get_app_config("documents")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)  # otherwise made after the last migration
    Group, Permission = apps.get_model("auth", "Group"), apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="curators")
    group.permissions.add(*Permission.objects.filter(content_type__app_label="documents"))


def revoke(apps, schema_editor):
    Group, Permission = apps.get_model("auth", "Group"), apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="curators"):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="documents"))


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_initial"),
        ("meetings", "0004_curators_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
