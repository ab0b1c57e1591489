"""This app's panels in the admin: on the admin home (Wagtail's construct_homepage_panels hook),
the sends under way, paused or scheduled with their progress (for those who may see sends), a
leader's recent urgent messages with their delivered and failed counts and the one click to
write a new one (for those who may send urgent messages), and when the next edition is due
(newsletters.selectors.plans; for the coordinators, each Infohus they send for); on the
newsletter archive's edit page, when its site's Infohus's next edition is due."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail.admin.panels import Panel
from wagtail.admin.ui.components import Component

from lms.display import local
from lms.people import policy
from lms.people.models import OrgUnit
from newsletters import access

# The page models name EditionPlanPanel: what reads the models is imported when a panel renders.

SHOWN = 10
SENDS_SHOWN = 8
URGENT_SHOWN = 5


def _date(day: dt.date) -> str:
    return date_format(day, "j. F Y")


def due_line(due, today: dt.date) -> str:
    """One line about one half-year's edition (selectors.plans.EditionDue), as a coordinator
    reads it."""
    from newsletters.emails.plans import half_label

    half = capfirst(half_label(due))
    if due.covered:
        send = due.send
        on = _date(local(send.started_at or send.scheduled_at))
        if send.status == send.Status.SENT:
            return _("%(half)s: sent on %(date)s.") % {"half": half, "date": on}
        return _("%(half)s: scheduled for %(date)s.") % {"half": half, "date": on}
    days = (due.due_on - today).days
    if days < 0:
        return _("%(half)s: was due on %(date)s and no send is scheduled.") % {
            "half": half,
            "date": _date(due.due_on),
        }
    return ngettext(
        "%(half)s: due by %(date)s (in %(days)d day), no send is scheduled yet.",
        "%(half)s: due by %(date)s (in %(days)d days), no send is scheduled yet.",
        days,
    ) % {"half": half, "date": _date(due.due_on), "days": days}


def _rows(units: list[OrgUnit], today: dt.date, user) -> list[dict]:
    from newsletters.selectors.plans import dues_by_unit

    dues = dues_by_unit(units, today=today)
    rows = []
    for unit in units:
        lines = [due_line(due, today) for due in dues[unit.pk]]
        warn = any(not due.covered and due.remind_on <= today for due in dues[unit.pk])
        edit_url = (
            reverse("newsletter_plan:edit", args=(unit.pk,))
            if policy.can(user, access.WRITE, unit)
            else ""
        )
        rows.append({"unit": unit.name, "lines": lines, "warn": warn, "edit_url": edit_url})
    return rows


class EditionPlanHomePanel(Component):
    """ "Næste nyhedsbrev" on the admin home: each Infohus the coordinator sends for."""

    name = "newsletter_plan"
    order = 150
    template_name = "newsletters/admin/plan_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        from newsletters.selectors.plans import infohus_units

        user = self.request.user
        units = [unit for unit in infohus_units() if policy.can(user, access.SEND, unit)]
        return {
            "heading": gettext_lazy("Next newsletter"),
            "panel_id": self.name,
            "rows": _rows(units[:SHOWN], timezone.localdate(), user),
            "empty": _("No Infohus site is set up for the units you send newsletters for."),
        }


class SendsPanel(Component):
    name = "newsletter_sends"
    order = 130
    template_name = "newsletters/admin/home_panel.html"

    def __init__(self, request):
        self.request = request

    def rows(self) -> list[dict]:
        from newsletters.models import Send
        from newsletters.selectors.sends import progress_of_many, sends_running_for

        sends = list(sends_running_for(self.request.user)[:SENDS_SHOWN])
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


class UrgentMessagesPanel(Component):
    """ "Vigtige beskeder" on a leader's admin home: their municipality's recent urgent messages
    (status, when, delivered and failed from the ledger) and the button to write a new one. Two
    queries however many messages: the sends, then their progress in one grouped query."""

    name = "urgent_messages"
    # First among the newsletters' panels: a leader's everyday action.
    order = 95
    template_name = "newsletters/admin/urgent_panel.html"

    def __init__(self, request):
        self.request = request

    def rows(self) -> list[dict]:
        from newsletters.selectors.sends import progress_of_many, urgent_sends_for

        sends = list(urgent_sends_for(self.request.user)[:URGENT_SHOWN])
        progress = progress_of_many(sends)
        rows = []
        for send in sends:
            done = progress[send.pk]
            when = send.started_at or send.created_at
            rows.append(
                {
                    "subject": send.urgent_message.subject,
                    "unit": send.org_unit.name,
                    "status": send.get_status_display(),
                    "when": date_format(local(when), "j. F Y, H:i"),
                    "sent": done.sent,
                    "failed": done.failed,
                    "recipients": done.recipients,
                    "url": reverse("urgent_messages:item", args=(send.pk,)),
                }
            )
        return rows

    def get_context_data(self, parent_context):
        return {
            "heading": gettext_lazy("Urgent messages"),
            "panel_id": self.name,
            "rows": self.rows(),
            "create_url": reverse("urgent_messages:create"),
            "index_url": reverse("urgent_messages:index"),
        }


def home_panels_for(request) -> list[Component]:
    """The urgent messages for those who send them (the leaders); the sends for those who may
    see them; the plan for those who send editions (the coordinators)."""
    panels: list[Component] = []
    if policy.can(request.user, access.URGENT_SEND):
        panels.append(UrgentMessagesPanel(request))
    if policy.can(request.user, access.VIEW):
        panels.append(SendsPanel(request))
    if policy.can(request.user, access.SEND):
        panels.append(EditionPlanHomePanel(request))
    return panels


class EditionPlanPanel(Panel):
    """On the newsletter archive's edit page: when its Infohus's next edition is due."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "newsletters/admin/plan_field_panel.html"

        def _unit(self) -> OrgUnit | None:
            page = self.instance
            if page is None or page.pk is None:
                return None
            site = page.get_site()
            root = site.root_page.specific if site is not None else None
            return getattr(root, "org_unit", None)

        @property
        def shown(self) -> bool:
            unit = self._unit()
            return unit is not None and policy.can(self.request.user, access.SEND, unit)

        def is_shown(self):
            return super().is_shown() and self.shown

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            unit = self._unit()
            context["rows"] = (
                _rows([unit], timezone.localdate(), self.request.user) if unit is not None else []
            )
            return context
