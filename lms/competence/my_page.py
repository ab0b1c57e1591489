"""The competence ledger's section of Min side (lms.site.my_page): the person's own status per
required competence. Registered in CompetenceConfig.ready()."""

from __future__ import annotations

from lms.competence.selectors import status as selectors
from lms.people import policy
from lms.site.my_page import Section


def status_context(request) -> dict | None:
    person = policy.person_of(request.user)
    if person is None:
        return None
    # Shared with the required-courses section (courses.my_page) through the request's memo.
    return {"statuses": selectors.competence_status_for_request(request, person=person)}


SECTION = Section(
    name="competence.status",
    template_name="competence/my_page/status.html",
    get_context=status_context,
    order=40,
)
