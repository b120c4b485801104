"""Who an outcome item speaks for follows from its text by one stated rule, checked over every item."""

import pytest
from django.db.models import Prefetch

from alliance.models import Person
from meetings.models import Attendance, Meeting, Outcome
from meetings.voice import meeting_names, voice_of

SUMMIT = meeting_names([("japan", "岸田内閣総理大臣", Person(aliases=["Fumio Kishida", "岸田総理大臣"])),
                        ("us", "バイデン米大統領", Person(aliases=["バイデン大統領", "Biden"]))])


@pytest.mark.parametrize("text, voice", [
    ("両首脳は、日米同盟の更なる強化で一致。", "joint"),
    ("日米双方は、米国の拡大抑止の重要性を確認。", "joint"),
    # a side only mentioned is not a speaker
    ("両首脳は、米国の関与がますます重要との認識を共有。", "joint"),
    ("日本側から、防衛力を抜本的に強化する決意を表明。", "japan"),
    ("米側は、日本の防衛に対するコミットメントを再確認。", "us"),
    ("米側からは、統合司令部設置の決定を歓迎する旨発言。", "us"),
    ("日本側から支持を求め、米側から、全面的な支持を得た。", "exchange"),
    # an addressee does not count: Japan asks the U.S. side, Japan speaks (2023-01-11-scc#24)
    ("日本側から、環境問題などについても米側に改めて要請し、日米双方は緊密に連携していくことを確認。", "japan"),
    # attendees by the names the meeting gives them speak for their side
    ("岸田総理大臣から、拉致問題への協力を求め、バイデン大統領から、全面的な支持を得た。", "exchange"),
    ("バイデン米大統領は、訪日の意義に言及。", "us"),
])
def test_the_voice_is_read_off_who_the_item_names_as_a_speaker(text, voice):
    assert voice_of(text, SUMMIT) == voice


def test_attendees_count_only_at_meetings_they_attend():
    assert voice_of("岸田総理大臣から発言。") == "joint"  # no meeting's names: only 日本側 and 米側 are known
    assert voice_of("岸田総理大臣から発言。", SUMMIT) == "japan"


# The curators' reading where the printed speaker is most likely a misprint; the item's note says so.
READINGS = {("2022-11-13-summit", 4): ("米側から、戦略的観点", "日本側から、戦略的観点")}


@pytest.mark.django_db
def test_every_curated_items_voice_follows_from_its_text():
    meetings = Meeting.objects.prefetch_related(
        Prefetch("attendances", Attendance.objects.select_related("person")), "outcomes")
    checked, voices = 0, set()
    for meeting in meetings:
        names = meeting_names((a.side, a.label_ja, a.person) for a in meeting.attendances.all())
        for outcome in meeting.outcomes.all():
            text = outcome.text_ja
            if (meeting.slug, outcome.position) in READINGS:
                printed, read = READINGS[meeting.slug, outcome.position]
                assert printed in text and outcome.curator_note_ja
                text = text.replace(printed, read)
            assert outcome.voice == voice_of(text, names), f"{meeting.slug}#{outcome.position}: {text}"
            checked += 1
            voices.add(outcome.voice)
    assert checked == Outcome.objects.count() >= 107
    assert voices == set(Outcome.Voice.values)


@pytest.mark.django_db
def test_the_item_that_asks_the_us_side_is_the_japanese_sides():
    item = Outcome.objects.get(meeting__slug="2023-01-11-scc", position=24)
    assert "米側に改めて要請" in item.text_ja and item.voice == Outcome.Voice.JAPAN
