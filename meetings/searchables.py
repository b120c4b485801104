"""The search documents of meetings and outcome items, and the writes that change them.

A meeting's document holds everything a user may look it up by: its title (as printed too),
kind, body with names, abbreviation and aliases, place in both languages, attendees as printed
and as people and posts in both languages, and every outcome item in both languages.
"""

from django.db.models import Prefetch

from alliance.models import Place, Topic
from alliance.search.index import Document, follow, follow_m2m, register
from meetings.models import Attendance, Meeting, Outcome

# The filters that meeting and outcome documents answer from the index itself.
FACETS = ("kind", "body", "place", "person", "topic", "voice")


def meeting_facets(meeting, attendances, outcomes):
    """Facet values of a meeting, from its attendances and outcomes (with their topics)."""
    return {
        "kind": [meeting.kind],
        "body": [meeting.body.abbreviation] if meeting.body else [],
        "place": [meeting.place.slug] if meeting.place else [],
        "person": [a.person.slug for a in attendances if a.person],
        "topic": sorted({topic.slug for outcome in outcomes for topic in outcome.topics.all()}),
        "voice": sorted({outcome.voice for outcome in outcomes}),
    }


def meeting_documents(ids):
    meetings = Meeting.objects.filter(pk__in=ids).select_related("body", "place").prefetch_related(
        Prefetch("attendances", Attendance.objects.select_related("person", "post")), "outcomes__topics"
    )
    documents = {}
    for meeting in meetings:
        fields = [meeting.title_ja, meeting.title_en, meeting.printed_ja, meeting.get_kind_display(),
                  meeting.notes_ja, meeting.notes_en]
        if meeting.body:
            body = meeting.body
            fields += [body.abbreviation, body.name_ja, body.name_en, *body.aliases]
        if meeting.place:
            fields += [meeting.place.name_ja, meeting.place.name_en]
        for attendance in meeting.attendances.all():
            fields += [attendance.label_ja, attendance.label_en, attendance.label_printed]
            if attendance.person:
                person = attendance.person
                fields += [person.name_ja, person.name_en, person.name_kana, *person.aliases]
            if attendance.post:
                fields += [attendance.post.title_ja, attendance.post.title_en]
        for outcome in meeting.outcomes.all():
            fields += [outcome.text_ja, outcome.text_en, outcome.text_printed]
        topics = {topic.pk: topic for outcome in meeting.outcomes.all() for topic in outcome.topics.all()}
        for topic in sorted(topics.values(), key=lambda topic: topic.slug):  # what the items are about, by name
            fields += topic.names
        facets = meeting_facets(meeting, meeting.attendances.all(), meeting.outcomes.all())
        documents[meeting.pk] = Document(meeting.date, fields, facets)
    return documents


def outcome_documents(ids):
    """An outcome item's text; its facets are its meeting's, but its own voice and topics."""
    outcomes = Outcome.objects.filter(pk__in=ids).select_related("meeting__body", "meeting__place").prefetch_related(
        "topics", Prefetch("meeting__attendances", Attendance.objects.select_related("person")))
    documents = {}
    for outcome in outcomes:
        facets = meeting_facets(outcome.meeting, outcome.meeting.attendances.all(), [outcome])
        fields = [outcome.text_ja, outcome.text_en, outcome.text_printed]
        for topic in outcome.topics.all():
            fields += topic.names
        documents[outcome.pk] = Document(outcome.meeting.date, fields, facets)
    return documents


register("meeting", Meeting, meeting_documents, FACETS)
register("outcome", Outcome, outcome_documents, FACETS)

follow(Meeting, lambda meeting: [("meeting", [meeting.pk]), ("outcome", meeting.outcomes.values_list("pk", flat=True))]
       if meeting.pk else [])
follow(Attendance, lambda attendance: [("meeting", [attendance.meeting_id]),
                                       ("outcome", Outcome.objects.filter(meeting=attendance.meeting_id).values_list("pk", flat=True))])
follow(Outcome, lambda outcome: [("outcome", [outcome.pk]), ("meeting", [outcome.meeting_id])])
follow(Place, lambda place: [("meeting", place.meetings.values_list("pk", flat=True))])
follow(Topic, lambda topic: [("outcome", topic.outcomes.values_list("pk", flat=True)),
                             ("meeting", Meeting.objects.filter(outcomes__topics=topic).values_list("pk", flat=True).distinct())])
follow_m2m(Outcome.topics, lambda outcome: [("outcome", [outcome.pk]), ("meeting", [outcome.meeting_id])])
