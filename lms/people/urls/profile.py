from django.urls import path

from lms.people.views import profile as views

app_name = "people"

urlpatterns = [
    path("min-profil/", views.my_profile, name="my_profile"),
]
