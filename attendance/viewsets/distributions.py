"""Wagtail admin for the Action Cards handed out: the distributions (list with filters and export,
record, delete) and the "cards in circulation" report, which counts them by place.

Access comes from lms.people.policy (through the permission policies of attendance.apps); every
change goes through attendance.services, never form.save().
"""

from __future__ import annotations

import csv

import django_filters
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.widgets.button import HeaderButton

from attendance import access, services
from attendance.forms.cards import DistributionForm
from attendance.models import CardDistribution, Meeting
from attendance.selectors import distributions as distribution_selectors
from lms.forms import errors_to_form
from lms.parsing import parse_id
from lms.people import policy
from lms.people.views.guards import PolicyRequiredMixin
from lms.people.viewsets.scoped import ScopedDeleteView, ScopedIndexView, ScopedViewSet

A = access.Action


def _card_filter_choices(request):
    return distribution_selectors.cards_with_distributions(user=request.user)


def _place_filter_choices(request):
    return policy.org_units(request.user, A.DISTRIBUTION_VIEW).order_by("path")


def _meeting_filter_choices(request):
    seen = distribution_selectors.distributions_visible(user=request.user).values("meeting_id")
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
        meetings = access.meetings_managed_by(self.request.user, Meeting.objects.all())
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
        version = distribution_selectors.default_version_for(meeting)
        return {
            "meeting": meeting.pk,
            "version": version.pk if version else None,
            "quantity": distribution_selectors.suggested_quantity(meeting),
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
            context["suggested"] = distribution_selectors.suggested_quantity(self.meeting)
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
            errors_to_form(form, error)
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


class CirculationReportView(PolicyRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "attendance/admin/card_circulation.html"
    page_title = gettext_lazy("Cards in circulation")
    header_icon = "table"
    _show_breadcrumbs = True
    policy_action = A.DISTRIBUTION_VIEW

    def get(self, request, *args, **kwargs):
        cards = distribution_selectors.cards_with_distributions(user=request.user)
        self.cards = list(cards)
        self.card = None
        if wanted := request.GET.get("card", ""):
            wanted = parse_id(wanted)
            self.card = next((c for c in self.cards if c.pk == wanted), None)
        self.entries = distribution_selectors.distribution_by_place(
            user=request.user, card=self.card
        )
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
