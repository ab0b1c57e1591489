"""A signed-in person's own roster entry (Min profil)."""

from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse

from lms.people.selectors import people as selectors


@login_required
def my_profile(request):
    person = selectors.person_for_user(user=request.user)
    return TemplateResponse(request, "people/my_profile.html", {"person": person})
