"""`{% concern_url %}`: where "Er du bekymret?" leads on this site (lms.concerns.links)."""

from django import template

from lms.concerns import links

register = template.Library()


@register.simple_tag(takes_context=True)
def concern_url(context) -> str:
    return links.intake_url(request=context.get("request"))
