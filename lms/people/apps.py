from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "lms.people"
    label = "people"
    verbose_name = _("People and organisation")

    def ready(self):
        # Link a signed-in user to their roster Person by verified email (allauth signals).
        from lms.people.signals import connect_signals
        from lms.site.navigation import Current, Link, link_register

        # Link a signed-in user to their roster Person by verified email (allauth signals).
        connect_signals()
        register_permission_policies()
        link_register(
            Link(
                "my_profile", _("My profile"), "people:my_profile", order=40, current=Current.NEVER
            )
        )


def register_permission_policies() -> None:
    """The admin's answers for the organisation's models, from the access policy. A role
    assignment is granted or revoked, never edited in place; job categories are one list for
    everybody (no org unit)."""
    from lms.people.models import JobCategory, OrgUnit, Person, RoleAssignment
    from lms.people.permissions import OrgUnitPermissionPolicy, permission_policies_register
    from lms.people.policy import Action as A

    permission_policies_register(
        OrgUnitPermissionPolicy(
            OrgUnit,
            actions={"view": A.ORGUNIT_VIEW, "add": A.ORGUNIT_MANAGE, "change": A.ORGUNIT_MANAGE},
            org_unit_path="",
        ),
        OrgUnitPermissionPolicy(
            Person,
            actions={
                "view": A.PERSON_VIEW,
                "add": A.PERSON_MANAGE,
                "change": A.PERSON_MANAGE,
                "export": A.PERSON_EXPORT,
                "import": A.PERSON_IMPORT,
            },
            org_unit_path="org_unit",
        ),
        OrgUnitPermissionPolicy(
            JobCategory,
            actions={
                "view": A.JOBCATEGORY_VIEW,
                "add": A.JOBCATEGORY_MANAGE,
                "change": A.JOBCATEGORY_MANAGE,
            },
            org_unit_path=None,
        ),
        OrgUnitPermissionPolicy(
            RoleAssignment,
            actions={"view": A.ROLE_VIEW, "add": A.ROLE_MANAGE, "delete": A.ROLE_MANAGE},
            org_unit_path="org_unit",
        ),
    )
