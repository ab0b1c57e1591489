"""The "Nyhedsbreve" submenu of the Wagtail admin: the sends list, urgent messages and the default
audience under one item instead of three top-level ones.

Each child keeps its own is_shown() (the feature's access rules, as before); Wagtail shows the
submenu when at least one child is shown, so a leader sees it with "Vigtige beskeder" alone and
the steering group with the sends list alone. The edition plan has no page of its own (it is
edited from the home panel and the archive page), so it has no item here.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from wagtail.admin.menu import Menu, SubmenuMenuItem


def menu_item() -> SubmenuMenuItem:
    from newsletters.viewsets import audiences, sends, urgent

    return SubmenuMenuItem(
        gettext_lazy("Newsletters"),
        Menu(items=[sends.menu_item(), urgent.menu_item(), audiences.menu_item()]),
        name="newsletters",
        icon_name="mail",
        order=245,
    )
