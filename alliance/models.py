"""The shared vocabulary of the alliance: sources, organizations, posts, people, bodies, treaties.

Every curated record names the `Source` it comes from. English that the source does not print
is an unofficial translation, and records that carry one say so (`en_unofficial`).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Prefetch, Q
from django.urls import reverse

from alliance.history import CuratedHistory


class Side(models.TextChoices):
    JAPAN = "japan", "日本側 / Japanese side"
    US = "us", "米側 / U.S. side"


class Country(models.TextChoices):
    JAPAN = "JP", "日本 / Japan"
    UNITED_STATES = "US", "米国 / United States"
    GERMANY = "DE", "ドイツ / Germany"
    CAMBODIA = "KH", "カンボジア / Cambodia"


class DatePrecision(models.TextChoices):
    """How much of a stored date the source vouches for; never invent a day."""

    DAY = "day", "day"
    MONTH = "month", "month"
    YEAR = "year", "year"


def format_date(date, precision):
    if date is None:
        return ""
    if precision == DatePrecision.YEAR:
        return f"{date.year:04d}"
    if precision == DatePrecision.MONTH:
        return f"{date.year:04d}-{date.month:02d}"
    return date.isoformat()


def last_day(date, precision):
    """The last day a date of this precision may stand for (2023-07 → 2023-07-31)."""
    if precision == DatePrecision.YEAR:
        return datetime.date(date.year, 12, 31)
    if precision == DatePrecision.MONTH:
        following = datetime.date(date.year + date.month // 12, date.month % 12 + 1, 1)
        return following - datetime.timedelta(days=1)
    return date


def first_of_period_check(field, precision_field, name):
    """A month-precise date is stored as the 1st, a year-precise one as 1 January."""
    return models.CheckConstraint(
        condition=Q(**{precision_field: DatePrecision.DAY})
        | Q(**{f"{field}__isnull": True})
        | Q(**{precision_field: DatePrecision.MONTH, f"{field}__day": 1})
        | Q(**{precision_field: DatePrecision.YEAR, f"{field}__day": 1, f"{field}__month": 1}),
        name=name,
    )


class NaturalKeyManager(models.Manager):
    """Looks records up by the fields named in the model's `natural_key_fields`."""

    def get_by_natural_key(self, *key):
        return self.get(**dict(zip(self.model.natural_key_fields, key)))


class NaturalKeyModel(models.Model):
    """Fixtures refer to records by these fields, so loading them twice changes nothing."""

    natural_key_fields = ("slug",)

    objects = NaturalKeyManager()

    class Meta:
        abstract = True

    def natural_key(self):
        values = []
        for path in self.natural_key_fields:
            value = self
            for attribute in path.split("__"):
                value = getattr(value, attribute)
            values.append(value)
        return tuple(values)


class FormerAddress(models.Model):
    """An address a record had before a curator renamed it: its old page redirects to the new one.

    Written by `KeepsFormerAddresses.save`, so a rename by any path (admin, API, shell) keeps
    every permalink anyone has cited.
    """

    model = models.CharField(max_length=60, help_text="app_label.model of the record")
    key = models.CharField(max_length=200, help_text="the slug or abbreviation it had")
    object_id = models.BigIntegerField()
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["model", "key"], name="former_address_unique")]
        verbose_name_plural = "former addresses"

    def __str__(self):
        return f"{self.model} {self.key} → {self.object_id}"


class CuratedBaseline(models.Model):
    """The curated fixtures' version of one record, as this database was last given it: what
    `load_curated` compares against to tell a curator's edit from a correction to apply
    (alliance.curated)."""

    model = models.CharField(max_length=60, help_text="app_label.model of the record")
    key = models.CharField(max_length=400, help_text="its natural key, as JSON")
    fields = models.JSONField(help_text="its fields as the fixtures gave them")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["model", "key"], name="curated_baseline_unique")]

    def __str__(self):
        return f"{self.model} {self.key}"


class KeepsFormerAddresses(models.Model):
    """A record whose page address is one of its fields (`address_field`): renaming it keeps the
    old address, which redirects (see `FormerAddress`)."""

    address_field = "slug"

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_address = instance.__dict__.get(cls.address_field)
        return instance

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        old, new = getattr(self, "_stored_address", None), getattr(self, self.address_field)
        if old and old != new:
            label = self._meta.label_lower
            FormerAddress.objects.filter(model=label, key=new).delete()  # the new address is nobody's old one
            FormerAddress.objects.update_or_create(model=label, key=old, defaults={"object_id": self.pk})
        self._stored_address = new

    @classmethod
    def at_former_address(cls, key):
        """The record that had this address before a rename, if it still exists."""
        former = FormerAddress.objects.filter(model=cls._meta.label_lower, key=key).values_list("object_id", flat=True)
        return cls._default_manager.filter(pk__in=former).first()


class Publication(NaturalKeyModel):
    history = CuratedHistory()

    slug = models.SlugField(max_length=80, unique=True)
    title_ja = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    publisher_ja = models.CharField(max_length=200, blank=True)
    publisher_en = models.CharField(max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    url = models.URLField(blank=True)

    class Meta:
        ordering = ["-year", "slug"]

    def __str__(self):
        return self.title_en


class Source(NaturalKeyModel):
    """Where in a publication a record comes from: section, figure and page of the figure."""

    history = CuratedHistory()

    slug = models.SlugField(max_length=80, unique=True)
    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="sources")
    section_ja = models.CharField(max_length=200, blank=True)
    section_en = models.CharField(max_length=200, blank=True)
    figure = models.CharField(max_length=40, blank=True, help_text="e.g. III-2-1-3; empty for the narrative")
    page = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Page of a multi-page figure, counted from its first page."
    )
    locator_ja = models.CharField(
        max_length=400, blank=True,
        help_text="Heading, row or caption; for the curators' reference, what the reference is and what it gives.")
    locator_en = models.CharField(max_length=400, blank=True)
    abridged = models.BooleanField(
        default=False,
        help_text="The source abridges what it reports (Fig. III-2-1-3's column is headed 結果概要(抄)): the records "
                  "it gives are excerpts, to be cited as such, not as the full readout.",
    )

    class Meta:
        ordering = ["publication", "slug"]
        constraints = [models.CheckConstraint(condition=Q(page__isnull=True) | Q(page__gte=1), name="source_page_positive")]

    def __str__(self):
        return self.citation_en

    @property
    def citation_en(self):
        parts = [self.publication.title_en, self.section_en]
        if self.figure:
            parts.append(f"Fig. {self.figure}" + (f" (page {self.page} of the figure)" if self.page else ""))
        parts.append(self.locator_en)
        return ", ".join(part for part in parts if part)

    @property
    def citation_ja(self):
        parts = [self.publication.title_ja, self.section_ja]
        if self.figure:
            parts.append(f"図表{self.figure}" + (f"（{self.page}頁目）" if self.page else ""))
        parts.append(self.locator_ja)
        return "、".join(part for part in parts if part)


class Curated(models.Model):
    """What every curated record carries: its source, whether its English is ours, and its history."""

    history = CuratedHistory(inherit=True)

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="+")
    en_unofficial = models.BooleanField(
        "unofficial English",
        default=True,
        help_text="The English is the curators' translation; the source gives none.",
    )

    class Meta:
        abstract = True


def save_unique(record):
    """Save a record `full_clean` has passed. A unique value another writer saved in between (two
    curators creating one slug at once) is refused as `full_clean` refuses it, a ValidationError
    naming the field, instead of the database's IntegrityError."""
    try:
        with transaction.atomic():  # a savepoint, so the check below can still read
            record.save()
    except IntegrityError:
        record.validate_unique()  # the other writer has committed by now: it names the value
        raise


class Topic(KeepsFormerAddresses, NaturalKeyModel, Curated):
    slug = models.SlugField(max_length=80, unique=True)
    name_ja = models.CharField(max_length=100)
    name_en = models.CharField(max_length=200)
    aliases = models.JSONField(default=list, blank=True,
                               help_text="Other names people search for, e.g. ISR or 情報収集・警戒監視・偵察.")

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return f"{self.name_ja} / {self.name_en}"

    def get_absolute_url(self):
        return reverse("topic-detail", args=[self.slug])

    @property
    def names(self):
        """Every name of the topic, for search documents: both languages and the aliases."""
        return [self.name_ja, self.name_en, *self.aliases]


class Place(NaturalKeyModel, Curated):
    slug = models.SlugField(max_length=80, unique=True)
    name_ja = models.CharField(max_length=100)
    name_en = models.CharField(max_length=200)
    country = models.CharField(max_length=2, choices=Country.choices)

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return f"{self.name_ja} / {self.name_en}"


class Organization(NaturalKeyModel, Curated):
    slug = models.SlugField(max_length=80, unique=True)
    name_ja = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    abbreviation = models.CharField(max_length=40, blank=True)
    country = models.CharField(max_length=2, choices=Country.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        ordering = ["country", "slug"]

    def __str__(self):
        return f"{self.name_ja} / {self.name_en}"


class Post(NaturalKeyModel, Curated):
    """An office, such as 防衛大臣 / Minister of Defense, held by one person at a time."""

    slug = models.SlugField(max_length=80, unique=True)
    title_ja = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="posts")
    country = models.CharField(max_length=2, choices=Country.choices)

    class Meta:
        ordering = ["country", "slug"]

    def __str__(self):
        return f"{self.title_ja} / {self.title_en}"


class PersonQuerySet(models.QuerySet):
    def with_tenures(self):
        """People with the posts they held, earliest first: what their pages and API records show."""
        return self.select_related("source__publication").prefetch_related(
            Prefetch("tenures", Tenure.objects.select_related("post__organization").order_by("start")))


class Person(KeepsFormerAddresses, NaturalKeyModel, Curated):
    objects = NaturalKeyManager.from_queryset(PersonQuerySet)()

    slug = models.SlugField(max_length=80, unique=True)
    name_ja = models.CharField(max_length=100, help_text="Family name first.")
    name_en = models.CharField(max_length=200, help_text="Japanese names family name first, as the Government of Japan writes them.")
    name_kana = models.CharField(max_length=100, help_text="Reading in katakana.")
    country = models.CharField(max_length=2, choices=Country.choices)
    aliases = models.JSONField(
        default=list,
        blank=True,
        help_text="Other forms of the name, including the forms a scan misread, so search still finds them.",
    )

    class Meta:
        ordering = ["name_kana"]
        verbose_name_plural = "people"

    def __str__(self):
        return f"{self.name_ja} / {self.name_en}"

    def get_absolute_url(self):
        return reverse("person-detail", args=[self.slug])


class Tenure(NaturalKeyModel, Curated):
    """A person holds a post from `start` to `end` (open while `end` is empty)."""

    natural_key_fields = ("person__slug", "post__slug", "start")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="tenures")
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="tenures")
    start = models.DateField()
    start_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    end = models.DateField(null=True, blank=True)
    end_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)

    class Meta:
        ordering = ["post", "start"]
        constraints = [
            models.UniqueConstraint(fields=["person", "post", "start"], name="tenure_unique_start"),
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="tenure_end_after_start"),
            first_of_period_check("start", "start_precision", "tenure_start_precision"),
            first_of_period_check("end", "end_precision", "tenure_end_precision"),
        ]

    def __str__(self):
        return f"{self.person.name_ja}: {self.post.title_ja} ({self.period})"

    @property
    def period(self):
        return f"{format_date(self.start, self.start_precision)} – {format_date(self.end, self.end_precision)}"

    def covers(self, date):
        """Whether the person may have held the post on `date`, given how precise the bounds are."""
        if date < self.start:
            return False
        return self.end is None or date <= last_day(self.end, self.end_precision)


def _iso_date(value):
    try:
        return datetime.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def post_not_held(person, post, date):
    """Why `person` cannot attend in `post` on `date` (they did not hold it then), or None.
    The admin and the API say it in the same words."""
    if any(tenure.covers(date) for tenure in person.tenures.filter(post=post)):
        return None
    return (f"{person.slug} ({person.name_ja}) did not hold {post.slug} ({post.title_en}) on {date.isoformat()}; "
            f"see the posts held at /people/{person.slug}/")


class LegalInstrument(NaturalKeyModel, Curated):
    """A treaty or agreement, such as the Japan–U.S. Security Treaty or the SOFA."""

    slug = models.SlugField(max_length=80, unique=True)
    name_ja = models.CharField(max_length=300)
    name_en = models.CharField(max_length=400)
    short_name_ja = models.CharField(max_length=100)
    short_name_en = models.CharField(max_length=200)
    abbreviation = models.CharField(max_length=40, blank=True)
    aliases = models.JSONField(default=list, blank=True, help_text="Other names, e.g. 日米安保条約.")
    signed_on = models.DateField(null=True, blank=True)
    date_source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Where the signing date comes from, when the instrument's source does not give it.",
    )

    class Meta:
        ordering = ["signed_on", "slug"]

    def __str__(self):
        return self.short_name_en


class Article(NaturalKeyModel, Curated):
    """An article of an instrument, with what the source says of it."""

    natural_key_fields = ("instrument__slug", "number")

    instrument = models.ForeignKey(LegalInstrument, on_delete=models.CASCADE, related_name="articles")
    number = models.PositiveSmallIntegerField()
    label_ja = models.CharField(max_length=40)
    label_en = models.CharField(max_length=40)
    summary_ja = models.TextField(help_text="What the source says of the article.")
    summary_en = models.TextField()

    class Meta:
        ordering = ["instrument", "number"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "number"], name="article_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="article_number_positive"),
        ]

    def __str__(self):
        return f"{self.instrument.short_name_en}, {self.label_en}"


class BodyQuerySet(models.QuerySet):
    def with_details(self):
        """Bodies with their articles, participants and notes: what their pages and API records show."""
        return self.select_related("parent", "source__publication").prefetch_related(
            Prefetch("legal_articles", Article.objects.select_related("instrument")),
            Prefetch("participants", BodyParticipant.objects.select_related("post", "organization")),
            "notes",
        )


class ConsultationBody(KeepsFormerAddresses, NaturalKeyModel, Curated):
    """A standing body of Japan–U.S. consultation, such as the SCC ("2+2")."""

    address_field = "abbreviation"

    objects = NaturalKeyManager.from_queryset(BodyQuerySet)()

    natural_key_fields = ("abbreviation",)

    abbreviation = models.CharField(max_length=20, unique=True)
    name_ja = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    aliases = models.JSONField(default=list, blank=True, help_text="Other names, e.g. 2+2 and 「2+2」.")
    alias_periods = models.JSONField(
        default=dict, blank=True,
        help_text='When an alias was in use, where it was not always: {"2+2": {"since": "1990-12-26"}}. A meeting '
                  "outside the period is not found or labelled by that name.",
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="subsidiaries"
    )
    purpose_ja = models.TextField()
    purpose_en = models.TextField()
    legal_basis_ja = models.TextField()
    legal_basis_en = models.TextField()
    legal_articles = models.ManyToManyField(Article, blank=True, related_name="bodies")
    established_on = models.DateField(null=True, blank=True)
    established_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    position = models.PositiveSmallIntegerField(help_text="Order of the body in the source's figure.")

    class Meta:
        ordering = ["position"]
        verbose_name_plural = "consultation bodies"
        constraints = [
            models.CheckConstraint(condition=~Q(pk=F("parent")), name="body_not_own_parent"),
            first_of_period_check("established_on", "established_precision", "body_established_precision"),
        ]

    def __str__(self):
        return f"{self.name_ja} ({self.abbreviation})"

    def get_absolute_url(self):
        return reverse("body-detail", args=[self.abbreviation])

    @property
    def established_display(self):
        return format_date(self.established_on, self.established_precision)

    def alias_period(self, alias):
        """(since, until) of an alias as dates, either None where open (or where the value cannot be
        read: clean() says so to the curator; pages and the index do not fail on it)."""
        periods = self.alias_periods if isinstance(self.alias_periods, dict) else {}
        period = periods.get(alias) if isinstance(periods.get(alias), dict) else {}
        return tuple(_iso_date(period.get(end)) for end in ("since", "until"))

    def aliases_during(self, first, last=None):
        """The aliases in use at some time from `first` to `last` (a day, or a month or year a date stands for)."""
        last = last or first
        in_use = []
        for alias in self.aliases:
            since, until = self.alias_period(alias)
            if (since is None or since <= last) and (until is None or until >= first):
                in_use.append(alias)
        return in_use

    @property
    def aliases_by_period(self):
        """The aliases grouped by the period they were in use, the always-used first: [(since, until, [aliases])]."""
        groups = {}
        for alias in self.aliases:
            groups.setdefault(self.alias_period(alias), []).append(alias)
        return [(*period, aliases) for period, aliases in
                sorted(groups.items(), key=lambda group: (group[0] != (None, None), str(group[0])))]

    def clean(self):
        problems = []
        if not isinstance(self.aliases, list) or not all(isinstance(a, str) and a for a in self.aliases):
            problems.append("aliases must be a list of names")
        if not isinstance(self.alias_periods, dict):
            raise ValidationError({"alias_periods": 'a mapping of alias to {"since": date, "until": date}'})
        for alias, period in self.alias_periods.items():
            if alias not in (self.aliases or []):
                problems.append(f"{alias} is not one of the aliases")
            elif not isinstance(period, dict) or not period or set(period) - {"since", "until"}:
                problems.append(f'{alias}: give {{"since": "YYYY-MM-DD"}}, {{"until": …}} or both')
            elif any(value is not None and _iso_date(value) is None for value in period.values()):
                problems.append(f"{alias}: dates are written YYYY-MM-DD")
            else:
                since, until = self.alias_period(alias)
                if since and until and until < since:
                    problems.append(f"{alias}: until is before since")
        if problems:
            raise ValidationError({"alias_periods": problems})


class BodyParticipant(NaturalKeyModel, Curated):
    """Who attends a body for one side: a post, a representative of an organization, or a free label."""

    natural_key_fields = ("body__abbreviation", "side", "position")

    body = models.ForeignKey(ConsultationBody, on_delete=models.CASCADE, related_name="participants")
    side = models.CharField(max_length=5, choices=Side.choices)
    position = models.PositiveSmallIntegerField()
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="For a representative of an organization rather than a post.",
    )
    label_ja = models.CharField(
        max_length=200,
        help_text="As the source gives it, e.g. 参加者は一定していない; a 「…の代表」 the source shares among several is spelled out on each.",
    )
    label_en = models.CharField(max_length=300)
    since = models.DateField(null=True, blank=True, help_text="First day this participant attended, where the source says.")
    until = models.DateField(null=True, blank=True, help_text="Last day this participant attended, if no longer.")

    class Meta:
        ordering = ["body", "side", "position"]
        constraints = [
            models.UniqueConstraint(fields=["body", "side", "position"], name="participant_unique_position"),
            models.CheckConstraint(condition=~Q(label_ja=""), name="participant_has_label"),
            models.CheckConstraint(
                condition=Q(since__isnull=True) | Q(until__isnull=True) | Q(until__gte=F("since")),
                name="participant_until_after_since",
            ),
        ]

    def __str__(self):
        return f"{self.body.abbreviation} {self.side}: {self.label_ja}"


class BodyNote(NaturalKeyModel, Curated):
    """A numbered note of the source's figure (注1…) and the part of the body it qualifies."""

    natural_key_fields = ("body__abbreviation", "number")

    class AppliesTo(models.TextChoices):
        NAME = "name", "name"
        JAPAN = "japan", "Japanese participants"
        US = "us", "U.S. participants"
        BOTH = "both", "participants of both sides"

    body = models.ForeignKey(ConsultationBody, on_delete=models.CASCADE, related_name="notes")
    number = models.PositiveSmallIntegerField()
    applies_to = models.CharField(max_length=5, choices=AppliesTo.choices)
    text_ja = models.TextField()
    text_en = models.TextField()

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["body", "number"], name="note_unique_number")]

    def __str__(self):
        return f"注{self.number} ({self.body.abbreviation})"

