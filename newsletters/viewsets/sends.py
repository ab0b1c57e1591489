"""The coordinators' newsletter sends in the Wagtail admin ("Nyhedsbreve"): the list, a draft
send's form, the send page (audience before sending, actions, live progress), the mail as it
will be sent, a test mail, and the delivery report with its CSV and XLSX downloads.

Who may do what is newsletters.access: VIEW sees a send and its counts (the steering group
too), WRITE creates and changes drafts and sends tests, SEND schedules, starts, pauses, resumes,
cancels, sends again to the failed, and reads the ledger and the names. A send outside the
user's VIEW scope is 404; an action the user may not take is 403. Every write is a service of
newsletters.services.sends; a refusal (a unit outside the scope, a time in the past) is shown
on the form and changes nothing.
"""

from __future__ import annotations

import csv
import io

from csp.constants import NONE, SELF
from csp.decorators import csp_replace
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.menus import MenuItem as ButtonMenuItem

from lms import display
from lms.forms import errors_to_form
from lms.parsing import parse_id
from lms.people import policy
from lms.people.views.guards import guarded, policy_required
from newsletters import access
from newsletters.emails.editions import RenderedEdition, edition_render
from newsletters.forms.sends import ScheduleForm, SendForm, TestForm
from newsletters.models import Delivery, NewsletterPage, Send
from newsletters.selectors import sends as selectors
from newsletters.services import sends as services

S = Send.Status
D = Delivery.Status
PER_PAGE = 50
LEDGER_PER_PAGE = 100
# How often the send page asks for progress (the JSON endpoint), in milliseconds.
POLL_MS = 3000


def _visible_or_404(request, pk: int) -> Send:
    sends = access.sends_visible_to(request.user, selectors.edition_sends())
    return get_object_or_404(
        sends.select_related("edition", "org_unit", "created_by", "scheduled_by"), pk=pk
    )


def _followed_or_404(request, pk: int) -> Send:
    return get_object_or_404(selectors.sends_followed_by(request.user), pk=pk)


def _may_write(user, send: Send) -> bool:
    return access.can(user, access.WRITE, send)


def _may_send(user, send: Send) -> bool:
    return access.can(user, access.SEND, send)


def _title(send: Send) -> str:
    return f"{send.edition.title} \u2013 {send.edition.edition_label}"


def _context(title: str, send: Send | None = None, *, step: str = "", **extra) -> dict:
    crumbs = [
        {"url": reverse("wagtailadmin_home"), "label": _("Home")},
        {"url": reverse("newsletter_sends:index"), "label": _("Newsletters")},
    ]
    if send is not None:
        crumbs.append(
            {"url": reverse("newsletter_sends:item", args=(send.pk,)), "label": _title(send)}
        )
    if step:
        crumbs.append({"url": "", "label": step})
    crumbs[-1]["url"] = ""
    return {
        "page_title": title,
        "header_title": title,
        "header_icon": "mail",
        "breadcrumbs_items": crumbs,
        "send": send,
        **extra,
    }


def actions_for(user, send: Send, progress: selectors.Progress | None = None) -> dict[str, bool]:
    """Which actions the send page offers: allowed by the send's state and the user's access."""
    may_write, may_send = _may_write(user, send), _may_send(user, send)
    failed = progress.failed if progress is not None else send.failed_count
    return {
        "edit": may_write and send.status == S.DRAFT,
        "test": may_write,
        "schedule": may_send and send.status == S.DRAFT,
        "start": may_send and send.status in (S.DRAFT, S.SCHEDULED),
        "pause": may_send and send.status == S.SENDING,
        "resume": may_send and send.status == S.PAUSED,
        "cancel": may_send and send.status not in (S.SENT, S.CANCELLED),
        "retry": may_send and send.status in (S.SENDING, S.PAUSED, S.SENT) and failed > 0,
        "ledger": may_send and send.started_at is not None,
    }


@require_GET
@policy_required(access.VIEW)
def index(request):
    status = request.GET.get("status", "")
    if status not in S.values:
        status = ""
    page = Paginator(selectors.sends_for(request.user, status=status), PER_PAGE).get_page(
        request.GET.get("p")
    )
    page.object_list = list(page.object_list)
    progress = selectors.progress_of_many(page.object_list)
    for send in page.object_list:
        send.progress = progress[send.pk]
    context = _context(
        _("Newsletters"),
        page=page,
        status=status,
        statuses=S.choices,
        may_create=policy.can(request.user, access.WRITE),
    )
    return TemplateResponse(request, "newsletters/admin/send_index.html", context)


def _form_response(request, form, *, title: str, send: Send | None = None, status: int = 200):
    context = _context(title, send, step=title if send is not None else "", form=form)
    if send is None:
        context["breadcrumbs_items"][-1] = {"url": "", "label": title}
    return TemplateResponse(request, "newsletters/admin/send_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@policy_required(access.WRITE)
def create(request):
    user = request.user
    title = _("New send")
    if request.method == "POST":
        form = SendForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                send = services.send_create(
                    edition=data["edition"],
                    org_unit=data["org_unit"],
                    audience_units=data["audience_units"],
                    job_categories=data["job_categories"],
                    include_externals=data["include_externals"],
                    by=user,
                )
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(
                    request, _("The send has been created as a draft. Check the audience below.")
                )
                return redirect("newsletter_sends:item", send.pk)
        return _form_response(request, form, title=title, status=400)
    initial = {}
    edition_pk = request.GET.get("edition", "")
    if edition_pk:
        initial["edition"] = parse_id(edition_pk)
    units = list(selectors.infohus_units_for(user)[:1])
    if units:
        initial["org_unit"] = units[0].pk
        initial["audience_units"] = [units[0].pk]
    form = SendForm(initial=initial, user=user)
    return _form_response(request, form, title=title)


@require_http_methods(["GET", "POST"])
@guarded(_visible_or_404, _may_write)
def edit(request, send: Send):
    title = _("Edit the send")
    if send.status != S.DRAFT:
        messages.error(request, _("Only a draft send can be changed."))
        return redirect("newsletter_sends:item", send.pk)
    if request.method == "POST":
        form = SendForm(request.POST, user=request.user, editing=True)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.send_update(
                    send=send,
                    edition=data["edition"],
                    audience_units=data["audience_units"],
                    job_categories=data["job_categories"],
                    include_externals=data["include_externals"],
                    by=request.user,
                )
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, _("The send has been saved."))
                return redirect("newsletter_sends:item", send.pk)
        return _form_response(request, form, title=title, send=send, status=400)
    form = SendForm(
        initial={
            "edition": send.edition_id,
            "audience_units": [u.pk for u in send.audience_units.all()],
            "job_categories": [c.pk for c in send.job_categories.all()],
            "include_externals": send.include_externals,
        },
        user=request.user,
        editing=True,
    )
    return _form_response(request, form, title=title, send=send)


@require_GET
@guarded(_visible_or_404)
def item(request, send: Send):
    user = request.user
    progress = selectors.progress_of(send) if send.started_at is not None else None
    audience = None
    labels = dict(Delivery.SkipReason.choices)
    if send.status in (S.DRAFT, S.SCHEDULED):
        # Before the start: who the send would reach now; names only to those who may send.
        audience = selectors.audience_summary(send, with_names=_may_send(user, send))
    context = _context(
        _title(send),
        send,
        audience=audience,
        skipped_rows=[
            (labels.get(reason, reason), n) for reason, n in sorted(audience.skipped.items())
        ]
        if audience
        else [],
        **progress_context(progress),
        actions=actions_for(user, send, progress),
        audience_units=list(send.audience_units.order_by("path")),
        job_categories=list(send.job_categories.order_by("name")),
        names_shown=selectors.SKIPPED_NAMES_SHOWN,
    )
    return TemplateResponse(request, "newsletters/admin/send_item.html", context)


def progress_context(progress: selectors.Progress | None) -> dict:
    """What includes/progress.html needs besides the send: the progress, its time left in words
    and how often send_progress.js asks for more (the edition's and the urgent message's page)."""
    return {
        "progress": progress,
        "eta_text": _eta_text(progress.eta_seconds) if progress else "",
        "poll_ms": POLL_MS,
    }


@require_GET
@guarded(_followed_or_404)
def progress(request, send: Send):
    """The send's progress as JSON, from its ledger: for the progress bar of an edition's send
    page and of an urgent message's page (send_progress.js), and the home panel."""
    data = selectors.progress_of(send).as_json()
    data["eta_text"] = _eta_text(data["eta_seconds"])
    response = JsonResponse(data)
    response["Cache-Control"] = "no-store"
    return response


def _eta_text(seconds: int | None) -> str:
    if seconds is None:
        return "\u2013"
    if seconds < 60:
        return _("less than a minute")
    minutes = round(seconds / 60)
    if minutes < 90:
        return _("about %(n)s min.") % {"n": minutes}
    return _("about %(h)s h %(m)s min.") % {"h": minutes // 60, "m": minutes % 60}


def _rendered(send: Send) -> RenderedEdition:
    """The mail exactly as it goes out: the frozen copy of a started send, else the engine's
    rendering of the edition as it stands."""
    if send.rendered:
        return RenderedEdition(**send.rendered)
    return edition_render(send=send)


@require_http_methods(["GET", "POST"])
@guarded(_visible_or_404)
def preview(request, send: Send):
    """The mail as the recipients will get it (HTML in a sandboxed frame, and the plain text),
    and "Send en test"."""
    may_test = _may_write(request.user, send)
    if request.method == "POST":
        if not may_test:
            raise PermissionDenied
        form = TestForm(request.POST)
        if form.is_valid():
            try:
                sent = services.send_test(
                    send=send, addresses=form.cleaned_data["addresses"], by=request.user
                )
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(
                    request,
                    _("A test has been sent to %(addresses)s.")
                    % {"addresses": ", ".join(form.cleaned_data["addresses"])}
                    if sent
                    else _("The test could not be sent."),
                )
                return redirect("newsletter_sends:preview", send.pk)
        status = 400
    else:
        form = TestForm(initial={"addresses": request.user.email})
        status = 200
    rendered = _rendered(send)
    variant = "external" if request.GET.get("variant") == "external" else "internal"
    context = _context(
        _("The mail"),
        send,
        step=_("The mail"),
        form=form if may_test else None,
        subject=rendered.subject,
        text=getattr(rendered, f"text_{variant}"),
        variant=variant,
        frozen=bool(send.rendered),
    )
    return TemplateResponse(request, "newsletters/admin/send_preview.html", context, status=status)


@require_GET
@xframe_options_sameorigin
@csp_replace(
    {"script-src": [NONE], "img-src": [SELF, "https:", "data:"], "frame-ancestors": [SELF]}
)
@guarded(_visible_or_404)
def preview_html(request, send: Send):
    """The mail's HTML alone, for the preview's sandboxed frame: no script runs in it."""
    rendered = _rendered(send)
    html = (
        rendered.html_external
        if request.GET.get("variant") == "external"
        else rendered.html_internal
    )
    return HttpResponse(html, content_type="text/html; charset=utf-8")


def _confirm(
    request,
    send: Send,
    *,
    title: str,
    question: str,
    button: str,
    danger=False,
    form=None,
    status=200,
):
    context = _context(
        title, send, step=title, question=question, button=button, danger=danger, form=form
    )
    return TemplateResponse(request, "newsletters/admin/send_confirm.html", context, status=status)


def _do(request, send: Send, service, success: str):
    try:
        service(send=send, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect("newsletter_sends:item", send.pk)


@require_http_methods(["GET", "POST"])
@guarded(_visible_or_404, _may_send)
def schedule(request, send: Send):
    title = _("Schedule the send")
    form = ScheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.send_schedule(send=send, at=form.cleaned_data["scheduled_at"], by=request.user)
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, _("The send has been scheduled."))
            return redirect("newsletter_sends:item", send.pk)
    audience = selectors.audience_summary(send, with_names=False)
    question = _("The send will start by itself at the time you choose and mail %(n)s people.") % {
        "n": audience.mailed
    }
    return _confirm(
        request,
        send,
        title=title,
        question=question,
        button=pgettext("send action", "Schedule"),
        form=form,
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
@guarded(_visible_or_404, _may_send)
def start(request, send: Send):
    if request.method == "POST":
        return _do(request, send, services.send_start, _("The send has started."))
    audience = selectors.audience_summary(send, with_names=False)
    question = _(
        "Send “%(title)s” now to %(n)s people? A mail that has gone out cannot be called back."
    ) % {
        "title": _title(send),
        "n": audience.mailed,
    }
    return _confirm(
        request,
        send,
        title=pgettext("send action", "Send now"),
        question=question,
        button=pgettext("send action", "Send now"),
    )


@require_POST
@guarded(_visible_or_404, _may_send)
def pause(request, send: Send):
    return _do(request, send, services.send_pause, _("The send is paused."))


@require_POST
@guarded(_visible_or_404, _may_send)
def resume(request, send: Send):
    return _do(request, send, services.send_resume, _("The send has been resumed."))


@require_http_methods(["GET", "POST"])
@guarded(_visible_or_404, _may_send)
def cancel(request, send: Send):
    if request.method == "POST":
        return _do(request, send, services.send_cancel, _("The send has been cancelled."))
    question = _("Cancel “%(title)s”? No more mails go out; those already sent stay sent.") % {
        "title": _title(send)
    }
    return _confirm(
        request,
        send,
        title=_("Cancel the send"),
        question=question,
        button=_("Cancel the send"),
        danger=True,
    )


@require_POST
@guarded(_visible_or_404, _may_send)
def retry(request, send: Send):
    return _do(
        request, send, services.send_retry_failed, _("The failed deliveries are being sent again.")
    )


LEDGER_STATUSES = [
    ("problems", gettext_lazy("Failed and skipped")),
    ("sent", gettext_lazy("Sent")),
    ("failed", gettext_lazy("Failed")),
    ("pending", gettext_lazy("Pending")),
    ("skipped", gettext_lazy("Skipped")),
    ("duplicated", gettext_lazy("Possibly duplicated")),
]


@require_GET
@guarded(_visible_or_404, _may_send)
def ledger(request, send: Send):
    """The per-recipient ledger (names and addresses: SEND holders only)."""
    status = request.GET.get("status", "")
    if status not in dict(LEDGER_STATUSES):
        status = ""
    page = Paginator(selectors.deliveries_for(send, status=status), LEDGER_PER_PAGE).get_page(
        request.GET.get("p")
    )
    title = _("Delivery report")
    context = _context(title, send, step=title, page=page, status=status, statuses=LEDGER_STATUSES)
    return TemplateResponse(request, "newsletters/admin/send_ledger.html", context)


def _export_rows(send: Send, status: str):
    statuses = dict(D.choices)
    reasons = dict(Delivery.SkipReason.choices)
    for delivery in selectors.deliveries_for(send, status=status or "problems").iterator(
        chunk_size=2000
    ):
        person = delivery.person
        yield [
            person.name if person else "",
            delivery.email,
            person.org_unit.name if person and person.org_unit_id else "",
            str(statuses.get(delivery.status, delivery.status)),
            str(reasons.get(delivery.skip_reason, "")),
            delivery.attempts,
            delivery.sent_at,
            delivery.smtp_code,
            delivery.smtp_answer,
            display.export_bool(delivery.possibly_duplicated),
            display.export_bool(delivery.external),
        ]


def _export_header() -> list[str]:
    return [
        _("Name"),
        _("Email"),
        _("Unit"),
        _("Status"),
        _("Reason"),
        _("Attempts"),
        _("Sent at"),
        _("SMTP code"),
        _("SMTP answer"),
        _("Possibly duplicated"),
        _("External"),
    ]


@require_GET
@guarded(_visible_or_404, _may_send)
def export(request, send: Send, fmt: str):
    status = request.GET.get("status", "")
    if status not in dict(LEDGER_STATUSES):
        status = ""
    name = f"udsendelse-{send.pk}-{status or 'fejl-og-oversprungne'}"
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        response.write("\ufeff")  # Excel opens UTF-8 with a BOM correctly
        writer = csv.writer(response, delimiter=";")
        writer.writerow(_export_header())
        for row in _export_rows(send, status):
            row[6] = display.export_csv_datetime(row[6]) if row[6] else ""
            writer.writerow(["" if v is None else v for v in row])
        return response
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Deliveries")[:31])
    sheet.append(_export_header())
    for row in _export_rows(send, status):
        row[6] = display.export_xlsx_datetime(row[6]) if row[6] else None
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


admin_urlpatterns = [
    path("", index, name="index"),
    path("new/", create, name="create"),
    path("<int:pk>/", item, name="item"),
    path("<int:pk>/edit/", edit, name="edit"),
    path("<int:pk>/mail/", preview, name="preview"),
    path("<int:pk>/mail/html/", preview_html, name="preview_html"),
    path("<int:pk>/progress.json", progress, name="progress"),
    path("<int:pk>/schedule/", schedule, name="schedule"),
    path("<int:pk>/start/", start, name="start"),
    path("<int:pk>/pause/", pause, name="pause"),
    path("<int:pk>/resume/", resume, name="resume"),
    path("<int:pk>/cancel/", cancel, name="cancel"),
    path("<int:pk>/retry/", retry, name="retry"),
    path("<int:pk>/report/", ledger, name="ledger"),
    path("<int:pk>/report.csv", export, {"fmt": "csv"}, name="export_csv"),
    path("<int:pk>/report.xlsx", export, {"fmt": "xlsx"}, name="export_xlsx"),
]


class SendsMenuItem(MenuItem):
    def is_shown(self, request):
        return policy.can(request.user, access.VIEW)


def menu_item() -> MenuItem:
    return SendsMenuItem(
        gettext_lazy("Sends"),
        reverse("newsletter_sends:index"),
        name="newsletter-sends",
        icon_name="mail",
        order=100,
    )


class CreateSendButton(ButtonMenuItem):
    """ "Opret udsendelse" on a newsletter page's header and in its listing's "more" menu."""

    def __init__(self, page, priority: int = 25):
        super().__init__(
            label=gettext_lazy("Create send"),
            url=reverse("newsletter_sends:create") + f"?edition={page.pk}",
            icon_name="mail",
            priority=priority,
        )

    def is_shown(self, user):
        return policy.can(user, access.WRITE)


def page_buttons(page, user, **kwargs):
    if page.specific_class is NewsletterPage and policy.can(user, access.WRITE):
        yield CreateSendButton(page)
