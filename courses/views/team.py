"""A manager's view of their team: each active direct report's status per required competence.

Who is a manager comes from the roster (Person.manager), not from a role: the access policy's
team_members() is the only source of the people shown, so nobody else's status ever appears.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse

from lms.competence import access as competence_access
from lms.competence.selectors import status as competence_selectors
from lms.people import policy


@login_required
def team(request):
    members = competence_access.team_members(request.user)
    statuses = competence_selectors.competence_status_for_people(people=members)
    if not statuses:
        # Someone who manages nobody (a role gives the admin, not someone else's team): say so
        # in words instead of a bare error page.
        return TemplateResponse(request, "courses/team_none.html", {}, status=403)
    competences = {}
    for items in statuses.values():
        for item in items:
            competences.setdefault(item.competence.pk, item.competence)
    columns = sorted(competences.values(), key=lambda c: (c.name, c.pk))
    rows = []
    for person, items in statuses.items():
        by_competence = {item.competence.pk: item for item in items}
        rows.append({"person": person, "cells": [by_competence.get(c.pk) for c in columns]})
    return TemplateResponse(
        request,
        "courses/team.html",
        {"columns": columns, "rows": rows, "manager": policy.person_of(request.user)},
    )
