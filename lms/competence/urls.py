from django.urls import path

from . import views

app_name = "competence"

urlpatterns = [
    path("", views.my_competences, name="my_competences"),
]
