"""The concerns' panels on the Wagtail admin home: the Infohus members see their overdue cases
first; a department contact sees how many concerns reported from their administration are open
(never which)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from wagtail.admin.ui.components import Component

from lms.concerns import access
from lms.concerns.models import ConcernReminder
from lms.concerns.selectors import cases as case_selectors
from lms.concerns.selectors.deadlines import deadlines_owed

OVERDUE_SHOWN = 10
Deadline = ConcernReminder.Deadline


class OpenConcernsPanel(Component):
    """For a department contact: the number of open concerns from their administration."""

    name = "open_concerns"
    order = 90
    template_name = "concerns/admin/open_panel.html"

    def __init__(self, count: int):
        self.count = count

    def get_context_data(self, parent_context):
        return {"count": self.count, "panel_id": self.name}


class OverdueConcernsPanel(Component):
    """For the Infohus members: their overdue cases, at the top of the admin home. The case
    reference, which deadline and since when: no content, no names."""

    name = "overdue_concerns"
    # Before every other panel (the features' panels start at 90).
    order = 1
    template_name = "concerns/admin/overdue_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        today = timezone.localdate()
        cases = case_selectors.overdue_for(self.request.user, today=today)
        total = cases.count()
        rows = []
        for case in cases[:OVERDUE_SHOWN]:
            owed = deadlines_owed(case, today=today - dt.timedelta(days=1))
            rows.append(
                {
                    "reference": case.reference,
                    "url": reverse("concerns_admin:item", args=(case.pk,)),
                    "deadlines": [
                        {"label": Deadline(deadline).label, "due_on": due} for deadline, due in owed
                    ],
                }
            )
        return {
            "panel_id": self.name,
            "rows": rows,
            "total": total,
            "more": max(total - len(rows), 0),
            "list_url": reverse("concerns_admin:index") + "?status=overdue&sort=due",
            "open_url": reverse("concerns_admin:index") + "?status=open",
        }


def panels_for(request) -> list[Component]:
    user = request.user
    if access.may_view_cases(user):
        return [OverdueConcernsPanel(request)]
    if not access.may_see_open_count(user):
        # Everyone else learns nothing.
        return []
    return [OpenConcernsPanel(case_selectors.open_from_my_area(user))]
