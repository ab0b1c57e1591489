"""This app's sections of Min side (lms.site.my_page): required courses with their due dates, and
the team page for managers. Registered in CoursesConfig.ready()."""

from __future__ import annotations

from wagtail.models import Page

from courses.selectors import courses as selectors
from lms.competence import access as competence_access
from lms.competence.selectors.status import competence_status_for_request
from lms.people import policy
from lms.site.my_page import Section
from lms.site.selectors.site import site_info

# Min side shows the first few; Min læring has them all.
SHOWN = 5


def learning_context(request) -> dict | None:
    person = policy.person_of(request.user)
    if person is None:
        return None
    # The competence status is the one the competence section shows (computed once a request:
    # Min side only reads, and the memo is recomputed after any ledger write). Every required
    # course still to complete, started ones included, soonest deadline first (Min læring's).
    learning = selectors.required_courses(
        person=person, statuses=competence_status_for_request(request, person=person)
    )
    required = learning.required
    return {
        "due": [
            {"course": course, "url": _course_url(request, course)} for course in required[:SHOWN]
        ],
        "due_count": len(required),
        "in_progress_count": learning.in_progress_count,
    }


def _course_url(request, course: selectors.RequiredCourse) -> str | None:
    """What {% pageurl %} gives for the course's page, from its id and url_path (Wagtail's
    own get_url; the request's site comes from the site cache, as the header has it)."""
    site_info(request=request)
    return Page(id=course.pk, url_path=course.url_path).get_url(request)


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
