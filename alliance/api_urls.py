"""/api/v1/: the resources on one router, the OpenAPI schema and its documentation page."""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from alliance import api
from alliance.api_search import SearchView
from documents.api import DocumentViewSet
from guidelines.api import EditionViewSet, ProvisionViewSet
from meetings.api import MeetingViewSet

router = DefaultRouter()
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("bodies", api.BodyViewSet, basename="body")
router.register("people", api.PersonViewSet, basename="person")
router.register("posts", api.PostViewSet, basename="post")
router.register("organizations", api.OrganizationViewSet, basename="organization")
router.register("topics", api.TopicViewSet, basename="topic")
router.register("editions", EditionViewSet, basename="edition")
router.register("provisions", ProvisionViewSet, basename="provision")
router.register("documents", DocumentViewSet, basename="document")

urlpatterns = [
    path("", include(router.urls)),
    path("search/", SearchView.as_view(), name="search"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI's start-up script as a file of its own (?script), not inline: the Content-Security-Policy allows no inline script
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # ReDoc's bundle always shows Redocly's logo from their CDN (no option turns it off): the
    # one address outside the site that this page, and only this page, may load an image from
    path("redoc/", csp_update({"img-src": ["https://cdn.redoc.ly"]})(SpectacularRedocView.as_view(url_name="api:schema")),
         name="redoc"),
]
