"""The curated record of the source: complete, linked, bilingual, sourced, and stable under reloads."""

import datetime
import io
import re

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import models

from alliance.curated import FIXTURES
from alliance.history import CURATED_APPS, is_historical
from alliance.models import ConsultationBody, Curated, LegalInstrument, Person, Post, Topic
from guidelines.models import Edition, OperationRole, Provision
from meetings.models import Attendance, Meeting, Outcome

pytestmark = pytest.mark.django_db



def curated_models():
    """The curated tables (their versions kept beside them are not the record)."""
    return [model for app in CURATED_APPS for model in apps.get_app_config(app).get_models() if not is_historical(model)]


def snapshot():
    """Every row of every curated table, many-to-many tables included, keyed by primary key."""
    rows = {}
    for model in curated_models():
        rows[model._meta.label] = sorted(model.objects.values_list(), key=repr)
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            rows[through._meta.label] = sorted(through.objects.values_list(), key=repr)
    return rows


def dump():
    out = io.StringIO()
    call_command("dumpdata", *(model._meta.label for model in curated_models()), natural_foreign=True, natural_primary=True, format="json", indent=1, stdout=out)
    return out.getvalue()


def test_it_holds_the_four_bodies_of_figure_iii_2_1_2_in_order():
    assert list(ConsultationBody.objects.values_list("abbreviation", flat=True)) == ["SCC", "SSC", "SDC", "JC"]
    assert ConsultationBody.objects.get(abbreviation="SDC").parent.abbreviation == "SCC"


def test_each_body_has_its_participants_notes_and_legal_basis():
    scc = ConsultationBody.objects.get(abbreviation="SCC")
    current = scc.participants.filter(until__isnull=True)
    assert [p.post.title_en for p in current.filter(side="japan")] == ["Minister for Foreign Affairs", "Minister of Defense"]
    assert [p.post.title_en for p in current.filter(side="us")] == ["Secretary of State", "Secretary of Defense"]
    # note 1: the U.S. Ambassador and CINCPAC before 26 December 1990, the two Secretaries from that day, no overlap
    assert [(p.label_ja, str(p.since), str(p.until)) for p in scc.participants.filter(side="us")] == [
        ("国務長官", "1990-12-26", "None"), ("国防長官", "1990-12-26", "None"),
        ("駐日米国大使", "1960-01-19", "1990-12-25"), ("太平洋軍司令官", "1960-01-19", "1990-12-25")]
    # every participant is dated from the body's establishment or the post's creation
    assert not scc.participants.filter(since__isnull=True).exists()
    defense = scc.participants.get(side="japan", until__isnull=False)
    assert (defense.label_ja, str(defense.until)) == ("防衛庁長官", "2007-01-08")
    assert defense.source.publication.slug == "curators-reference" and "2007" in defense.source.locator_en
    assert [str(article) for article in scc.legal_articles.all()] == ["Japan–U.S. Security Treaty, Article IV"]
    assert str(scc.established_on) == "1960-01-19"
    assert {"2+2", "「2+2」"} <= set(scc.aliases)

    ssc = ConsultationBody.objects.get(abbreviation="SSC")
    assert set(ssc.participants.values_list("label_ja", flat=True)) == {"参加者は一定していない"}
    assert ConsultationBody.objects.get(abbreviation="JC").legal_articles.get().label_en == "Article XXV"
    notes = {(note.body.abbreviation, note.number, note.applies_to) for note in apps.get_model("alliance.BodyNote").objects.all()}
    assert notes == {("SCC", 1, "us"), ("SSC", 2, "both"), ("SDC", 3, "name")}


OUTCOMES_PER_MEETING = {
    "2022-05-04-defense-ministers": 15,
    "2022-05-23-summit": 11,
    "2022-06-27-summit": 3,
    "2022-09-14-defense-ministers": 11,
    "2022-11-13-summit": 5,
    "2023-01-11-scc": 24,
    "2023-01-12-defense-ministers": 8,
    "2023-01-13-summit": 18,
    "2023-05-18-summit": 12,
    # Meetings the text mentions without outcome bullets.
    "1976-07-08-scc": 0,
    "1996-06-28-vice-ministerial": 0,
    "2012-04-27-scc": 0,
    "2022-07-economic-2plus2": 0,
    "2023-04-vice-ministerial": 0,
    "2023-economic-2plus2": 0,
}


def test_every_meeting_of_the_source_is_there_once_with_every_outcome_item():
    counts = {meeting.slug: meeting.outcomes.count() for meeting in Meeting.objects.all()}
    assert counts == OUTCOMES_PER_MEETING
    assert Outcome.objects.count() == 107


def test_rows_split_across_a_page_break_are_one_meeting_in_source_order():
    meeting = Meeting.objects.get(date="2022-09-14")
    outcomes = list(meeting.outcomes.all())
    assert [o.position for o in outcomes] == list(range(1, 12))
    assert outcomes[7].text_ja.startswith("両閣僚は、情報収集、警戒監視及び偵察（ISR）")
    assert outcomes[8].text_ja.startswith("両閣僚は、同盟の技術的優位性")
    assert {o.source.page for o in outcomes} == {2, 3}


def test_every_attendance_is_linked_to_a_person_and_to_the_post_held_that_day():
    attendances = Attendance.objects.select_related("person", "post", "meeting")
    assert attendances.count() == 23
    for attendance in attendances:
        assert attendance.person and attendance.post, attendance
        tenures = attendance.person.tenures.filter(post=attendance.post)
        assert any(tenure.covers(attendance.meeting.date) for tenure in tenures), attendance


def test_the_same_post_resolves_to_different_people_on_different_dates():
    def minister_of_defense(date):
        return Attendance.objects.get(meeting__date=date, post__slug="minister-of-defense").person.name_en

    assert minister_of_defense("2022-05-04") == "Kishi Nobuo"
    assert minister_of_defense("2022-09-14") == "Hamada Yasukazu"


def test_names_the_scan_misread_are_stored_corrected_and_the_printed_form_kept():
    blinken = Attendance.objects.get(meeting__slug="2023-01-11-scc", person__slug="antony-j-blinken")
    assert blinken.label_ja == "ブリンケン米国務長官"
    assert blinken.label_printed == "プリンケン米國務長官 | ブリンケン米国务長官"
    assert Meeting.objects.get(slug="2023-01-11-scc").printed_ja.endswith("| 日米安全保障協議委員会 (I2+2J)／ワシントン")
    assert {"プリンケン", "ブリンケン米国务長官"} <= set(blinken.person.aliases)

    cross_strait = Outcome.objects.filter(text_printed__contains="兩岸問題")
    assert cross_strait.count() == 4
    assert all("両岸問題" in outcome.text_ja for outcome in cross_strait)
    assert Outcome.objects.get(meeting__date="2022-06-27", position=3).text_ja.count("プライスキャップ") == 1


def test_no_corrected_text_keeps_a_scan_error():
    scan_errors = re.compile(r"[國务兩]|プリンケン|\[2\+2\]|I2\+2J|プライスキップ")
    for outcome in Outcome.objects.all():
        assert not scan_errors.search(outcome.text_ja), outcome
    for attendance in Attendance.objects.all():
        assert not scan_errors.search(attendance.label_ja), attendance
    for provision in Provision.objects.all():
        assert not provision.text_ja.startswith("一切れ目"), provision


def test_the_2015_guidelines_tree_is_whole():
    edition = Edition.objects.get(year=2015)
    chapters = edition.provisions.filter(kind="chapter").order_by("position")
    assert [c.label for c in chapters] == ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"]
    assert edition.provisions.count() == 91
    kinds = dict(edition.provisions.values_list("kind").annotate(n=models.Count("pk")))
    assert kinds == {"chapter": 8, "section": 19, "subsection": 2, "paragraph": 30, "item": 32}
    assert edition.provisions.get(path="IV.C.2").heading_ja == "日本に対する武力攻撃が発生した場合"
    items = edition.provisions.filter(parent__path="IV.A.p2").order_by("position")
    assert [(i.label, i.text_ja) for i in items][:2] == [("①", "情報収集、警戒監視及び偵察"), ("②", "防空及びミサイル防衛")]
    for provision in edition.provisions.exclude(parent=None).select_related("parent"):
        assert provision.path.startswith(provision.parent.path + "."), provision


def test_the_operations_table_is_one_table_over_two_pages():
    rows = OperationRole.objects.filter(provision__path="IV.C.2.p2").order_by("position")
    assert rows.count() == 9
    assert [r.operation_ja for r in rows if r.parent is None] == [
        "空域を防衛するための作戦",
        "弾道ミサイル攻撃に対処するための作戦",
        "海域を防衛するための作戦",
        "陸上攻撃に対処するための作戦",
        "領域横断的な作戦",
    ]
    cross_domain = rows.get(operation_ja="領域横断的な作戦")
    assert [r.operation_ja for r in cross_domain.subrows.order_by("position")] == ["ISR", "宇宙・サイバー", "特殊作戦", "打撃作戦"]
    land = rows.get(operation_ja="陸上攻撃に対処するための作戦")
    assert "航空優勢" not in land.sdf_ja and "航空優勢" in land.text_printed


def test_outcomes_link_to_the_guideline_provisions_they_act_on():
    isr = Provision.objects.get(edition__year=2015, path="IV.A.p2.1")
    assert sorted(o.meeting.slug for o in isr.outcomes.all()) == [
        "2022-09-14-defense-ministers", "2023-01-11-scc", "2023-01-12-defense-ministers",
    ]
    assert Provision.objects.get(edition__year=2015, path="III.A").outcomes.get().meeting.slug == "2023-01-11-scc"


def test_all_three_editions_are_there_with_what_the_source_says():
    assert [(e.year, e.status) for e in Edition.objects.all()] == [(2015, "in-force"), (1997, "superseded"), (1978, "superseded")]
    assert all(e.summary_ja and e.summary_en for e in Edition.objects.all())


KEYWORD_TOPICS = [  # an item whose text says the keyword is tagged with the topic
    ("尖閣", "senkaku-islands"),
    ("台湾", "taiwan-strait"),
    ("北朝鮮", "north-korea"),
    ("拉致", "abductions"),
    ("ウクライナ", "russia-ukraine"),
    ("拡大抑止", "extended-deterrence"),
    ("反撃能力", "counterstrike"),
    ("辺野古", "force-realignment-okinawa"),
    ("宇宙", "space"),
    ("サイバー", "cyber"),
    ("ISR", "isr"),
    ("中国", "china"),
    ("極超音速", "equipment-technology"),
    ("経済安全保障", "economic-security"),
    ("拉致", "north-korea"),
    ("極超音速", "missile-defense"),
    ("G7", "g7"),
]


@pytest.mark.parametrize("keyword, slug", KEYWORD_TOPICS)
def test_a_topic_lists_every_outcome_and_provision_about_it(keyword, slug):
    topic = Topic.objects.get(slug=slug)
    assert set(Outcome.objects.filter(text_ja__contains=keyword)) <= set(topic.outcomes.all())
    assert set(Provision.objects.filter(text_ja__contains=keyword)) <= set(topic.provisions.all())


def test_senkaku_islands_topic_lists_the_four_meetings_that_discussed_it():
    topic = Topic.objects.get(slug="senkaku-islands")
    slugs = sorted({o.meeting.slug for o in topic.outcomes.select_related("meeting")})
    assert slugs == ["2022-05-04-defense-ministers", "2022-05-23-summit", "2023-01-11-scc"]


NUCLEAR_THREATS = {("2022-05-04-defense-ministers", 7), ("2022-05-23-summit", 7), ("2022-09-14-defense-ministers", 4),
                   ("2022-11-13-summit", 2), ("2023-01-11-scc", 9), ("2023-01-13-summit", 7), ("2023-01-13-summit", 8),
                   ("2023-05-18-summit", 7)}


def tagged(slug):
    return {(o.meeting.slug, o.position) for o in Topic.objects.get(slug=slug).outcomes.select_related("meeting")}


def test_nuclear_threats_and_disarmament_are_two_topics_and_every_item_is_tagged():
    # North Korea's nuclear programme and denuclearization, Russia's nuclear threats
    assert tagged("nuclear-threats") == NUCLEAR_THREATS
    # the G7 Hiroshima summit's commitment to a world without nuclear weapons
    assert tagged("nuclear-disarmament") == {("2023-01-13-summit", 8)}
    for keyword in ("非核化", "核・ミサイル", "核の脅し", "核の威嚇", "核実験", "核開発"):
        found = {(o.meeting.slug, o.position) for o in Outcome.objects.filter(text_ja__contains=keyword)}
        assert found and found <= NUCLEAR_THREATS, keyword


def test_the_second_review_of_every_topic():
    # the abductions, the general principle against unilateral changes of the status quo, the G7's unity
    assert {("2022-05-23-summit", 8)} <= tagged("north-korea")
    assert {("2022-05-23-summit", 4), ("2023-01-13-summit", 5), ("2023-05-18-summit", 5)} <= tagged("international-order")
    assert ("2022-05-23-summit", 3) in tagged("partners")
    # critical technologies, energy and economic security: not the regional economic order
    assert ("2023-05-18-summit", 12) in tagged("economic-security")
    assert ("2023-05-18-summit", 12) not in tagged("economic-order")


def test_economic_coercion_is_economic_security():
    assert ("2022-05-23-summit", 5) in tagged("economic-security")
    assert {(o.meeting.slug, o.position) for o in Outcome.objects.filter(text_ja__contains="経済的威圧")} <= tagged("economic-security")


def test_a_meeting_the_source_only_announces_is_planned():
    # 「7月に開催予定」: scheduled, not reported as held
    assert Meeting.objects.get(slug="2022-07-economic-2plus2").status == Meeting.Status.PLANNED
    # 「本年の経済版「2+2」も活用しながら」 (January 2023): this year's, known to the year, not reported as held
    economic = Meeting.objects.get(slug="2023-economic-2plus2")
    assert (economic.date_display, economic.status, economic.place) == ("2023", Meeting.Status.PLANNED, None)
    assert not economic.attendances.exists() and not economic.outcomes.exists()
    assert set(Meeting.objects.filter(status=Meeting.Status.PLANNED).values_list("slug", flat=True)) == {
        "2022-07-economic-2plus2", "2023-economic-2plus2"}


def test_the_scc_was_not_the_2plus2_before_26_december_1990():
    scc = ConsultationBody.objects.get(abbreviation="SCC")
    assert scc.alias_period("2+2") == (datetime.date(1990, 12, 26), None)
    assert "2+2" not in scc.aliases_during(datetime.date(1976, 7, 8))
    assert {"2+2", "「2+2」"} <= set(scc.aliases_during(datetime.date(1990, 12, 26)))
    # names not tied to the U.S. side's level are undated
    assert "Japan–U.S. Security Consultative Committee" in scc.aliases_during(datetime.date(1976, 7, 8))
    old, new = Meeting.objects.get(slug="1976-07-08-scc"), Meeting.objects.get(slug="2012-04-27-scc")
    assert "2+2" not in old.kind_display and old.kind_display == "日米安全保障協議委員会 / Security Consultative Committee"
    assert "「2+2」" in new.kind_display


def test_titles_the_curators_composed_are_marked_and_the_others_are_the_sources():
    assert set(Meeting.objects.filter(title_composed=True).values_list("slug", flat=True)) == {"2023-04-vice-ministerial"}
    # the source says 「閣僚級の日米経済政策協議委員会（経済版「2+2」）」: no 閣僚会合 in the name
    assert not Meeting.objects.filter(title_ja__contains="閣僚会合").exists()


def test_facts_the_white_paper_does_not_give_cite_the_curators_reference():
    # the white paper gives the editions' years, not their days
    for edition in Edition.objects.select_related("date_source__publication"):
        assert edition.date_source.publication.slug == "curators-reference"
        assert edition.adopted_on.isoformat() in edition.date_source.locator_ja.replace("年", "-").replace("月", "-") or \
            f"{edition.adopted_on.year}年{edition.adopted_on.month}月{edition.adopted_on.day}日" in edition.date_source.locator_ja
        assert f"{edition.adopted_on.year}年{edition.adopted_on.month}月" not in edition.summary_ja
    # nor the signing day of the Security Treaty and the SOFA
    for instrument in LegalInstrument.objects.exclude(signed_on=None).select_related("date_source"):
        assert instrument.date_source.slug == "curators-treaty-dates"
    # 国防次官（政策担当）: the glossary's "Under Secretary of Defense for Policy"
    assert Post.objects.get(title_ja="国防次官（政策担当）").source.slug == "curators-glossary"


def test_every_japanese_field_has_its_english():
    for model in curated_models():
        pairs = [
            (f.name, f.name[:-3] + "_en")
            for f in model._meta.concrete_fields
            if f.name.endswith("_ja") and any(g.name == f.name[:-3] + "_en" for g in model._meta.concrete_fields)
        ]
        for record in model.objects.all():
            for ja, en in pairs:
                if getattr(record, ja):
                    assert getattr(record, en).strip(), f"{model.__name__} {record}: {ja} without {en}"


def test_every_record_names_its_source():
    sourced = [model for model in curated_models() if issubclass(model, Curated)]
    assert len(sourced) >= 15
    for model in sourced:
        assert not model.objects.filter(source__isnull=True).exists(), model
    for meeting in Meeting.objects.all():
        assert "Defense of Japan 2023" in meeting.source.citation_en


def test_people_are_bilingual_with_a_kana_reading():
    assert Person.objects.count() == 10
    for person in Person.objects.all():
        assert re.fullmatch(r"[ァ-ヶー ]+", person.name_kana), person


def test_loading_the_fixtures_a_second_time_changes_no_row():
    before = snapshot()
    call_command("loaddata", *FIXTURES, verbosity=0)
    assert snapshot() == before


def test_dumpdata_into_a_fresh_database_and_back_gives_identical_data(tmp_path):
    dumped = dump()
    path = tmp_path / "dump.json"
    path.write_text(dumped, encoding="utf-8")
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    assert Outcome.objects.count() == 0 and ConsultationBody.objects.count() == 0

    call_command("loaddata", str(path), verbosity=0)
    assert dump() == dumped


DOUBTFUL = {("2022-11-13-summit", 4): "米国の早期のTPP復帰", ("2023-01-13-summit", 11): "戦略的観点の踏まえ",
            ("2023-01-13-summit", 8): "起こさないと誓い", ("2023-01-12-defense-ministers", 8): "日々活動"}


def test_doubtful_readings_keep_the_printed_wording_with_a_curators_note():
    noted = {(o.meeting.slug, o.position): o for o in Outcome.objects.exclude(curator_note_ja="").select_related("meeting")}
    assert set(DOUBTFUL) <= set(noted)
    for key, printed in DOUBTFUL.items():
        assert printed in noted[key].text_ja and printed in noted[key].curator_note_ja and noted[key].curator_note_en
    # every other note says where the white paper departs from an official readout the meeting links
    for key in set(noted) - set(DOUBTFUL):
        assert "概要" in noted[key].curator_note_ja and ("readout" in noted[key].curator_note_en or "summary" in noted[key].curator_note_en)
        assert noted[key].meeting.documents.filter(kind="readout").exists(), key
    # the U.S. side "urging the U.S." most likely means the Japanese side: the voice follows the note
    assert noted[("2022-11-13-summit", 4)].voice == Outcome.Voice.JAPAN


def test_the_dropped_clause_of_the_land_attack_row_is_kept_as_printed_and_explained():
    row = OperationRole.objects.get(operation_ja="陸上攻撃に対処するための作戦")
    assert "航空優勢を確保しつつ" not in row.sdf_ja and "航空優勢を確保しつつ" in row.text_printed
    assert "航空優勢を確保しつつ" in row.curator_note_ja and "air superiority" in row.curator_note_en
    # every row whose printed form differs says why
    assert not OperationRole.objects.exclude(text_printed="").filter(curator_note_ja="").exists()


def test_flags_and_labels_a_historian_would_trip_over():
    # stray scan spaces inside a Japanese sentence are gone; the printed form is kept
    item = Outcome.objects.get(meeting__slug="2023-01-11-scc", position=14)
    assert "偵察(ISR)活動" in item.text_ja and "偵察 (ISR) 活動" in item.text_printed
    assert not Outcome.objects.filter(text_ja__regex=r"[ぁ-んァ-ン一-龥] \([A-Z]+\) ?[ぁ-んァ-ン一-龥]").exists()
    # rows split across a page break keep both printings
    for slug in ("2023-01-12-defense-ministers", "2023-01-13-summit", "2023-01-11-scc"):
        assert " | " in Meeting.objects.get(slug=slug).printed_ja, slug
    # note 2: 要人, senior
    assert "senior" in ConsultationBody.objects.get(abbreviation="SSC").notes.get().text_en
    # Japan's Joint Staff and the U.S. Joint Chiefs of Staff are told apart in English
    labels = dict(ConsultationBody.objects.get(abbreviation="SDC").participants.values_list("label_ja", "label_en"))
    assert labels["統合幕僚監部の代表"] != labels["統合参謀本部の代表"]
    assert "Joint Chiefs" not in labels["統合幕僚監部の代表"] and "Joint Chiefs" in labels["統合参謀本部の代表"]


@pytest.mark.parametrize("label", ["alliance.topic", "alliance.post", "alliance.place", "alliance.legalinstrument",
                                   "alliance.organization"])
def test_english_the_source_does_not_print_is_marked_unofficial(label):
    # the white paper prints no English for these: every English name is the curators' own
    model = apps.get_model(label)
    assert model.objects.exists() and not model.objects.filter(en_unofficial=False).exists()


def test_articles_are_numbered_as_the_treaty_numbers_them_and_the_sosa_is_named():
    from alliance.models import Article

    assert all(re.fullmatch(r"Article [IVXL]+", label) for label in Article.objects.values_list("label_en", flat=True))
    item = Outcome.objects.get(meeting__slug="2023-01-12-defense-ministers", position=6)
    assert "Security of Supply Arrangement (SOSA)" in item.text_en


def test_every_curated_record_passes_the_models_own_validation():
    # what PostgreSQL refuses and SQLite lets through (a value longer than its field), and each clean()
    failures = {}
    for model in curated_models():
        for record in model.objects.all():
            try:
                record.full_clean(validate_unique=False)
            except ValidationError as error:
                failures[f"{model._meta.label} {record.pk}"] = error.message_dict
    assert failures == {}
