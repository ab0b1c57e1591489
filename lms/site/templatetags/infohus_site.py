from django import template

from lms.site.selectors.site import site_info

register = template.Library()


@register.simple_tag(takes_context=True)
def infohus_site(context):
    """{% infohus_site as site_info %}: the Infohus settings and the links every page shows."""
    return site_info(request=context.get("request"))


@register.simple_tag(takes_context=True)
def site_links(context):
    """{% site_links as links %}: the header's links for this visitor (lms.site.navigation)."""
    from lms.site.navigation import links_for

    return links_for(request=context.get("request"))


@register.simple_tag(takes_context=True)
def language_neutral_path(context) -> str:
    """The current path, as the language form's `next` (URLs are the same in every language)."""
    request = context.get("request")
    return request.get_full_path() if request is not None else "/"


@register.simple_tag(takes_context=True)
def admin_access(context) -> bool:
    """{% admin_access as show_admin %}: may the signed-in user use the administration?"""
    from lms.people import policy

    user = context.get("user")
    return bool(user is not None and policy.can(user, policy.Action.ADMIN_ACCESS))


@register.simple_tag(takes_context=True)
def infohus_name(context) -> str:
    """{% infohus_name as name %}: the name of the Infohus serving this request."""
    from django.conf import settings

    from lms.site.selectors.site import infohus_name_cached

    request = context.get("request")
    if request is None:
        return settings.WAGTAIL_SITE_NAME
    return infohus_name_cached(request=request)
