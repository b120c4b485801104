"""Each entry keeps a hash of what it holds, so that a write of the same entry is left out.

A rebuild rewrote every entry, whether or not its document changed: at a million meetings, 27 GB
of entries, their GIN index's keys (~1,400 a meeting) and their WAL written again, and a dead copy
of each left for VACUUM; a curator's save rewrote the entries of records it did not change. With
the digest, a write whose digest is the stored one is left out. Entries written before have
none (null) and are written again the first time."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("search", "0015_entries_scanned_by_one_process")]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="digest",
            field=models.BigIntegerField(
                editable=False, null=True,
                help_text="A hash of what the entry holds (its dates, facets, names and document): a write that would "
                          "store the same leaves the entry as it is. Null: not known (an entry written before it was "
                          "kept), written again."),
        ),
    ]
