from django.contrib import admin
from django.urls import include, path

from alliance import views
from meetings import feeds

urlpatterns = [
    path("", views.home, name="home"),
    path("meetings.ics", feeds.calendar, name="meetings-calendar"),
    path("meetings/feed/", feeds.MeetingFeed(), name="meetings-feed"),
    path("meetings/", include("meetings.urls")),
    path("guidelines/", include("guidelines.urls")),
    path("api/v1/", include(("alliance.api_urls", "api"))),
    path("admin/", admin.site.urls),
]


def not_found(request, exception):
    """Under /api/ every error is JSON, a URL that matches no resource included."""
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"detail": "Not found."}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


handler404 = not_found
