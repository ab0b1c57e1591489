"""Taking a concern in: the one write of the intake forms.

Anyone may report (citizens without an account), so there is no policy.require here: the
checks are the reporter's own (a member of staff is signed in; a partner gives name,
organisation and phone; only a citizen may stay anonymous). The case goes to the Infohus of the
site it was reported on, on the route of the routing table, and those who receive it and the
reporter (when there is an address) are mailed after commit: a link and the case reference,
never the content or a name.

The form's one-time `submission` token is unique in the database: posting the same form twice
(a double click, a reload after a slow answer) returns the case the first post made.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms import audit
from lms.clock import as_of
from lms.concerns.lib.routing import route_for
from lms.concerns.models import Concern
from lms.concerns.notifications import intake as notifications
from lms.concerns.selectors.deadlines import due_dates
from lms.people.models import OrgUnit, User

Kind = Concern.ReporterKind

LOG_CREATE = "lms.concern.create"


def _clean(value: str | None) -> str:
    return (value or "").strip()


def concern_report(
    *,
    by: User | None,
    infohus: OrgUnit,
    submission: uuid.UUID,
    reporter_kind: str,
    age_group: str,
    description: str,
    subject_name: str = "",
    anonymous: bool = False,
    reporter_name: str = "",
    reporter_organisation: str = "",
    reporter_phone: str = "",
    reporter_email: str = "",
    reporter_unit: OrgUnit | None = None,
    leader_knows: bool | None = None,
) -> tuple[Concern, bool]:
    """Record a concern; returns (case, created). created is False when this submission was
    recorded before (the same form posted again): nothing is saved twice, nobody mailed twice."""
    existing = Concern.objects.filter(submission=submission).first()
    if existing is not None:
        return existing, False

    description = _clean(description)
    reporter_name, reporter_phone = _clean(reporter_name), _clean(reporter_phone)
    reporter_email, reporter_organisation = _clean(reporter_email), _clean(reporter_organisation)
    errors: dict[str, list[str]] = {}
    if reporter_kind not in Kind.values:
        raise ValidationError(_("Choose who you are."), code="invalid")
    if age_group not in Concern.AgeGroup.values:
        errors["age_group"] = [_("Choose the age group of the person you are worried about.")]
    if not description:
        errors["description"] = [_("Describe what you have seen or heard.")]
    if reporter_kind == Kind.STAFF and (by is None or not by.is_authenticated):
        raise ValidationError(_("Sign in to report a concern as a member of staff."), code="login")
    if reporter_kind == Kind.PARTNER:
        for field, value, message in (
            ("reporter_name", reporter_name, _("Give your name.")),
            ("reporter_organisation", reporter_organisation, _("Give your organisation.")),
            ("reporter_phone", reporter_phone, _("Give a phone number we can call you on.")),
        ):
            if not value:
                errors[field] = [message]
    if reporter_kind in (Kind.STAFF, Kind.PARTNER) and leader_knows is None:
        errors["leader_knows"] = [_("Say whether your leader knows about the concern.")]
    if reporter_kind == Kind.CITIZEN:
        leader_knows = None
        if anonymous:
            # Anonymous means nothing about the reporter is kept, whatever the form held.
            reporter_name = reporter_phone = reporter_email = reporter_organisation = ""
    elif anonymous:
        raise ValidationError(_("Only a citizen may report anonymously."), code="anonymous")
    if errors:
        raise ValidationError(errors)

    acknowledge_due_on, feedback_due_on = due_dates(
        infohus=infohus, received_on=timezone.localtime(as_of(None)).date()
    )
    concern = Concern(
        infohus=infohus,
        acknowledge_due_on=acknowledge_due_on,
        feedback_due_on=feedback_due_on,
        submission=submission,
        reporter_kind=reporter_kind,
        reporter_user=by if reporter_kind == Kind.STAFF else None,
        reporter_unit=reporter_unit if reporter_kind == Kind.STAFF else None,
        anonymous=anonymous,
        reporter_name=reporter_name,
        reporter_organisation=reporter_organisation,
        reporter_phone=reporter_phone,
        reporter_email=reporter_email,
        leader_knows=leader_knows,
        age_group=age_group,
        subject_name=_clean(subject_name),
        description=description,
        route=route_for(reporter_kind=reporter_kind, age_group=age_group),
    )
    try:
        with transaction.atomic():
            concern.save()
            # The route and kind only: the log outlives the erasure of the case's text.
            audit.log(
                concern,
                LOG_CREATE,
                # A citizen's report names no account, even when a signed-in user sent it:
                # the log must not undo the anonymity the form promised.
                by=concern.reporter_user,
                data={"route": concern.route, "reporter_kind": concern.reporter_kind},
            )
    except IntegrityError:
        # The same form posted twice at once: the other post made the case.
        existing = Concern.objects.filter(submission=submission).first()
        if existing is None:
            raise
        return existing, False
    transaction.on_commit(lambda: notifications.concern_received(concern_id=concern.pk))
    return concern, True
