"""The search documents of meetings and outcome items, and the writes that change them.

A meeting's document holds everything a user may look it up by, in the tiers that ranking weighs:
head (title, as printed too, kind, body with names, abbreviation and aliases), about (place in
both languages, attendees as printed and as people and posts in both languages, the names of the
topics its items are tagged with), and text (notes, every outcome item in both languages).
"""

from django.db.models import Prefetch

from alliance.models import Place, Topic
from alliance.search.index import Document, follow, follow_m2m, register
from meetings.models import Attendance, Meeting, Outcome

# The filters that meeting and outcome documents answer from the index itself.
FACETS = ("kind", "body", "place", "person", "topic", "voice")


def meeting_facets(meeting, attendances, outcomes, topics):
    """Facet values of a meeting, from its attendances and outcomes; `topics`: each outcome's, by its id."""
    return {
        "kind": [meeting.kind],
        "body": [meeting.body.abbreviation] if meeting.body else [],
        "place": [meeting.place.slug] if meeting.place else [],
        "person": [a.person.slug for a in attendances if a.person],
        "topic": sorted({topic.slug for outcome in outcomes for topic in topics.get(outcome.pk, ())}),
        "voice": sorted({outcome.voice for outcome in outcomes}),
    }


def topics_of_outcomes(outcomes):
    """Each item's topics by the item's id, in the topics' order, in one query: a rebuild's batch
    holds thousands of items, and prefetching the topics made a related manager for each of them
    (a third of the time it took to read a meeting). Each topic is made once, however many items
    it tags: the links come as values, not as a link and a topic instance each."""
    order = [f"-topic__{field[1:]}" if field.startswith("-") else f"topic__{field}" for field in Topic._meta.ordering]
    fields = [field.attname for field in Topic._meta.concrete_fields]
    links = Outcome.topics.through.objects.filter(outcome__in=outcomes).order_by(*order, "topic_id").values_list(
        "outcome_id", *(f"topic__{name}" for name in fields))
    topics, made, pk = {}, {}, fields.index(Topic._meta.pk.attname)
    for outcome_id, *values in links:
        topic = made.get(values[pk])
        if topic is None:
            topic = made[values[pk]] = Topic.from_db(links.db, fields, values)
        topics.setdefault(outcome_id, []).append(topic)
    return topics


def by_meeting(rows):
    """Rows of meetings (attendances, items) grouped by their meeting's id, in the order read.

    What prefetching them gave, without its cost in a batch of a thousand meetings: a queryset
    cloned and filtered for each meeting, and each row's meeting set on it (a third of the time
    it took to read the meetings)."""
    grouped = {}
    for row in rows:
        grouped.setdefault(row.meeting_id, []).append(row)
    return grouped


def meeting_documents(ids):
    """The documents of these meetings, in four queries whatever their number."""
    meetings = Meeting.objects.filter(pk__in=ids).select_related("body", "place")
    # By position within each meeting (unique there), as each meeting's own rows are ordered.
    attendances = by_meeting(Attendance.objects.filter(meeting__in=ids).select_related("person", "post")
                             .order_by("meeting_id", "position"))
    outcomes = by_meeting(Outcome.objects.filter(meeting__in=ids).order_by("meeting_id", "position"))
    # By the items' ids, not a subquery of them: at a million meetings PostgreSQL answered the
    # subquery with a hash join over every item's topics (0.5 s of three processes a batch).
    topics = topics_of_outcomes([outcome.pk for rows in outcomes.values() for outcome in rows])
    return {meeting.pk: meeting_document(meeting, attendances.get(meeting.pk, ()), outcomes.get(meeting.pk, ()), topics)
            for meeting in meetings}


def meeting_document(meeting, attendances, outcomes, topics):
    """A meeting's document, from it (its body and place loaded), its attendances in order (their
    people and posts loaded), its items in order, and `topics`: each item's, by the item's id.
    (The benchmark's generator makes its meetings' documents here too, from rows not yet saved.)"""
    head = [meeting.title_ja, meeting.title_en, meeting.printed_ja, meeting.kind_display]
    if meeting.body:
        body = meeting.body
        head += [body.abbreviation, body.name_ja, body.name_en, *meeting.body_aliases]
    about = [meeting.place.name_ja, meeting.place.name_en] if meeting.place else []
    for attendance in attendances:
        about += [attendance.label_ja, attendance.label_en, attendance.label_printed]
        if attendance.person:
            person = attendance.person
            about += [person.name_ja, person.name_en, person.name_kana, *person.aliases]
        if attendance.post:
            about += [attendance.post.title_ja, attendance.post.title_en]
    fields = [meeting.notes_ja, meeting.notes_en]
    for outcome in outcomes:
        fields += [outcome.text_ja, outcome.text_en, outcome.text_printed]
        # What the items are about, by name, once per item: a meeting with four items on extended
        # deterrence is more about it than one with a single item.
        for topic in topics.get(outcome.pk, ()):
            about += topic.names
    facets = meeting_facets(meeting, attendances, outcomes, topics)
    return Document(meeting.date, fields, facets, head=head, about=about, until=meeting.last_day,
                    draft=meeting.is_draft)


def outcome_documents(ids):
    """An outcome item's text; its facets are its meeting's, but its own voice and topics."""
    outcomes = Outcome.objects.filter(pk__in=ids).select_related("meeting__body", "meeting__place").prefetch_related(
        Prefetch("meeting__attendances", Attendance.objects.select_related("person")))
    topics = topics_of_outcomes(ids)
    documents = {}
    for outcome in outcomes:
        facets = meeting_facets(outcome.meeting, outcome.meeting.attendances.all(), [outcome], topics)
        about = [name for topic in topics.get(outcome.pk, ()) for name in topic.names]
        meeting = outcome.meeting
        documents[outcome.pk] = Document(meeting.date, [outcome.text_ja, outcome.text_en, outcome.text_printed], facets,
                                         about=about, until=meeting.last_day, draft=meeting.is_draft)
    return documents


register("meeting", Meeting, meeting_documents, FACETS, drafts=True, per_year=["kind"])  # the chart of kinds
register("outcome", Outcome, outcome_documents, FACETS, drafts=True)

# What each document depends on: a meeting's document on all of it; its items' documents on the
# meeting's date, kind, body and place (their facets and date window), on its state (a draft's
# items are drafts) and on who attended.
follow(Meeting, lambda meeting: [("meeting", [meeting.pk])] if meeting.pk else [])
follow(Meeting, lambda meeting: [("outcome", meeting.outcomes.values_list("pk", flat=True))] if meeting.pk else [],
       fields=("date", "date_precision", "kind", "body", "place", "state"))
follow(Attendance, lambda attendance: [("meeting", [attendance.meeting_id])])
follow(Attendance, lambda attendance: [("outcome", Outcome.objects.filter(meeting=attendance.meeting_id)
                                        .values_list("pk", flat=True))], fields=("person", "meeting"))
follow(Outcome, lambda outcome: [("outcome", [outcome.pk]), ("meeting", [outcome.meeting_id])])
follow(Place, lambda place: [("meeting", place.meetings.values_list("pk", flat=True))])
follow(Topic, lambda topic: [("outcome", topic.outcomes.values_list("pk", flat=True)),
                             ("meeting", Meeting.objects.filter(outcomes__topics=topic).values_list("pk", flat=True).distinct())])
follow_m2m(Outcome.topics, lambda outcome: [("outcome", [outcome.pk]), ("meeting", [outcome.meeting_id])])
