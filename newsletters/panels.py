"""This app's panel on the admin home (Wagtail's construct_homepage_panels hook): the sends
under way, paused or scheduled, with their progress, for those who may see sends."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.components import Component

from lms.people import policy
from newsletters import access
from newsletters.models import Send
from newsletters.selectors.sends import progress_of_many, sends_running_for

SHOWN = 8


class SendsPanel(Component):
    name = "newsletter_sends"
    order = 130
    template_name = "newsletters/admin/home_panel.html"

    def __init__(self, request):
        self.request = request

    def rows(self) -> list[dict]:
        sends = list(sends_running_for(self.request.user)[:SHOWN])
        progress = progress_of_many(sends)
        rows = []
        for send in sends:
            if send.status == Send.Status.SCHEDULED:
                when = date_format(timezone.localtime(send.scheduled_at), "j. F Y, H:i")
                detail = _("Scheduled for %(when)s") % {"when": when}
                percent = None
            else:
                done = progress[send.pk]
                detail = _("%(status)s · %(sent)s of %(recipients)s sent, %(failed)s failed") % {
                    "status": send.get_status_display(),
                    "sent": done.sent,
                    "recipients": done.recipients,
                    "failed": done.failed,
                }
                percent = done.percent
            rows.append(
                {
                    "title": f"{send.edition.title} \u2013 {send.edition.edition_label} "
                    f"({send.org_unit.name})",
                    "detail": detail,
                    "percent": percent,
                    "url": reverse("newsletter_sends:item", args=(send.pk,)),
                }
            )
        return rows

    def get_context_data(self, parent_context):
        return {"heading": gettext_lazy("Newsletters being sent"), "rows": self.rows()}


def panels_for(request) -> list[Component]:
    if policy.can(request.user, access.VIEW):
        return [SendsPanel(request)]
    return []
