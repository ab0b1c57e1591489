from django.urls import path

from lms.people import views

app_name = "people"

urlpatterns = [
    path("min-profil/", views.my_profile, name="my_profile"),
]
