"""Urgent internal messages; a send is of an edition or of an urgent message."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ('newsletters', '0002_edition_plan'),
        ('people', '0003_role_leader'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='UrgentMessage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('subject', models.CharField(max_length=200, verbose_name='subject')),
                ('situation', models.TextField(help_text='Facts only, no personal data about the people involved.', verbose_name='what has happened and what is being done')),
                ('who_acts', models.TextField(verbose_name='who acts')),
                ('staff_action', models.TextField(verbose_name='how staff should act')),
                ('contact', models.TextField(help_text='Names, phone numbers and when they can be reached.', verbose_name='whom to contact')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
            ],
            options={
                'verbose_name': 'urgent message',
                'verbose_name_plural': 'urgent messages',
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.AlterField(
            model_name='send',
            name='edition',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='sends', to='newsletters.newsletterpage', verbose_name='edition'),
        ),
        migrations.AddField(
            model_name='urgentmessage',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='sent by'),
        ),
        migrations.AddField(
            model_name='urgentmessage',
            name='org_unit',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='urgent_messages', to='people.orgunit', verbose_name='sent from'),
        ),
        migrations.AddField(
            model_name='send',
            name='urgent_message',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='send', to='newsletters.urgentmessage', verbose_name='urgent message'),
        ),
        migrations.AddConstraint(
            model_name='send',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('edition__isnull', False), ('urgent_message__isnull', True)), models.Q(('edition__isnull', True), ('urgent', True), ('urgent_message__isnull', False)), _connector='OR'), name='newsletter_send_edition_or_urgent_message'),
        ),
        migrations.AddConstraint(
            model_name='urgentmessage',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('subject', ''), _negated=True), models.Q(('situation', ''), _negated=True), models.Q(('who_acts', ''), _negated=True), models.Q(('staff_action', ''), _negated=True), models.Q(('contact', ''), _negated=True)), name='newsletter_urgent_message_complete'),
        ),
    ]
