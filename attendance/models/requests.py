"""A department or an institution asks the Infohus for a meeting.

The request's life: submitted -> (proposed <-> submitted)* -> accepted | declined | withdrawn.
A coordinator who manages meetings for the request's unit accepts it (a meeting is created),
proposes another time (the requester accepts or declines the proposal), or declines with a
reason; the requester may withdraw an open request. attendance.services.requests makes every change.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from attendance.models.meetings import Meeting
from lms import bounds
from lms.people.models import JobCategory, OrgUnit


class MeetingRequest(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting an answer")
        PROPOSED = "proposed", _("Another time proposed")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # Still waiting for someone: the coordinator (submitted) or the requester (proposed).
    OPEN = (Status.SUBMITTED, Status.PROPOSED)

    kind = models.CharField(_("kind of meeting"), max_length=20, choices=Meeting.Kind.choices)
    # The department, workplace or institution the meeting is for: inside the requester's
    # MEETING_REQUEST scope; whoever manages meetings for this unit answers the request.
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="meeting_requests",
        verbose_name=_("for"),
    )
    job_categories = models.ManyToManyField(
        JobCategory,
        blank=True,
        related_name="meeting_requests",
        verbose_name=_("job categories"),
        help_text=_("Leave empty for every job category."),
    )
    expected_participants = models.PositiveIntegerField(
        _("expected participants"), validators=bounds.PARTICIPANTS.validators()
    )
    preferred_from = models.DateField(
        _("preferred period from"), validators=bounds.date_validators()
    )
    preferred_until = models.DateField(
        _("preferred period until"), validators=bounds.date_validators()
    )
    preferred_times = models.CharField(
        _("preferred days and times"),
        max_length=300,
        blank=True,
        default="",
        help_text=_("For example: Tuesday or Thursday afternoons, not in week 42."),
    )
    place = models.CharField(
        _("place"),
        max_length=300,
        blank=True,
        default="",
        help_text=_("Where the meeting could be held, for example your staff room."),
    )
    message = models.TextField(_("message"), blank=True, default="")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    # The coordinator's proposal of another time (status proposed).
    proposed_starts_at = models.DateTimeField(_("proposed start"), null=True, blank=True)
    proposed_ends_at = models.DateTimeField(_("proposed end"), null=True, blank=True)
    # The coordinator's last answer: the proposal's message or the reason for declining.
    response = models.TextField(_("answer"), blank=True, default="")
    meeting = models.OneToOneField(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="request",
        verbose_name=_("meeting"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="meeting_requests",
        verbose_name=_("requested by"),
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    handled_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("meeting request")
        verbose_name_plural = _("meeting requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(expected_participants__gte=1),
                name="meetingrequest_participants_positive",
            ),
            models.CheckConstraint(
                condition=Q(expected_participants__lte=bounds.PARTICIPANTS.maximum),
                name="meetingrequest_participants_in_range",
            ),
            models.CheckConstraint(
                condition=Q(preferred_until__gte=F("preferred_from")),
                name="meetingrequest_period_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(response=""),
                name="meetingrequest_declined_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="proposed")
                | Q(
                    proposed_starts_at__isnull=False,
                    proposed_ends_at__gt=F("proposed_starts_at"),
                ),
                name="meetingrequest_proposal_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(meeting__isnull=False),
                name="meetingrequest_accepted_has_meeting",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.org_unit}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN
