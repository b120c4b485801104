from django.urls import path, re_path

from meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("<slug:slug>/", views.meeting_detail, name="detail"),
    re_path(r"^(?P<slug>[-\w]+)/cite\.(?P<format>bib|ris|json)$", views.meeting_citation, name="citation"),
]
