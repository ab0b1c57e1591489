"""The concern intake's sections of Min side (lms.site.my_page): the concerns the signed-in
person reported, with their case reference and whether the Infohus has given feedback, never
their content; and, for the Infohus members who read cases (coordinators, the SSP consultant,
the police representative), how many cases are open and past their deadline, one click from the
cases. Registered in ConcernsConfig.ready()."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from lms.concerns import access
from lms.concerns.selectors import cases as case_selectors
from lms.concerns.selectors.intake import reported_by
from lms.site.my_page import Section

FEEDBACK_GIVEN = ("feedback_given", "closed")


def concerns_context(request) -> dict | None:
    concerns = reported_by(request.user)
    if not concerns:
        return None
    return {
        "concerns": [
            {
                "reference": concern.reference,
                "received": concern.created_at,
                "feedback_given": concern.status in FEEDBACK_GIVEN,
                "feedback_on": concern.feedback_on,
            }
            for concern in concerns
        ]
    }


SECTION = Section(
    name="concerns.reported",
    template_name="concerns/my_page/reported.html",
    get_context=concerns_context,
    order=90,
)


def cases_context(request) -> dict | None:
    """The counts only (no reference, no name): Min side is no place for a case's content."""
    user = request.user
    if not access.may_view_cases(user):
        return None
    today = timezone.localdate()
    index = reverse("concerns_admin:index")
    return {
        "open": case_selectors.cases_for(user, status="open", today=today).count(),
        "overdue": case_selectors.cases_for(user, status="overdue", today=today).count(),
        "list_url": index + "?status=open",
        "overdue_url": index + "?status=overdue&sort=due",
    }


CASES_SECTION = Section(
    name="concerns.cases",
    template_name="concerns/my_page/cases.html",
    get_context=cases_context,
    # Before the person's own meetings and courses: the case work comes first.
    order=5,
)
