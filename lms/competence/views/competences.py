from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse

from lms.competence import access, links
from lms.competence.selectors import status as selectors
from lms.people.selectors.people import person_for_user


@login_required
def my_competences(request):
    """Every signed-in employee's own competences: only ever the user's own roster entry."""
    person = person_for_user(user=request.user)
    manages_team = access.may_view_team(request.user)
    context = {
        "person": person,
        "statuses": [],
        "evidence": [],
        # The features' pages (lms.competence.links): one's own for a person on the roster, the
        # team's for a manager.
        "related_links": [
            *(links.links_at(links.Place.HOLDER) if person is not None else []),
            *(links.links_at(links.Place.TEAM) if manages_team else []),
        ],
    }
    if person is not None:
        context["statuses"] = selectors.competence_status_for_person(person=person)
        context["evidence"] = list(selectors.evidence_for_person(person=person))
    return TemplateResponse(request, "competence/my_competences.html", context)
