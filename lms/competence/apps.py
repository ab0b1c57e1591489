from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetenceConfig(AppConfig):
    name = "lms.competence"
    label = "competence"
    verbose_name = _("Competences")

    def ready(self):
        from lms.competence import access, signals
        from lms.competence.my_page import SECTION
        from lms.site.my_page import section_register
        from lms.site.navigation import Current, Link, link_register

        # The core's access policy learns this app's actions and grants.
        access.register()
        signals.connect()

        section_register(SECTION)
        register_permission_policies()
        link_register(
            Link(
                "my_competences",
                _("My competences"),
                "competence:my_competences",
                order=60,
                current=Current.VIEW,
            )
        )


def register_permission_policies() -> None:
    """The admin's answers for competences (by owner) and requirements (by the unit they apply
    to), from the access policy."""
    from lms.competence.access import Action as A
    from lms.competence.models import Competence, Requirement
    from lms.competence.permissions import CompetencePermissionPolicy
    from lms.people.permissions import OrgUnitPermissionPolicy, permission_policies_register

    permission_policies_register(
        CompetencePermissionPolicy(
            Competence,
            actions={
                "view": A.COMPETENCE_VIEW,
                "add": A.COMPETENCE_MANAGE,
                "change": A.COMPETENCE_MANAGE,
            },
            org_unit_path=None,
        ),
        OrgUnitPermissionPolicy(
            Requirement,
            actions={
                "view": A.REQUIREMENT_VIEW,
                "add": A.REQUIREMENT_MANAGE,
                "change": A.REQUIREMENT_MANAGE,
                "delete": A.REQUIREMENT_MANAGE,
            },
            org_unit_path="org_unit",
        ),
    )
