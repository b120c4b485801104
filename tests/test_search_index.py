"""The index follows every write in the same transaction, and can be rebuilt from scratch."""

import datetime
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.urls import reverse

from alliance.models import ConsultationBody, Person, Place
from alliance.search.index import REGISTRY, reindex
from alliance.search.models import SearchEntry
from alliance.search.service import search
from guidelines.models import OperationRole, Provision
from meetings.models import Attendance, Meeting, Outcome
from tests.factories import make_meeting, make_source

pytestmark = pytest.mark.django_db


def found(query, kind="meeting"):
    return {getattr(record, "slug", None) or record.pk for record in search(query=query, kind=kind)[:100]}


def test_a_new_meeting_and_its_outcomes_are_found_at_once():
    meeting = make_meeting(make_source(), slug="2024-04-10-summit", date=datetime.date(2024, 4, 10))
    assert "2024-04-10-summit" in found("日米首脳会談")
    Outcome.objects.create(meeting=meeting, position=1, voice="joint", text_ja="量子技術で協力。", text_en="Cooperate on quantum technology.", source=meeting.source)
    assert found("量子技術") == {"2024-04-10-summit"}
    assert "2024-04-10-summit" in found("quantum")
    assert len(search(query="量子技術", kind="outcome")[:20]) >= 1


def test_editing_and_deleting_an_outcome_changes_what_finds_its_meeting():
    outcome = Outcome.objects.get(meeting__slug="2022-06-27-summit", position=3)
    assert found("プライスキャップ") == {"2022-06-27-summit"}
    outcome.text_ja = "石油価格への対応について議論。"
    outcome.text_printed = ""
    outcome.text_en = "Discussed oil prices."
    outcome.save()
    assert found("プライスキャップ") == set()
    assert "2022-06-27-summit" in found("石油価格")
    outcome.delete()
    assert "2022-06-27-summit" not in found("石油価格")
    assert not SearchEntry.objects.filter(kind="outcome", object_id=outcome.pk or 0).exists()


def test_renaming_a_person_reindexes_their_meetings():
    person = Person.objects.get(slug="colin-h-kahl")
    person.aliases = [*person.aliases, "コリン・H・カール博士"]
    person.save()
    assert found("カール博士") == {"2023-04-vice-ministerial"}
    assert found("カール博士", kind="person") == {"colin-h-kahl"}


def test_changing_a_body_alias_or_a_place_reindexes_its_meetings():
    scc = ConsultationBody.objects.get(abbreviation="SCC")
    scc.aliases = [*scc.aliases, "ツー・プラス・ツー会合"]
    scc.save()
    assert found("ツー・プラス・ツー会合") == {"1976-07-08-scc", "2012-04-27-scc", "2023-01-11-scc"}
    elmau = Place.objects.get(slug="elmau")
    elmau.name_en = "Schloss Elmau"
    elmau.save()
    assert found("Schloss") == {"2022-06-27-summit"}


def test_adding_an_attendee_reindexes_the_meeting():
    meeting = Meeting.objects.get(slug="2012-04-27-scc")
    Attendance.objects.create(meeting=meeting, position=1, side="us", label_ja="パネッタ国防長官", label_en="Secretary of Defense Panetta", source=meeting.source)
    assert found("パネッタ") == {"2012-04-27-scc"}


def test_deleting_a_meeting_removes_it_and_its_outcomes_from_the_index():
    meeting = Meeting.objects.get(slug="2022-06-27-summit")
    outcome_ids = list(meeting.outcomes.values_list("pk", flat=True))
    meeting.delete()
    assert "2022-06-27-summit" not in found("エルマウ")
    assert not SearchEntry.objects.filter(kind="outcome", object_id__in=outcome_ids).exists()


def test_editing_a_provision_or_an_operations_row_reindexes_the_provision():
    provision = Provision.objects.get(edition__year=2015, path="VIII")
    provision.text_ja += "（試験用の語：見直し条項）"
    provision.save()
    assert found("見直し条項", kind="provision") == {provision.pk}
    role = OperationRole.objects.get(operation_ja="特殊作戦")
    role.joint_ja += "（特殊部隊の語）"
    role.save()
    assert found("特殊部隊の語", kind="provision") == {role.provision_id}


def test_a_rolled_back_write_leaves_the_index_unchanged():
    entries = SearchEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        meeting = make_meeting(make_source(), slug="2030-01-01-summit", date=datetime.date(2030, 1, 1), title_ja="幻の会談")
        Outcome.objects.create(meeting=meeting, position=1, voice="joint", text_ja="幻の合意。", text_en="A phantom agreement.", source=meeting.source)
        assert found("幻の合意") == {"2030-01-01-summit"}
        raise RuntimeError("roll back")
    assert found("幻の合意") == set()
    assert found("幻の合意", kind="outcome") == set()
    assert SearchEntry.objects.count() == entries


def test_a_curator_saving_in_the_admin_updates_the_index(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("curator", "c@example.org", "pw"))
    person = Person.objects.get(slug="kathleen-h-hicks")
    url = reverse("admin:alliance_person_change", args=[person.pk])
    form = {
        "slug": person.slug, "name_ja": "キャスリーン・ヒックス", "name_en": "Kathleen H. Hicks", "name_kana": person.name_kana,
        "country": "US", "aliases": '["ヒックス副長官閣下"]', "source": person.source_id, "en_unofficial": "",
        "tenures-TOTAL_FORMS": "0", "tenures-INITIAL_FORMS": "0", "tenures-MIN_NUM_FORMS": "0", "tenures-MAX_NUM_FORMS": "1000",
    }
    tenure = person.tenures.get()
    form.update({
        "tenures-TOTAL_FORMS": "1", "tenures-INITIAL_FORMS": "1", "tenures-0-id": tenure.pk, "tenures-0-person": person.pk,
        "tenures-0-post": tenure.post_id, "tenures-0-start": tenure.start.isoformat(), "tenures-0-start_precision": "day",
        "tenures-0-end": tenure.end.isoformat(), "tenures-0-end_precision": "day", "tenures-0-source": tenure.source_id,
    })
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert found("ヒックス副長官閣下") == {"2023-04-vice-ministerial"}


def test_loading_the_fixtures_indexes_everything():
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    assert not SearchEntry.objects.exists()
    call_command("load_curated", verbosity=0)
    counts = {kind: SearchEntry.objects.filter(kind=kind).count() for kind in ("meeting", "outcome", "provision", "body", "person")}
    assert counts == {"meeting": 15, "outcome": 107, "provision": 91, "body": 4, "person": 10}


def test_rebuild_search_index_rebuilds_from_scratch(capsys):
    SearchEntry.objects.all().delete()
    assert found("尖閣") == set()
    call_command("rebuild_search_index")
    assert "meeting: 15 indexed" in capsys.readouterr().out
    assert found("尖閣") == {"2022-05-04-defense-ministers", "2022-05-23-summit", "2023-01-11-scc"}


def test_rebuild_search_index_names_an_unknown_kind():
    with pytest.raises(CommandError, match="Unknown kind treaty"):
        call_command("rebuild_search_index", kind=["treaty"])


def entries(kind):
    return dict(SearchEntry.objects.filter(kind=kind).values_list("object_id", "document"))


def test_a_rebuild_goes_in_batches_that_say_how_far_it_is_and_how_to_resume(capsys):
    before = entries("meeting")
    call_command("rebuild_search_index", kind=["meeting"], batch_size=4)
    out = capsys.readouterr().out
    ids = sorted(Meeting.objects.values_list("pk", flat=True))
    assert f"meeting: {len(ids)} of {len(ids)} (100%)" in out and f"to resume: --start-after meeting:{ids[-1]}" in out
    assert "records/s" in out and f"meeting: {len(ids)} indexed" in out
    assert entries("meeting") == before  # the same documents, rebuilt


def test_an_interrupted_rebuild_resumes_after_the_record_it_names(capsys):
    ids = sorted(Meeting.objects.values_list("pk", flat=True))
    SearchEntry.objects.filter(kind="meeting").delete()
    call_command("rebuild_search_index", kind=["meeting", "outcome"], start_after=f"meeting:{ids[4]}")
    assert set(entries("meeting")) == set(ids[5:])  # the first five were done before the interruption
    assert SearchEntry.objects.filter(kind="outcome").count() == Outcome.objects.count()  # the kinds after it too
    assert f"{len(ids) - 5 + Outcome.objects.count():,} records rebuilt in" in capsys.readouterr().out  # its rate: of these
    with pytest.raises(CommandError, match="give KIND:ID"):
        call_command("rebuild_search_index", kind=["meeting"], start_after="outcome:3")


def test_a_rebuild_rewrites_only_the_entries_whose_records_changed():
    # Each entry keeps a digest of what it holds: a rebuild leaves alone those that would be
    # written the same (at a million meetings, 27 GB of entries and their index keys not written
    # again for nothing), and replaces those that changed behind the index's back.
    stale = Meeting.objects.get(slug="2023-01-11-scc")
    Meeting.objects.filter(pk=stale.pk).update(title_en="Security Consultative Committee in Zanzibar")  # no signal
    assert found("zanzibar") == set()
    ids = dict(SearchEntry.objects.filter(kind="meeting").values_list("object_id", "pk"))
    out = io.StringIO()
    call_command("rebuild_search_index", kind=["meeting"], batch_size=4, stdout=out)
    assert found("zanzibar") == {"2023-01-11-scc"}
    after = dict(SearchEntry.objects.filter(kind="meeting").values_list("object_id", "pk"))
    assert after.keys() == ids.keys()
    assert {object_id for object_id in ids if after[object_id] != ids[object_id]} == {stale.pk}
    assert f"meeting: {len(ids)} indexed, 1 of them written (the others held their documents already)" in out.getvalue()
    assert f"meeting: {len(ids)} of {len(ids)} (100%), 1 written" in out.getvalue()


def test_a_forced_rebuild_writes_every_entry_again():
    # After the entry table itself was edited by hand, the digests no longer say what the entries hold.
    scc = Meeting.objects.get(slug="2023-01-11-scc")
    SearchEntry.objects.filter(kind="meeting", object_id=scc.pk).update(document=[], facets=[])
    assert found("尖閣") == {"2022-05-04-defense-ministers", "2022-05-23-summit"}
    call_command("rebuild_search_index", kind=["meeting"], verbosity=0)
    assert found("尖閣") == {"2022-05-04-defense-ministers", "2022-05-23-summit"}  # its digest says it is current
    ids = dict(SearchEntry.objects.filter(kind="meeting").values_list("object_id", "pk"))
    out = io.StringIO()
    call_command("rebuild_search_index", kind=["meeting"], force=True, stdout=out)
    assert found("尖閣") == {"2022-05-04-defense-ministers", "2022-05-23-summit", "2023-01-11-scc"}
    assert not set(ids.items()) & set(SearchEntry.objects.filter(kind="meeting").values_list("object_id", "pk"))
    assert f"meeting: {len(ids)} indexed, {len(ids)} of them written" in out.getvalue()


def test_an_entry_whose_digest_is_not_known_is_written_again():
    SearchEntry.objects.filter(kind="meeting").update(digest=None)  # as entries written before digests were kept
    ids = dict(SearchEntry.objects.filter(kind="meeting").values_list("object_id", "pk"))
    call_command("rebuild_search_index", kind=["meeting"], verbosity=0)
    after = dict(SearchEntry.objects.filter(kind="meeting").values_list("object_id", "pk"))
    assert after.keys() == ids.keys() and not any(after[object_id] == pk for object_id, pk in ids.items())
    assert not SearchEntry.objects.filter(kind="meeting", digest=None).exists()
    assert found("尖閣") == {"2022-05-04-defense-ministers", "2022-05-23-summit", "2023-01-11-scc"}


def test_a_save_that_leaves_a_document_as_it_was_writes_no_entry():
    from django.test.utils import CaptureQueriesContext

    meeting = Meeting.objects.get(slug="2023-01-11-scc")

    def entry_writes():
        with CaptureQueriesContext(connection) as captured, transaction.atomic():
            meeting.save()
        return [query["sql"] for query in captured.captured_queries
                if re.match(r'(UPDATE|INSERT INTO|DELETE FROM) "search_searchentry"', query["sql"])]

    assert entry_writes() == []  # saved as it was: its entry, and its items', hold their documents already
    meeting.title_en = "Security Consultative Committee (Zanzibar)"
    [update] = entry_writes()  # its own entry; its items' documents do not hold its title
    assert update.startswith('UPDATE "search_searchentry"')
    assert found("zanzibar") == {"2023-01-11-scc"}


def test_the_same_document_has_the_same_digest_in_every_process(tmp_path):
    # Python hashes strings differently in each process: a document written in the order of a set
    # of its terms would get another digest in every rebuild's workers, and be written again.
    import os
    import subprocess
    import sys

    from django.conf import settings

    script = (
        "import django; django.setup()\n"
        "from alliance.search.index import Document, analyzed\n"
        "import datetime\n"
        "document = Document(datetime.date(2023, 1, 11), ['日米安全保障協議委員会は拡大抑止を議論した。', "
        "'The SCC discussed extended deterrence.'], {'kind': ['scc'], 'topic': ['deterrence', 'space']}, "
        "head=['日米安全保障協議委員会（2+2）', 'Security Consultative Committee'], about=['ワシントン', 'Washington'])\n"
        "print(analyzed('postgresql', 7, document)['digest'], analyzed('sqlite', 7, document)['digest'])\n"
    )
    digests = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "DJANGO_SETTINGS_MODULE": "alliance.settings",
               "PYTHONPATH": str(settings.BASE_DIR)}
        result = subprocess.run([sys.executable, "-c", script], env=env, cwd=settings.BASE_DIR, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-2000:]
        digests.add(result.stdout)
    assert len(digests) == 1


def test_a_rebuild_drops_the_entries_of_records_that_are_gone():
    SearchEntry.objects.create(kind="meeting", object_id=10**9, sort_date=datetime.date(2020, 1, 1),
                               date_end=datetime.date(2020, 1, 1), document=[], facets=[], names=[])
    call_command("rebuild_search_index", kind=["meeting"], verbosity=0)
    assert not SearchEntry.objects.filter(kind="meeting", object_id=10**9).exists()
    assert SearchEntry.objects.filter(kind="meeting").count() == Meeting.objects.count()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_the_entries_of_records_that_are_gone_are_found_by_an_anti_join_at_any_size():
    """NOT IN (SELECT id …) compares each entry with every record once the ids outgrow work_mem:
    at a million meetings the rebuild's last step ran for ten minutes. An anti-join does not."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call_command("rebuild_search_index", kind=["meeting"], verbosity=0)
    [removal] = [q["sql"] for q in captured.captured_queries
                 if q["sql"].startswith('DELETE FROM "search_searchentry"') and "meetings_meeting" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("SET work_mem = '64kB'")  # the records' ids no longer fit, as at a million
        try:
            cursor.execute("EXPLAIN " + removal)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET work_mem")
    assert "Anti Join" in plan and "SubPlan" not in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL partial index")
def test_the_public_list_and_its_count_can_be_read_from_the_index_of_published_entries():
    """Without it, leaving drafts out reads every entry's facets (55 ms instead of 2 ms at 10,000)."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        results = search(kind="meeting")
        results.count(), results[:20]
    statements = [q["sql"] for q in captured.captured_queries if "search_searchentry" in q["sql"]]
    assert len(statements) == 2
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # as on a large table: the planner's choice among indexes
        for statement in statements:
            cursor.execute("EXPLAIN " + statement)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "search_meeting_public_by_date" in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
@pytest.mark.parametrize("sort", ["newest", "oldest", "relevance"])
def test_a_counted_search_tells_postgresql_whether_to_walk_the_dates_or_collect_the_matches(sort):
    """The planner guesses that a prefix ('尖閣':*) matches 0.5 % of the records: at a million
    meetings it sorted 176,192 matches where walking the dates would have read a hundred."""
    from django.test.utils import CaptureQueriesContext

    from alliance.search.backends import PostgresBackend

    plans = {}
    for walk in (True, False):
        with CaptureQueriesContext(connection) as captured, connection.cursor() as cursor:
            match = search(query="日米").match
            backend = PostgresBackend()
            if sort == "relevance":
                found = [row[0] for row in backend.recent_ranked(cursor, "meeting", match, 500, walk=walk)]
            else:
                found = backend.page(cursor, "meeting", match, sort == "newest", 20, 0, walk=walk)
        assert len(found) == 15 and found == backend_page_ids(match, sort)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + captured.captured_queries[-1]["sql"])
            plans[walk] = "\n".join(row[0] for row in cursor.fetchall())
    # Walking: the records in the order of the index by date, each document checked, never the
    # GIN index and never a sort of the matches. Collecting: every match, then sorted (which index
    # collects them is the planner's choice: on a table this small, either).
    assert "search_meeting_public_by_date" in plans[True] and "search_meeting_gin" not in plans[True], plans[True]
    assert "sort_date + 0" not in plans[True], plans[True]
    assert "sort_date + 0)" in plans[False] and "Sort" in plans[False], plans[False]


def backend_page_ids(match, sort):
    from alliance.search.backends import PostgresBackend

    with connection.cursor() as cursor:
        if sort == "relevance":
            return [row[0] for row in PostgresBackend().recent_ranked(cursor, "meeting", match, 500)]
        return PostgresBackend().page(cursor, "meeting", match, sort == "newest", 20, 0)


def test_a_window_of_years_is_asked_of_the_index_by_its_year_terms():
    from alliance.search.backends import PostgresBackend

    def years_asked(query, **dates):
        expression = PostgresBackend().expression(search(query=query, filters=dates).match)
        return sorted(int(year) for year in re.findall(r"'year:(\d+)'", expression))

    assert years_asked("尖閣", date_after="2022-06-01", date_before="2023-03-31") == [2022, 2023]
    assert years_asked("", date_after="2022-06-01", date_before="2023-03-31") == []  # dates alone: the index by date
    assert years_asked("尖閣", date_after="1960-01-01", date_before="2023-03-31") == []  # more years than it pays to ask
    assert years_asked("尖閣", date_after="2022-01-01") == []  # open-ended
    found = {m.slug for m in search(query="尖閣", filters={"date_after": "2022-06-01", "date_before": "2023-03-31"})[:50]}
    assert found == {"2023-01-11-scc"}  # 2022-05-04 and 2022-05-23 lie before the window, in one of its years
    if connection.vendor == "postgresql":
        entry = SearchEntry.objects.get(kind="meeting", object_id=Meeting.objects.get(slug="2023-01-11-scc").pk)
        with connection.cursor() as cursor:
            cursor.execute("SELECT document @@ '''year:2023'''::tsquery, document @@ '''year:2022'''::tsquery "
                           "FROM search_searchentry WHERE id = %s", [entry.pk])
            assert cursor.fetchone() == (True, False)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL data migration")
def test_the_migration_adds_the_year_terms_to_stored_documents_in_place():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("alliance.search.migrations.0012_year_terms")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE search_searchentry SET document = ts_delete(document, "
                       "'year:' || extract(year FROM sort_date)::int)")
        cursor.execute("SELECT count(*) FROM search_searchentry WHERE document @@ '''year:2023'''::tsquery")
        assert cursor.fetchone()[0] == 0
        before = SearchEntry.objects.count()
        migration.add_year_terms(apps, connection.schema_editor())
        cursor.execute("SELECT count(*) FROM search_searchentry WHERE NOT document @@ "
                       "('''year:' || extract(year FROM sort_date)::int || '''')::tsquery")
        assert cursor.fetchone()[0] == 0 and SearchEntry.objects.count() == before
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname LIKE %s", ["search\\_%\\_gin"])
        assert cursor.fetchone()[0] == 5  # the GIN indexes built again
    found = search(query="尖閣", filters={"date_after": "2023-01-01", "date_before": "2023-12-31"})[:9]
    assert {m.slug for m in found} == {"2023-01-11-scc"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's documents")
def test_a_query_of_one_character_is_one_term_and_the_migration_adds_them_in_place():
    import importlib

    from django.apps import apps

    from alliance.search.backends import PostgresBackend

    assert PostgresBackend().expression(search(query="核").match) == "(('char:核'))"
    assert "'核':*" in PostgresBackend()._groups(search(query="核").match, ranked=True)[0]  # ranking reads positions
    expected = {m.slug for m in search(query="核")[:50]}
    assert expected and expected == {m.slug for m in Meeting.objects.filter(outcomes__text_ja__contains="核")} | {
        m.slug for m in Meeting.objects.filter(title_ja__contains="核")}
    migration = importlib.import_module("alliance.search.migrations.0013_bare_characters")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE search_searchentry SET document = ts_delete(document, 'char:核')")
        assert not search(query="核").count()
        migration.add_bare_characters(apps, connection.schema_editor())
    assert {m.slug for m in search(query="核")[:50]} == expected


def test_the_way_to_the_first_matches_follows_how_many_records_match():
    """A frequent term's first page is found by walking the records by date; a window of 500 by
    collecting the matches of the recent years; a rare term by collecting all its matches. A
    search not yet counted, or with nothing to check, leaves it to the database."""
    def plan(rows, count, size=100_015, years=range(1960, 2027), newest=True, query="日米", **filters):
        results = search(query=query, filters=filters)
        assert results._plan(rows) is None  # not counted yet
        results.count()
        results._count, results._size, results._years = count, size, years  # as counted in a large database
        return results._plan(rows, newest)

    assert plan(20, count=537_758, size=1_000_015) == ("walk", None)  # 核 at a million: 37 records hold 20
    assert plan(20, count=16_584) == ("walk", None)  # 1 in 6: about 120 records to read
    assert plan(500, count=16_584) == ("years", range(2022, 2027))  # the window: 5 years hold about 1,200
    assert plan(500, count=16_584, newest=False) == ("years", range(1960, 1965))
    # 1,500 in the 2000s: the last 7 years of the window hold about 1,050
    assert plan(500, count=1_500, date_after="2000-01-01", date_before="2009-12-31") == ("years", range(2003, 2010))
    assert plan(20, count=1_094) == ("years", range(2024, 2027))  # 1 %: the last 3 years hold about 50
    assert plan(500, count=1_094) == ("collect", None)  # the window: more years than it pays to ask for
    assert plan(500, count=16_584, size=None, years=None) == ("collect", None)  # SQLite: nothing to choose
    # PostgreSQL's GIN index gathers every match of a prefix (日米: '日米':*), whatever else is
    # asked, but finds a whole lexeme's (反撃能力, 核, a word) by skipping along the postings of the
    # years asked for: at a million, a window of 500 of a term in a fifth of the records
    assert plan(500, count=225_024, size=1_000_015) == ("walk", None)  # 2,200 records to read, 225,000 to gather
    expected = ("years", range(2026, 2027)) if connection.vendor == "postgresql" else ("walk", None)
    for lexeme in ("反撃能力", "核", "deterrence"):
        assert plan(500, count=225_024, size=1_000_015, query=lexeme) == expected  # 15,000 postings of one year
    everything = search()
    assert everything.count() and everything._plan(20) is None  # nothing to check: the index by date answers


def test_a_window_asked_of_the_recent_years_finds_what_every_year_finds(monkeypatch):
    """However the first matches are fetched, they are the same; when the years asked for hold
    too few (the matches were not spread evenly over the years), every year is asked."""
    from alliance.search import service

    monkeypatch.setattr(service, "RANK_WINDOW", 5)  # a window the recent years can fill
    asked = {  # the years asked for: the most recent ones, or the earliest oldest first
        "relevance": (range(2022, 2024), range(2023, 2024), range(2024, 2027)),  # enough, too few, none at all
        "newest": (range(2022, 2024), range(2023, 2024), range(2024, 2027)),
        "oldest": (range(1976, 2023), range(1976, 1997), range(1900, 1901)),
    }
    for sort, choices in asked.items():
        expected = [m.slug for m in search(query="日米", sort=sort)[:15]]
        for years in choices:
            results = search(query="日米", sort=sort)
            results.count()
            monkeypatch.setattr(results, "_plan", lambda rows, newest=True, years=years: ("years", years))
            assert [m.slug for m in results[:15]] == expected, (years, sort)
            assert [m.slug for m in results[3:6]] == expected[3:6], (years, sort)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner statistics")
def test_a_rebuild_leaves_the_planner_fresh_statistics_of_the_entries():
    from django.test.utils import CaptureQueriesContext

    call_command("rebuild_search_index", kind=["body"], force=True, verbosity=0)  # every entry of the kind rewritten
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'search_searchentry'")
        estimated = cursor.fetchone()[0]
    assert estimated == SearchEntry.objects.count()
    # A rebuild that wrote nothing leaves the statistics as they were: at a million meetings,
    # sampling the documents again took 6 to 30 s.
    with CaptureQueriesContext(connection) as captured:
        call_command("rebuild_search_index", kind=["body"], verbosity=0)
    assert not [query["sql"] for query in captured.captured_queries if "ANALYZE" in query["sql"]]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL index setting")
def test_the_search_gin_indexes_have_no_pending_list_that_would_turn_the_planner_away():
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reloptions FROM pg_class WHERE relname LIKE 'search\\_%\\_gin'")
        options = dict(cursor.fetchall())
    assert set(options) == {f"search_{kind}_gin" for kind in ("meeting", "outcome", "provision", "body", "person")}
    assert all(values == ["fastupdate=off"] for values in options.values()), options


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's parallel workers")
@pytest.mark.parametrize("query, filters", [("核", {}), ("尖閣", {"kind": "summit"}), ("日米", {"date_after": "2022-01-01"})])
def test_a_search_never_waits_for_parallel_workers(query, filters):
    """Starting workers costs more than the work they would share (counting 1,690 matches at
    100,000 meetings: 8.7 ms with one, 3.6 ms without): even where the planner is told they are
    free, every statement of a search reads the entries in one process."""
    from django.core.cache import cache
    from django.test.utils import CaptureQueriesContext

    free = ("parallel_setup_cost", "parallel_tuple_cost", "min_parallel_table_scan_size", "min_parallel_index_scan_size")
    with connection.cursor() as cursor:
        for setting in free:
            cursor.execute(f"SET {setting} = 0")
        try:
            for sort in ("relevance", "newest"):
                with CaptureQueriesContext(connection) as captured:
                    results = search(query=query, filters=filters, sort=sort)
                    assert results.count() and results[:20] and results.facets().total
                cache.clear()  # the next sort counts again
                plans = []
                for statement in captured.captured_queries:
                    if "search_searchentry" in statement["sql"]:
                        cursor.execute("EXPLAIN " + statement["sql"])
                        plans.append("\n".join(row[0] for row in cursor.fetchall()))
                assert plans and not [plan for plan in plans if "Parallel" in plan or "Gather" in plan], plans
        finally:
            for setting in free:
                cursor.execute(f"RESET {setting}")


def test_tagging_an_outcome_with_a_topic_makes_the_filter_find_it():
    outcome = Outcome.objects.get(meeting__slug="2022-06-27-summit", position=3)
    energy = outcome.topics.model.objects.get(slug="science-technology")
    assert "2022-06-27-summit" not in {m.slug for m in search(filters={"topic": "science-technology"})[:100]}
    outcome.topics.add(energy)
    assert "2022-06-27-summit" in {m.slug for m in search(filters={"topic": "science-technology"})[:100]}
    energy.outcomes.remove(outcome)
    assert "2022-06-27-summit" not in {m.slug for m in search(filters={"topic": "science-technology"})[:100]}


def test_renaming_a_topic_reindexes_the_items_meetings_and_provisions_tagged_with_it():
    from alliance.models import Topic

    topic = Topic.objects.get(slug="isr")
    topic.aliases = ["見張り番"]
    topic.save()
    assert search(query="見張り番", kind="provision").count() == topic.provisions.count() > 0
    assert search(query="見張り番", kind="outcome").count() == topic.outcomes.count()
    assert search(query="見張り番").count() == Meeting.objects.filter(outcomes__topics=topic).distinct().count()


def test_postgresql_keeps_documents_uncompressed_and_the_entry_row_narrow():
    """Ranking and phrase checks read hundreds of documents per search: a plain copy reads back
    about twice as fast as a pglz-compressed one. The entry row itself stays small (the names are
    64-bit hashes), or the planner prefers a sequential scan that reads every document."""
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL storage setting")
    with connection.cursor() as cursor:
        cursor.execute("SELECT attstorage FROM pg_attribute WHERE attrelid = 'search_searchentry'::regclass "
                       "AND attname = 'document'")
        assert cursor.fetchone()[0] == "e"
        cursor.execute("SELECT max(pg_column_size(names)) FROM search_searchentry")
        assert cursor.fetchone()[0] < 200


def stored_documents():
    with connection.cursor() as cursor:
        cursor.execute("SELECT kind, object_id, document::text FROM search_searchentry")
        return {(kind, object_id): document for kind, object_id, document in cursor.fetchall()}


def test_postgresql_keeps_the_same_document_from_a_rebuild_as_from_a_save():
    """A rebuild's batches COPY documents in PostgreSQL's binary form; one record's save writes
    its document as text. PostgreSQL keeps the same lexemes, positions and weights either way."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's binary COPY")
    call_command("rebuild_search_index", "--workers", "1", stdout=io.StringIO())  # every entry is replaced by COPY
    copied = stored_documents()
    assert len(copied) > 200
    SearchEntry.objects.update(digest=None)  # else each save finds its entry holding its document already
    for kind, searchable in REGISTRY.items():
        for pk in searchable.model._default_manager.values_list("pk", flat=True):
            reindex(kind, [pk])  # one record: an UPDATE with the document as text
    assert stored_documents() == copied
    # What the analyzer meant: the title first, weight A; a topic's name (B) before the items'
    # text (D, which PostgreSQL does not print); facet and character terms without positions.
    document = copied[("meeting", Meeting.objects.get(slug="2023-01-11-scc").pk)]
    assert re.search(r"'日米安全':1A,", document)
    assert re.search(r"'反撃能力':(\d+B,)+\d+[ ,]", document)
    assert {"'char:核'", "'kind:scc'"} <= set(document.split())


def test_several_hooks_on_one_model_or_relation_all_run():
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from alliance.models import Topic
    from alliance.search import index
    from meetings.models import Outcome

    seen = []
    index.follow(Topic, lambda topic: seen.append("topic hook") or [])
    topic_uid = f"search-alliance.Topic-save-{index._FOLLOWERS['alliance.Topic']}"
    index.follow_m2m(Outcome.topics, lambda outcome: seen.append("m2m hook") or [])
    through = Outcome.topics.through
    m2m_uid = f"search-{through._meta.label}-m2m-{index._FOLLOWERS[through._meta.label]}"
    try:
        topic = Topic.objects.get(slug="space")
        topic.save()  # the hooks registered before still run: the topic's outcome items are reindexed
        assert "topic hook" in seen
        assert {item.pk for item in search(query="宇宙", kind="outcome", filters={"topic": "space"})[:100]}
        Outcome.objects.filter(topics=topic).first().topics.remove(topic)
        assert "m2m hook" in seen
    finally:
        post_save.disconnect(sender=Topic, dispatch_uid=topic_uid)
        post_delete.disconnect(sender=Topic, dispatch_uid=topic_uid.replace("-save-", "-delete-"))
        m2m_changed.disconnect(sender=through, dispatch_uid=m2m_uid)


def test_postgresql_prices_a_document_check_as_reading_pages():
    # At cost 1, the planner took a sequential scan over every document for a term in a third of
    # the meetings (158 ms instead of 11 ms at 10,000): search.0011 sets the real price, and the
    # database check says when it is missing.
    from alliance.search.backends import MATCH_COST, MATCH_FUNCTION
    from alliance.search.checks import match_cost

    if connection.vendor != "postgresql":
        assert match_cost(None, databases=["default"]) == []
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT procost FROM pg_proc WHERE oid = %s::regprocedure", [MATCH_FUNCTION])
        assert cursor.fetchone()[0] == MATCH_COST
        assert match_cost(None, databases=["default"]) == []
        cursor.execute(f"ALTER FUNCTION {MATCH_FUNCTION} COST 1")  # undone with the test's transaction
    [warning] = match_cost(None, databases=["default"])
    assert warning.id == "search.W001" and f"COST {MATCH_COST}" in warning.hint


def test_the_database_check_names_a_search_index_an_interrupted_rebuild_left_taking_a_pending_list():
    from alliance.search.backends import for_connection
    from alliance.search.checks import pending_lists

    assert pending_lists(None, databases=["default"]) == []
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for_connection(connection).begin_batches(cursor, "meeting")  # undone with the test's transaction
    [warning] = pending_lists(None, databases=["default"])
    assert warning.id == "search.W002" and "search_meeting_gin" in warning.msg


REBUILD_IN_WORKERS = """
import django
django.setup()
from django.core.management import call_command
from alliance.search.index import rebuild
from alliance.search.models import SearchEntry

def entries():
    return sorted(SearchEntry.objects.values_list("kind", "object_id", "sort_date", "facets", "names", "document"))

call_command("migrate", verbosity=0)
call_command("load_curated", verbosity=0)
written = entries()
SearchEntry.objects.all().delete()
counts = rebuild(batch_size=40, workers=2)
print(entries() == written, sum(counts.values()), len(written))
from django.db import connection
if connection.vendor == "postgresql":  # the batches went through the pending lists, closed after
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname LIKE 'search%%gin'")
        print(all(options == ["fastupdate=off"] for options, in cursor.fetchall()))
        cursor.execute("SELECT kind, sum(n) FROM search_entrytally GROUP BY kind ORDER BY kind")
        tallied = cursor.fetchall()
        cursor.execute("SELECT kind, count(*) FROM search_searchentry GROUP BY kind ORDER BY kind")
        print(tallied == cursor.fetchall())
        # The connection that read the batches ahead is closed: none is left open but this one.
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND backend_type = 'client backend' AND pid <> pg_backend_pid()")
        print(cursor.fetchone()[0] == 0)
"""


def run_on_a_scratch_database(tmp_path, name, script):
    """What `script` prints (split in words), run by Python in another process on a database of its own:
    a command's rebuild (not inside a test's transaction), or threads with connections of their own."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    from tests.scratch import scratch_database

    with scratch_database(tmp_path, name) as url:
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "alliance.settings",
               "PYTHONPATH": str(settings.BASE_DIR)}
        result = subprocess.run([sys.executable, "-c", script], env=env, cwd=settings.BASE_DIR,
                                capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.split()


def test_a_rebuild_in_worker_processes_writes_the_entries_the_write_path_wrote(tmp_path):
    # Outside a transaction (a command, not a test's), workers analyze the documents: the same
    # entries, every one of them, as saving the records wrote.
    same, rebuilt, written, *postgresql = run_on_a_scratch_database(tmp_path, "rebuild", REBUILD_IN_WORKERS)
    assert same == "True" and int(rebuilt) == int(written) > 200
    assert postgresql == (["True", "True", "True"] if connection.vendor == "postgresql" else [])


def test_postgresql_compiles_no_query_with_jit():
    # JIT spent 80–120 ms compiling each search of a frequent term at 1,000,000 meetings.
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_an_offline_rebuild_builds_the_search_indexes_again_at_the_end(capsys):
    # PostgreSQL: without its indexes while it writes (3.5 times faster), with all of them after.
    if connection.vendor != "postgresql":
        with pytest.raises(CommandError, match="--offline is for PostgreSQL"):
            call_command("rebuild_search_index", offline=True)
        return

    def search_indexes():
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'search_searchentry' "
                           "AND indexname LIKE 'search\\_%%\\_%%'")
            return {row[0] for row in cursor.fetchall()}

    before = search_indexes()
    assert {"search_meeting_gin", "search_meeting_public_by_date"} <= before
    call_command("rebuild_search_index", kind=["meeting"], offline=True)
    assert search_indexes() == before
    assert "building the search indexes" in capsys.readouterr().out
    assert {m.slug for m in search(query="尖閣")[:10]} == {
        "2022-05-04-defense-ministers", "2022-05-23-summit", "2023-01-11-scc"}


SAVE_DURING_A_REBUILD = """
import dataclasses
import threading
import time

import django
django.setup()
from django.core.management import call_command
from django.db import connection, transaction
from alliance.search import backends, index
from alliance.search.service import search
from meetings.models import Meeting

call_command("migrate", verbosity=0)
call_command("load_curated", verbosity=0)
batch = list(Meeting.objects.order_by("pk").values_list("pk", flat=True))
assert len(batch) > 11
rebuilder = None


def rebuild_batch():
    # As a rebuild with workers does: the batch is read, then written in a transaction of its own.
    read = index.read_entries("meeting", set(batch))
    with transaction.atomic():
        index.replace_entries("meeting", set(batch), *read)
    connection.close()


def save(pk, title):
    meeting = Meeting.objects.get(pk=pk)
    meeting.title_en = title
    with transaction.atomic():
        meeting.save()


def found(word):
    return [meeting.pk for meeting in search(query=word)[:5]]


from alliance.search.models import SearchEntry


def forget_digests():
    # The batch then rewrites every entry (as after a change of the analyzer): which ones it may
    # replace, the versions it read decide. With the digests known, it leaves alone the entries
    # that held what it read, whatever is there now.
    SearchEntry.objects.filter(kind="meeting").update(digest=None)


# 1. A curator saves a meeting after the batch read its document and before the batch writes it,
# once with the digests known, once without.
documents = index.REGISTRY["meeting"].documents


def documents_then_wait(ids):
    result = documents(ids)
    if threading.current_thread() is rebuilder:
        read.set()
        saved.wait(30)
    return result


index.REGISTRY["meeting"] = dataclasses.replace(index.REGISTRY["meeting"], documents=documents_then_wait)
for title, digests_known in (("Mirage conference", True), ("Phantom conference", False)):
    if not digests_known:
        forget_digests()
    read, saved = threading.Event(), threading.Event()
    rebuilder = threading.Thread(target=rebuild_batch)
    rebuilder.start()
    assert read.wait(30)
    save(batch[3], title)
    saved.set()
    rebuilder.join(60)
    print(found(title.split()[0].lower()) == [batch[3]])

# 2. A curator saves a meeting after the batch deleted its entry, before the batch commits: the
# save waits for the batch's row lock, then finds the entry it looked up gone.
deleted, go = threading.Event(), threading.Event()
insert_entries = backends.PostgresBackend.insert_entries


def insert_after_a_pause(self, cursor, entries):
    if threading.current_thread() is rebuilder:
        deleted.set()
        go.wait(30)
    return insert_entries(self, cursor, entries)


backends.PostgresBackend.insert_entries = insert_after_a_pause
forget_digests()
rebuilder = threading.Thread(target=rebuild_batch)
rebuilder.start()
assert deleted.wait(30)
saver = threading.Thread(target=lambda: (save(batch[11], "Chimera summit"), connection.close()))
saver.start()
for _ in range(300):  # until the save waits for the batch's lock
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()")
        if cursor.fetchone()[0]:
            break
    time.sleep(0.05)
go.set()
rebuilder.join(60)
saver.join(60)
print(found("chimera") == [batch[11]])

# Every entry of the batch is what indexing the meetings now writes.

def entries():
    return sorted(SearchEntry.objects.filter(kind="meeting", object_id__in=batch).values_list("object_id", "document", "facets"))


index.REGISTRY["meeting"] = dataclasses.replace(index.REGISTRY["meeting"], documents=documents)
backends.PostgresBackend.insert_entries = insert_entries
left = entries()
forget_digests()
with transaction.atomic():
    index.reindex("meeting", batch)
print(len(left) == len(batch) and entries() == left)
"""


def test_a_curator_saving_during_a_rebuild_keeps_the_entry_of_what_they_saved(tmp_path):
    # A rebuild's batch reads its documents, then replaces their entries: a save that commits in
    # between, or that waits for the batch's lock, is never undone by the older document.
    # (SQLite's transactions take the write lock as they begin: nothing can come in between.)
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's row locks")
    assert run_on_a_scratch_database(tmp_path, "save_during_rebuild", SAVE_DURING_A_REBUILD) == ["True"] * 4
