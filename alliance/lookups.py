"""What a user may type for a body, a person, a topic or a place, turned into the one value the
search filters take; a clear, translated error otherwise. The meeting filters (page and API) and
the site-wide search share them."""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from alliance.models import ConsultationBody, Person, Place, Topic


def body_abbreviation(value):
    body = ConsultationBody.objects.filter(abbreviation__iexact=value).first()
    if body is None:
        abbreviations = ", ".join(ConsultationBody.objects.values_list("abbreviation", flat=True))
        raise ValidationError(_("No consultation body %(value)r; use one of %(choices)s")
                              % {"value": value, "choices": abbreviations})
    return body.abbreviation


def person_slug(value):
    people = Person.objects.filter(Q(slug=value) | Q(name_ja=value) | Q(name_en__iexact=value) | Q(aliases__icontains=value))
    matches = [person for person in people if person.slug == value or person.name_ja == value
               or person.name_en.casefold() == value.casefold() or value in person.aliases]
    if len(matches) != 1:
        raise ValidationError(_("No single person is named %(value)r; give a slug such as kishida-fumio") % {"value": value})
    return matches[0].slug


def topic_slug(value):
    if not Topic.objects.filter(slug=value).exists():
        raise ValidationError(_("No topic %(value)r; the topics are listed at /topics/ and /api/v1/topics/") % {"value": value})
    return value


def place_slug(value):
    place = Place.objects.filter(Q(slug=value) | Q(name_ja=value) | Q(name_en__iexact=value)).first()
    if place is None:
        raise ValidationError(_("No place %(value)r; give a slug such as washington or a name such as 広島") % {"value": value})
    return place.slug


def cleaner(lookup):
    """A form's clean_<field> method that looks the stripped value up (empty stays empty)."""

    def clean(form):
        name = lookup.field_name
        value = (form.cleaned_data.get(name) or "").strip()
        return lookup(value) if value else value

    return clean


body_abbreviation.field_name = "body"
person_slug.field_name = "person"
topic_slug.field_name = "topic"
place_slug.field_name = "place"
