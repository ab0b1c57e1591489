"""The platform's URLs plus one view that fails, to see the 500 page (tests only)."""

from django.urls import path

from lms.urls import urlpatterns as lms_urlpatterns


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("test-fejl/", boom), *lms_urlpatterns]
