from django.shortcuts import render

from alliance.models import ConsultationBody, Person, Topic
from guidelines.models import Edition, Provision
from meetings.models import Attendance, Meeting, Outcome


def home(request):
    counts = {
        "meetings": Meeting.objects.count(),
        "outcomes": Outcome.objects.count(),
        "attendances": Attendance.objects.count(),
        "people": Person.objects.count(),
        "bodies": ConsultationBody.objects.count(),
        "editions": Edition.objects.count(),
        "provisions": Provision.objects.count(),
        "topics": Topic.objects.count(),
    }
    context = {
        "counts": counts,
        "recent_meetings": Meeting.objects.select_related("place", "body")[:5],
        "bodies": ConsultationBody.objects.all(),
        "editions": Edition.objects.all(),
    }
    return render(request, "alliance/home.html", context)
