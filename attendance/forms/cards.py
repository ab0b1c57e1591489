"""Forms of the Action Card admin (attendance.viewsets.cards and .distributions): a card's
details, a version's content, and recording Action Cards handed out. They only collect input: the
rules are attendance.services', whose errors `lms.forms.errors_to_form` puts on the form.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateInput
from wagtail.blocks import BlockField

from attendance import access
from attendance.blocks import SignsBlock, StepsBlock
from attendance.models import ActionCard, ActionCardVersion, Meeting
from attendance.selectors import cards as card_selectors
from lms.forms import OrgUnitChoiceField
from lms.people import policy
from lms.people.models import OrgUnit, User

A = access.Action


def short_date(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else "–"


def person_name(user: User | None) -> str:
    if user is None:
        return _("the system")
    person = getattr(user, "person", None)
    return person.name if person is not None else user.email


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person_name(obj)


def owner_choices(user):
    """Accounts that may own a card of `user`'s area: those who may edit Action Cards there."""
    users = User.objects.filter(is_active=True).select_related("person")
    if policy.may_create_root_unit(user):
        return users.filter(pk__in=policy.users_with(A.ACTIONCARD_MANAGE).values("pk"))
    granting = policy.roles_with(A.ACTIONCARD_MANAGE)
    q = Q(pk=user.pk)
    for unit_path in policy.scope_paths(user, A.ACTIONCARD_MANAGE):
        q |= Q(
            role_assignments__role__in=granting,
            role_assignments__org_unit__path__startswith=unit_path,
        )
    return users.filter(q).distinct()


class VersionForm(forms.Form):
    """The content of a version; the StreamFields use Wagtail's block editor."""

    title = forms.CharField(label=gettext_lazy("Title"), max_length=120)
    summary = forms.CharField(
        label=gettext_lazy("Introduction"),
        required=False,
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    signs = BlockField(block=SignsBlock(), label=gettext_lazy("Signs to look for"))
    steps = BlockField(
        block=StepsBlock(),
        label=gettext_lazy("What to do"),
        help_text=gettext_lazy(
            "Steps of the kind “Contact the Infohus”, “Acute” and “The national hotline” show "
            "the numbers from the site settings."
        ),
    )
    review_date = forms.DateField(label=gettext_lazy("Review by"), widget=AdminDateInput)
    change_note = forms.CharField(
        label=gettext_lazy("What changed"), required=False, max_length=300
    )

    def __init__(self, *args, for_user=None, **kwargs):
        self.for_user = for_user
        super().__init__(*args, **kwargs)


class CardCreateForm(VersionForm):
    slug = forms.SlugField(
        label=gettext_lazy("Address"),
        max_length=80,
        help_text=gettext_lazy(
            "The card's web address, printed as a QR code: it cannot change once a version "
            "has been approved."
        ),
    )
    audience = forms.ChoiceField(
        label=gettext_lazy("Audience"), choices=ActionCard.Audience.choices
    )
    org_unit = OrgUnitChoiceField(label=gettext_lazy("Owning unit"), queryset=OrgUnit.objects)
    owner = UserChoiceField(label=gettext_lazy("Owner"), queryset=User.objects, required=False)

    field_order = ["slug", "audience", "org_unit", "owner", "title", "summary"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        self.fields["org_unit"].queryset = policy.org_units(user, A.ACTIONCARD_MANAGE).order_by(
            "path"
        )
        self.fields["owner"].queryset = owner_choices(user)
        self.fields["owner"].initial = user.pk
        self.fields.pop("change_note")


class CardForm(WagtailAdminModelForm):
    """The card's own details (its content is edited as a version)."""

    org_unit = OrgUnitChoiceField(label=gettext_lazy("Owning unit"), queryset=OrgUnit.objects)
    owner = UserChoiceField(label=gettext_lazy("Owner"), queryset=User.objects, required=False)

    class Meta:
        model = ActionCard
        fields = ["slug", "audience", "org_unit", "owner"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        self.fields["org_unit"].queryset = policy.org_units(user, A.ACTIONCARD_MANAGE).order_by(
            "path"
        )
        self.fields["owner"].queryset = owner_choices(user)
        if self.instance.pk and self.instance.current_version_id:
            self.fields["slug"].disabled = True
            self.fields["slug"].help_text = _(
                "Printed as a QR code on the paper cards: it can no longer change."
            )

    def validate_unique(self):
        # The service checks the address with a clear message, in its transaction.
        pass


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} ({short_date(timezone.localdate(obj.starts_at))})"


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        label = _("%(title)s, version %(number)s") % {"title": obj.title, "number": obj.number}
        if obj.card.current_version_id != obj.pk:
            superseded = _("superseded")
            label += f" ({superseded})"
        return label


class DistributionForm(forms.Form):
    meeting = MeetingChoiceField(
        label=gettext_lazy("Meeting"),
        queryset=Meeting.objects.none(),
        required=False,
        help_text=gettext_lazy("Leave empty when the copies went to a workplace."),
    )
    org_unit = OrgUnitChoiceField(
        label=gettext_lazy("Place"),
        queryset=OrgUnit.objects.none(),
        required=False,
        help_text=gettext_lazy(
            "The workplace that got the copies. For a meeting leave it empty: the meeting's "
            "institution or audience is used."
        ),
    )
    version = VersionChoiceField(
        label=gettext_lazy("Action Card"), queryset=ActionCardVersion.objects
    )
    quantity = forms.IntegerField(label=gettext_lazy("Copies"))
    handed_out_on = forms.DateField(
        label=gettext_lazy("Handed out on"),
        required=False,
        widget=AdminDateInput,
        help_text=gettext_lazy("Empty: the meeting's date, or today."),
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=300)

    def __init__(self, *args, for_user, **kwargs):
        super().__init__(*args, **kwargs)
        meetings = access.meetings_managed_by(for_user, Meeting.objects.all()).filter(
            status__in=[Meeting.Status.PUBLISHED, Meeting.Status.HELD, Meeting.Status.CLOSED]
        )
        self.fields["meeting"].queryset = meetings.order_by("-starts_at")
        self.fields["org_unit"].queryset = policy.org_units(
            for_user, A.DISTRIBUTION_RECORD
        ).order_by("path")
        self.fields["version"].queryset = card_selectors.versions_for_meetings(user=for_user)
