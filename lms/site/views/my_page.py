"""Min side: the page everyone lands on after signing in."""

from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse

from lms.people import policy
from lms.site import my_page


@login_required
def my_page_view(request):
    return TemplateResponse(
        request,
        "site/my_page.html",
        {
            "person": policy.person_of(request.user),
            "sections": my_page.sections_for(request=request),
            "admin_access": policy.can(request.user, policy.Action.ADMIN_ACCESS),
        },
    )
