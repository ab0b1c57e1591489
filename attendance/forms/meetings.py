"""Forms of the meetings admin (attendance.viewsets.meetings): a meeting's details and its status
change. They only collect input: the rules are attendance.services.meetings'."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms.models import WagtailAdminModelForm

from attendance import access
from attendance.models import Meeting
from attendance.selectors import cards as card_selectors
from lms import bounds
from lms.competence import access as competence_access
from lms.forms import OrgUnitChoiceField, OrgUnitMultipleChoiceField
from lms.people import policy
from lms.people.models import OrgUnit, User

A = policy.Action


class FacilitatorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        person = getattr(obj, "person", None)
        return f"{person.name} ({obj.email})" if person else obj.email


def facilitator_choices(user):
    """Accounts `user` may name as facilitators: people of their area, and staff of it."""
    paths = policy.scope_paths(user, access.Action.MEETING_MANAGE)
    users = User.objects.filter(is_active=True)
    if policy.may_create_root_unit(user):
        return users
    q = Q(pk__in=policy.people(user, A.PERSON_VIEW).filter(user__isnull=False).values("user_id"))
    for unit_path in paths:
        q |= Q(role_assignments__org_unit__path__startswith=unit_path)
    return users.filter(q | Q(pk=user.pk)).distinct()


class MeetingForm(WagtailAdminModelForm):
    org_unit = OrgUnitChoiceField(label=gettext_lazy("Organising unit"), queryset=OrgUnit.objects)
    audience_units = OrgUnitMultipleChoiceField(
        label=gettext_lazy("Audience units"),
        queryset=OrgUnit.objects,
        required=False,
        help_text=gettext_lazy("Each unit includes the units below it."),
    )
    online_url = forms.URLField(
        label=gettext_lazy("Online meeting link"), required=False, assume_scheme="https"
    )
    facilitators = FacilitatorChoiceField(
        label=gettext_lazy("Facilitators"), queryset=User.objects, required=False
    )

    class Meta:
        model = Meeting
        fields = [
            "kind",
            "title",
            "description",
            "org_unit",
            "audience_units",
            "job_categories",
            "institution",
            "venue",
            "online_url",
            "starts_at",
            "ends_at",
            "capacity",
            "cancellation_cutoff_hours",
            "reminder_days",
            "competence",
            "action_card_version",
            "facilitators",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        units = policy.org_units(user, access.Action.MEETING_MANAGE).order_by("path")
        self.fields["org_unit"].queryset = units
        self.fields["audience_units"].queryset = units
        self.fields["institution"].queryset = units.filter(kind=OrgUnit.Kind.INSTITUTION)
        self.fields["facilitators"].queryset = facilitator_choices(user).select_related("person")
        # Only approved versions, of the cards the user may see (card_selectors decides).
        self.fields["action_card_version"].queryset = card_selectors.versions_for_meetings(
            user=user
        )
        # Shared competences and the user's municipality's own, not another's.
        self.fields["competence"].queryset = competence_access.competences_visible_to(
            user, self.fields["competence"].queryset
        )
        bounds.form_limits(self)

    def validate_constraints(self):
        # The services check these with clear messages; the database keeps them as a backstop.
        pass


class MeetingStatusForm(forms.Form):
    transition = forms.ChoiceField(label=gettext_lazy("New status"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=gettext_lazy("Reason for cancellation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Required when cancelling. People who signed up are told."),
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["transition"].choices = choices

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("transition") == "cancel" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason for the cancellation."))
        return cleaned
