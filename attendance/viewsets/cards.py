"""Wagtail admin for Action Cards: the cards and their versions (write, approve by a second person,
new version, discard, preview), the distributions (list with filters and export, record, delete),
and the "cards in circulation" report.

Access comes from lms.people.policy (through attendance.permissions.cards for the viewsets); every
change goes through attendance.services, never form.save().
"""

from __future__ import annotations

import copy
import csv

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import ButtonsColumnMixin, Column, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.widgets import AdminDateInput
from wagtail.admin.widgets.button import HeaderButton, ListingButton
from wagtail.blocks import BlockField

from attendance import services
from attendance.models import ActionCard, ActionCardVersion, CardDistribution, Meeting
from attendance.models.blocks import SignsBlock, StepsBlock
from attendance.permissions.cards import card_permission_policy, distribution_permission_policy
from attendance.selectors import cards as card_selectors
from attendance.views import cards as card_views
from lms.parsing import parse_id
from lms.people import policy
from lms.people.models import OrgUnit, User
from lms.people.views.mixins import PolicyRequiredMixin
from lms.people.viewsets.scoped import (
    OrgUnitChoiceField,
    ScopedDeleteView,
    ScopedEditView,
    ScopedIndexView,
    ScopedInspectView,
    ScopedViewSet,
)

A = policy.Action
V = ActionCardVersion.Status


def _date(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else "–"


def _person_name(user: User | None) -> str:
    if user is None:
        return _("the system")
    person = getattr(user, "person", None)
    return person.name if person is not None else user.email


def _form_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error)


def _card_crumbs(card: ActionCard | None = None, *labels: str) -> list[dict]:
    items = [
        {"url": reverse("wagtailadmin_home"), "label": _("Home")},
        {"url": reverse("action_cards:index"), "label": _("Action Cards")},
    ]
    if card is not None:
        items.append({"url": reverse("action_cards:inspect", args=(card.pk,)), "label": str(card)})
    items += [{"url": "", "label": label} for label in labels]
    return items


# --- Forms --------------------------------------------------------------------------------------


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _person_name(obj)


def owner_choices(user):
    """Accounts that may own a card of `user`'s area: those who may edit Action Cards there."""
    users = User.objects.filter(is_active=True).select_related("person")
    if policy.may_create_root_unit(user):
        return users.filter(pk__in=policy.users_with(A.ACTIONCARD_MANAGE).values("pk"))
    granting = [role for role, actions in policy.GRANTS.items() if A.ACTIONCARD_MANAGE in actions]
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
        return f"{obj.title} ({_date(timezone.localdate(obj.starts_at))})"


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
        meetings = policy.meetings_managed_by(for_user, Meeting.objects.all()).filter(
            status__in=[Meeting.Status.PUBLISHED, Meeting.Status.HELD, Meeting.Status.CLOSED]
        )
        self.fields["meeting"].queryset = meetings.order_by("-starts_at")
        self.fields["org_unit"].queryset = policy.org_units(
            for_user, A.DISTRIBUTION_RECORD
        ).order_by("path")
        self.fields["version"].queryset = card_selectors.versions_for_meetings(user=for_user)


# --- Cards: views -------------------------------------------------------------------------------


def _card_title(card: ActionCard) -> str:
    if card.current_version_id:
        return card.current_version.title
    return getattr(card, "newest_title", None) or card.slug


def _review(card: ActionCard) -> str:
    version = card.current_version
    if version is None:
        return "–"
    if card_selectors.review_overdue(version):
        return _("%(date)s (overdue)") % {"date": _date(version.review_date)}
    return _date(version.review_date)


def _draft(card: ActionCard) -> str:
    if card.draft_number is None:
        return "–"
    return _("Version %(number)s waiting for approval") % {"number": card.draft_number}


class CardIndexView(ScopedIndexView):
    default_ordering = "slug"

    def get_base_queryset(self):
        return card_selectors.cards_for_admin(super().get_base_queryset())

    def get_edit_url(self, instance):
        # The card's page (its versions and their actions) is where a card is worked on.
        return reverse("action_cards:inspect", args=(instance.pk,))

    @cached_property
    def columns(self):
        """The title column (given as a column, so Wagtail adds no row buttons to it) with the
        row's buttons: a copy per view, whose buttons are this request's."""
        columns = list(super().columns)
        view = self

        class TitleWithButtons(ButtonsColumnMixin, type(columns[0])):
            def get_buttons(self, instance, parent_context):
                return view.get_list_buttons(instance)

        title = copy.copy(columns[0])
        title.__class__ = TitleWithButtons
        columns[0] = title
        return columns

    @cached_property
    def drafts_written(self) -> set[int]:
        """The waiting drafts (of the cards listed) the user wrote or edited: four eyes, they
        may not approve them. One query for the whole list."""
        if not policy.can(self.request.user, A.ACTIONCARD_APPROVE):
            return set()
        drafts = ActionCardVersion.objects.filter(
            status=V.DRAFT, card__in=self.object_list.values("pk")
        ).only("pk", "card_id", "created_by_id")
        return services.versions_written_by(self.request.user, list(drafts))

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        draft_pk = getattr(instance, "draft_pk", None)
        if draft_pk is None:
            return buttons
        draft = ActionCardVersion(pk=draft_pk, card=instance)
        if policy.may_approve_card_version(
            self.request.user, draft, wrote=draft_pk in self.drafts_written
        ):
            label = _("Approve version %(number)s") % {"number": instance.draft_number}
            buttons.insert(
                0,
                ListingButton(
                    label,
                    url=reverse("action_cards:version_approve", args=(draft_pk,)),
                    icon_name="check",
                    priority=0,
                    attrs={"aria-label": f"{label}: {_card_title(instance)}"},
                ),
            )
        return buttons


class CardCreateView(PolicyRequiredMixin, WagtailAdminTemplateMixin, FormView):
    template_name = "wagtailadmin/generic/form.html"
    page_title = gettext_lazy("New Action Card")
    header_icon = "clipboard-list"
    _show_breadcrumbs = True
    policy_action = A.ACTIONCARD_MANAGE

    def get_form_class(self):
        return CardCreateForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "for_user": self.request.user}

    def get_breadcrumbs_items(self):
        return _card_crumbs(None, self.page_title)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "action_url": reverse("action_cards:add"),
                "submit_button_label": _("Create the card as a draft"),
                "submit_button_active_label": _("Saving…"),
                "media": context["form"].media,
            }
        )
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            card = services.card_create(
                slug=data["slug"],
                audience=data["audience"],
                org_unit=data["org_unit"],
                owner=data.get("owner"),
                title=data["title"],
                summary=data.get("summary", ""),
                signs=data["signs"],
                steps=data["steps"],
                review_date=data["review_date"],
                by=self.request.user,
            )
        except ValidationError as error:
            _form_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The card has been created as a draft. Someone else must approve it."),
        )
        return redirect("action_cards:inspect", card.pk)


class CardEditView(ScopedEditView):
    def save_instance(self):
        data = self.form.cleaned_data
        fields = {name: data.get(name) for name in ("audience", "org_unit", "owner")}
        if not self.form.fields["slug"].disabled:
            fields["slug"] = data.get("slug")
        return services.card_update(card=self.object, by=self.request.user, **fields)

    def get_success_url(self):
        return reverse("action_cards:inspect", args=(self.object.pk,))


class CardInspectView(ScopedInspectView):
    template_name = "attendance/admin/card_inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(card_selectors.cards_for_admin(self.scoped_queryset()), pk=self.pk)

    def get_page_subtitle(self):
        return _card_title(self.object)

    @cached_property
    def header_buttons(self):
        card, user = self.object, self.request.user
        buttons = []
        if policy.can_card(user, A.ACTIONCARD_MANAGE, card):
            buttons.append(
                HeaderButton(
                    _("Edit card details"),
                    url=reverse("action_cards:edit", args=(card.pk,)),
                    icon_name="edit",
                )
            )
        if card.current_version_id:
            buttons.append(
                HeaderButton(
                    _("Public page"),
                    url=reverse("cards:detail", args=(card.slug,)),
                    icon_name="link-external",
                )
            )
        return buttons

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        card, user = self.object, self.request.user
        versions = list(card_selectors.versions_of_card(card=card))
        draft = next((v for v in versions if v.status == V.DRAFT), None)
        may_manage = policy.can_card(user, A.ACTIONCARD_MANAGE, card)
        wrote = draft is not None and services.version_wrote(user, draft)
        context.update(
            {
                "card": card,
                "card_title": _card_title(card),
                "versions": versions,
                "draft": draft,
                "may_manage": may_manage,
                "may_approve_role": policy.can_card(user, A.ACTIONCARD_APPROVE, card),
                "may_approve": draft is not None
                and policy.may_approve_card_version(user, draft, wrote=wrote),
                "wrote_draft": wrote,
                "review_overdue": card_selectors.review_overdue(card.current_version),
                "may_record": policy.can(user, A.DISTRIBUTION_RECORD),
            }
        )
        return context


class CardVersionMixin(PolicyRequiredMixin):
    """Loads a version of a card the user may see (404 otherwise), and checks `policy_action`
    over the card's unit."""

    policy_action = A.ACTIONCARD_MANAGE

    def get_policy_object(self):
        cards = policy.cards_visible_to(self.request.user, ActionCard.objects.all())
        self.version = get_object_or_404(
            ActionCardVersion.objects.select_related(
                "card", "card__org_unit", "card__current_version", "created_by", "approved_by"
            ).filter(card__in=cards),
            pk=self.kwargs["pk"],
        )
        self.card = self.version.card
        return self.card.org_unit

    def get_page_subtitle(self):
        number = _("version %(number)s") % {"number": self.version.number}
        return f"{self.version.title} ({number})"

    def get_breadcrumbs_items(self):
        return _card_crumbs(self.card, self.get_page_title())

    def back(self):
        return redirect("action_cards:inspect", self.card.pk)


class VersionEditView(CardVersionMixin, WagtailAdminTemplateMixin, FormView):
    template_name = "wagtailadmin/generic/form.html"
    page_title = gettext_lazy("Edit draft")
    header_icon = "edit"
    _show_breadcrumbs = True

    def get_form_class(self):
        return VersionForm

    def get_initial(self):
        v = self.version
        return {
            "title": v.title,
            "summary": v.summary,
            "signs": v.signs,
            "steps": v.steps,
            "review_date": v.review_date,
            "change_note": v.change_note,
        }

    def get(self, request, *args, **kwargs):
        if self.version.status != V.DRAFT:
            messages.error(request, _("An approved version cannot be changed."))
            return self.back()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "action_url": reverse("action_cards:version_edit", args=(self.version.pk,)),
                "submit_button_label": _("Save draft"),
                "submit_button_active_label": _("Saving…"),
                "media": context["form"].media,
            }
        )
        return context

    def form_valid(self, form):
        try:
            services.version_update(version=self.version, by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The draft has been saved."))
        return self.back()


class VersionConfirmView(CardVersionMixin, WagtailAdminTemplateMixin, TemplateView):
    """GET asks, POST does: approve, discard, or start a new version."""

    template_name = "attendance/admin/card_confirm.html"
    header_icon = "clipboard-list"
    _show_breadcrumbs = True
    question = ""
    button = ""
    destructive = False

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "version": self.version,
            "card": self.card,
            "question": self.get_question(),
            "button": self.button,
            "destructive": self.destructive,
            "written_by": _person_name(self.version.created_by),
        }

    def get_question(self):
        return self.question

    def post(self, request, *args, **kwargs):
        try:
            message = self.act()
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return self.back()
        messages.success(request, message)
        return self.back()


class VersionApproveView(VersionConfirmView):
    policy_action = A.ACTIONCARD_APPROVE
    page_title = gettext_lazy("Approve version")
    button = gettext_lazy("Approve and publish")

    def get_question(self):
        return _(
            "Approving publishes this version on the card's public page and in the PDF. It can "
            "no longer be changed afterwards; older versions stay as they were."
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        wrote = services.version_wrote(self.request.user, self.version)
        context["four_eyes_problem"] = not policy.may_approve_card_version(
            self.request.user, self.version, wrote=wrote
        )
        context["preview_url"] = reverse("action_cards:version_preview", args=(self.version.pk,))
        return context

    def act(self):
        version = services.version_approve(version=self.version, by=self.request.user)
        return _("Version %(number)s is approved and published.") % {"number": version.number}


class VersionDiscardView(VersionConfirmView):
    page_title = gettext_lazy("Discard draft")
    button = gettext_lazy("Discard the draft")
    destructive = True

    def get_question(self):
        if not self.card.versions.exclude(pk=self.version.pk).exists():
            return _("This is the card's only version: discarding it deletes the card.")
        return _("The draft's changes are lost. The approved versions stay as they are.")

    def act(self):
        self.remaining = services.version_discard(version=self.version, by=self.request.user)
        return _("The draft has been discarded.")

    def back(self):
        if getattr(self, "remaining", True) is None:
            return redirect("action_cards:index")
        return super().back()


class VersionNewView(CardVersionMixin, WagtailAdminTemplateMixin, TemplateView):
    """Starts a draft from the card (the pk is the card's current or newest version)."""

    template_name = "attendance/admin/card_confirm.html"
    page_title = gettext_lazy("New version")
    header_icon = "clipboard-list"
    _show_breadcrumbs = True

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "version": self.version,
            "card": self.card,
            "question": _(
                "A new draft starts as a copy of this version. The current version stays public "
                "until the new one is approved."
            ),
            "button": _("Start a new version"),
            # The template names the version's author on every confirmation page.
            "written_by": _person_name(self.version.created_by),
        }

    def post(self, request, *args, **kwargs):
        try:
            draft = services.version_draft_create(card=self.card, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return self.back()
        messages.success(
            request, _("A new draft has been started: edit it, then ask for approval.")
        )
        return redirect("action_cards:version_edit", draft.pk)


class VersionPreviewView(CardVersionMixin, TemplateView):
    """The version as its public page will look (the public page never shows a draft)."""

    policy_action = A.ACTIONCARD_VIEW

    def get(self, request, *args, **kwargs):
        context = card_views.card_context(
            request, self.card, self.version, preview=self.version.status == V.DRAFT
        )
        response = TemplateResponse(request, "attendance/card_detail.html", context)
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
        return response


class ActionCardViewSet(ScopedViewSet):
    model = ActionCard
    name = "action_cards"
    form_class = CardForm
    permission_policy = card_permission_policy
    icon = "clipboard-list"
    menu_label = gettext_lazy("Action Cards")
    index_view_class = CardIndexView
    add_view_class = CardCreateView
    edit_view_class = CardEditView
    inspect_view_class = CardInspectView
    list_display = [
        TitleColumn(
            "title",
            label=gettext_lazy("Title"),
            accessor=_card_title,
            get_url=lambda card: reverse("action_cards:inspect", args=(card.pk,)),
        ),
        Column("audience", label=gettext_lazy("Audience"), accessor="get_audience_display"),
        Column(
            "current",
            label=gettext_lazy("Current version"),
            accessor=lambda c: c.current_version.number if c.current_version_id else "–",
        ),
        Column("review", label=gettext_lazy("Review by"), accessor=_review),
        Column(
            "owner_name",
            label=gettext_lazy("Owner"),
            accessor=lambda c: _person_name(c.owner) if c.owner_id else "–",
        ),
        Column("draft", label=gettext_lazy("Draft"), accessor=_draft),
    ]
    search_fields = ["slug", "current_version__title"]
    search_backend_name = None

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("version/<int:pk>/edit/", VersionEditView.as_view(), name="version_edit"),
            path("version/<int:pk>/approve/", VersionApproveView.as_view(), name="version_approve"),
            path("version/<int:pk>/discard/", VersionDiscardView.as_view(), name="version_discard"),
            path("version/<int:pk>/new/", VersionNewView.as_view(), name="version_new"),
            path("version/<int:pk>/preview/", VersionPreviewView.as_view(), name="version_preview"),
        ]


# --- Distributions ------------------------------------------------------------------------------


def _card_filter_choices(request):
    return card_selectors.cards_with_distributions(user=request.user)


def _place_filter_choices(request):
    return policy.org_units(request.user, A.DISTRIBUTION_VIEW).order_by("path")


def _meeting_filter_choices(request):
    seen = card_selectors.distributions_visible(user=request.user).values("meeting_id")
    return Meeting.objects.filter(pk__in=seen).order_by("-starts_at")


class DistributionFilterSet(WagtailFilterSet):
    card = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Action Card"),
        field_name="version__card",
        queryset=_card_filter_choices,
    )
    version = django_filters.NumberFilter(
        label=gettext_lazy("Version"), field_name="version__number"
    )
    place = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Place"),
        queryset=_place_filter_choices,
        method="filter_place",
    )
    meeting = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Meeting"), queryset=_meeting_filter_choices
    )

    class Meta:
        model = CardDistribution
        fields = ["card", "version", "place", "meeting"]

    def filter_place(self, queryset, name, value):
        # A place includes the units below it: a school's SFO counts for the school.
        return queryset.filter(org_unit__path__startswith=value.path) if value else queryset


class DistributionIndexView(ScopedIndexView):
    select_related = ("version", "version__card", "org_unit", "meeting")
    default_ordering = "-handed_out_on"

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if policy.can(self.request.user, A.DISTRIBUTION_VIEW):
            buttons.append(
                HeaderButton(
                    _("Cards in circulation"),
                    url=reverse("cards_in_circulation:index"),
                    icon_name="table",
                )
            )
        return buttons


class DistributionRecordView(PolicyRequiredMixin, WagtailAdminTemplateMixin, FormView):
    template_name = "attendance/admin/card_distribution_form.html"
    page_title = gettext_lazy("Record Action Cards handed out")
    header_icon = "clipboard-list"
    _show_breadcrumbs = True
    policy_action = A.DISTRIBUTION_RECORD

    @cached_property
    def meeting(self) -> Meeting | None:
        pk = self.request.GET.get("meeting") or self.request.POST.get("meeting")
        if not pk:
            return None
        meetings = policy.meetings_managed_by(self.request.user, Meeting.objects.all())
        return get_object_or_404(
            meetings.select_related("action_card_version", "org_unit"), pk=parse_id(pk)
        )

    def get_form_class(self):
        return DistributionForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "for_user": self.request.user}

    def get_initial(self):
        meeting = self.meeting
        if meeting is None:
            return {"handed_out_on": timezone.localdate()}
        version = card_selectors.default_version_for(meeting)
        return {
            "meeting": meeting.pk,
            "version": version.pk if version else None,
            "quantity": card_selectors.suggested_quantity(meeting),
            "handed_out_on": min(timezone.localdate(meeting.starts_at), timezone.localdate()),
        }

    def get_breadcrumbs_items(self):
        items = [{"url": reverse("wagtailadmin_home"), "label": _("Home")}]
        if self.meeting is not None:
            items += [
                {"url": reverse("meetings:index"), "label": _("Meetings")},
                {
                    "url": reverse("meetings:inspect", args=(self.meeting.pk,)),
                    "label": str(self.meeting),
                },
            ]
        else:
            items.append({"url": reverse("card_distributions:index"), "label": _("Distributions")})
        return items + [{"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["meeting"] = self.meeting
        if self.meeting is not None:
            context["suggested"] = card_selectors.suggested_quantity(self.meeting)
            context["place"] = services.distribution_place(self.meeting)
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.distribution_record(
                version=data["version"],
                quantity=data["quantity"],
                handed_out_on=data.get("handed_out_on"),
                org_unit=data.get("org_unit"),
                meeting=data.get("meeting"),
                note=data.get("note") or "",
                by=self.request.user,
            )
        except ValidationError as error:
            _form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The Action Cards handed out have been recorded."))
        if data.get("meeting") is not None and self.meeting is not None:
            return redirect("meetings:inspect", self.meeting.pk)
        return redirect("card_distributions:index")


class DistributionDeleteView(ScopedDeleteView):
    def delete_action(self):
        services.distribution_delete(distribution=self.object, by=self.request.user)


class DistributionForm_(WagtailAdminModelForm):
    """Only for the viewset's machinery: distributions are recorded with DistributionForm."""

    class Meta:
        model = CardDistribution
        fields = ["note"]


class DistributionViewSet(ScopedViewSet):
    model = CardDistribution
    name = "card_distributions"
    form_class = DistributionForm_
    permission_policy = distribution_permission_policy
    icon = "clipboard-list"
    menu_label = gettext_lazy("Distributions")
    index_view_class = DistributionIndexView
    add_view_class = DistributionRecordView
    delete_view_class = DistributionDeleteView
    filterset_class = DistributionFilterSet
    list_display = [
        "handed_out_on",
        Column("card", label=gettext_lazy("Action Card"), accessor="version.title"),
        Column("number", label=gettext_lazy("Version"), accessor="version.number"),
        "org_unit",
        Column("meeting", label=gettext_lazy("Meeting"), accessor="meeting"),
        "quantity",
    ]
    list_export = [
        "handed_out_on",
        "version.card.slug",
        "version.title",
        "version.number",
        "org_unit.code",
        "org_unit.name",
        "meeting.title",
        "meeting.starts_at",
        "quantity",
        "note",
    ]
    export_headings = {
        "handed_out_on": gettext_lazy("Handed out on"),
        "version.card.slug": gettext_lazy("Card address"),
        "version.title": gettext_lazy("Title"),
        "version.number": gettext_lazy("Version"),
        "org_unit.code": gettext_lazy("Place code"),
        "org_unit.name": gettext_lazy("Place"),
        "meeting.title": gettext_lazy("Meeting"),
        "meeting.starts_at": gettext_lazy("Meeting starts at"),
        "quantity": gettext_lazy("Copies"),
        "note": gettext_lazy("Note"),
    }
    export_filename = "handlekort-uddelinger"
    inspect_view_fields = [
        "version",
        "meeting",
        "org_unit",
        "quantity",
        "handed_out_on",
        "note",
        "recorded_at",
    ]


# --- Report: cards in circulation ---------------------------------------------------------------


class CirculationReportView(PolicyRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "attendance/admin/card_circulation.html"
    page_title = gettext_lazy("Cards in circulation")
    header_icon = "table"
    _show_breadcrumbs = True
    policy_action = A.DISTRIBUTION_VIEW

    def get(self, request, *args, **kwargs):
        cards = card_selectors.cards_with_distributions(user=request.user)
        self.cards = list(cards)
        self.card = None
        if wanted := request.GET.get("card", ""):
            wanted = parse_id(wanted)
            self.card = next((c for c in self.cards if c.pk == wanted), None)
        self.entries = card_selectors.distribution_by_place(user=request.user, card=self.card)
        if request.GET.get("format") == "csv":
            return self.csv()
        return super().get(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": reverse("card_distributions:index"), "label": _("Distributions")},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "cards": self.cards,
            "card": self.card,
            "entries": self.entries,
            "superseded_places": sum(1 for e in self.entries if e.holds_superseded),
        }

    def csv(self) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="handlekort-i-omloeb.csv"'
        response.write("\ufeff")  # Excel opens UTF-8 with a BOM correctly
        writer = csv.writer(response, delimiter=";")
        writer.writerow(
            [
                _("Place"),
                _("Action Card"),
                _("Version"),
                _("Copies"),
                _("Last handed out"),
                _("Status"),
            ]
        )
        for entry in self.entries:
            for row in entry.versions:
                writer.writerow(
                    [
                        entry.place_name,
                        entry.card_title,
                        row.number,
                        row.copies,
                        row.last_handed_out.isoformat(),
                        _("superseded") if row.superseded else _("current"),
                    ]
                )
        return response


class CirculationMenuItem(MenuItem):
    def is_shown(self, request):
        return policy.can(request.user, A.DISTRIBUTION_VIEW)


class CirculationReportViewSet(ViewSet):
    name = "cards_in_circulation"
    icon = "table"
    menu_label = gettext_lazy("Cards in circulation")
    menu_item_class = CirculationMenuItem

    def get_urlpatterns(self):
        return [path("", CirculationReportView.as_view(), name="index")]


class ActionCardViewSetGroup(ViewSetGroup):
    menu_label = gettext_lazy("Action Cards")
    menu_icon = "clipboard-list"
    menu_name = "action-cards"
    menu_order = 245
    items = (ActionCardViewSet, DistributionViewSet, CirculationReportViewSet)
