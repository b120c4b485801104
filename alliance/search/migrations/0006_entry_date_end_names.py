"""Each entry keeps the last day its record's date may stand for, so that a meeting known only to
its month matches a date window that overlaps its month, and its names and titles, each whole, so
that a query that is exactly one of them puts it first. Filled by the rebuild that follows."""

import datetime

from django.db import migrations, models

import alliance.search.fields


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
    ]
