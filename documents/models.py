"""Primary sources: the governments' own documents about a record (official readouts, joint
statements, fact sheets, press conferences, official texts), each at one address.

A document is linked to the meetings it reports, and to the bodies, Guidelines editions and
provisions it is about (the 2015 Guidelines' official text, say). Its title is as the publisher
printed it, in the document's language; nothing in it is our translation.
"""

from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q

from alliance.history import CuratedHistory
from alliance.models import ConsultationBody, NaturalKeyManager, NaturalKeyModel, Organization

MAX_URL = 500


def canonical_url(value):
    """The address as it is stored and compared: stripped, with the scheme and host in lower case
    and a default port dropped (https://WWW.MOFA.go.jp:443/a and https://www.mofa.go.jp/a are one
    document). Path, query and fragment are kept as given: they name different pages."""
    value = (value or "").strip()
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return value  # the validator says why
    userinfo = parts.netloc.rpartition("@")[0]  # kept, for the validator to refuse
    hostname = parts.hostname or ""
    hostname = f"[{hostname}]" if ":" in hostname else hostname  # an IPv6 address keeps its brackets
    host = (f"{userinfo}@" if userinfo else "") + hostname + (f":{port}" if port not in (None, 443) else "")
    return urlunsplit((parts.scheme.lower(), host, parts.path, parts.query, parts.fragment)) if parts.netloc else value


def validate_document_url(value):
    """A well-formed https address of a public page: no other scheme, no user name or password."""
    if len(value) > MAX_URL:
        raise ValidationError(f"An address of at most {MAX_URL} characters is expected ({len(value)} given).", code="max_length")
    URLValidator(schemes=["https", "http"], message="Enter a well-formed address, such as https://www.mofa.go.jp/…")(value)
    parts = urlsplit(value)
    if parts.scheme != "https":
        raise ValidationError("Only https addresses are kept: give the page's https address.", code="https")
    if parts.username or parts.password:
        raise ValidationError("An address with a user name or password is not a public page.", code="credentials")


class DocumentQuerySet(models.QuerySet):
    def with_details(self, user=None):
        """Documents with publisher and what they are about (the meetings this user may see): a
        page row or an API record."""
        from guidelines.models import Provision
        from meetings.models import Meeting

        return self.select_related("publisher").prefetch_related(
            models.Prefetch("meetings", Meeting.objects.visible_to(user).order_by("date", "slug")),
            models.Prefetch("bodies", ConsultationBody.objects.only("id", "abbreviation", "name_ja", "name_en")),
            "editions", models.Prefetch("provisions", Provision.objects.select_related("edition")))


class Document(NaturalKeyModel):
    natural_key_fields = ("url",)

    objects = NaturalKeyManager.from_queryset(DocumentQuerySet)()
    history = CuratedHistory()

    class Language(models.TextChoices):
        JAPANESE = "ja", "日本語 / Japanese"
        ENGLISH = "en", "英語 / English"

    class Kind(models.TextChoices):
        READOUT = "readout", "会談概要 / readout"
        JOINT_STATEMENT = "joint-statement", "共同声明 / joint statement"
        FACT_SHEET = "fact-sheet", "ファクトシート / fact sheet"
        PRESS_CONFERENCE = "press-conference", "記者会見 / press conference"
        PRESS_RELEASE = "press-release", "報道発表 / press release"
        NEWS = "news", "広報記事 / the publisher's news story"
        OFFICIAL_TEXT = "official-text", "公式文書 / official text"
        SPEECH = "speech", "演説・発言 / speech or remarks"

    url = models.URLField("address", max_length=MAX_URL, unique=True, validators=[validate_document_url],
                          error_messages={"unique": "A document at this address is recorded already: one document per address."},
                          help_text="The page's https address, as the publisher serves it.")
    publisher = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="documents",
                                  help_text="The government body that published it (MOFA, MOD, the White House…).")
    language = models.CharField(max_length=2, choices=Language.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=500, help_text="As published, in the document's language.")
    date = models.DateField(help_text="The date the document gives (of the meeting it reports, or of its issue).")
    note_ja = models.TextField("curator's note (ja)", blank=True)
    note_en = models.TextField("curator's note (en)", blank=True)
    meetings = models.ManyToManyField("meetings.Meeting", blank=True, related_name="documents")
    bodies = models.ManyToManyField(ConsultationBody, blank=True, related_name="documents")
    editions = models.ManyToManyField("guidelines.Edition", blank=True, related_name="documents")
    provisions = models.ManyToManyField("guidelines.Provision", blank=True, related_name="documents")

    class Meta:
        ordering = ["date", "publisher__country", "publisher__slug", "language", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(url__startswith="https://"), name="document_url_https"),
            models.CheckConstraint(condition=~Q(title=""), name="document_title_given"),
        ]

    def __str__(self):
        return f"{self.title} ({self.publisher.abbreviation or self.publisher.name_en}, {self.date.isoformat()})"

    def clean_fields(self, exclude=None):
        self.url = canonical_url(self.url)
        self.title = " ".join((self.title or "").split())
        super().clean_fields(exclude)

    def save(self, *args, **kwargs):
        self.url = canonical_url(self.url)  # every write path stores the one form the uniqueness holds for
        super().save(*args, **kwargs)


# What counts as the official account of a meeting: its readout, or the statement it issued.
READOUT_KINDS = (Document.Kind.READOUT, Document.Kind.JOINT_STATEMENT)


def published_meetings_with_documents(kinds=None):
    """How many published meetings have at least one primary source linked (of these `kinds`):
    counted from the links (which grow with the curators' work), never by reading every meeting."""
    from meetings.models import Meeting

    links = Document.meetings.through.objects.filter(meeting__state=Meeting.State.PUBLISHED)
    if kinds is not None:
        links = links.filter(document__kind__in=kinds)
    return links.values("meeting_id").distinct().count()
