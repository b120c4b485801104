"""`make run` loads the curated data into an empty database, and brings one that holds it up to
date with the fixtures' corrections without undoing what curators have written since."""

import shutil
from pathlib import Path

import pytest
import yaml
from django.conf import settings as django_settings
from django.core.management import call_command

from alliance.curated import FIXTURES
from alliance.models import BodyParticipant, CuratedBaseline, Publication, Source, Topic
from alliance.search.service import search
from guidelines.models import Edition
from meetings.models import Meeting, Outcome

pytestmark = pytest.mark.django_db

SHIPPED = Path(django_settings.FIXTURE_DIRS[0])
RECORDS = sum(len(yaml.safe_load((SHIPPED / f"{name}.yaml").read_text(encoding="utf-8"))) for name in FIXTURES)


@pytest.fixture
def corrected(tmp_path, settings):
    """A copy of the fixtures to correct, in place of the shipped ones (with the same first release)."""
    directory = tmp_path / "fixtures"
    shutil.copytree(SHIPPED, directory)
    settings.FIXTURE_DIRS = [directory]

    def correct(name, model, match, **fields):
        path = directory / f"{name}.yaml"
        objects = yaml.safe_load(path.read_text(encoding="utf-8"))
        hits = [obj for obj in objects if obj["model"] == model and all(obj["fields"].get(k) == v for k, v in match.items())]
        assert len(hits) == 1, (model, match)
        hits[0]["fields"].update(fields)
        path.write_text(yaml.safe_dump(objects, allow_unicode=True, sort_keys=False), encoding="utf-8")

    return correct


def outcome(meeting, position):
    return Outcome.objects.get(meeting__slug=meeting, position=position)


def load(capsys=None):
    call_command("load_curated")
    return capsys.readouterr().out if capsys else None


def test_a_database_that_is_up_to_date_is_left_as_it_is(capsys):
    assert "nothing to change" in load(capsys)
    assert "nothing to change" in load(capsys)
    assert CuratedBaseline.objects.count() == RECORDS


def test_it_loads_an_empty_database():
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    assert not Publication.objects.exists()

    call_command("load_curated", verbosity=0)

    assert Meeting.objects.count() == 15
    assert Outcome.objects.count() == 107
    assert CuratedBaseline.objects.count() == RECORDS


def test_a_correction_reaches_a_database_loaded_before_it_and_a_curators_edit_stays(corrected, capsys):
    item = outcome("2023-05-18-summit", 2)
    item.text_en = "A curator's better translation."
    item.save()
    corrected("meetings", "meetings.outcome", {"meeting": ["2023-05-18-summit"], "position": 2}, voice="us")
    corrected("meetings", "meetings.meeting", {"slug": "1996-06-28-vice-ministerial"}, notes_en="A curator's note.")

    out = load(capsys)

    item.refresh_from_db()
    assert item.voice == "us"  # the correction, on a field no curator touched
    assert item.text_en == "A curator's better translation."  # the curator's edit, kept
    assert Meeting.objects.get(slug="1996-06-28-vice-ministerial").notes_en == "A curator's note."
    assert "2 updated" in out and "0 created" in out
    assert item.pk == outcome("2023-05-18-summit", 2).pk  # the same row: ids kept


def test_when_both_changed_a_field_the_curators_value_is_kept_and_said(corrected, capsys):
    item = outcome("2023-05-18-summit", 2)
    item.voice = "exchange"
    item.save()
    corrected("meetings", "meetings.outcome", {"meeting": ["2023-05-18-summit"], "position": 2}, voice="us")

    out = load(capsys)

    item.refresh_from_db()
    assert item.voice == "exchange"
    assert "1 kept the curator's value" in out and '"2023-05-18-summit", 2]: voice' in out


def test_a_correction_to_topics_applies_and_a_record_the_fixtures_add_is_created(corrected):
    item = outcome("2022-05-23-summit", 5)
    tagged = [[topic.slug] for topic in item.topics.all()]
    corrected("meetings", "meetings.outcome", {"meeting": ["2022-05-23-summit"], "position": 5},
              topics=tagged + [["economic-security"]])
    path = Path(django_settings.FIXTURE_DIRS[0]) / "alliance.yaml"
    objects = yaml.safe_load(path.read_text(encoding="utf-8"))
    objects.append({"model": "alliance.topic", "fields": {"slug": "new-topic", "name_ja": "新しいトピック",
                                                           "name_en": "New topic", "aliases": [], "source": ["curators-glossary"],
                                                           "en_unofficial": True}})
    path.write_text(yaml.safe_dump(objects, allow_unicode=True, sort_keys=False), encoding="utf-8")

    load()

    assert {t.slug for t in item.topics.all()} == {slug for (slug,) in tagged} | {"economic-security"}
    assert Topic.objects.filter(slug="new-topic").exists()


def test_a_record_a_curator_deleted_is_not_brought_back(corrected, capsys):
    Meeting.objects.get(slug="1996-06-28-vice-ministerial").delete()
    corrected("meetings", "meetings.meeting", {"slug": "2022-07-economic-2plus2"}, notes_en="A curator's note.")

    out = load(capsys)

    assert not Meeting.objects.filter(slug="1996-06-28-vice-ministerial").exists()
    assert "1 not restored" in out


def test_the_baseline_moves_so_a_curators_later_edit_of_a_corrected_field_stays(corrected):
    corrected("meetings", "meetings.meeting", {"slug": "2022-07-economic-2plus2"}, kind="foreign-ministers")
    load()
    meeting = Meeting.objects.get(slug="2022-07-economic-2plus2")
    assert meeting.kind == "foreign-ministers"
    meeting.kind = "economic-2plus2"  # the curator disagrees with the correction
    meeting.save()

    load()

    meeting.refresh_from_db()
    assert meeting.kind == "economic-2plus2"


def test_force_resets_every_record_to_the_fixtures():
    meeting = Meeting.objects.get(slug="2023-05-18-summit")
    meeting.title_en = "Edited"
    meeting.save()

    call_command("load_curated", force=True, verbosity=0)

    meeting.refresh_from_db()
    assert meeting.title_en == "Japan–U.S. Summit Meeting"


def test_a_field_added_since_the_database_was_loaded_takes_the_fixtures_value():
    # A database loaded before Source.abridged existed holds its default (False) after migrating.
    Source.objects.filter(figure="III-2-1-3").update(abridged=False)

    load()

    assert set(Source.objects.filter(abridged=True).values_list("figure", flat=True)) == {"III-2-1-3"}


def test_a_database_of_the_first_release_gets_this_releases_corrections_and_keeps_a_curators_edits(capsys):
    # A database as `make run` left it at the first release, before any baseline was recorded.
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    first = SHIPPED / "baselines" / "first-release"
    call_command("loaddata", *(str(first / f"{name}.yaml") for name in FIXTURES if (first / f"{name}.yaml").exists()), verbosity=0)
    assert not CuratedBaseline.objects.exists() and not Meeting.objects.filter(slug="2023-economic-2plus2").exists()
    # A curator's edits since: a title, and the ambassador's English label, which this release corrects too.
    summit = Meeting.objects.get(slug="2023-05-18-summit")
    summit.title_en = "Japan–U.S. Summit Meeting in Hiroshima"
    summit.save()
    ambassador = BodyParticipant.objects.get(body__abbreviation="SCC", label_ja="駐日米国大使")
    ambassador.label_en = "U.S. Ambassador to Japan (curator's wording)"
    ambassador.save()
    ids = {(o.meeting.slug, o.position): o.pk for o in Outcome.objects.select_related("meeting")}

    out = load(capsys)

    # the corrections: the dated "2+2", the participants' periods, the new meeting, titles, tags, date sources
    scc_1976 = Meeting.objects.get(slug="1976-07-08-scc")
    assert "2+2" not in scc_1976.kind_display
    assert "1976-07-08-scc" not in {m.slug for m in search(query="2+2")[:50]}
    ambassador.refresh_from_db()
    assert str(ambassador.until) == "1990-12-25"  # a field the curator left
    assert ambassador.label_en == "U.S. Ambassador to Japan (curator's wording)"  # the curator's, kept and said
    assert "1 kept the curator's value" in out and "label_en" in out
    assert Meeting.objects.get(slug="2023-economic-2plus2").status == Meeting.Status.PLANNED
    assert Meeting.objects.get(slug="2023-04-vice-ministerial").title_composed
    assert "閣僚会合" not in Meeting.objects.get(slug="2022-07-economic-2plus2").title_ja
    assert outcome("2022-05-23-summit", 8).topics.filter(slug="north-korea").exists()
    assert Edition.objects.get(year=1978).date_source.slug == "curators-guidelines-dates"
    summit.refresh_from_db()
    assert summit.title_en == "Japan–U.S. Summit Meeting in Hiroshima"
    # every outcome item is the row it was: ids kept
    assert {(o.meeting.slug, o.position): o.pk for o in Outcome.objects.select_related("meeting")} == ids


def test_a_correction_is_a_version_that_says_where_it_came_from(corrected):
    corrected("meetings", "meetings.meeting", {"slug": "1996-06-28-vice-ministerial"}, notes_en="Corrected.")
    load()
    version = Meeting.objects.get(slug="1996-06-28-vice-ministerial").history.first()
    assert version.notes_en == "Corrected." and "load_curated" in version.history_change_reason
