"""Meetings and the registrations for them.

Models are thin: every state change goes through attendance.services, which takes the locks and
writes the audit log. The database itself refuses what must never happen (overbooking, two live
registrations of one person, a cancelled meeting without a reason, a meeting that ends before it
starts), so that a bug or a race in Python cannot corrupt the data.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from lms import bounds
from lms.people.models import JobCategory, OrgUnit, Person


class Meeting(models.Model):
    class Kind(models.TextChoices):
        INFORMATION = "information", _("Information meeting")
        DIALOGUE = "dialogue", _("Dialogue meeting")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        HELD = "held", _("Held")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, default="")
    # The unit that organises the meeting: whoever may manage meetings there manages this one.
    # Its audience lies inside its subtree (checked by the services).
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="organised_meetings",
        verbose_name=_("organising unit"),
    )
    audience_units = models.ManyToManyField(
        OrgUnit,
        blank=True,
        related_name="audience_meetings",
        verbose_name=_("audience units"),
        help_text=_("Each unit includes the units below it."),
    )
    job_categories = models.ManyToManyField(
        JobCategory,
        blank=True,
        related_name="meetings",
        verbose_name=_("job categories"),
        help_text=_("Leave empty for every job category."),
    )
    institution = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="institution_meetings",
        limit_choices_to={"kind": OrgUnit.Kind.INSTITUTION},
        verbose_name=_("external institution"),
        help_text=_("When set, the meeting is for this institution's staff."),
    )
    venue = models.CharField(_("venue"), max_length=300, blank=True, default="")
    online_url = models.URLField(_("online meeting link"), blank=True, default="")
    # The ranges of every number and date here live in lms.bounds (checked by the services).
    starts_at = models.DateTimeField(_("starts at"), validators=bounds.datetime_validators())
    ends_at = models.DateTimeField(_("ends at"), validators=bounds.datetime_validators())
    capacity = models.PositiveIntegerField(_("capacity"), validators=bounds.CAPACITY.validators())
    # Kept by the services in the same transaction as the registrations it counts: the check
    # constraint below is the database's own guard against overbooking.
    confirmed_count = models.PositiveIntegerField(_("confirmed"), default=0, editable=False)
    cancellation_cutoff_hours = models.PositiveIntegerField(
        _("cancellation cut-off (hours before start)"),
        default=24,
        validators=bounds.CUTOFF_HOURS.validators(),
    )
    # Empty: settings.LMS_MEETING_REMINDER_DAYS. Read by the hourly reminder task.
    reminder_days = models.PositiveSmallIntegerField(
        _("reminder (days before start)"),
        null=True,
        blank=True,
        validators=bounds.REMINDER_DAYS.validators(),
        help_text=_("Leave empty for the usual number of days."),
    )
    # The competence that attending (present or late) earns; recorded through lms.competence.
    competence = models.ForeignKey(
        "competence.Competence",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("competence earned"),
    )
    # The Action Card version handed out at the meeting (what a CardDistribution of the meeting
    # defaults to).
    action_card_version = models.ForeignKey(
        "attendance.ActionCardVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        limit_choices_to={"status": "approved"},
        verbose_name=_("Action Card handed out"),
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="facilitated_meetings",
        verbose_name=_("facilitators"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    cancel_reason = models.TextField(_("reason for cancellation"), blank=True, default="")
    # iCalendar SEQUENCE: raised whenever time or place changes, so calendars replace the event.
    sequence = models.PositiveIntegerField(_("sequence"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="meeting_capacity_positive"),
            # The upper ends of lms.bounds, as a backstop for what the services check.
            models.CheckConstraint(
                condition=Q(capacity__lte=bounds.CAPACITY.maximum)
                & Q(cancellation_cutoff_hours__lte=bounds.CUTOFF_HOURS.maximum)
                & (
                    Q(reminder_days__isnull=True)
                    | Q(reminder_days__lte=bounds.REMINDER_DAYS.maximum)
                ),
                name="meeting_numbers_in_range",
            ),
            models.CheckConstraint(
                condition=Q(confirmed_count__lte=F("capacity")),
                name="meeting_never_overbooked",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                name="meeting_cancelled_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "starts_at"])]

    def __str__(self):
        return self.title

    @property
    def free_seats(self) -> int:
        return max(self.capacity - self.confirmed_count, 0)


# Booking codes leave out letters and digits that are read or typed as one another (0/O, 1/I/L,
# 2/Z, 5/S, 8/B): a guest types the code from the mail on a phone at the door.
BOOKING_CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY3479"
BOOKING_CODE_LENGTH = 6


def booking_code_new() -> str:
    """A random booking code; unique within its meeting (registration_create makes sure)."""
    return "".join(secrets.choice(BOOKING_CODE_ALPHABET) for _ in range(BOOKING_CODE_LENGTH))


def booking_code_normalise(value: str) -> str:
    """What a person typed, as stored: capitals, without spaces or dashes."""
    return "".join(ch for ch in (value or "").upper() if not ch.isspace() and ch != "-")


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITING = "waiting", _("Waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    LIVE = (Status.CONFIRMED, Status.WAITING)

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("meeting")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("person")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    # Written inside the meeting's lock, so (created_at, pk) is the order people joined the
    # waiting list in.
    created_at = models.DateTimeField(_("signed up at"))
    promoted_at = models.DateTimeField(_("promoted at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # The reminder ledger: claimed with a conditional UPDATE (... WHERE reminder_sent_at IS NULL)
    # before the mail goes out, so that two beat runs or two workers send it once.
    reminder_sent_at = models.DateTimeField(
        _("reminder sent at"), null=True, blank=True, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    # What the person received (confirmation mail, calendar invitation): checking in with an
    # email address needs it too, so that the QR link alone does not let anyone check in anyone.
    booking_code = models.CharField(
        _("booking code"), max_length=BOOKING_CODE_LENGTH, default=booking_code_new, editable=False
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            # Cancelled rows stay as history; a person may sign up again after cancelling.
            models.UniqueConstraint(
                fields=["meeting", "person"],
                condition=~Q(status="cancelled"),
                name="registration_one_live_per_person",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False),
                name="registration_cancelled_has_time",
            ),
            models.UniqueConstraint(
                fields=["meeting", "booking_code"], name="registration_booking_code_unique"
            ),
        ]
        indexes = [models.Index(fields=["meeting", "status", "created_at"])]

    def __str__(self):
        return f"registration #{self.pk}"


class Attendance(models.Model):
    """Whether a person was at a meeting: one row per (meeting, person), changed in place by
    attendance.services (the audit log keeps the history). A person without a registration
    (a walk-in) may have one too."""

    class Mark(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        EXCUSED = "excused", _("Excused")
        ABSENT = "absent", _("Absent")

    # The marks that earn the meeting's competence.
    ATTENDED = (Mark.PRESENT, Mark.LATE)

    class Method(models.TextChoices):
        ROSTER = "roster", _("Marked on the attendance sheet")
        QR = "qr", _("QR self check-in")
        IMPORT = "import", _("Import")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("meeting")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("person")
    )
    mark = models.CharField(_("attendance"), max_length=20, choices=Mark.choices)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    walk_in = models.BooleanField(
        _("walk-in"), default=False, help_text=_("Came without a registration.")
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked by"),
    )
    marked_at = models.DateTimeField(_("marked at"))

    class Meta:
        ordering = ["meeting", "person__name", "pk"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="attendance_one_per_person"),
            models.CheckConstraint(
                condition=Q(mark__in=["present", "late", "excused", "absent"]),
                name="attendance_mark_valid",
            ),
        ]

    def __str__(self):
        return f"attendance #{self.pk}"

    @property
    def attended(self) -> bool:
        return self.mark in self.ATTENDED
