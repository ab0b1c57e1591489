"""Every change to Action Cards and their versions (their distribution is
attendance.services.distributions').

A card's content is edited as a draft version; approving it (by someone other than whoever wrote
or edited it: four eyes) freezes it and makes it the card's current version. Older approved
versions are never changed nor deleted, because paper copies of them are out there and the
distribution records point at them. Changes that race (two approvals, a new draft while another
is approved) take the card row's lock first, then re-read; the one-draft-per-card constraint is
the database's own backstop.

The audit log (lms.actioncard.*) carries ids and field names only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import ModelLogEntry

from attendance import access
from attendance.blocks import SignsBlock, StepsBlock
from attendance.models import ActionCard, ActionCardVersion
from lms import audit, bounds, clock
from lms.people import policy
from lms.people.models import OrgUnit, User

__all__ = [
    "CARD_FIELDS",
    "VERSION_FIELDS",
    "card_create",
    "card_update",
    "version_draft_create",
    "version_update",
    "version_approve",
    "version_discard",
    "version_wrote",
    "versions_written_by",
]

A = access.Action
V = ActionCardVersion.Status

CARD_FIELDS = ("slug", "audience", "org_unit", "owner")
VERSION_FIELDS = ("title", "summary", "signs", "steps", "review_date", "change_note")
# The log actions that mean "this user wrote (part of) this draft".
_WRITE_ACTIONS = ("lms.actioncard.create", "lms.actioncard.version_create", "lms.actioncard.edit")


def _lock_card(card: ActionCard) -> ActionCard:
    return (
        ActionCard.objects.select_for_update(of=("self",))
        .select_related("org_unit")
        .get(pk=card.pk)
    )


def _stream(block, value, *, field: str, empty: str, invalid: str, errors: dict) -> Any:
    """`value` (a StreamValue, stored JSON, or (type, value) pairs) as a clean StreamValue."""
    try:
        stream = block.normalize(value or [])
    except (TypeError, ValueError, KeyError, AttributeError):
        errors.setdefault(field, []).append(invalid)
        return value
    if not len(stream):
        errors.setdefault(field, []).append(empty)
        return stream
    try:
        return block.clean(stream)
    except ValidationError:
        errors.setdefault(field, []).append(invalid)
        return stream


def _validate_version(version: ActionCardVersion, *, check_review: bool) -> None:
    errors: dict[str, list[str]] = {}
    version.title = (version.title or "").strip()
    version.summary = (version.summary or "").strip()
    version.change_note = (version.change_note or "").strip()
    if not version.title:
        errors.setdefault("title", []).append(_("Give the card a title."))
    version.signs = _stream(
        SignsBlock(),
        version.signs,
        field="signs",
        empty=_("Add at least one sign to look for."),
        invalid=_("Every sign needs a short text (at most 200 characters)."),
        errors=errors,
    )
    version.steps = _stream(
        StepsBlock(),
        version.steps,
        field="steps",
        empty=_("Add at least one step: what to do."),
        invalid=_("Every step needs a kind and a short title (at most 200 characters)."),
        errors=errors,
    )
    if not isinstance(version.review_date, dt.date):
        errors.setdefault("review_date", []).append(_("Give the date of the next review."))
    elif error := bounds.date_error(version.review_date):
        bounds.check(errors, "review_date", error)
    elif check_review and version.review_date <= timezone.localdate():
        errors.setdefault("review_date", []).append(
            _("The review date must be in the future: set the date of the next review.")
        )
    if errors:
        raise ValidationError(errors)
    version.full_clean(exclude=["card", "signs", "steps"], validate_constraints=False)


def _validate_card(card: ActionCard, *, by: User | None, exclude_pk: int | None = None) -> None:
    errors: dict[str, list[str]] = {}
    card.slug = (card.slug or "").strip().lower()
    if card.audience not in ActionCard.Audience.values:
        errors.setdefault("audience", []).append(_("Choose the card's audience."))
    if card.slug and ActionCard.objects.filter(slug=card.slug).exclude(pk=exclude_pk).exists():
        errors.setdefault("slug", []).append(
            _("Another card already has the address “%(slug)s”.") % {"slug": card.slug}
        )
    if by is not None and not policy.can(by, A.ACTIONCARD_MANAGE, card.org_unit):
        errors.setdefault("org_unit", []).append(_("Choose a unit inside your area."))
    owner = card.owner
    if owner is not None and not (
        owner.is_active and policy.can(owner, A.ACTIONCARD_MANAGE, card.org_unit)
    ):
        errors.setdefault("owner", []).append(
            _("The owner must be someone who may edit the unit's Action Cards.")
        )
    if errors:
        raise ValidationError(errors)
    card.full_clean(exclude=["current_version", "owner", "org_unit"], validate_unique=False)


def _date_created(*rows, now: dt.datetime) -> None:
    """Give freshly created rows the moment they were written as of (their created_at is set to
    the real time on insert)."""
    for row in rows:
        type(row).objects.filter(pk=row.pk).update(created_at=now)
        row.created_at = now


@transaction.atomic
def card_create(
    *,
    slug: str,
    audience: str,
    org_unit: OrgUnit,
    title: str,
    signs: Any,
    steps: Any,
    review_date: dt.date,
    summary: str = "",
    change_note: str = "",
    owner: User | None = None,
    by: User | None,
    now: dt.datetime | None = None,
) -> ActionCard:
    """A new card with its first version as a draft (not public until approved).

    `now` (default: the current time, never later) is the moment it was written (lms.clock)."""
    now = clock.as_of(now)
    card = ActionCard(slug=slug, audience=audience, org_unit=org_unit, owner=owner)
    version = ActionCardVersion(
        number=1,
        status=V.DRAFT,
        title=title,
        summary=summary,
        signs=signs,
        steps=steps,
        review_date=review_date,
        change_note=change_note,
        created_by=by,
    )
    errors: dict[str, list[str]] = {}
    for check in (
        lambda: _validate_card(card, by=by),
        lambda: _validate_version(version, check_review=True),
    ):
        try:
            check()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    card.save()
    version.card = card
    version.save()
    _date_created(card, version, now=now)
    audit.log(
        card,
        "lms.actioncard.create",
        by=by,
        data={"org_unit_id": org_unit.pk, "version_id": version.pk, "number": 1},
    )
    return card


@transaction.atomic
def card_update(*, card: ActionCard, by: User | None, **fields: Any) -> ActionCard:
    """Change the card's address, audience, owning unit or owner.

    The address is printed as a QR code on every paper copy: once a version has been approved it
    can no longer change."""
    unknown = set(fields) - set(CARD_FIELDS)
    if unknown:
        raise TypeError(f"card_update() cannot change {', '.join(sorted(unknown))}")
    policy.require(by, A.ACTIONCARD_MANAGE, card.org_unit)
    card = _lock_card(card)
    changed = []
    for name, new in fields.items():
        old = getattr(card, name)
        if name == "slug":
            new = (new or "").strip().lower()
        if getattr(old, "pk", old) != getattr(new, "pk", new):
            setattr(card, name, new)
            changed.append(name)
    if not changed:
        return card
    if "slug" in changed and card.versions.filter(status=V.APPROVED).exists():
        raise ValidationError(
            {
                "slug": _(
                    "The address cannot change once a version has been approved: it is printed "
                    "as a QR code on the paper cards."
                )
            },
            code="slug_frozen",
        )
    _validate_card(card, by=by, exclude_pk=card.pk)
    card.save()
    audit.log(card, "lms.actioncard.update", by=by, data={"fields": changed})
    return card


@transaction.atomic
def version_draft_create(
    *, card: ActionCard, by: User | None, now: dt.datetime | None = None
) -> ActionCardVersion:
    """A new draft: a copy of the current version (or of the newest one), numbered next.

    `now` (default: the current time, never later) is the moment it was started (lms.clock)."""
    now = clock.as_of(now)
    policy.require(by, A.ACTIONCARD_MANAGE, card.org_unit)
    card = _lock_card(card)
    if card.versions.filter(status=V.DRAFT).exists():
        raise ValidationError(
            _("This card already has a draft: edit or discard it first."), code="draft_exists"
        )
    source = card.current_version or card.versions.order_by("-number").first()
    number = (card.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = ActionCardVersion.objects.create(
        card=card,
        number=number,
        status=V.DRAFT,
        title=source.title if source else "",
        summary=source.summary if source else "",
        signs=source.signs.raw_data if source else [],
        steps=source.steps.raw_data if source else [],
        review_date=source.review_date if source else timezone.localdate(),
        created_by=by,
    )
    _date_created(version, now=now)
    audit.log(
        card,
        "lms.actioncard.version_create",
        by=by,
        data={
            "version_id": version.pk,
            "number": number,
            "from_version_id": source.pk if source else None,
        },
    )
    return version


def _draft_locked(version: ActionCardVersion, *, frozen_message: str) -> ActionCardVersion:
    """The version re-read under its card's lock; refused unless it is still a draft."""
    _lock_card(version.card)
    version = ActionCardVersion.objects.select_related("card", "card__org_unit").get(pk=version.pk)
    if version.status != V.DRAFT:
        raise ValidationError(frozen_message, code="frozen")
    return version


@transaction.atomic
def version_update(
    *, version: ActionCardVersion, by: User | None, **fields: Any
) -> ActionCardVersion:
    """Edit a draft. An approved version is frozen: start a new version instead."""
    unknown = set(fields) - set(VERSION_FIELDS)
    if unknown:
        raise TypeError(f"version_update() cannot change {', '.join(sorted(unknown))}")
    policy.require(by, A.ACTIONCARD_MANAGE, version.card.org_unit)
    version = _draft_locked(
        version,
        frozen_message=_(
            "An approved version cannot be changed (copies of it may be printed): start a new "
            "version instead."
        ),
    )
    changed = []
    for name, new in fields.items():
        old = getattr(version, name)
        if name in ("signs", "steps"):
            block = SignsBlock() if name == "signs" else StepsBlock()
            # Compared without the blocks' ids, which a re-posted admin form may renew.
            same = _without_ids(block, new) == _without_ids(block, old)
        else:
            same = old == new
        if not same:
            setattr(version, name, new)
            changed.append(name)
    if not changed:
        return version
    _validate_version(version, check_review=True)
    version.save()
    audit.log(
        version.card,
        "lms.actioncard.edit",
        by=by,
        data={"version_id": version.pk, "number": version.number, "fields": changed},
    )
    return version


def _without_ids(block, value) -> list | None:
    try:
        raw = block.get_prep_value(block.normalize(value or []))
    except (TypeError, ValueError, KeyError, AttributeError):
        return None
    return [{"type": item["type"], "value": item["value"]} for item in raw]


def version_wrote(user: User | None, version: ActionCardVersion) -> bool:
    """Did `user` write the draft, or edit it since? (The audit log remembers every edit.)"""
    if user is None or not getattr(user, "pk", None):
        return False
    if version.created_by_id == user.pk:
        return True
    entries = ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ActionCard),
        object_id=str(version.card_id),
        action__in=_WRITE_ACTIONS,
        user=user,
    ).values_list("data", flat=True)
    return any((data or {}).get("version_id") == version.pk for data in entries)


def versions_written_by(user: User | None, drafts: list[ActionCardVersion]) -> set[int]:
    """The pks of those `drafts` that `user` wrote or edited (version_wrote for many at once,
    in one query however many there are)."""
    if user is None or not getattr(user, "pk", None) or not drafts:
        return set()
    wrote = {v.pk for v in drafts if v.created_by_id == user.pk}
    entries = ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ActionCard),
        object_id__in=[str(v.card_id) for v in drafts],
        action__in=_WRITE_ACTIONS,
        user=user,
    ).values_list("data", flat=True)
    pks = {v.pk for v in drafts}
    return wrote | {(data or {}).get("version_id") for data in entries} & pks


@transaction.atomic
def version_approve(
    *, version: ActionCardVersion, by: User | None, now: dt.datetime | None = None
) -> ActionCardVersion:
    """Approve a draft: it is frozen and becomes the card's current (public) version. The version
    it replaces stays as it was, marked superseded by being older than the current one.

    `now` (default: the current time, never later) is the moment of the approval (lms.clock); it
    cannot come before the draft was written, nor before the version it replaces was approved."""
    backdated = now is not None
    now = clock.as_of(now)
    card = version.card
    policy.require(by, A.ACTIONCARD_APPROVE, card.org_unit)
    version = _draft_locked(
        version, frozen_message=_("This version has already been approved: it cannot change.")
    )
    if by is not None and not access.may_approve_card_version(
        by, version, wrote=version_wrote(by, version)
    ):
        raise ValidationError(
            _(
                "You wrote or edited this draft, so someone else must approve it: Action Cards "
                "are checked by a second person before they are printed and published."
            ),
            code="four_eyes",
        )
    _validate_version(version, check_review=True)
    card = version.card
    previous = card.current_version_id
    if backdated:
        replaced = card.current_version
        if now < version.created_at or (
            replaced is not None and replaced.approved_at and now < replaced.approved_at
        ):
            raise ValueError("now cannot come before the draft was written or the last approval")
    version.status = V.APPROVED
    version.approved_by = by
    version.approved_at = now
    version.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    card.current_version = version
    card.save(update_fields=["current_version"])
    audit.log(
        card,
        "lms.actioncard.approve",
        by=by,
        data={
            "version_id": version.pk,
            "number": version.number,
            "superseded_version_id": previous,
        },
    )
    return version


@transaction.atomic
def version_discard(*, version: ActionCardVersion, by: User | None) -> ActionCard | None:
    """Throw a draft away. A card whose only version was that draft (never approved, so never
    printed nor handed out) goes with it; returns the card, or None when it went."""
    card = version.card
    policy.require(by, A.ACTIONCARD_MANAGE, card.org_unit)
    version = _draft_locked(
        version,
        frozen_message=_("An approved version cannot be discarded: paper copies refer to it."),
    )
    card = version.card
    data = {"version_id": version.pk, "number": version.number}
    only = not card.versions.exclude(pk=version.pk).exists()
    audit.log(card, "lms.actioncard.discard", by=by, data={**data, "card_deleted": only})
    version.delete()
    if only:
        card.delete()
        return None
    return card
