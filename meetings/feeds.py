"""Meetings as an iCalendar file and as an Atom feed, with the same filters as the search."""

import datetime

from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import conditional_escape
from icalendar import Calendar, Event

from alliance.models import DatePrecision
from meetings.filters import MeetingFilter
from meetings.exports import in_order
from meetings.models import Attendance, Meeting

CALENDAR_LIMIT = 10000
FEED_LIMIT = 50


def _filtered(request):
    """The search the request's filters select, newest first, or the reason they cannot be read."""
    filterset = MeetingFilter(request.GET, queryset=Meeting.objects.with_details(), request=request)
    if not filterset.is_valid():
        reasons = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items())
        return None, reasons
    return filterset.qs.order_by("newest"), None


def calendar(request):
    """The matches as an iCalendar file, streamed an event at a time (up to CALENDAR_LIMIT meetings)."""
    results, error = _filtered(request)
    if error:
        return HttpResponseBadRequest(error, content_type="text/plain; charset=utf-8")
    ids = results.ids_between(0, CALENDAR_LIMIT)
    meetings = Meeting.objects.select_related("place", "source__publication").prefetch_related(
        Prefetch("attendances", Attendance.objects.order_by("meeting_id", "position").only("pk", "meeting_id", "label_ja")))
    response = StreamingHttpResponse((text.encode("utf-8") for text in _calendar(in_order(meetings, ids), request)),
                                     content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="meetings.ics"'
    return response


def _calendar(meetings, request):
    cal = Calendar()
    cal.add("prodid", "-//Japan–U.S. Alliance Database//meetings//JA")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "日米会談 / Japan–U.S. meetings")
    head, end = cal.to_ical().decode("utf-8").rsplit("END:VCALENDAR", 1)
    yield head
    for meeting in meetings:
        if meeting.date_precision != DatePrecision.DAY:
            continue  # a calendar needs a day; the source gives only the month
        event = Event()
        event.add("uid", f"{meeting.slug}@alliance-database")
        event.add("dtstart", meeting.date)
        event.add("summary", f"{meeting.title_ja} / {meeting.title_en}")
        if meeting.place:
            event.add("location", f"{meeting.place.name_ja} / {meeting.place.name_en}")
        attendees = "、".join(attendance.label_ja for attendance in meeting.attendances.all())
        event.add("description", "\n".join(filter(None, [attendees, meeting.source.citation_en])))
        event.add("url", request.build_absolute_uri(meeting.get_absolute_url()))
        yield event.to_ical().decode("utf-8")
    yield "END:VCALENDAR" + end


class MeetingFeed(Feed):
    """The newest meetings of a search, for a feed reader: /meetings/feed/?q=尖閣&kind=summit."""

    feed_type = Atom1Feed
    title = "日米会談 / Japan–U.S. meetings"
    subtitle = "New meetings matching a search of the Japan–U.S. Alliance Database"

    # One instance serves every request: what a request selects travels on the request, not here.
    def __call__(self, request, *args, **kwargs):
        results, error = _filtered(request)
        if error:
            return HttpResponseBadRequest(error, content_type="text/plain; charset=utf-8")
        request.feed_selection = (results[:FEED_LIMIT], request.GET.urlencode())
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, *args, **kwargs):
        return request.feed_selection

    def link(self, selection):
        query = selection[1]
        return "/api/v1/meetings/" + (f"?{query}" if query else "")

    def items(self, selection):
        return selection[0]

    def item_title(self, meeting):
        return f"{meeting.date_display} {meeting.title_ja} / {meeting.title_en}"

    def item_description(self, meeting):
        """The Atom summary is HTML (type="html"), which a feed reader renders: each outcome item
        is escaped as text first (a stored <script> is shown, not run), one item a line."""
        texts = [outcome.text_ja for outcome in meeting.outcomes.all()] or [meeting.notes_ja]
        return "<br>".join(conditional_escape(text) for text in texts if text)

    def item_pubdate(self, meeting):
        return datetime.datetime.combine(meeting.date, datetime.time(), tzinfo=datetime.timezone.utc)
