"""The platform's URLs behind a trivial view: what a request costs before any page's work."""

from django.http import HttpResponse
from django.urls import include, path


def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/trivial/", trivial), path("", include("lms.urls"))]
