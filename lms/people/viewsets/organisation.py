"""The organisation admin's menu group: the tree, the roster, job categories, role assignments."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSetGroup

from lms.people.viewsets.job_categories import JobCategoryViewSet
from lms.people.viewsets.org_units import OrgUnitViewSet
from lms.people.viewsets.people import PersonViewSet
from lms.people.viewsets.role_assignments import RoleAssignmentViewSet


class OrganisationViewSetGroup(ModelViewSetGroup):
    menu_label = _("Organisation")
    menu_icon = "group"
    menu_order = 250
    items = (OrgUnitViewSet, PersonViewSet, JobCategoryViewSet, RoleAssignmentViewSet)
