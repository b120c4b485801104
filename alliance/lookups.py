"""What a user may type for a body, a person, a topic or a place, turned into the one value the
search filters take; a clear, translated error otherwise. The meeting filters (page and API) and
the site-wide search share them."""

import re

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from alliance.models import ConsultationBody, Person, Place, Topic
from alliance.search.analyzer import normalize
from alliance.search.service import search


def body_abbreviation(value):
    body = ConsultationBody.objects.filter(abbreviation__iexact=value).first()
    if body is None:
        abbreviations = ", ".join(ConsultationBody.objects.values_list("abbreviation", flat=True))
        raise ValidationError(_("No consultation body %(value)r; use one of %(choices)s"),
                              params={"value": value, "choices": abbreviations})
    return body.abbreviation


MAX_NAMESAKES = 20


def person_slug(value):
    """Whoever `value` names, in any form the search finds people by: the slug, the name in either
    script, the reading, an alias or a form the scan misread, the romanized name or the surname
    alone when only one person has it, in any case or width. Several people with the name is an
    error that lists them."""
    if Person.objects.filter(slug=value).exists():
        return value
    words = QUERY_SYNTAX.sub(" ", value)  # a name, not a query: no phrases, exclusions or operators
    people = list(search(query=words, kind="person")[:MAX_NAMESAKES]) if words.strip() else []
    if len(people) > 1:  # the name itself, exactly, before those it is only part of
        exact = [person for person in people if normalize(value)[0] in {normalize(name)[0] for name in _names(person)}]
        people = exact or people
    if not people:
        raise ValidationError(_("No person is named %(value)r; give a name in Japanese or English, or a slug such as "
                                "kishida-fumio"), params={"value": value})
    if len(people) > 1:
        namesakes = ", ".join(f"{person.name_ja} / {person.name_en} ({person.slug})" for person in people)
        raise ValidationError(_("%(value)r names several people: %(people)s; give one of their slugs"),
                              params={"value": value, "people": namesakes})
    return people[0].slug


QUERY_SYNTAX = re.compile(r'["“”「」『』|*]|(?:^|\s)-|\bOR\b|\bAND\b|\bNOT\b')


def _names(person):
    return [person.name_ja, person.name_en, person.name_kana, *person.aliases]


def topic_slug(value):
    if not Topic.objects.filter(slug=value).exists():
        raise ValidationError(_("No topic %(value)r; the topics are listed at /topics/ and /api/v1/topics/"), params={"value": value})
    return value


def place_slug(value):
    place = Place.objects.filter(Q(slug=value) | Q(name_ja=value) | Q(name_en__iexact=value)).first()
    if place is None:
        raise ValidationError(_("No place %(value)r; give a slug such as washington or a name such as 広島"), params={"value": value})
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
