"""The leaders' admin for urgent internal messages: the list, a new message (write, see how many
it reaches, confirm, sent at once) and one message with its progress.

Only a user who may send urgent messages (access.URGENT_SEND, a leader) sees the menu item and
the pages; a message outside their area is 404. The write is newsletters.services.urgent. Its
progress is the sends' one JSON endpoint (newsletter_sends:progress), polled by the same script
as an edition's send page.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem

from lms.forms import errors_to_form
from lms.people import policy
from lms.people.views.guards import guarded, policy_required
from newsletters import access
from newsletters.forms.urgent import UrgentMessageForm
from newsletters.models import Delivery, Send
from newsletters.selectors.audiences import audience_preview_of
from newsletters.selectors.sends import progress_of
from newsletters.services.urgent import urgent_message_send
from newsletters.viewsets.sends import progress_context


def _sends(user) -> QuerySet[Send]:
    return access.urgent_sends_visible_to(user, Send.objects.all()).select_related(
        "urgent_message", "org_unit", "created_by"
    )


def _visible_or_404(request, pk: int) -> Send:
    return get_object_or_404(_sends(request.user), pk=pk)


def _context(title: str, *crumbs: tuple[str, str], **extra) -> dict:
    items = [
        {"url": reverse("wagtailadmin_home"), "label": _("Home")},
        {"url": reverse("urgent_messages:index"), "label": _("Urgent messages")},
        *({"url": url, "label": label} for url, label in crumbs),
    ]
    items[-1]["url"] = ""
    return {
        "page_title": title,
        "header_title": title,
        "header_icon": "warning",
        "breadcrumbs_items": items,
        **extra,
    }


@policy_required(access.URGENT_SEND)
def index(request):
    context = _context(_("Urgent messages"), sends=list(_sends(request.user)[:100]))
    return TemplateResponse(request, "newsletters/admin/urgent_index.html", context)


@require_http_methods(["GET", "POST"])
@policy_required(access.URGENT_SEND)
def create(request):
    """GET: the form. POST: the form again with its errors, or the confirm page (how many the
    message reaches and who is skipped), or, confirmed, the message sent at once."""
    title = _("New urgent message")
    crumbs = (("", title),)
    if request.method == "GET":
        form = UrgentMessageForm(user=request.user)
        context = _context(title, *crumbs, form=form)
        return TemplateResponse(request, "newsletters/admin/urgent_form.html", context)
    form = UrgentMessageForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        fields = {
            "org_unit": data["org_unit"],
            "subject": data["subject"],
            "situation": data["situation"],
            "who_acts": data["who_acts"],
            "staff_action": data["staff_action"],
            "contact": data["contact"],
            "audience_units": list(data["audience_units"]),
            "job_categories": list(data["job_categories"]),
            "include_externals": data["include_externals"],
        }
        if request.POST.get("confirm") == "send":
            try:
                send = urgent_message_send(**fields, by=request.user)
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                count = send.pending_count + send.sent_count
                messages.success(
                    request,
                    ngettext(
                        "The urgent message is being sent to %(count)s person.",
                        "The urgent message is being sent to %(count)s people.",
                        count,
                    )
                    % {"count": count},
                )
                return redirect("urgent_messages:item", send.pk)
        else:
            preview = audience_preview_of(
                infohus_unit=fields["org_unit"],
                units=fields["audience_units"],
                job_categories=fields["job_categories"],
                include_externals=fields["include_externals"],
            )
            skipped = [
                (label, preview[reason])
                for reason, label in Delivery.SkipReason.choices
                if preview.get(reason)
            ]
            context = _context(
                _("Confirm urgent message"),
                ("", title),
                form=form,
                recipients=preview.get("", 0),
                skipped=skipped,
                **fields,
            )
            return TemplateResponse(request, "newsletters/admin/urgent_confirm.html", context)
    context = _context(title, *crumbs, form=form)
    return TemplateResponse(request, "newsletters/admin/urgent_form.html", context)


@require_GET
@guarded(_visible_or_404)
def item(request, send: Send):
    # The progress from the ledger, kept current by send_progress.js from the sends' progress
    # endpoint, as on an edition's send page (the send keeps going if the page closes).
    context = _context(
        send.urgent_message.subject,
        ("", send.urgent_message.subject),
        send=send,
        **progress_context(progress_of(send)),
    )
    return TemplateResponse(request, "newsletters/admin/urgent_item.html", context)


admin_urlpatterns = [
    path("", index, name="index"),
    path("new/", create, name="create"),
    path("<int:pk>/", item, name="item"),
]


class UrgentMenuItem(MenuItem):
    def is_shown(self, request):
        return policy.can(request.user, access.URGENT_SEND)


def menu_item() -> MenuItem:
    return UrgentMenuItem(
        gettext_lazy("Urgent messages"),
        reverse("urgent_messages:index"),
        name="urgent-messages",
        icon_name="warning",
        order=200,
    )
