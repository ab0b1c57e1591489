from django.urls import path

from newsletters import views

app_name = "newsletters"

urlpatterns = [
    path("afmeld/<str:token>/", views.optout, name="optout"),
]
