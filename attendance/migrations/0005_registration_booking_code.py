"""A booking code per registration, for QR check-in without an account (email + code).

Existing registrations get codes too (unique within their meeting), so people already signed up
can check in with the code their next mail (the reminder) carries. The field is added empty,
filled, then given its default and the unique constraint: a callable default on AddField would
give every existing row the same code."""

import secrets

from django.db import migrations, models

import attendance.models.meetings

# A copy, so that this migration keeps working if the model's alphabet ever changes.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY3479"
LENGTH = 6


def codes_fill(apps, schema_editor):
    Registration = apps.get_model("attendance", "Registration")
    used: dict[int, set[str]] = {}
    for registration in Registration.objects.order_by("pk").only("pk", "meeting_id").iterator():
        taken = used.setdefault(registration.meeting_id, set())
        while True:
            code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
            if code not in taken:
                break
        taken.add(code)
        Registration.objects.filter(pk=registration.pk).update(booking_code=code)


class Migration(migrations.Migration):
    dependencies = [
        ("attendance", "0004_requests_and_action_cards"),
    ]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="booking_code",
            field=models.CharField(
                default="", editable=False, max_length=6, verbose_name="booking code"
            ),
        ),
        migrations.RunPython(codes_fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="registration",
            name="booking_code",
            field=models.CharField(
                default=attendance.models.meetings.booking_code_new,
                editable=False,
                max_length=6,
                verbose_name="booking code",
            ),
        ),
        migrations.AddConstraint(
            model_name="registration",
            constraint=models.UniqueConstraint(
                fields=("meeting", "booking_code"), name="registration_booking_code_unique"
            ),
        ),
    ]
