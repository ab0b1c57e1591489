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


@register.simple_tag(takes_context=True)
def header_state(context) -> tuple:
    """{% header_state links show_admin as state %}: everything base.html's header shows that is
    not the site's own (signed in or not, administration or not, which link is the current page),
    as the key of its cached fragment."""
    request = context.get("request")
    user = context.get("user")
    info = site_info(request=request)
    return (
        bool(user is not None and user.is_authenticated),
        bool(context.get("show_admin")),
        request is not None and request.path == info.concern_url,
        tuple(link.current for link in context.get("links") or ()),
    )


class SiteFragmentNode(template.Node):
    def __init__(self, name: str, vary: list, nodelist):
        self.name, self.vary, self.nodelist = name, vary, nodelist

    def render(self, context):
        from django.utils.translation import get_language

        from lms.site.selectors.site import site_local

        request = context.get("request")
        if request is None or getattr(request, "is_preview", False):
            # A preview shows a draft, not what the site shows.
            return self.nodelist.render(context)
        origin = getattr(getattr(context, "template", None), "origin", None)
        key = (
            "fragment",
            getattr(origin, "name", ""),
            self.name,
            get_language(),
            *(value.resolve(context) for value in self.vary),
        )
        return site_local(request=request, key=key, compute=lambda: self.nodelist.render(context))


@register.tag
def site_fragment(parser, token):
    """{% site_fragment "name" value ... %}...{% endsite_fragment %}: the enclosed template
    rendered once per process for the site serving the request, the language and the values
    named (lms.site.selectors.site.site_local: a new version of the site cache renders it
    again). Only for what depends on nothing else: never a CSRF token, a user's name or the path.
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"{bits[0]} needs a name")
    nodelist = parser.parse(("endsite_fragment",))
    parser.delete_first_token()
    return SiteFragmentNode(
        bits[1].strip("\"'"), [parser.compile_filter(b) for b in bits[2:]], nodelist
    )
