"""Who an outcome item speaks for, read off its text.

The rule: a side counts when the item names it as a speaker: 日本側 or 米側 (or a participant of
that side by the name the meeting gives them, 岸田総理大臣, バイデン大統領…) followed by から, は or
が. A side the item only addresses (「米側に改めて要請」) or mentions (「米国の関与」) does not count.
No side named: joint (両首脳は, 日米双方は). One side: that side. Both: each side in turn.

A curator who reads a sentence otherwise (a probable misprint of the speaker) keeps the printed
text and records the reading in the item's note; the voice then follows the note, not the text.
"""

import re

from alliance.models import Side

SIDE_NAMES = {
    Side.JAPAN: ("日本側", "日本国側", "我が国"),
    Side.US: ("米側", "米国側"),
}
SPEAKER_PARTICLES = ("から", "は", "が")
VOICES = {frozenset(): "joint", frozenset({Side.JAPAN}): "japan", frozenset({Side.US}): "us"}


def speaking_sides(text, names=SIDE_NAMES):
    """The sides `text` names as speakers; `names` maps each side to the words that name it."""
    spoken = set()
    for side, words in names.items():
        alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True) if word)
        if alternatives and re.search(f"(?:{alternatives})(?:{'|'.join(SPEAKER_PARTICLES)})", text):
            spoken.add(side)
    return spoken


def voice_of(text, names=SIDE_NAMES):
    """The voice the rule gives `text`: joint, japan, us, or exchange (each side in turn)."""
    return VOICES.get(frozenset(speaking_sides(text, names)), "exchange")


def meeting_names(attendees):
    """The words that name each side at a meeting: the side's own and its attendees' names as the
    meeting prints them and as curated (岸田内閣総理大臣, 岸田総理大臣, バイデン大統領).

    `attendees` are (side, label_ja, person or None) triples.
    """
    names = {side: list(words) for side, words in SIDE_NAMES.items()}
    for side, label, person in attendees:
        words = names.setdefault(side, [])
        words.append(label)
        if person:
            words += [alias for alias in person.aliases if not alias.isascii()]
    return names


VOICE_LABELS = {"joint": "joint (no side named)", "japan": "japan (the Japanese side)", "us": "us (the U.S. side)",
                "exchange": "exchange (each side in turn)"}


def voice_error(voice, text, names):
    """Why `voice` is not the one the rule reads off `text`, or None when it is."""
    expected = voice_of(text, names)
    if voice == expected:
        return None
    return (f"the text gives voice {VOICE_LABELS[expected]}, not {voice}: a side counts when the item names it as "
            "a speaker (日本側から, 米側は); to record another reading of the text, explain it in curator_note_ja")
