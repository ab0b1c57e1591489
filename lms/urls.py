from django.conf import settings
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from lms.site.views import pages as site_pages

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    # allauth is the only way in: Wagtail's own login page sends people to it.
    path("admin/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path("admin/", include(wagtailadmin_urls)),
    path("konto/", include("allauth.urls")),
    path("dokumenter/", include(wagtaildocs_urls)),
    path("", include("lms.people.urls.profile")),
    path("", include("lms.site.urls.my_page")),
    path("moeder/", include("attendance.urls.meetings", namespace="attendance")),
    # The concern intake: where every "Er du bekymret?" leads.
    path("bekymring/", include("lms.concerns.urls.intake")),
    path("mine-kompetencer/", include("lms.competence.urls.competences")),
    path("laering/", include("courses.urls.courses", namespace="courses")),
    # Action Cards' public pages: the address printed as a QR code on every paper card.
    path("handlekort/", include("attendance.urls.cards", namespace="cards")),
    path("nyhedsbrev/", include("newsletters.urls", namespace="newsletters")),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# One URL per page in every language: the language is the person's choice (lms.middleware).
# Wagtail's URLs, its page view in front of which the site cache routes the page types that ask
# for it (lms.site.selectors.routes).
urlpatterns += [
    path("", include([p for p in wagtail_urls.urlpatterns if p.name != "wagtail_serve"])),
    re_path(wagtail_urls.serve_pattern, site_pages.serve, name="wagtail_serve"),
]
