from django import template

from lms.site.selectors import site_info

register = template.Library()


@register.simple_tag(takes_context=True)
def infohus_site(context):
    """{% infohus_site as site_info %}: the Infohus settings and the links every page shows."""
    return site_info(request=context.get("request"))


@register.simple_tag(takes_context=True)
def language_neutral_path(context) -> str:
    """The current path, as the language form's `next` (URLs are the same in every language)."""
    request = context.get("request")
    return request.get_full_path() if request is not None else "/"
