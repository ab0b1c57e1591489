"""Wagtail admin for Action Cards: the cards and their versions (write, approve by a second person,
new version, discard, preview), and the menu group that also holds the distributions and the
"cards in circulation" report (attendance.viewsets.distributions).

Access comes from lms.people.policy (through the permission policies of attendance.apps); every
change goes through attendance.services, never form.save().
"""

from __future__ import annotations

import copy

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.ui.tables import ButtonsColumnMixin, Column, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.widgets.button import HeaderButton, ListingButton

from attendance import access, services
from attendance.forms.cards import (
    CardCreateForm,
    CardForm,
    VersionForm,
    person_name,
    short_date,
)
from attendance.models import ActionCard, ActionCardVersion
from attendance.selectors import cards as card_selectors
from attendance.views import cards as card_views
from attendance.viewsets.distributions import CirculationReportViewSet, DistributionViewSet
from lms.forms import errors_to_form
from lms.people import policy
from lms.people.views.guards import PolicyRequiredMixin
from lms.people.viewsets.scoped import (
    ScopedEditView,
    ScopedIndexView,
    ScopedInspectView,
    ScopedViewSet,
)

A = access.Action
V = ActionCardVersion.Status


def _card_crumbs(card: ActionCard | None = None, *labels: str) -> list[dict]:
    items = [
        {"url": reverse("wagtailadmin_home"), "label": _("Home")},
        {"url": reverse("action_cards:index"), "label": _("Action Cards")},
    ]
    if card is not None:
        items.append({"url": reverse("action_cards:inspect", args=(card.pk,)), "label": str(card)})
    items += [{"url": "", "label": label} for label in labels]
    return items


def _card_title(card: ActionCard) -> str:
    if card.current_version_id:
        return card.current_version.title
    return getattr(card, "newest_title", None) or card.slug


def _review(card: ActionCard) -> str:
    version = card.current_version
    if version is None:
        return "–"
    if card_selectors.review_overdue(version):
        return _("%(date)s (overdue)") % {"date": short_date(version.review_date)}
    return short_date(version.review_date)


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
        if access.may_approve_card_version(
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
            errors_to_form(form, error)
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
        if access.can_card(user, A.ACTIONCARD_MANAGE, card):
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
        may_manage = access.can_card(user, A.ACTIONCARD_MANAGE, card)
        wrote = draft is not None and services.version_wrote(user, draft)
        context.update(
            {
                "card": card,
                "card_title": _card_title(card),
                "versions": versions,
                "draft": draft,
                "may_manage": may_manage,
                "may_approve_role": access.can_card(user, A.ACTIONCARD_APPROVE, card),
                "may_approve": draft is not None
                and access.may_approve_card_version(user, draft, wrote=wrote),
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
        cards = access.cards_visible_to(self.request.user, ActionCard.objects.all())
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
            errors_to_form(form, error)
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
            "written_by": person_name(self.version.created_by),
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
        context["four_eyes_problem"] = not access.may_approve_card_version(
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
            "written_by": person_name(self.version.created_by),
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
            accessor=lambda c: person_name(c.owner) if c.owner_id else "–",
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


class ActionCardViewSetGroup(ViewSetGroup):
    menu_label = gettext_lazy("Action Cards")
    menu_icon = "clipboard-list"
    menu_name = "action-cards"
    menu_order = 245
    items = (ActionCardViewSet, DistributionViewSet, CirculationReportViewSet)
