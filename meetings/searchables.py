"""The search documents of meetings and outcome items, and the writes that change them.

A meeting's document holds everything a user may look it up by: its title (as printed too),
kind, body with names, abbreviation and aliases, place in both languages, attendees as printed
and as people and posts in both languages, and every outcome item in both languages.
"""

from django.db.models import Prefetch

from alliance.models import Place
from alliance.search.index import follow, register
from meetings.models import Attendance, Meeting, Outcome


def meeting_documents(ids):
    meetings = Meeting.objects.filter(pk__in=ids).select_related("body", "place").prefetch_related(
        Prefetch("attendances", Attendance.objects.select_related("person", "post")), "outcomes"
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
        documents[meeting.pk] = (meeting.date, fields)
    return documents


def outcome_documents(ids):
    outcomes = Outcome.objects.filter(pk__in=ids).select_related("meeting")
    return {o.pk: (o.meeting.date, [o.text_ja, o.text_en, o.text_printed]) for o in outcomes}


register("meeting", Meeting, meeting_documents)
register("outcome", Outcome, outcome_documents)

follow(Meeting, lambda meeting: [("meeting", [meeting.pk]), ("outcome", meeting.outcomes.values_list("pk", flat=True))]
       if meeting.pk else [])
follow(Attendance, lambda attendance: [("meeting", [attendance.meeting_id])])
follow(Outcome, lambda outcome: [("outcome", [outcome.pk]), ("meeting", [outcome.meeting_id])])
follow(Place, lambda place: [("meeting", place.meetings.values_list("pk", flat=True))])
