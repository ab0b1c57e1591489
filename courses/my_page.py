"""This app's sections of Min side (lms.site.my_page): required courses with their due dates, and
the team page for managers. Registered in CoursesConfig.ready()."""

from __future__ import annotations

from courses.selectors import courses as selectors
from lms.competence import access as competence_access
from lms.competence.selectors.status import competence_status_for_request
from lms.people import policy
from lms.site.my_page import Section

# Min side shows the first few; Min læring has them all.
SHOWN = 5


def learning_context(request) -> dict | None:
    person = policy.person_of(request.user)
    if person is None:
        return None
    # The competence status is the one the competence section shows (computed once a request:
    # Min side only reads, and the memo is recomputed after any ledger write).
    learning = selectors.my_learning(
        person=person, statuses=competence_status_for_request(request, person=person)
    )
    # Every required course still to complete, started ones included, soonest deadline first.
    required = learning.required
    return {
        "due": required[:SHOWN],
        "due_count": len(required),
        "in_progress_count": len(learning.in_progress),
    }


def team_context(request) -> dict | None:
    members = competence_access.team_members(request.user)
    count = members.count()
    return {"count": count} if count else None


SECTIONS = (
    Section(
        name="courses.learning",
        template_name="courses/my_page/learning.html",
        get_context=learning_context,
        order=30,
    ),
    Section(
        name="courses.team",
        template_name="courses/my_page/team.html",
        get_context=team_context,
        order=50,
    ),
)
