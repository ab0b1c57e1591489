from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse

from lms.competence.selectors import status as selectors
from lms.people import policy
from lms.people.selectors.people import person_for_user


@login_required
def my_competences(request):
    """Every signed-in employee's own competences: only ever the user's own roster entry."""
    person = person_for_user(user=request.user)
    context = {
        "person": person,
        "statuses": [],
        "evidence": [],
        "manages_team": policy.may_view_team(request.user),
    }
    if person is not None:
        context["statuses"] = selectors.competence_status_for_person(person=person)
        context["evidence"] = list(selectors.evidence_for_person(person=person))
    return TemplateResponse(request, "competence/my_competences.html", context)
