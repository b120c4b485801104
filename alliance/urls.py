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
