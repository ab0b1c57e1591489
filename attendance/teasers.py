"""Meetings and Action Cards as items a newsletter (or any page) may point at (lms.site.teasers).

A meeting is shown while it is published, held or closed, never as a draft or once cancelled; an
Action Card while it has an approved version. Each `teasers()` is one query for all the ids.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from attendance import access
from attendance.models import ActionCard, Meeting
from lms.display import local
from lms.mail import absolute_url
from lms.site.teasers import Kind, Teaser, kind_register

M = Meeting.Status
MEETINGS_SHOWN = (M.PUBLISHED, M.HELD, M.CLOSED)
# How far back the chooser offers meetings: an edition may look back on the last season's.
CHOOSER_DAYS_BACK = 180


def _when(meeting: Meeting) -> str:
    return formats.date_format(local(meeting.starts_at), r"j. F Y \k\l. H.i")


def _place(meeting: Meeting) -> str:
    return meeting.venue or (str(_("Online")) if meeting.online_url else "")


def _one_line(text: str, limit: int = 200) -> str:
    line = " ".join((text or "").split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "\u2026"


def meeting_choices(user=None) -> list[tuple[int, str]]:
    """The shown meetings of the last season and ahead that `user` sees in the admin: organised
    in or aimed at their area (None: the system, every one)."""
    since = timezone.now() - dt.timedelta(days=CHOOSER_DAYS_BACK)
    meetings = Meeting.objects.filter(status__in=MEETINGS_SHOWN, starts_at__gte=since)
    if user is not None:
        meetings = access.meetings_in_staff_view(user, meetings)
    meetings = meetings.select_related("org_unit").order_by("starts_at", "pk")
    return [(m.pk, f"{m.title} \u2013 {_when(m)} ({m.org_unit.name})") for m in meetings]


def meeting_teasers(ids: Collection[int]) -> dict[int, Teaser]:
    meetings = Meeting.objects.filter(pk__in=list(ids), status__in=MEETINGS_SHOWN)
    return {
        m.pk: Teaser(
            title=m.title,
            url=absolute_url(reverse("attendance:meeting_detail", kwargs={"pk": m.pk})),
            line=_one_line(m.description),
            facts=tuple(fact for fact in (_when(m), _place(m)) if fact),
        )
        for m in meetings
    }


def card_choices(user=None) -> list[tuple[int, str]]:
    """The approved cards of the Infohus units in `user`'s ACTIONCARD_VIEW scope (None: the
    system, every one)."""
    cards = ActionCard.objects.filter(current_version__isnull=False)
    if user is not None:
        cards = access.cards_visible_to(user, cards)
    cards = cards.select_related("current_version", "org_unit").order_by(
        "current_version__title", "pk"
    )
    return [(c.pk, f"{c.current_version.title} ({c.org_unit.name})") for c in cards]


def card_teasers(ids: Collection[int]) -> dict[int, Teaser]:
    cards = ActionCard.objects.filter(
        pk__in=list(ids), current_version__isnull=False
    ).select_related("current_version")
    return {
        c.pk: Teaser(
            title=c.current_version.title,
            url=absolute_url(reverse("cards:detail", kwargs={"slug": c.slug})),
            line=_one_line(c.current_version.summary),
        )
        for c in cards
    }


def register() -> None:
    """AttendanceConfig.ready()."""
    kind_register(
        Kind(
            "meeting",
            _("Meetings"),
            meeting_choices,
            meeting_teasers,
            item_label=_("Meeting"),
            order=10,
        )
    )
    kind_register(
        Kind(
            "action_card",
            _("Action Cards"),
            card_choices,
            card_teasers,
            item_label=_("Action Card"),
            order=30,
        )
    )
