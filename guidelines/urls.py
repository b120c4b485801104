from django.urls import path

from guidelines import views

app_name = "guidelines"
urlpatterns = [
    path("", views.edition_list, name="list"),
    path("<int:year>/", views.edition_detail, name="edition"),
]
