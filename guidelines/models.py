"""The Guidelines for Japan–U.S. Defense Cooperation: editions and their provision trees."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Prefetch, Q
from django.urls import reverse

from alliance.models import Curated, NaturalKeyManager, NaturalKeyModel, Topic


class Edition(NaturalKeyModel, Curated):
    natural_key_fields = ("year",)

    class Status(models.TextChoices):
        IN_FORCE = "in-force", "現行 / in force"
        SUPERSEDED = "superseded", "改訂済み / superseded"

    year = models.PositiveSmallIntegerField(unique=True)
    title_ja = models.CharField(max_length=200)
    title_en = models.CharField(max_length=300)
    adopted_on = models.DateField()
    date_source = models.ForeignKey(
        "alliance.Source", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Where the day of adoption comes from, when the edition's source gives only the year.",
    )
    status = models.CharField(max_length=12, choices=Status.choices)
    summary_ja = models.TextField(help_text="What the source says of this edition.")
    summary_en = models.TextField()

    class Meta:
        ordering = ["-year"]
        constraints = [models.CheckConstraint(condition=Q(year__gte=1945), name="edition_year_plausible")]

    def __str__(self):
        return f"{self.year}: {self.title_en}"

    def get_absolute_url(self):
        return reverse("guidelines:edition", args=[self.year])


def path_part(label):
    """A label's part of a provision's path: IV as IV, ① as 1."""
    return "".join(str(int(unicodedata.numeric(char))) if not char.isascii() and unicodedata.numeric(char, None)
                   else char for char in label)


class ProvisionQuerySet(models.QuerySet):
    def with_details(self):
        """Provisions with edition, parent, children, topics and operations rows: an API record or a hit."""
        return self.select_related("edition", "parent", "source__publication").prefetch_related(
            "children", "topics", Prefetch("operation_roles", OperationRole.objects.select_related("parent")))


class Provision(NaturalKeyModel, Curated):
    """A node of an edition's tree: chapter → section → subsection → paragraph → item.

    `path` joins the labels from the chapter down ("IV.C.2"); unlabelled paragraphs are p1, p2…
    and circled items ①② become 1, 2, so every provision has one stable anchor per edition.
    """

    natural_key_fields = ("edition__year", "path")

    objects = NaturalKeyManager.from_queryset(ProvisionQuerySet)()

    class Kind(models.TextChoices):
        CHAPTER = "chapter", "章 / chapter"
        SECTION = "section", "節 / section"
        SUBSECTION = "subsection", "項 / subsection"
        PARAGRAPH = "paragraph", "段落 / paragraph"
        ITEM = "item", "号 / item"

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="provisions")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    label = models.CharField(max_length=10, blank=True, help_text="As printed: IV, C, 2, ①; empty for a bullet.")
    path = models.CharField(max_length=60)
    position = models.PositiveSmallIntegerField(help_text="Order among its siblings.")
    heading_ja = models.CharField(max_length=300, blank=True)
    heading_en = models.CharField(max_length=400, blank=True)
    text_ja = models.TextField(blank=True)
    text_en = models.TextField(blank=True)
    text_printed = models.TextField(blank=True, help_text="The scan's text where it differs from the corrected text.")
    topics = models.ManyToManyField(Topic, blank=True, related_name="provisions")

    class Meta:
        ordering = ["edition", "path"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "path"], name="provision_unique_path"),
            models.CheckConstraint(condition=~Q(path=""), name="provision_has_path"),
            models.CheckConstraint(condition=~Q(heading_ja="") | ~Q(text_ja=""), name="provision_has_words"),
            models.CheckConstraint(condition=~Q(pk=F("parent")), name="provision_not_own_parent"),
        ]

    def __str__(self):
        return f"{self.edition.year} {self.path} {self.heading_ja or self.text_ja[:30]}"

    def clean(self):
        """A path that fits the tree: its parent's path and one part more, in the parent's edition;
        the part is the label as printed (① as 1), or p1, p2… for a paragraph without one."""
        super().clean()
        errors = {}
        path, segment = self.path or "", (self.path or "").rsplit(".", 1)[-1]
        if self.parent_id is not None:
            parent = self.parent
            if self.edition_id is not None and parent.edition_id != self.edition_id:
                errors["parent"] = f"{parent.path} is a provision of the {parent.edition.year} edition, not of this one."
            elif path.rsplit(".", 1)[0] != parent.path or "." not in path:
                errors["path"] = (f"{path!r} does not fit under its parent {parent.path}: a child's path is its "
                                  f"parent's and one part more, e.g. {parent.path}.{segment or 'A'}.")
        elif "." in path:
            errors["path"] = (f"{path!r} has several parts but no parent: choose the provision {path.rsplit('.', 1)[0]} "
                              "as its parent, or give a chapter a one-part path (IV).")
        if path and "path" not in errors:
            expected = path_part(self.label)
            if self.label and segment != expected:
                errors["path"] = f"{path!r} ends in {segment!r}, but its label {self.label!r} gives {expected!r}."
            elif not self.label and not re.fullmatch(r"p[1-9][0-9]*", segment):
                errors["path"] = f"{path!r} ends in {segment!r}: a provision without a label ends in p1, p2…"
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self):
        return f"{self.edition.get_absolute_url()}#{self.path}"


class OperationRole(NaturalKeyModel, Curated):
    """A row of the operations table: what both do, what the SDF does, what U.S. forces do."""

    natural_key_fields = ("provision__edition__year", "provision__path", "position")

    provision = models.ForeignKey(Provision, on_delete=models.CASCADE, related_name="operation_roles")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="subrows")
    position = models.PositiveSmallIntegerField()
    operation_ja = models.CharField(max_length=200)
    operation_en = models.CharField(max_length=300)
    joint_ja = models.TextField(blank=True, help_text="What the SDF and U.S. forces do together.")
    joint_en = models.TextField(blank=True)
    sdf_ja = models.TextField(blank=True)
    sdf_en = models.TextField(blank=True)
    us_ja = models.TextField(blank=True)
    us_en = models.TextField(blank=True)
    text_printed = models.TextField(blank=True, help_text="The scan's row where it differs from the corrected row.")
    curator_note_ja = models.TextField(blank=True, help_text="Why the corrected row differs from the printed one.")
    curator_note_en = models.TextField(blank=True)

    class Meta:
        ordering = ["provision", "position"]
        constraints = [
            models.UniqueConstraint(fields=["provision", "position"], name="operation_unique_position"),
            models.CheckConstraint(condition=~Q(joint_ja="") | ~Q(sdf_ja="") | ~Q(us_ja=""), name="operation_has_role"),
        ]

    def __str__(self):
        return self.operation_ja
