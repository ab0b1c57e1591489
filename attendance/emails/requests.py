"""The emails about meeting requests, in Danish, as text and HTML. Called by the Celery tasks in
attendance.tasks, which take ids; every function loads fresh rows and re-checks that the mail still
applies when it runs (the request may have been answered or withdrawn meanwhile), and sends
nothing otherwise.

Who gets what:
- a new request: each coordinator who may answer it (a link to the request in the admin);
- accepted, another time proposed, declined: the requester (the meeting's link, the proposed time
  and a link to their request page, the reason);
- the requester took or declined a proposed time: the coordinator who proposed it.

A mail carries the request's unit, kind, numbers and dates, and the answer meant for the
recipient. The requester's free-text message is not copied into mail: it is read on the page,
behind the sign-in.
"""

from __future__ import annotations

import logging
from types import SimpleNamespace

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from attendance import access
from attendance.emails.meetings import meeting_url, meeting_when
from attendance.models import MeetingRequest
from lms.mail import absolute_url, mail_send
from lms.people.models import User

logger = logging.getLogger(__name__)

Status = MeetingRequest.Status

SUBJECTS = {
    "request_submitted": gettext_noop("New meeting request: %(unit)s"),
    "request_accepted": gettext_noop("Your meeting request is accepted: %(unit)s"),
    "request_proposed": gettext_noop("Another time is proposed for your meeting: %(unit)s"),
    "request_declined": gettext_noop("Your meeting request is declined: %(unit)s"),
    "request_proposal_accepted": gettext_noop("The proposed time is accepted: %(unit)s"),
    "request_proposal_declined": gettext_noop("The proposed time does not suit: %(unit)s"),
}


def request_page_url(meeting_request: MeetingRequest) -> str:
    """The requester's page of the request (front end)."""
    return absolute_url(reverse("attendance:request_detail", kwargs={"pk": meeting_request.pk}))


def request_admin_url(meeting_request: MeetingRequest) -> str:
    """The request in the coordinators' queue (Wagtail admin)."""
    return absolute_url(reverse("meeting_requests:item", args=(meeting_request.pk,)))


def _day(value) -> str:
    return formats.date_format(value, "j. F Y")


def _load(request_id: int) -> MeetingRequest | None:
    meeting_request = (
        MeetingRequest.objects.select_related(
            "org_unit", "meeting", "requested_by__person", "handled_by__person"
        )
        .filter(pk=request_id)
        .first()
    )
    if meeting_request is None:
        logger.info("meeting request %s is gone; no mail", request_id)
    return meeting_request


def _name(user: User) -> str:
    person = getattr(user, "person", None)
    return person.name if person is not None else ""


def _send(meeting_request: MeetingRequest, template: str, to: User, **extra) -> bool:
    if not to.is_active or not to.email:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "name": _name(to),
            "request": meeting_request,
            "unit": meeting_request.org_unit.name,
            "kind": meeting_request.get_kind_display(),
            "period": _("%(start)s to %(end)s")
            % {
                "start": _day(meeting_request.preferred_from),
                "end": _day(meeting_request.preferred_until),
            },
            "site_name": settings.WAGTAIL_SITE_NAME,
            **extra,
        }
        subject = _(SUBJECTS[template]) % {"unit": meeting_request.org_unit.name}
        text = render_to_string(f"attendance/email/{template}.txt", context)
        html = render_to_string(f"attendance/email/{template}.html", context)
    mail_send(subject=subject, to=[to.email], text=text, html=html)
    return True


def answerer_ids(*, request_id: int) -> list[int]:
    """Who is told of a new request, while it still waits for an answer."""
    meeting_request = _load(request_id)
    if meeting_request is None or meeting_request.status != Status.SUBMITTED:
        return []
    return list(
        access.request_answerers(meeting_request).order_by("pk").values_list("pk", flat=True)
    )


def submitted_send(*, request_id: int, user_id: int) -> bool:
    meeting_request = _load(request_id)
    if meeting_request is None or meeting_request.status != Status.SUBMITTED:
        return False
    user = User.objects.select_related("person").filter(pk=user_id).first()
    if user is None or not access.may_answer_request(user, meeting_request):
        return False
    return _send(meeting_request, "request_submitted", user, url=request_admin_url(meeting_request))


def answered_send(*, request_id: int, status: str) -> bool:
    """Tell the requester: accepted (the meeting), proposed (the time), declined (the reason)."""
    meeting_request = _load(request_id)
    if meeting_request is None or meeting_request.status != status:
        return False
    requester = meeting_request.requested_by
    if requester is None:
        return False
    extra = {"request_url": request_page_url(meeting_request)}
    if status == Status.ACCEPTED:
        meeting = meeting_request.meeting
        with translation.override(settings.LANGUAGE_CODE):
            extra.update(meeting=meeting, when=meeting_when(meeting), url=meeting_url(meeting))
        return _send(meeting_request, "request_accepted", requester, **extra)
    if status == Status.PROPOSED:
        with translation.override(settings.LANGUAGE_CODE):
            extra["when"] = _proposed_when(meeting_request)
        return _send(meeting_request, "request_proposed", requester, **extra)
    if status == Status.DECLINED:
        return _send(meeting_request, "request_declined", requester, **extra)
    return False


def _proposed_when(meeting_request: MeetingRequest) -> str:
    # meeting_when reads only the start and the end.
    span = SimpleNamespace(
        starts_at=meeting_request.proposed_starts_at, ends_at=meeting_request.proposed_ends_at
    )
    return meeting_when(span)


def proposal_answered_send(*, request_id: int, accepted: bool) -> bool:
    """Tell the coordinator who proposed a time whether the requester took it."""
    meeting_request = _load(request_id)
    if meeting_request is None:
        return False
    coordinator = meeting_request.handled_by
    if coordinator is None or not access.may_answer_request(coordinator, meeting_request):
        return False
    if accepted:
        if meeting_request.status != Status.ACCEPTED or meeting_request.meeting is None:
            return False
        meeting = meeting_request.meeting
        with translation.override(settings.LANGUAGE_CODE):
            when = meeting_when(meeting)
        return _send(
            meeting_request,
            "request_proposal_accepted",
            coordinator,
            meeting=meeting,
            when=when,
            url=absolute_url(reverse("meetings:inspect", args=(meeting.pk,))),
        )
    if meeting_request.status != Status.SUBMITTED:
        return False
    return _send(
        meeting_request,
        "request_proposal_declined",
        coordinator,
        url=request_admin_url(meeting_request),
    )
