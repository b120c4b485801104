from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from meetings.models import Attendance, Meeting, Outcome


def meeting_detail(request, slug):
    meetings = Meeting.objects.select_related("body", "place", "source__publication").prefetch_related(
        Prefetch("attendances", Attendance.objects.select_related("person", "post")),
        Prefetch("outcomes", Outcome.objects.select_related("source__publication").prefetch_related("topics")),
    )
    meeting = get_object_or_404(meetings, slug=slug)
    return render(request, "meetings/meeting_detail.html", {"meeting": meeting})
