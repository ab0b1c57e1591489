"""The scoped admin views every ModelViewSet of the platform builds on (the organisation admin in
this package, competences, meetings, Action Cards).

Access is decided by lms.people.policy through the permission policies in lms.people.permissions:
the views below only narrow every queryset to what the policy allows and hand every change to a
service (never form.save()), so the audit log sees each change.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.coreutils import multigetattr

from lms import display
from lms.forms import errors_to_form


class ScopedMixin:
    """Narrows the rows a view may load to those the access policy allows; others are 404."""

    scope_actions: tuple[str, ...] = ("view", "change")

    def scoped_queryset(self):
        return self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, list(self.scope_actions)
        )


class ServiceFormMixin:
    """Saves through a service; a ValidationError from it becomes a form error, nothing saved."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            errors_to_form(form, error)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class ScopedIndexView(ScopedMixin, generic.IndexView):
    select_related: tuple[str, ...] = ()
    title_label = None
    # Wagtail writes times to CSV as UTC text and to XLSX as naive UTC; ours are local time.
    custom_value_preprocess = {
        **generic.IndexView.custom_value_preprocess,
        dt.datetime: {
            generic.IndexView.FORMAT_CSV: display.export_csv_datetime,
            generic.IndexView.FORMAT_XLSX: display.export_xlsx_datetime,
        },
        # Wagtail writes a yes/no column as Python's "True"/"False": Ja/Nej as the list shows.
        bool: {
            generic.IndexView.FORMAT_CSV: display.export_bool,
            generic.IndexView.FORMAT_XLSX: display.export_bool,
        },
    }

    def to_row_dict(self, item):
        # A dotted column through an empty relation ("meeting.title" of a distribution without a
        # meeting) is an empty cell, not an error.
        return {field: _follow(item, field) for field in self.list_export}

    def get_base_queryset(self):
        if self.is_export:
            if not self.user_has_permission("export"):
                raise PermissionDenied
            queryset = self.permission_policy.instances_user_has_permission_for(
                self.request.user, "export"
            )
        else:
            queryset = self.scoped_queryset()
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        return queryset

    @cached_property
    def show_export_buttons(self):
        return bool(self.list_export) and self.user_has_permission("export")

    @cached_property
    def columns(self):
        columns = super().columns
        if self.title_label:
            columns[0].label = self.title_label
        for column in columns:
            # Plain value cells show a dash for nothing (Wagtail's leave the cell blank).
            if type(column) is Column:
                column.cell_template_name = "lms/admin/table_cell.html"
        return columns


def _follow(item, accessor: str):
    for name in accessor.split("."):
        if item is None:
            return None
        item = multigetattr(item, name)
    return item


class ScopedEditView(ScopedMixin, ServiceFormMixin, generic.EditView):
    scope_actions = ("change",)

    def get_queryset(self):
        return self.scoped_queryset()


class ScopedInspectView(ScopedMixin, generic.InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(self.scoped_queryset(), pk=self.pk)

    def get_field_display_value(self, field_name, field):
        # Wagtail's template prints the value through |localize, which leaves a time in UTC and
        # None as "None": local time, a dash and yes/no instead (lms.display).
        value = super().get_field_display_value(field_name, field)
        return display.EMPTY if value == "-" else display.display_value(value)


class ScopedHistoryView(ScopedMixin, history.HistoryView):
    def get_base_object_queryset(self):
        return self.scoped_queryset()


class ScopedUsageView(ScopedMixin, usage.UsageView):
    scope_actions = ("change",)

    def get_base_object_queryset(self):
        return self.scoped_queryset()


class ScopedDeleteView(ScopedMixin, generic.DeleteView):
    scope_actions = ("delete",)

    def get_queryset(self):
        return self.scoped_queryset()


class ScopedViewSet(ModelViewSet):
    """Common wiring: scoped views, no copy view, an inspect view, our forms."""

    index_view_class = ScopedIndexView
    edit_view_class = ScopedEditView
    inspect_view_class = ScopedInspectView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    delete_view_class = ScopedDeleteView
    copy_view_enabled = False
    inspect_view_enabled = True
    add_to_reference_index = False
    form_class: type[forms.ModelForm]

    def get_form_class(self, for_update=False):
        return self.form_class

    def get_permissions_to_register(self):
        # Wagtail's group editor must not offer Django permissions that grant nothing here:
        # access comes from role assignments only.
        from django.contrib.auth.models import Permission

        return Permission.objects.none()


# Organisation units


# People


# Job categories


# Role assignments
