"""Request-wide middleware of the platform."""

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers


class LanguageMiddleware:
    """Danish unless the person chose another language with the language form (its cookie).

    Replaces Django's LocaleMiddleware on purpose: that one follows the browser's Accept-Language,
    but the platform is Danish first whatever the browser says, and URLs stay the same in every
    language, so single sign-on callbacks and printed links never depend on the language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else None
        except LookupError:
            language = None
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class SecurityHeadersMiddleware(CSPMiddleware):
    """Content-Security-Policy (django-csp, settings.CONTENT_SECURITY_POLICY) and
    Permissions-Policy (settings.LMS_PERMISSIONS_POLICY) on every response, error pages included.

    The Wagtail admin (everything under its home URL) gets settings.LMS_ADMIN_CSP_REPLACE on top:
    Wagtail's own widgets (date and chooser inputs, inline panels) write inline scripts without a
    nonce, and its page preview is a same-origin iframe. The front end needs neither.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith(reverse("wagtailadmin_home")):
            # A nonce in script-src would switch 'unsafe-inline' off in the browser.
            parts.replace = {**settings.LMS_ADMIN_CSP_REPLACE, **(parts.replace or {})}
            parts.nonce = None
        return parts

    def process_response(self, request, response):
        response = super().process_response(request, response)
        response.headers.setdefault("Permissions-Policy", settings.LMS_PERMISSIONS_POLICY)
        return response
