"""Admin listing filters. Every choice list is limited to the user's scope (lms.people.policy)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from lms.people import policy
from lms.people.models import JobCategory, OrgUnit, Person, Role, RoleAssignment


def _units_for(action: policy.Action):
    def queryset(request):
        if request is None:
            return OrgUnit.objects.none()
        return policy.org_units(request.user, action).order_by("path")

    return queryset


class OrgUnitChoiceFilter(django_filters.ModelChoiceFilter):
    """Labels units with their depth so the choice list reads as the tree."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Organisation unit"))
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        field = super().field
        field.label_from_instance = lambda unit: unit.indented_name
        return field


def filter_subtree(queryset, name, value, path_field="org_unit__path"):
    """Keep the rows in `value` and everything below it."""
    if not value:
        return queryset
    return queryset.filter(**{f"{path_field}__startswith": value.path})


class OrgUnitFilterSet(WagtailFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=OrgUnit.Kind.choices)
    within = OrgUnitChoiceFilter(
        label=_("Within"),
        queryset=_units_for(policy.Action.ORGUNIT_VIEW),
        method=lambda qs, name, value: filter_subtree(qs, name, value, path_field="path"),
    )

    class Meta:
        model = OrgUnit
        fields = ["kind"]


class PersonFilterSet(WagtailFilterSet):
    org_unit = OrgUnitChoiceFilter(
        queryset=_units_for(policy.Action.PERSON_VIEW),
        method=filter_subtree,
        help_text=_("Includes the units below it."),
    )
    job_category = django_filters.ModelChoiceFilter(
        label=_("Job category"), queryset=JobCategory.objects.all()
    )
    active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Person
        fields = ["org_unit", "job_category", "active"]


class RoleAssignmentFilterSet(WagtailFilterSet):
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Role.choices)
    org_unit = OrgUnitChoiceFilter(
        queryset=_units_for(policy.Action.ROLE_VIEW),
        method=filter_subtree,
        help_text=_("Includes the units below it."),
    )

    class Meta:
        model = RoleAssignment
        fields = ["role", "org_unit"]
