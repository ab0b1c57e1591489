from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "attendance"

    def ready(self):
        # The core's access policy learns this app's actions and grants.
        from attendance import access

        access.register()
        # Min side (lms.site) shows what this app registers; the core names no meeting page.
        from attendance.my_page import SECTIONS
        from lms.site.my_page import section_register

        for section in SECTIONS:
            section_register(section)
        register_permission_policies()
        register_links()
        # Meetings and Action Cards as items a newsletter may point at (lms.site.teasers).
        from attendance import teasers

        teasers.register()

    def demo_load(self):
        """Called by `manage.py load_demo_data` (which imports no feature app) after the core's
        demo data: the season of meetings, with the demo meeting requests and Action Cards."""
        from attendance.demo.meetings import attendance_demo_load

        return attendance_demo_load()


def register_links() -> None:
    """The header's links to the Action Cards (for everyone) and to the meetings, and the
    meetings as a way to renew a competence (lms.competence.links)."""
    from lms.competence import links
    from lms.site import navigation

    navigation.link_register(
        navigation.Link("cards", _("Action Cards"), "cards:list", order=10, signed_in_only=False)
    )
    navigation.link_register(
        navigation.Link("meetings", _("Meetings"), "attendance:meeting_list", order=30)
    )
    links.link_register(
        links.Link(links.Place.RENEWAL, "meetings", _("Meetings"), "attendance:meeting_list", 20)
    )


def register_permission_policies() -> None:
    """The admin's answers for meetings, Action Cards and distributions, from the access policy.

    A meeting is scoped by its organising unit, and its staff also see it where it is aimed
    (meetings_in_staff_view); a card by its owning unit; a distribution by the place holding the
    copies, recorded or deleted, never edited in place.
    """
    from attendance import access
    from attendance.models import ActionCard, CardDistribution, Meeting
    from lms.people.permissions import OrgUnitPermissionPolicy, permission_policies_register

    A = access.Action
    permission_policies_register(
        OrgUnitPermissionPolicy(
            Meeting,
            # The list as a spreadsheet ("export"): the meetings one manages (no personal data).
            actions={
                "view": A.MEETING_VIEW,
                "add": A.MEETING_MANAGE,
                "change": A.MEETING_MANAGE,
                "export": A.MEETING_MANAGE,
            },
            org_unit_path="org_unit",
            listings={A.MEETING_VIEW: access.meetings_in_staff_view},
        ),
        OrgUnitPermissionPolicy(
            ActionCard,
            actions={
                "view": A.ACTIONCARD_VIEW,
                "add": A.ACTIONCARD_MANAGE,
                "change": A.ACTIONCARD_MANAGE,
            },
            org_unit_path="org_unit",
        ),
        OrgUnitPermissionPolicy(
            CardDistribution,
            actions={
                "view": A.DISTRIBUTION_VIEW,
                "add": A.DISTRIBUTION_RECORD,
                "delete": A.DISTRIBUTION_RECORD,
                "export": A.DISTRIBUTION_VIEW,
            },
            org_unit_path="org_unit",
        ),
    )
