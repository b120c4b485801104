from django.contrib import admin
from django.urls import include, path

from alliance import views

urlpatterns = [
    path("", views.home, name="home"),
    path("meetings/", include("meetings.urls")),
    path("guidelines/", include("guidelines.urls")),
    path("api/v1/", include(("alliance.api_urls", "api"))),
    path("admin/", admin.site.urls),
]
