"""{% may_request_meetings as flag %}: whether the signed-in user may ask for meetings (the link
to "My meeting requests" on the meetings page), answered by the access policy."""

from django import template

from attendance import access
from lms.people import policy

register = template.Library()


@register.simple_tag(takes_context=True)
def may_request_meetings(context) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    return user is not None and policy.can(user, access.Action.MEETING_REQUEST)
