"""The search index: one analyzed document per searchable record, derived from the curated data."""

from django.db import models

from alliance.search.fields import FacetsField, NamesField, SearchDocumentField


class SearchEntry(models.Model):
    """One searchable record's analyzed document, kept current by `alliance.search.index`."""

    class Kind(models.TextChoices):
        MEETING = "meeting", "meeting"
        OUTCOME = "outcome", "outcome item"
        PROVISION = "provision", "guideline provision"
        BODY = "body", "consultation body"
        PERSON = "person", "person"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.BigIntegerField()
    sort_date = models.DateField(help_text="The record's date for sorting; 0001-01-01 for records without one.")
    date_end = models.DateField(help_text="The last day the record's date may stand for: the end of its month for a "
                                          "meeting known to the month; the sort date itself for one known to the day.")
    document = SearchDocumentField()
    facets = FacetsField(help_text="The document's facet terms again, for counting them without reading the document.")
    names = NamesField(help_text="The record's titles and names, each analyzed whole and hashed: a query that is exactly "
                                 "one of them puts the record first.")
    digest = models.BigIntegerField(null=True, editable=False,
                                    help_text="A hash of what the entry holds (its dates, facets, names and document): a "
                                              "write that would store the same leaves the entry as it is. Null: not known "
                                              "(an entry written before it was kept), written again.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique_record")]
        indexes = [models.Index(fields=["kind", "-sort_date", "-object_id"], name="search_entry_by_date")]
        verbose_name_plural = "search entries"

    def __str__(self):
        return f"{self.kind} {self.object_id}"


class DataVersion(models.Model):
    """When the curated data last changed, anywhere: the Last-Modified of every API response.

    One row, moved by every save and delete of a curated record (`alliance.search.index`), so
    that a list's Last-Modified moves on deletes too, which the records' own dates could not do.
    """

    changed_at = models.DateTimeField()

    def __str__(self):
        return self.changed_at.isoformat()


class EntryTally(models.Model):
    """How many entries of a kind, public or not, one statement added (n > 0) or removed (n < 0).

    Written by triggers on the entry table on PostgreSQL (migration search.0014), whatever the
    write (a save, a rebuild, a COPY, a cascade); summed, it counts a kind's records without
    reading its entries, so that the list by date alone costs the same at any size. A count
    folds the rows into one per kind and state when they pile up. Empty and unread on SQLite,
    which counts from its index as fast as it needs."""

    kind = models.CharField(max_length=10)
    public = models.BooleanField()
    n = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["kind"], name="search_tally_kind")]

    def __str__(self):
        return f"{self.kind} {'public' if self.public else 'draft'} {self.n:+d}"
