"""Reads of the sends admin: the list of sends a user may see, a send's live progress from its
ledger, who its audience skips and why, and the ledger itself.

Progress is read from the ledger, not from the send's counters: the engine refreshes those at the
start and the end, while the ledger is the truth at every moment, also when nobody watches.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from lms.people import policy
from lms.people.models import OrgUnit, User
from newsletters import access
from newsletters.models import Delivery, Send
from newsletters.selectors.audiences import audience_people

__all__ = [
    "Progress",
    "SKIPPED_NAMES_SHOWN",
    "audience_summary",
    "deliveries_for",
    "infohus_units_for",
    "progress_of",
    "progress_of_many",
    "sends_followed_by",
    "sends_for",
    "sends_running_for",
    "urgent_sends_for",
]

S = Send.Status
D = Delivery.Status
# The rate is what was sent in this last stretch of time (per minute).
RATE_WINDOW = dt.timedelta(minutes=5)
# The audience's skipped people shown by name on the send page, at most.
SKIPPED_NAMES_SHOWN = 200


@dataclass(frozen=True)
class Progress:
    status: str
    status_label: str
    recipients: int
    sent: int
    failed: int
    pending: int
    skipped: int
    duplicated: int
    rate_per_minute: float
    eta_seconds: int | None

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.skipped

    @property
    def percent(self) -> int:
        if not self.recipients:
            return 100 if self.status in (S.SENT, S.CANCELLED) else 0
        return int(100 * self.done / self.recipients)

    @property
    def finished(self) -> bool:
        return self.status in (S.SENT, S.CANCELLED)

    def as_json(self) -> dict:
        return {
            "status": self.status,
            "status_label": self.status_label,
            "recipients": self.recipients,
            "sent": self.sent,
            "failed": self.failed,
            "pending": self.pending,
            "skipped": self.skipped,
            "duplicated": self.duplicated,
            "done": self.done,
            "percent": self.percent,
            "rate_per_minute": round(self.rate_per_minute, 1),
            "eta_seconds": self.eta_seconds,
            "finished": self.finished,
        }


def _counts(since: dt.datetime) -> dict:
    return {
        "recipients": Count("pk"),
        "sent": Count("pk", filter=Q(status=D.SENT)),
        "failed": Count("pk", filter=Q(status=D.FAILED)),
        "pending": Count("pk", filter=Q(status__in=(D.PENDING, D.SENDING))),
        "skipped": Count("pk", filter=Q(status=D.SKIPPED)),
        "duplicated": Count("pk", filter=Q(possibly_duplicated=True)),
        "recent": Count("pk", filter=Q(status=D.SENT, sent_at__gte=since)),
    }


def _progress(send: Send, counts: dict, now: dt.datetime) -> Progress:
    counts = {key: counts.get(key) or 0 for key in _counts(now)}
    window = RATE_WINDOW
    if send.started_at is not None:
        # A send younger than the window: its rate over the time it has run (at least 30 s,
        # so that the first few mails do not promise thousands a minute).
        window = max(min(window, now - send.started_at), dt.timedelta(seconds=30))
    rate = counts["recent"] / (window.total_seconds() / 60)
    eta = None
    if send.status == S.SENDING and counts["pending"] and rate > 0:
        eta = int(counts["pending"] / rate * 60)
    elif send.status == S.SENDING and not counts["pending"]:
        eta = 0
    return Progress(
        status=send.status,
        status_label=str(send.get_status_display()),
        recipients=counts["recipients"],
        sent=counts["sent"],
        failed=counts["failed"],
        pending=counts["pending"],
        skipped=counts["skipped"],
        duplicated=counts["duplicated"],
        rate_per_minute=rate,
        eta_seconds=eta,
    )


def progress_of(send: Send, *, now: dt.datetime | None = None) -> Progress:
    """The send's progress as its ledger stands (one query)."""
    now = now or timezone.now()
    counts = Delivery.objects.filter(send_id=send.pk).aggregate(**_counts(now - RATE_WINDOW))
    return _progress(send, counts, now)


def progress_of_many(sends: list[Send], *, now: dt.datetime | None = None) -> dict[int, Progress]:
    """progress_of for several sends in one query (none when no send has started)."""
    now = now or timezone.now()
    started = [s.pk for s in sends if s.started_at is not None]
    rows = {}
    if started:
        rows = {
            row["send_id"]: row
            for row in Delivery.objects.filter(send_id__in=started)
            .order_by()
            .values("send_id")
            .annotate(**_counts(now - RATE_WINDOW))
        }
    return {s.pk: _progress(s, rows.get(s.pk, {}), now) for s in sends}


def edition_sends() -> QuerySet[Send]:
    """The sends of editions; an urgent message's send is the leaders' to follow
    (newsletters.viewsets.urgent)."""
    return Send.objects.filter(edition__isnull=False)


def sends_followed_by(user: User) -> QuerySet[Send]:
    """The sends whose progress the user may follow: the editions' sends in their VIEW scope and
    the urgent messages' sends in their URGENT_SEND scope (one progress endpoint serves both)."""
    editions = access.sends_visible_to(user, edition_sends())
    urgent = access.urgent_sends_visible_to(user, Send.objects.all())
    return Send.objects.filter(Q(pk__in=editions.values("pk")) | Q(pk__in=urgent.values("pk")))


def sends_for(user: User, *, status: str = "") -> QuerySet[Send]:
    """The editions' sends whose Infohus lies in the user's VIEW scope, newest first."""
    sends = access.sends_visible_to(user, edition_sends())
    if status:
        sends = sends.filter(status=status)
    return sends.select_related("edition", "org_unit").order_by("-created_at", "-pk")


def sends_running_for(user: User) -> QuerySet[Send]:
    """The user's sends that are under way or waiting: sending and paused first, then scheduled
    by their time."""
    return (
        access.sends_visible_to(user, edition_sends())
        .filter(status__in=(S.SENDING, S.PAUSED, S.SCHEDULED))
        .select_related("edition", "org_unit")
        .order_by("scheduled_at", "started_at", "pk")
    )


def urgent_sends_for(user: User) -> QuerySet[Send]:
    """The urgent messages' sends whose Infohus lies in the user's URGENT_SEND scope (a leader:
    their municipality's), newest first, with their message and Infohus."""
    return (
        access.urgent_sends_visible_to(user, Send.objects.all())
        .select_related("urgent_message", "org_unit")
        .order_by("-created_at", "-pk")
    )


def infohus_units_for(user: User) -> QuerySet[OrgUnit]:
    """The units a user may send from: the top units of their WRITE scope (their Infohus)."""
    if policy.is_superuser(user):
        return OrgUnit.objects.filter(depth=1).order_by("path")
    return OrgUnit.objects.filter(path__in=policy.scope_paths(user, access.WRITE)).order_by("path")


@dataclass(frozen=True)
class AudienceSummary:
    mailed: int
    skipped: dict[str, int]  # skip reason -> how many
    # (name, unit, reason label) of the skipped, when asked for; at most SKIPPED_NAMES_SHOWN.
    skipped_people: list[tuple[str, str, str]]

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    @property
    def total(self) -> int:
        return self.mailed + self.skipped_total


def audience_summary(send: Send, *, with_names: bool) -> AudienceSummary:
    """Who the send would reach if it started now, and who it would skip and why: the counts
    as audience_preview counts them, over the same audience_people."""
    # One audience queryset for both reads (its set-up reads the send's units and categories).
    audience = audience_people(send)
    counts = dict(
        audience.order_by()
        .values("nl_skip_reason")
        .annotate(n=Count("pk"))
        .values_list("nl_skip_reason", "n")
    )
    people = []
    if with_names:
        labels = dict(Delivery.SkipReason.choices)
        people = [
            (name, unit, str(labels.get(reason, reason)))
            for name, unit, reason in audience.exclude(nl_skip_reason="")
            .order_by("nl_skip_reason", "name", "pk")
            .values_list("name", "org_unit__name", "nl_skip_reason")[:SKIPPED_NAMES_SHOWN]
        ]
    return AudienceSummary(
        mailed=counts.get("", 0),
        skipped={reason: n for reason, n in counts.items() if reason},
        skipped_people=people,
    )


LEDGER_FILTERS = ("sent", "failed", "pending", "skipped", "duplicated")


def deliveries_for(send: Send, *, status: str = "") -> QuerySet[Delivery]:
    """The send's ledger, filtered: a status, "duplicated" (possibly sent twice), or
    "problems" (failed and skipped: what the exports hold by default)."""
    deliveries = Delivery.objects.filter(send_id=send.pk)
    if status == "duplicated":
        deliveries = deliveries.filter(possibly_duplicated=True)
    elif status == "pending":
        deliveries = deliveries.filter(status__in=(D.PENDING, D.SENDING))
    elif status == "problems":
        deliveries = deliveries.filter(status__in=(D.FAILED, D.SKIPPED))
    elif status in LEDGER_FILTERS:
        deliveries = deliveries.filter(status=status)
    return deliveries.select_related("person__org_unit").order_by("pk")
