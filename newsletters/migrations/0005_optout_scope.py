"""An external's opt-out holds for one Infohus; existing ones are scoped to the Infohus of
the send they came from."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def scope_existing(apps, schema_editor):
    """An opt-out recorded from a known send holds for that send's Infohus; one from no known
    send stays global (org_unit empty: every Infohus), as it was when recorded. Two opt-outs of
    one address from one Infohus cannot arise: the email was unique before this migration."""
    OptOut = apps.get_model("newsletters", "OptOut")
    Send = apps.get_model("newsletters", "Send")
    infohus = Send.objects.filter(pk=OuterRef("send_id")).values("org_unit_id")[:1]
    OptOut.objects.filter(send__isnull=False).update(org_unit_id=Subquery(infohus))


class Migration(migrations.Migration):
    dependencies = [
        ('newsletters', '0004_default_audience'),
        ('people', '0003_role_leader'),
    ]

    operations = [
        migrations.AddField(
            model_name='optout',
            name='org_unit',
            field=models.ForeignKey(blank=True, help_text="Empty: opted out of every Infohus's newsletters.", null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='people.orgunit', verbose_name='Infohus'),
        ),
        migrations.AlterField(
            model_name='optout',
            name='email',
            field=models.CharField(db_index=True, max_length=254, verbose_name='email'),
        ),
        migrations.RunPython(scope_existing, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='optout',
            constraint=models.UniqueConstraint(condition=models.Q(('org_unit__isnull', False)), fields=('email', 'org_unit'), name='newsletter_optout_unique_per_infohus'),
        ),
        migrations.AddConstraint(
            model_name='optout',
            constraint=models.UniqueConstraint(condition=models.Q(('org_unit__isnull', True)), fields=('email',), name='newsletter_optout_unique_everywhere'),
        ),
    ]
