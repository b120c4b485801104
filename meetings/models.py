"""Bilateral meetings: who attended in what post, and every outcome item in the source's order."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from alliance.models import (
    ConsultationBody,
    Curated,
    DatePrecision,
    KeepsFormerAddresses,
    NaturalKeyManager,
    NaturalKeyModel,
    Person,
    Place,
    Post,
    Side,
    Topic,
    first_of_period_check,
    format_date,
    last_day,
    post_not_held,
)

FIRST_MEETING_DATE = datetime.date(1945, 1, 1)


def plausible_meeting_date(value):
    """A meeting of the alliance is dated from 1945 (the occupation's first talks) to the end of
    next year (a meeting announced as planned): anything else is a typing or scanning error."""
    latest = datetime.date(datetime.date.today().year + 1, 12, 31)
    if not FIRST_MEETING_DATE <= value <= latest:
        raise ValidationError(_("A meeting's date must be between %(first)s and %(last)s.")
                              % {"first": FIRST_MEETING_DATE.isoformat(), "last": latest.isoformat()}, code="implausible")


def sees_drafts(user):
    """Whether this user sees draft meetings (curators and superusers do; visitors never)."""
    return bool(user and user.is_authenticated and user.is_active and user.has_perm("meetings.view_meeting"))


class MeetingQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state=Meeting.State.PUBLISHED)

    def visible_to(self, user):
        """The meetings this user may see: every one for a curator, the published ones for everyone else."""
        return self if sees_drafts(user) else self.published()

    def with_details(self):
        """Meetings with body, place, source, attendees (people and posts), outcome items (topics
        and provisions) and primary sources (with their publishers): everything a meeting's page,
        API record, feed entry and search hit show."""
        from documents.models import Document
        from guidelines.models import Provision

        return self.select_related("body", "place", "source__publication").prefetch_related(
            Prefetch("attendances", Attendance.objects.select_related("person", "post")),
            Prefetch("outcomes", Outcome.objects.prefetch_related(
                "topics", Prefetch("provisions", Provision.objects.select_related("edition")))),
            Prefetch("documents", Document.objects.select_related("publisher")),
        )

    def for_hits(self):
        """Meetings with what a hit on the search page shows: body, place, the people who attended
        and the text of the outcome items (for the snippets); not the items' topics and provisions,
        whose loading took two thirds of a page of hits (27 → 10 ms for 20 meetings)."""
        return self.select_related("body", "place").prefetch_related(
            Prefetch("attendances", Attendance.objects.select_related("person")), "outcomes")


class Meeting(KeepsFormerAddresses, NaturalKeyModel, Curated):
    objects = NaturalKeyManager.from_queryset(MeetingQuerySet)()

    class Kind(models.TextChoices):
        SUMMIT = "summit", "首脳会談 / summit meeting"
        SCC = "scc", "日米安全保障協議委員会（「2+2」）/ Security Consultative Committee (\"2+2\")"
        DEFENSE_MINISTERS = "defense-ministers", "防衛相会談 / defense ministerial meeting"
        FOREIGN_MINISTERS = "foreign-ministers", "外相会談 / foreign ministerial meeting"
        ECONOMIC_2PLUS2 = "economic-2plus2", "経済版「2+2」/ Economic \"2+2\""
        VICE_MINISTERIAL = "vice-ministerial", "次官級協議 / vice-ministerial consultation"

    class Status(models.TextChoices):
        HELD = "held", "held"
        PLANNED = "planned", "planned (as the source reports it)"

    class State(models.TextChoices):
        DRAFT = "draft", "draft"
        PUBLISHED = "published", "published"

    slug = models.SlugField(max_length=120, unique=True, help_text="Stable permalink: date and kind.")
    date = models.DateField(db_index=True, validators=[plausible_meeting_date])
    date_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HELD)
    state = models.CharField(
        max_length=10,
        choices=State.choices,
        default=State.PUBLISHED,
        db_index=True,
        help_text="A draft is seen only by curators: not in the pages, the API, feeds, exports or search counts "
                  "of anyone else. Publishing it shows it everywhere.",
    )
    body = models.ForeignKey(
        ConsultationBody, null=True, blank=True, on_delete=models.PROTECT, related_name="meetings"
    )
    place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.PROTECT, related_name="meetings")
    title_ja = models.CharField(max_length=200)
    title_en = models.CharField(max_length=300)
    title_composed = models.BooleanField(
        default=False,
        help_text="The curators composed the title: the source mentions the meeting only in running text, by no name.",
    )
    printed_ja = models.CharField(
        max_length=300,
        blank=True,
        help_text="The meeting/place cell as the scan printed it; a row split across pages gives each printing, joined by ' | '.",
    )
    notes_ja = models.TextField(blank=True, help_text="What the source says of the meeting outside its outcome items.")
    notes_en = models.TextField(blank=True)

    class Meta:
        ordering = ["-date", "slug"]
        constraints = [first_of_period_check("date", "date_precision", "meeting_date_precision")]

    def __str__(self):
        return f"{self.date_display} {self.title_ja}"

    def get_absolute_url(self):
        return reverse("meetings:detail", args=[self.slug])

    @property
    def date_display(self):
        return format_date(self.date, self.date_precision)

    @property
    def is_draft(self):
        return self.state == self.State.DRAFT

    @property
    def last_day(self):
        """The last day the meeting's date may stand for: the date itself, or the end of its month or year."""
        return last_day(self.date, self.date_precision)

    @property
    def body_aliases(self):
        """The names its body went by when the meeting was held: the SCC of 1976 was not yet the "2+2"."""
        return self.body.aliases_during(self.date, self.last_day) if self.body else []

    @property
    def kind_display(self):
        """The kind's label, unless it calls the body by a name not in use on the meeting's date; then the
        body's own name ('Security Consultative Committee', not '"2+2"', before 26 December 1990)."""
        label = self.get_kind_display()
        if self.body and any(alias in label for alias in set(self.body.aliases) - set(self.body_aliases)):
            return f"{self.body.name_ja} / {self.body.name_en}"
        return label


class AttendanceQuerySet(models.QuerySet):
    def published(self):
        return self.filter(meeting__state=Meeting.State.PUBLISHED)

    def visible_to(self, user):
        return self if sees_drafts(user) else self.published()


# A row's position in its meeting: from 1, and below the positions the write path holds for a
# moment while rows change places (meetings.services.SPARE_POSITION).
MAX_ROW_POSITION = 9999
MAX_ITEM_TEXT = 30_000  # characters in an outcome item's text or note (see Outcome)
ROW_POSITION = [MinValueValidator(1), MaxValueValidator(MAX_ROW_POSITION)]


class Attendance(NaturalKeyModel, Curated):
    """One attendee: the name as printed, and the person and the post held on the meeting's date."""

    natural_key_fields = ("meeting__slug", "position")
    objects = NaturalKeyManager.from_queryset(AttendanceQuerySet)()

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    position = models.PositiveSmallIntegerField(validators=ROW_POSITION)
    side = models.CharField(max_length=5, choices=Side.choices)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="attendances")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.PROTECT, related_name="attendances")
    label_ja = models.CharField(max_length=200, help_text="Name and post as the source gives them, scan errors corrected.")
    label_en = models.CharField(max_length=300, blank=True,
                                help_text="Empty only on a draft (an imported row not yet translated).")
    label_printed = models.CharField(
        max_length=200,
        blank=True,
        help_text="The scan's forms where they differ from the label, joined by ' | ', e.g. プリンケン米國務長官 | ブリンケン米国务長官.",
    )

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="attendance_unique_position"),
            models.UniqueConstraint(
                fields=["meeting", "person"], condition=Q(person__isnull=False), name="attendance_unique_person"
            ),
            models.CheckConstraint(condition=Q(position__gte=1), name="attendance_position_positive"),
        ]

    def __str__(self):
        return self.label_ja

    def clean(self):
        # the meeting may be new and unsaved (the admin's add form): its date is known all the same
        meeting = self.meeting if self.meeting_id or Attendance.meeting.is_cached(self) else None
        if self.person_id and self.post_id and meeting is not None and meeting.date:
            problem = post_not_held(self.person, self.post, meeting.date)
            if problem:
                raise ValidationError({"post": problem})


class OutcomeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(meeting__state=Meeting.State.PUBLISHED)

    def visible_to(self, user):
        return self if sees_drafts(user) else self.published()

    def with_meeting(self):
        """Outcome items with their meeting (body, place), topics and provisions: a search hit."""
        from guidelines.models import Provision

        return self.select_related("meeting__body", "meeting__place").prefetch_related(
            "topics", Prefetch("provisions", Provision.objects.select_related("edition")))


class Outcome(NaturalKeyModel, Curated):
    """One outcome bullet of a meeting, in the source's order."""

    objects = NaturalKeyManager.from_queryset(OutcomeQuerySet)()

    natural_key_fields = ("meeting__slug", "position")

    class Voice(models.TextChoices):
        JOINT = "joint", "共同 / joint"
        JAPAN = "japan", "日本側 / Japanese side"
        US = "us", "米側 / U.S. side"
        EXCHANGE = "exchange", "日米それぞれ / each side in turn"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="outcomes")
    position = models.PositiveSmallIntegerField(validators=ROW_POSITION)
    voice = models.CharField(
        max_length=10,
        choices=Voice.choices,
        help_text="Who the item speaks for: joint when it names no side as a speaker (日本側から, 米側は, or an attendee), "
                  "the side it names, or each in turn when it names both. A side it only addresses (米側に要請) does "
                  "not count; a curator's note may record another reading (see meetings/voice.py).",
    )
    # An item is a bullet of a summary table: a few sentences (the longest of the source's has
    # about 300 characters). MAX_ITEM_TEXT is a hundred times that: a longer text is a mistake
    # (a whole document pasted in), refused with the field named.
    text_ja = models.TextField(max_length=MAX_ITEM_TEXT,
                               help_text="The bullet's text, scan errors corrected; the bullet mark itself is layout, not text.")
    text_en = models.TextField(max_length=MAX_ITEM_TEXT, blank=True,
                               help_text="Empty only on a draft (an imported item not yet translated).")
    text_printed = models.TextField(max_length=MAX_ITEM_TEXT, blank=True,
                                    help_text="The scan's text where it differs from the corrected text.")
    curator_note_ja = models.TextField(
        max_length=MAX_ITEM_TEXT, blank=True, help_text="A curator's note on a doubtful reading of the source: what the printed wording most "
                              "likely means. The text keeps the printed wording; the voice follows the note.")
    curator_note_en = models.TextField(max_length=MAX_ITEM_TEXT, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="outcomes")
    provisions = models.ManyToManyField("guidelines.Provision", blank=True, related_name="outcomes")

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="outcome_unique_position"),
            models.CheckConstraint(condition=Q(position__gte=1), name="outcome_position_positive"),
            models.CheckConstraint(condition=~Q(text_ja=""), name="outcome_has_text"),
        ]

    def __str__(self):
        return f"{self.meeting.slug} #{self.position}"
