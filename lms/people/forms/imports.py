"""The roster and organisation-unit import's upload form: what to import and where, limited to
what the user may import (lms.people.policy)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms.forms import OrgUnitChoiceField
from lms.importflow import ImportUploadForm
from lms.people import policy
from lms.people.models import OrgUnit
from lms.people.policy import Action

ROSTER = "roster"


ORG_UNITS = "org_units"


KIND_ACTIONS = {ROSTER: Action.PERSON_IMPORT, ORG_UNITS: Action.ORGUNIT_MANAGE}


KIND_LABELS = {
    ROSTER: gettext_lazy("Staff roster"),
    ORG_UNITS: gettext_lazy("Organisation units"),
}


def allowed_kinds(user) -> list[str]:
    return [kind for kind, action in KIND_ACTIONS.items() if policy.can(user, action)]


def may_import_everywhere(user) -> bool:
    """Without an area the import may create top-level units and mark anyone as left."""
    return policy.may_create_root_unit(user)


class ImportForm(ImportUploadForm):
    kind = forms.ChoiceField(label=gettext_lazy("What to import"), widget=forms.RadioSelect)
    scope = OrgUnitChoiceField(
        label=gettext_lazy("Area"),
        queryset=OrgUnit.objects.none(),
        help_text=gettext_lazy(
            "Every unit in the file must lie in this area. Only people in this area are marked "
            "as left."
        ),
    )
    mark_missing_as_left = forms.BooleanField(
        label=gettext_lazy("Mark people who are not in the file as left"),
        required=False,
        help_text=gettext_lazy(
            "Only for a complete roster of the area. Nobody is deleted; people who come back "
            "are reactivated."
        ),
    )

    field_order = ["kind", "file", "scope", "mark_missing_as_left"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        kinds = allowed_kinds(user)
        self.fields["kind"].choices = [(kind, KIND_LABELS[kind]) for kind in kinds]
        if kinds:
            self.fields["kind"].initial = kinds[0]
        unit_ids: set[int] = set()
        for kind in kinds:
            unit_ids.update(policy.org_units(user, KIND_ACTIONS[kind]).values_list("pk", flat=True))
        scope = self.fields["scope"]
        scope.queryset = OrgUnit.objects.filter(pk__in=unit_ids).order_by("path")
        if may_import_everywhere(user):
            scope.required = False
            scope.empty_label = _("The whole organisation")
        else:
            scope.empty_label = None

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind not in KIND_ACTIONS:
            return data
        scope = data.get("scope")
        if scope is None:
            if "scope" not in self.errors and not may_import_everywhere(self.user):
                self.add_error("scope", _("Choose the area to import into."))
        elif not policy.can(self.user, KIND_ACTIONS[kind], scope):
            self.add_error("scope", _("You may not import into this area."))
        return data
