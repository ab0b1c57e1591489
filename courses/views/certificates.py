"""Certificates: the learner's list and PDF, and the public verification page.

The PDF is for the person themselves and for staff who may see that person's evidence (the access
policy); anyone else gets 404, so a code in someone else's hands opens no certificate. The
verification page needs no login and shows only whether a code is valid, with the name, course
and dates; unknown codes are rate limited (allauth's limiter, settings.ACCOUNT_RATE_LIMITS), so
codes cannot be found by guessing.
"""

from __future__ import annotations

from allauth.core.internal import ratelimit
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from courses.documents import certificates
from courses.forms.certificates import VerifyForm
from courses.models import Completion
from courses.selectors import certificates as certificate_selectors
from lms.competence import access as competence_access
from lms.people import policy
from lms.site.selectors.site import site_info

VERIFY_FAILED = "certificate_verify_failed"


def _rate_limit(request, *, dry_run: bool) -> bool:
    """allauth's limiter (settings.ACCOUNT_RATE_LIMITS). Its public consume() never limits a GET,
    and this page is a GET (the QR code opens it), hence the internal call with limit_get."""
    usage = ratelimit.consume(
        request, app="allauth.account", action=VERIFY_FAILED, dry_run=dry_run, limit_get=True
    )
    return bool(usage)


@login_required
def my_certificates(request):
    """The signed-in person's own certificates, newest first."""
    person = policy.person_of(request.user)
    rows = []
    if person is not None:
        completions = (
            Completion.objects.filter(enrolment__person=person)
            .select_related("enrolment__person", "enrolment__course", "revision", "evidence")
            .order_by("-completed_on", "-pk")
        )
        rows = [certificate_selectors.certificate_facts(completion) for completion in completions]
    return TemplateResponse(
        request, "courses/certificates/my_certificates.html", {"person": person, "rows": rows}
    )


def _issuer(request) -> str:
    """The Infohus of the site the certificate is downloaded from."""
    info = site_info(request=request)
    name = getattr(info.settings, "infohus_name", "") if info.settings else ""
    return name or settings.WAGTAIL_SITE_NAME


@login_required
def certificate_pdf(request, code: str):
    completion = certificate_selectors.completion_by_code(code)
    if completion is None or not competence_access.may_view_person_evidence(
        request.user, completion.enrolment.person
    ):
        raise Http404
    facts = certificate_selectors.certificate_facts(completion)
    content = certificates.certificate_pdf(
        facts=facts,
        url=certificate_selectors.verify_url(facts.code),
        issuer=_issuer(request),
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="kursusbevis-{facts.code}.pdf"'
    # Personal data: no shared cache keeps a copy.
    response["Cache-Control"] = "private, no-store"
    return response


def _verify_response(request, context, *, status=200):
    response = TemplateResponse(request, "courses/certificates/verify.html", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def certificate_verify_start(request):
    """A form to type a code; submitting it opens the code's verification page."""
    form = VerifyForm(request.GET or None)
    if form.is_valid():
        code = certificate_selectors.normalise_code(form.cleaned_data["code"])
        if code:
            return redirect("courses:certificate_verify", code=code)
        form.add_error("code", _("Enter the code printed on the certificate."))
    return _verify_response(request, {"form": form})


@require_GET
def certificate_verify(request, code: str):
    form = VerifyForm(initial={"code": code})
    if not _rate_limit(request, dry_run=True):
        return _verify_response(
            request,
            {"form": form, "error": _("Too many attempts. Wait a few minutes and try again.")},
            status=429,
        )
    completion = certificate_selectors.completion_by_code(code)
    if completion is None:
        _rate_limit(request, dry_run=False)
        return _verify_response(request, {"form": form, "unknown": True}, status=404)
    facts = certificate_selectors.certificate_facts(completion)
    return _verify_response(request, {"form": VerifyForm(), "facts": facts})
