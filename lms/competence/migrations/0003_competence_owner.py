import django.db.models.deletion
from django.db import migrations, models

# treebeard's materialised path: each level of the tree adds this many characters.
STEPLEN = 4
MUNICIPALITY = "municipality"


def _municipality_path(path: str, municipalities: set[str]) -> str | None:
    """The municipality that is `path` or lies above it; None above every municipality."""
    for end in range(len(path), 0, -STEPLEN):
        if path[:end] in municipalities:
            return path[:end]
    return None


def assign_owners(apps, schema_editor):
    """A competence that only one municipality requires becomes that municipality's own; one
    required by several (or by a regional unit, or by nobody) stays shared."""
    Competence = apps.get_model("competence", "Competence")
    Requirement = apps.get_model("competence", "Requirement")
    OrgUnit = apps.get_model("people", "OrgUnit")
    municipalities = dict(
        OrgUnit.objects.filter(kind=MUNICIPALITY).values_list("path", "pk")
    )
    users: dict[int, set[str | None]] = {}
    for competence_id, path in Requirement.objects.values_list(
        "competence_id", "org_unit__path"
    ):
        users.setdefault(competence_id, set()).add(
            _municipality_path(path, set(municipalities))
        )
    for competence_id, paths in users.items():
        if len(paths) == 1 and None not in paths:
            Competence.objects.filter(pk=competence_id).update(
                owner_id=municipalities[paths.pop()]
            )


class Migration(migrations.Migration):
    dependencies = [
        ("competence", "0002_evidence_attachment_expiryreminder"),
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="competence",
            name="owner",
            field=models.ForeignKey(
                blank=True,
                help_text=(
                    "The municipality that owns the competence and may change it. Empty: shared "
                    "by every municipality, changed only by a regional Infohus or an "
                    "administrator."
                ),
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="owned_competences",
                to="people.orgunit",
                verbose_name="owned by",
            ),
        ),
        migrations.RunPython(assign_owners, migrations.RunPython.noop),
    ]
