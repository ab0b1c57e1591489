from django.urls import path

from . import views

app_name = "site"

urlpatterns = [
    path("min-side/", views.my_page_view, name="my_page"),
]
