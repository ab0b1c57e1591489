"""The default newsletter audience per Infohus."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ('newsletters', '0003_urgent_message'),
        ('people', '0003_role_leader'),
    ]

    operations = [
        migrations.CreateModel(
            name='AudienceDefault',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('include_externals', models.BooleanField(default=False, verbose_name='include staff of external institutions')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
            ],
            options={
                'verbose_name': 'default newsletter audience',
                'verbose_name_plural': 'default newsletter audiences',
            },
        ),
        migrations.AddField(
            model_name='audiencedefault',
            name='job_categories',
            field=models.ManyToManyField(blank=True, help_text='None: every job category.', related_name='+', to='people.jobcategory', verbose_name='job categories'),
        ),
        migrations.AddField(
            model_name='audiencedefault',
            name='org_unit',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='newsletter_audience_default', to='people.orgunit', verbose_name='Infohus unit'),
        ),
        migrations.AddField(
            model_name='audiencedefault',
            name='units',
            field=models.ManyToManyField(blank=True, help_text='Each unit with everything below it. None: the whole Infohus unit.', related_name='+', to='people.orgunit', verbose_name='audience units'),
        ),
    ]
