"""The site's addresses: pages in Japanese at the plain addresses and in English under /en/;
the API, the admin, the calendar and the feed once, in no language of their own."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.http import JsonResponse
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView
from django.views.defaults import page_not_found

from alliance import health, views
from documents.views import document_list
from meetings import feeds

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    # Browsers ask for /favicon.ico where a page names none (the admin, the API's documentation)
    # (its hashed name read when asked: the manifest may not exist yet when the URLs load)
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.svg"), permanent=True)),
    path("readyz", health.readyz, name="readyz"),
    path("meetings.ics", feeds.calendar, name="meetings-calendar"),
    path("meetings/feed/", feeds.MeetingFeed(), name="meetings-feed"),
    path("api/v1/", include(("alliance.api_urls", "api"))),
    path("admin/", admin.site.urls),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("search/", views.site_search, name="search"),
    path("meetings/", include("meetings.urls")),
    path("bodies/", views.body_list, name="body-list"),
    path("bodies/<str:abbreviation>/", views.body_detail, name="body-detail"),
    path("people/", views.person_list, name="person-list"),
    path("people/<slug:slug>/", views.person_detail, name="person-detail"),
    path("topics/", views.topic_list, name="topic-list"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic-detail"),
    path("guidelines/", include("guidelines.urls")),
    path("documents/", document_list, name="document-list"),
    prefix_default_language=False,
)


def api_not_found(request, exception):
    return JsonResponse({"detail": "Not found."}, status=404)


def not_found(request, exception):
    """Under /api/ every error is JSON, a URL that matches no resource included."""
    if request.path.startswith("/api/"):
        return api_not_found(request, exception)
    return page_not_found(request, exception)


handler404 = not_found
handler400 = "alliance.errors.bad_request"
handler500 = "alliance.errors.server_error"
