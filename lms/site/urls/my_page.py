from django.urls import path

from lms.site.views import my_page as views

app_name = "site"

urlpatterns = [
    path("min-side/", views.my_page_view, name="my_page"),
]
