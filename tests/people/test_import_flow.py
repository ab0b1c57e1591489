"""Issue 9: every import reads its file with the core reader and every admin upload is one flow
(lms.importflow): the same views, form field and templates for the roster, org units, external
courses and attendance; every import command is one base command."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from lms import importflow, tabular
from lms.management.imports import ImportCommand
from lms.people.models import Role


def test_every_import_reads_its_file_with_the_core_reader():
    from attendance.services import attendance as attendance_imports
    from lms.competence.services import imports as evidence_imports
    from lms.people.services import org_unit_import, roster_import

    for module in (attendance_imports, evidence_imports, roster_import, org_unit_import):
        assert module.read_table is tabular.read_table, module
    # Competence and attendance no longer reach into the roster import to read a file.
    for module in (attendance_imports, evidence_imports):
        assert "roster" not in module.__dict__ and "roster_import" not in module.__dict__


def test_every_admin_import_is_the_one_flow():
    from attendance.viewsets import attendance as attendance_views
    from lms.competence.viewsets import evidence as evidence_admin
    from lms.people.viewsets import imports as import_views

    uploads = (import_views.ImportView, evidence_admin.ImportView, attendance_views.ImportView)
    for view in uploads:
        assert issubclass(view, importflow.ImportView), view
        assert view.template_name == "lms/admin/import_form.html"
        assert tabular.validate_import_size in view.form_class.base_fields["file"].validators
    for view in (import_views.ImportPreviewView, evidence_admin.ImportPreviewView):
        assert issubclass(view, importflow.ImportPreviewView), view
        assert view.template_name == "lms/admin/import_preview.html"
    # The one import without a dry run applies the file at upload.
    assert not attendance_views.ImportView.preview


def test_every_import_command_is_the_one_base_command():
    from attendance.management.commands import import_attendance
    from lms.competence.management.commands import import_evidence
    from lms.people.management.commands import import_org_units, import_roster

    for module in (import_roster, import_org_units, import_evidence, import_attendance):
        assert issubclass(module.Command, ImportCommand), module


@pytest.mark.parametrize(
    ("preview", "upload"),
    [("evidence:import_preview", "evidence:import"), ("people_import_preview", "people_import")],
)
def test_a_preview_without_an_upload_has_expired(client, tree, make_staff, mfa, preview, upload):
    client.force_login(mfa(make_staff(Role.COORDINATOR, tree["HJ"])))
    response = client.get(reverse(preview, args=["0" * 32]))
    assert response.status_code == 302 and response.url == reverse(upload)
    messages = [str(m).strip() for m in get_messages(response.wsgi_request)]
    assert messages == ["Importen er udløbet. Upload filen igen."]
