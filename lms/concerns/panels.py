"""The concerns' panel on the Wagtail admin home: a department contact sees how many concerns
reported from their administration are open (never which); the Infohus has the list itself."""

from __future__ import annotations

from wagtail.admin.ui.components import Component

from lms.concerns import access
from lms.concerns.selectors import cases as case_selectors


class OpenConcernsPanel(Component):
    """For a department contact: the number of open concerns from their administration."""

    name = "open_concerns"
    order = 90
    template_name = "concerns/admin/open_panel.html"

    def __init__(self, count: int):
        self.count = count

    def get_context_data(self, parent_context):
        return {"count": self.count, "panel_id": self.name}


def panels_for(request) -> list[Component]:
    user = request.user
    if access.may_view_cases(user) or not access.may_see_open_count(user):
        # The Infohus has the list itself; everyone else learns nothing.
        return []
    return [OpenConcernsPanel(case_selectors.open_from_my_area(user))]
