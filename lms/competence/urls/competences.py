from django.urls import path

from lms.competence.views import competences as views

app_name = "competence"

urlpatterns = [
    path("", views.my_competences, name="my_competences"),
]
