"""One Wagtail admin flow for every import: upload, preview, confirm.

A feature subclasses `ImportView` (the upload page) and `ImportPreviewView` (what the file would
change, and the confirmation) and tells them its access check (`may_import`), how to run the
import (`run`, with `dry_run`), its URL names and its labels. An import without a dry run (the
attendance of one meeting) sets `preview = False`: the upload page applies the file at once and
shows its errors itself.

The uploaded bytes are kept in the private "imports" storage (never the public media folder: a
roster is personal data) and referenced from the session, so that the confirm button applies
exactly the file that was previewed. Files left behind by abandoned previews are deleted by
import_files_delete_stale below (an hourly task). Confirming validates the file again (the
data may have changed since the preview), and every step asks the access policy again.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lms.tabular import errors_shown, validate_import_size

PREVIEW_ROWS = 50


def import_file_field(help_text=None) -> forms.FileField:
    """The file field of every import form: CSV or XLSX, within LMS_IMPORT_MAX_BYTES."""
    return forms.FileField(
        label=gettext_lazy("File"),
        help_text=help_text
        or gettext_lazy(
            "CSV (comma or semicolon separated, UTF-8 or Windows-1252) or Excel (.xlsx). The "
            "first row holds the column names."
        ),
        validators=[validate_import_size],
    )


class ImportUploadForm(forms.Form):
    file = import_file_field()


def _discard(request, session_key: str) -> None:
    """Forget the previewed file: after a successful import or when a new file replaces it."""
    state = request.session.pop(session_key, None)
    if state and state.get("path"):
        storages["imports"].delete(state["path"])


class _ImportFlowMixin(WagtailAdminTemplateMixin):
    session_key: str = ""  # where the upload is remembered between preview and confirmation
    upload_url_name: str = ""  # the upload page, where the flow starts and ends
    preview_url_name: str = ""
    header_icon = "upload"

    def may_import(self) -> bool:
        """The access check, asked on every request of the flow."""
        raise NotImplementedError

    def run(self, *, source, filename: str, dry_run: bool):
        """Run the import; returns a result with `ok`, `errors`, `summary()` (and for a preview
        `has_changes` and `changes`)."""
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if not self.may_import():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_upload_url(self) -> str:
        return reverse(self.upload_url_name, kwargs=self.kwargs_for_upload())

    def kwargs_for_upload(self) -> dict[str, Any]:
        return {}

    def get_success_url(self) -> str:
        return self.get_upload_url()

    def success_message(self, result, filename: str) -> str:
        return _("The import of %(filename)s is done: %(summary)s") % {
            "filename": filename,
            "summary": result.summary(),
        }

    def _done(self, result, filename: str):
        messages.success(self.request, self.success_message(result, filename))
        return redirect(self.get_success_url())

    def error_context(self, result) -> dict[str, Any]:
        errors, hidden_errors = errors_shown(result.errors)
        return {"result": result, "errors": errors, "hidden_errors": hidden_errors}


class ImportView(_ImportFlowMixin, FormView):
    """The upload page: a valid file is stored and the preview shown (or, without a preview,
    applied at once)."""

    template_name = "lms/admin/import_form.html"
    form_class = ImportUploadForm
    intro: tuple = ()  # paragraphs above the form: what the file holds, its columns
    submit_label = gettext_lazy("Show the changes")
    preview = True
    invalid_status = 200  # of a refused upload

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        return super().get_context_data(intro=self.intro, submit_label=self.submit_label, **kwargs)

    def form_state(self, form) -> dict[str, Any]:
        """What the preview needs to know of the form besides the file (kept in the session)."""
        return {}

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=self.invalid_status)

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        if not self.preview:
            result = self.run(source=upload, filename=upload.name, dry_run=False)
            if result.ok:
                return self._done(result, upload.name)
            return self.render_to_response(
                self.get_context_data(form=form, **self.error_context(result)), status=400
            )
        _discard(self.request, self.session_key)
        stored = storages["imports"].save(f"{uuid.uuid4()}", ContentFile(upload.read()))
        token = uuid.uuid4().hex
        self.request.session[self.session_key] = {
            **self.form_state(form),
            "token": token,
            "path": stored,
            "filename": upload.name,
        }
        return redirect(self.preview_url_name, token=token)


class ImportPreviewView(_ImportFlowMixin, TemplateView):
    """GET shows what the stored file would change; POST applies it (validated again)."""

    template_name = "lms/admin/import_preview.html"
    page_subtitle = gettext_lazy("Preview")
    changes_heading = gettext_lazy("What the import changes")
    changes_caption = gettext_lazy("The first changes")
    change_columns: tuple = ()

    def dispatch(self, request, *args, **kwargs):
        if not self.may_import():
            raise PermissionDenied
        self.state = request.session.get(self.session_key)
        if not self.state or self.state.get("token") != kwargs["token"]:
            messages.error(request, _("The import has expired. Upload the file again."))
            return redirect(self.get_upload_url())
        self.check_state()
        return super(_ImportFlowMixin, self).dispatch(request, *args, **kwargs)

    def check_state(self) -> None:
        """Ask the policy again about what the upload chose (raise PermissionDenied)."""

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": self.get_upload_url(), "label": self.get_page_title()},
            {"url": "", "label": self.get_page_subtitle()},
        ]

    def _run(self, *, dry_run: bool):
        try:
            with storages["imports"].open(self.state["path"], "rb") as stored:
                data = stored.read()
        except (FileNotFoundError, OSError):
            return None
        return self.run(source=data, filename=self.state["filename"], dry_run=dry_run)

    def _expired(self):
        _discard(self.request, self.session_key)
        messages.error(self.request, _("The import has expired. Upload the file again."))
        return redirect(self.get_upload_url())

    def get(self, request, *args, **kwargs):
        result = self._run(dry_run=True)
        if result is None:
            return self._expired()
        return self.render_to_response(self.get_context_data(result=result))

    def post(self, request, *args, **kwargs):
        result = self._run(dry_run=False)
        if result is None:
            return self._expired()
        if not result.ok:
            # The data changed since the preview; nothing was written.
            return self.render_to_response(self.get_context_data(result=result))
        _discard(request, self.session_key)
        return self._done(result, self.state["filename"])

    def facts(self) -> list[tuple[str, Any]]:
        """What was uploaded and chosen, shown above the preview."""
        return [(_("File"), self.state["filename"])]

    def counts(self, result) -> list[tuple[str, Any]]:
        """The numbers of the preview; without them the result's summary is shown."""
        return []

    def change_cells(self, change) -> list[Any]:
        return [change.row, change.key, change.name, ", ".join(map(str, change.fields))]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        result = kwargs["result"]
        context.update(self.error_context(result))
        context.update(
            state=self.state,
            token=self.state["token"],
            facts=self.facts(),
            counts=self.counts(result),
            upload_url=self.get_upload_url(),
            changes_heading=self.changes_heading,
            changes_caption=self.changes_caption,
            change_columns=self.change_columns,
            changes=[self.change_cells(change) for change in result.changes[:PREVIEW_ROWS]],
            hidden_changes=max(len(result.changes) - PREVIEW_ROWS, 0),
        )
        return context


IMPORT_FILE_MAX_AGE = dt.timedelta(hours=24)


def import_files_delete_stale(*, now: dt.datetime | None = None) -> int:
    """Delete uploaded import files older than IMPORT_FILE_MAX_AGE from the private "imports"
    storage: previews that were never confirmed or discarded. Idempotent; returns how many."""
    storage = storages["imports"]
    cutoff = (now or timezone.now()) - IMPORT_FILE_MAX_AGE
    try:
        _folders, names = storage.listdir("")
    except FileNotFoundError:
        # Nothing was ever uploaded (the folder is made by the first save).
        return 0
    deleted = 0
    for name in names:
        try:
            stale = storage.get_modified_time(name) < cutoff
        except FileNotFoundError:
            continue  # removed meanwhile, by the preview that owned it
        if stale:
            storage.delete(name)
            deleted += 1
    return deleted
