"""The concern intake's public pages: the start (acute numbers, the notification duty, who are
you), the form for staff and partners, the form for citizens, and the receipt.

No login needed; a signed-in member of staff gets their name, email and workplace filled in. The
forms for people without an account are rate limited (allauth's limiter, settings
ACCOUNT_RATE_LIMITS["concern_report"]). When the municipality keeps its intake elsewhere
(InfohusSettings.concern_intake_url), every page here sends the visitor there. The receipt shows
the case reference and nothing of what was written; it is kept in the session, not in the URL.
"""

from __future__ import annotations

from allauth.core import ratelimit
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from lms.concerns.forms.intake import CitizenForm, ProfessionalForm
from lms.concerns.models import Concern
from lms.concerns.selectors.intake import infohus_for_request
from lms.concerns.services.intake import concern_report
from lms.forms import errors_to_form
from lms.people import policy
from lms.site.selectors.site import site_info

RATE_LIMIT = "concern_report"
RECEIPT_SESSION_KEY = "lms.concerns.receipt"
Kind = Concern.ReporterKind


def _external(request) -> str:
    settings = site_info(request=request).settings
    return getattr(settings, "concern_intake_url", "") if settings is not None else ""


def _context(request, **extra) -> dict:
    info = site_info(request=request)
    return {"settings": info.settings, "info": info, **extra}


@require_safe
@never_cache
def start(request):
    external = _external(request)
    if external:
        return redirect(external)
    return TemplateResponse(
        request,
        "concerns/start.html",
        _context(request, available=infohus_for_request(request) is not None),
    )


def _form_page(request, template: str, form, *, kind: str, status: int = 200, **extra):
    return TemplateResponse(
        request, template, _context(request, form=form, kind=kind, **extra), status=status
    )


def _submit(request, form, *, kind: str, template: str, **fields):
    """Post the valid form to the service; the receipt on success, the form with errors on bad
    input (nothing saved), 429 when rate limited."""
    infohus = infohus_for_request(request)
    if infohus is None:
        return redirect("concerns:start")
    if not request.user.is_authenticated and not ratelimit.consume(request, action=RATE_LIMIT):
        form.add_error(None, _("Too many attempts. Wait a few minutes and try again."))
        return _form_page(request, template, form, kind=kind, status=429)
    data = form.cleaned_data
    try:
        concern, _created = concern_report(
            by=request.user if request.user.is_authenticated else None,
            infohus=infohus,
            submission=data["submission"],
            reporter_kind=kind,
            age_group=data["age_group"],
            description=data["description"],
            subject_name=data.get("subject_name", ""),
            **fields,
        )
    except ValidationError as error:
        errors_to_form(form, error)
        return _form_page(request, template, form, kind=kind, status=400)
    request.session[RECEIPT_SESSION_KEY] = {
        "reference": concern.reference,
        "mailed": bool(concern.reporter_email),
    }
    return redirect("concerns:receipt")


@require_http_methods(["GET", "POST"])
@never_cache
def professional(request):
    external = _external(request)
    if external:
        return redirect(external)
    template = "concerns/professional.html"
    staff = request.user.is_authenticated
    person = policy.person_of(request.user) if staff else None
    kind = Kind.STAFF if staff else Kind.PARTNER
    options = {"staff": staff, "workplace_known": person is not None}
    if request.method != "POST":
        initial = {}
        if staff:
            initial = {
                "reporter_name": person.name if person else request.user.get_full_name(),
                "reporter_email": request.user.email,
            }
        form = ProfessionalForm(initial=initial, **options)
        return _form_page(request, template, form, kind=kind, person=person)
    form = ProfessionalForm(request.POST, **options)
    if not form.is_valid():
        return _form_page(request, template, form, kind=kind, person=person, status=400)
    data = form.cleaned_data
    return _submit(
        request,
        form,
        kind=kind,
        template=template,
        reporter_name=data["reporter_name"],
        reporter_organisation=data.get("reporter_organisation", ""),
        reporter_phone=data["reporter_phone"],
        reporter_email=data["reporter_email"],
        reporter_unit=person.org_unit if person is not None else None,
        leader_knows=data["leader_knows"],
    )


@require_http_methods(["GET", "POST"])
@never_cache
def citizen(request):
    external = _external(request)
    if external:
        return redirect(external)
    template = "concerns/citizen.html"
    kind = Kind.CITIZEN
    if request.method != "POST":
        return _form_page(request, template, CitizenForm(), kind=kind)
    form = CitizenForm(request.POST)
    if not form.is_valid():
        return _form_page(request, template, form, kind=kind, status=400)
    data = form.cleaned_data
    return _submit(
        request,
        form,
        kind=kind,
        template=template,
        anonymous=data["anonymous"],
        reporter_name=data["reporter_name"],
        reporter_phone=data["reporter_phone"],
        reporter_email=data["reporter_email"],
    )


@require_safe
@never_cache
def receipt(request):
    receipt = request.session.get(RECEIPT_SESSION_KEY)
    if not isinstance(receipt, dict) or "reference" not in receipt:
        return redirect("concerns:start")
    return TemplateResponse(request, "concerns/receipt.html", _context(request, receipt=receipt))
