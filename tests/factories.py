"""Plain factory functions for records that tests build themselves."""

import datetime

from alliance.models import Organization, Person, Post, Publication, Source, Tenure
from meetings.models import Meeting


def make_source(slug="test-source"):
    publication, _ = Publication.objects.get_or_create(slug="test-publication", defaults={"title_ja": "試験", "title_en": "Test"})
    return Source.objects.create(slug=slug, publication=publication, locator_ja="試験", locator_en="test")


def make_post(source, slug="test-post"):
    organization = Organization.objects.create(slug=f"{slug}-org", name_ja="試験省", name_en="Ministry of Tests", country="JP", source=source)
    return Post.objects.create(slug=slug, title_ja="試験大臣", title_en="Minister of Tests", organization=organization, country="JP", source=source)


def make_person(source, slug="test-person"):
    return Person.objects.create(slug=slug, name_ja="試験太郎", name_en="Shiken Taro", name_kana="シケン タロウ", country="JP", source=source)


def make_tenure(person, post, start=datetime.date(2020, 1, 1), end=None, **fields):
    return Tenure.objects.create(person=person, post=post, start=start, end=end, source=person.source, **fields)


def make_meeting(source, slug="2024-01-01-summit", date=datetime.date(2024, 1, 1), **fields):
    fields = {"kind": Meeting.Kind.SUMMIT, "title_ja": "日米首脳会談", "title_en": "Japan–U.S. Summit Meeting", **fields}
    return Meeting.objects.create(slug=slug, date=date, source=source, **fields)


def content(response):
    """A response's body, streamed (an export, the calendar) or not."""
    return b"".join(response.streaming_content) if response.streaming else response.content
