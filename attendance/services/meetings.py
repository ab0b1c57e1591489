"""Every change to meetings and registrations (attendance is attendance.services.attendance).

Seats follow pretix's locking rule: one transaction, lock late, lock once, re-check inside the
lock. A sign-up or cancellation first does its cheap checks unlocked (the access policy, the
person), then locks the meeting row (SELECT ... FOR UPDATE on PostgreSQL; on SQLite the IMMEDIATE
transaction mode already holds the database's single write lock from BEGIN), re-reads the status
and the registrations inside the lock, and only then confirms or waiting-lists. The meeting's
`confirmed_count` is moved in the same transaction, and its check constraint
(confirmed_count <= capacity) makes the database refuse an overbooking even if the lock were
forgotten (tests/attendance/test_concurrency.py shows that race with an unlocked variant).

People are told through attendance.notifications.meetings after commit. The audit log never
carries names or email addresses, only ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance import access
from attendance.models import ActionCardVersion, Meeting, Registration
from attendance.models.meetings import booking_code_new
from attendance.notifications import meetings as notifications
from lms import audit, bounds
from lms.competence import access as competence_access
from lms.competence.models import Competence
from lms.people import policy
from lms.people.models import JobCategory, OrgUnit, Person, User

__all__ = [
    "MEETING_FIELDS",
    "MEETING_M2M_FIELDS",
    "MEETING_CALENDAR_FIELDS",
    "EDITABLE_STATUSES",
    "meeting_create",
    "meeting_update",
    "meeting_publish",
    "meeting_cancel",
    "meeting_mark_held",
    "meeting_close",
    "registration_create",
    "registration_cancel",
]

S = Meeting.Status
R = Registration.Status

# Fields meeting_create / meeting_update accept; the M2M ones are sets of rows.
MEETING_FIELDS = (
    "kind",
    "title",
    "description",
    "org_unit",
    "institution",
    "venue",
    "online_url",
    "starts_at",
    "ends_at",
    "capacity",
    "cancellation_cutoff_hours",
    "reminder_days",
    "competence",
    "action_card_version",
)
MEETING_M2M_FIELDS = ("audience_units", "job_categories", "facilitators")
# A change to any of these moves the event in people's calendars (iCalendar SEQUENCE).
MEETING_CALENDAR_FIELDS = frozenset({"starts_at", "ends_at", "venue", "online_url", "title"})
EDITABLE_STATUSES = (S.DRAFT, S.PUBLISHED)


def _deny() -> None:
    raise ValidationError(
        _("You do not have permission to do this here."), code="permission_denied"
    )


def _on_commit(func, **kwargs) -> None:
    # Whether to tell people is decided now, not at commit: a change made inside
    # notifications.silenced() stays silent even when an outer transaction commits later.
    notifications.after_commit(func, **kwargs)


def _clock(now: datetime | None) -> datetime:
    """The moment a service acts as of: the real time, or an earlier moment the caller names
    (the demo loader builds a past season through these services). Never a later one: acting as
    of a moment that has not come would let attendance, and the competence it earns, be recorded
    for a meeting that has not taken place."""
    real = timezone.now()
    if now is None:
        return real
    if timezone.is_naive(now):
        raise ValueError("now must be an aware datetime")
    if now > real:
        raise ValueError("now cannot be later than the current time")
    return now


def _lock(meeting: Meeting) -> Meeting:
    """The meeting row, locked until the transaction ends, with fresh values.

    of=("self",): PostgreSQL would otherwise also lock the joined organising unit's row, and so
    serialise the sign-ups of every meeting that unit organises."""
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("org_unit")
        .get(pk=meeting.pk)
    )


def _status_error(meeting: Meeting) -> ValidationError:
    return ValidationError(
        _("This is not possible for a meeting with status “%(status)s”.")
        % {"status": meeting.get_status_display()},
        code="invalid_transition",
    )


def _validate_meeting(meeting: Meeting, m2m: dict[str, Iterable], *, by: User | None) -> None:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if meeting.starts_at and timezone.is_naive(meeting.starts_at):
        add("starts_at", _("Give the time with its time zone."))
    # The ranges of lms.bounds: a meeting in year 1 or 9999, or a cut-off of a million hours,
    # overflows the date arithmetic of every page that shows the meeting.
    bounds.check(errors, "starts_at", bounds.date_error(meeting.starts_at))
    bounds.check(errors, "ends_at", bounds.date_error(meeting.ends_at))
    if not errors and meeting.starts_at and meeting.ends_at:
        if meeting.ends_at <= meeting.starts_at:
            add("ends_at", _("The meeting must end after it starts."))
        elif meeting.ends_at - meeting.starts_at > bounds.MEETING_MAX_DURATION:
            add(
                "ends_at",
                _("A meeting lasts at most %(days)d days.")
                % {"days": bounds.MEETING_MAX_DURATION.days},
            )
    if meeting.capacity is None or meeting.capacity < 1:
        add("capacity", _("Capacity must be at least 1."))
    elif meeting.capacity < meeting.confirmed_count:
        add(
            "capacity",
            _("Capacity cannot be lower than the %(count)d confirmed registrations.")
            % {"count": meeting.confirmed_count},
        )
    else:
        bounds.check(errors, "capacity", bounds.number_error(meeting.capacity, bounds.CAPACITY))
    if meeting.cancellation_cutoff_hours is None or meeting.cancellation_cutoff_hours < 0:
        add("cancellation_cutoff_hours", _("The cut-off cannot be negative."))
    else:
        bounds.check(
            errors,
            "cancellation_cutoff_hours",
            bounds.number_error(meeting.cancellation_cutoff_hours, bounds.CUTOFF_HOURS),
        )
    bounds.check(
        errors,
        "reminder_days",
        bounds.number_error(meeting.reminder_days, bounds.REMINDER_DAYS, required=False),
    )
    card_version = meeting.action_card_version
    if card_version is not None and card_version.status != ActionCardVersion.Status.APPROVED:
        add(
            "action_card_version",
            _("Only an approved version of an Action Card can be handed out at a meeting."),
        )
    organiser = meeting.org_unit
    if by is not None and not policy.can(by, access.Action.MEETING_MANAGE, organiser):
        add("org_unit", _("Choose an organising unit inside your area."))
    if meeting.competence is not None and not competence_access.competence_usable_at(
        organiser, meeting.competence
    ):
        add(
            "competence",
            _("This competence belongs to another municipality: choose a shared one or your own."),
        )
    units = list(m2m.get("audience_units", meeting.audience_units.all() if meeting.pk else []))
    if meeting.institution is not None:
        if meeting.institution.kind != OrgUnit.Kind.INSTITUTION:
            add("institution", _("Choose an external institution."))
        units.append(meeting.institution)
    outside = [u for u in units if not u.path.startswith(organiser.path)]
    if outside:
        add(
            "audience_units",
            _("The audience must lie within the organising unit: %(units)s.")
            % {"units": ", ".join(u.name for u in outside)},
        )
    if errors:
        raise ValidationError(errors)
    meeting.full_clean(exclude=MEETING_M2M_FIELDS, validate_constraints=False)


def _set_m2m(meeting: Meeting, m2m: dict[str, Iterable]) -> None:
    for name, rows in m2m.items():
        getattr(meeting, name).set(list(rows))


@transaction.atomic
def meeting_create(
    *,
    kind: str,
    title: str,
    org_unit: OrgUnit,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    description: str = "",
    institution: OrgUnit | None = None,
    venue: str = "",
    online_url: str = "",
    cancellation_cutoff_hours: int = 24,
    reminder_days: int | None = None,
    competence: Competence | None = None,
    action_card_version: ActionCardVersion | None = None,
    audience_units: Iterable[OrgUnit] = (),
    job_categories: Iterable[JobCategory] = (),
    facilitators: Iterable[User] = (),
    by: User | None = None,
) -> Meeting:
    """A new meeting, as a draft."""
    meeting = Meeting(
        kind=kind,
        title=title,
        description=description,
        org_unit=org_unit,
        institution=institution,
        venue=venue,
        online_url=online_url,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        cancellation_cutoff_hours=cancellation_cutoff_hours,
        reminder_days=reminder_days,
        competence=competence,
        action_card_version=action_card_version,
        status=S.DRAFT,
        created_by=by,
    )
    m2m = {
        "audience_units": list(audience_units),
        "job_categories": list(job_categories),
        "facilitators": list(facilitators),
    }
    _validate_meeting(meeting, m2m, by=by)
    meeting.save()
    _set_m2m(meeting, m2m)
    audit.log(meeting, "lms.meeting.create", by=by, data={"org_unit_id": org_unit.pk})
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, by: User | None = None, **fields: Any) -> Meeting:
    """Change any of MEETING_FIELDS and MEETING_M2M_FIELDS of a draft or published meeting.

    A raised capacity promotes from the waiting list; a new time or place raises the iCalendar
    sequence and, for a published meeting, tells the registered people after commit.
    """
    unknown = set(fields) - set(MEETING_FIELDS) - set(MEETING_M2M_FIELDS)
    if unknown:
        raise TypeError(f"meeting_update() cannot change {', '.join(sorted(unknown))}")
    if by is not None and not access.can_manage_meeting(by, meeting):
        _deny()
    meeting = _lock(meeting)
    if meeting.status not in EDITABLE_STATUSES:
        raise _status_error(meeting)
    changed: list[str] = []
    for name in MEETING_FIELDS:
        if name in fields:
            old, new = getattr(meeting, name), fields[name]
            if getattr(old, "pk", old) != getattr(new, "pk", new):
                setattr(meeting, name, new)
                changed.append(name)
    m2m = {}
    for name in MEETING_M2M_FIELDS:
        if name in fields:
            new_rows = list(fields[name])
            if {r.pk for r in new_rows} != set(getattr(meeting, name).values_list("pk", flat=True)):
                m2m[name] = new_rows
                changed.append(name)
    if not changed:
        return meeting
    _validate_meeting(meeting, m2m, by=by)
    calendar_changed = bool(MEETING_CALENDAR_FIELDS.intersection(changed))
    if calendar_changed:
        meeting.sequence += 1
    meeting.save()
    _set_m2m(meeting, m2m)
    audit.log(meeting, "lms.meeting.update", by=by, data={"fields": changed})
    if meeting.status == S.PUBLISHED:
        if calendar_changed:
            _on_commit(
                notifications.meeting_changed, meeting_id=meeting.pk, sequence=meeting.sequence
            )
        if "capacity" in changed:
            _promote(meeting, by=by)
    return meeting


def _transition(meeting: Meeting, *, by: User | None, allowed: tuple[str, ...]) -> Meeting:
    """The meeting locked, after checking that `by` manages it and its status is `allowed`."""
    if by is not None and not access.can_manage_meeting(by, meeting):
        _deny()
    meeting = _lock(meeting)
    if meeting.status not in allowed:
        raise _status_error(meeting)
    return meeting


@transaction.atomic
def meeting_publish(
    *, meeting: Meeting, by: User | None = None, now: datetime | None = None
) -> Meeting:
    """Draft -> published: people in the audience can now see it and sign up.

    `now` (default: the current time, never later) is the moment the meeting is published as
    of: it must start after that moment."""
    now = _clock(now)
    meeting = _transition(meeting, by=by, allowed=(S.DRAFT,))
    if not meeting.audience_units.exists() and meeting.institution_id is None:
        raise ValidationError(
            {"audience_units": _("Choose the audience before publishing.")}, code="no_audience"
        )
    if not meeting.venue and not meeting.online_url:
        raise ValidationError(
            {"venue": _("Give a venue or an online link before publishing.")}, code="no_place"
        )
    if meeting.starts_at <= now:
        raise ValidationError(
            {"starts_at": _("A meeting in the past cannot be published.")}, code="in_past"
        )
    meeting.status = S.PUBLISHED
    meeting.save(update_fields=["status", "updated_at"])
    audit.log(meeting, "lms.meeting.publish", by=by)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, reason: str, by: User | None = None) -> Meeting:
    """Draft or published -> cancelled. Registrations are kept (so the people on them can be
    told and the history stays); sign-ups are refused from now on."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for the cancellation.")})
    meeting = _transition(meeting, by=by, allowed=(S.DRAFT, S.PUBLISHED))
    was_published = meeting.status == S.PUBLISHED
    meeting.status = S.CANCELLED
    meeting.cancel_reason = reason
    meeting.sequence += 1
    meeting.save(update_fields=["status", "cancel_reason", "sequence", "updated_at"])
    audit.log(meeting, "lms.meeting.cancel", by=by)
    if was_published:
        _on_commit(notifications.meeting_cancelled, meeting_id=meeting.pk)
    return meeting


@transaction.atomic
def meeting_mark_held(
    *, meeting: Meeting, by: User | None = None, now: datetime | None = None
) -> Meeting:
    """Published -> held, once the meeting has started (as of `now`: default the current time,
    never later)."""
    now = _clock(now)
    meeting = _transition(meeting, by=by, allowed=(S.PUBLISHED,))
    if now < meeting.starts_at:
        raise ValidationError(
            _("A meeting cannot be marked as held before it starts."), code="not_started"
        )
    meeting.status = S.HELD
    meeting.save(update_fields=["status", "updated_at"])
    audit.log(meeting, "lms.meeting.held", by=by)
    return meeting


@transaction.atomic
def meeting_close(*, meeting: Meeting, by: User | None = None) -> Meeting:
    """Held -> closed: attendance is final."""
    meeting = _transition(meeting, by=by, allowed=(S.HELD,))
    meeting.status = S.CLOSED
    meeting.save(update_fields=["status", "updated_at"])
    audit.log(meeting, "lms.meeting.close", by=by)
    return meeting


def _not_in_audience() -> ValidationError:
    return ValidationError(
        _("You are not in the audience for this meeting."), code="not_in_audience"
    )


def _sign_up_error(meeting: Meeting, now: datetime) -> ValidationError | None:
    if meeting.status == S.CANCELLED:
        return ValidationError(_("This meeting has been cancelled."), code="cancelled")
    if meeting.status != S.PUBLISHED:
        return ValidationError(_("Sign-up is not open for this meeting."), code="not_open")
    if now >= meeting.starts_at:
        return ValidationError(_("The meeting has already started."), code="started")
    return None


def _booking_code_free(meeting: Meeting) -> str:
    """A booking code no registration of `meeting` holds. The caller holds the meeting's lock,
    so no other sign-up can take the same code meanwhile (the unique constraint backs this)."""
    while True:
        code = booking_code_new()
        if not Registration.objects.filter(meeting=meeting, booking_code=code).exists():
            return code


# One statement, on PostgreSQL and in autocommit, for the whole write of a sign-up: ask whether the
# person is in the meeting's audience when the caller left that to it (attendance.access's own
# SQL, before any lock: a refusal locks and writes nothing), lock the meeting row (FOR UPDATE
# returns its newest values once the lock is granted), insert the registration as confirmed while
# confirmed_count < capacity, else as waiting, move the counter only when a confirmed row went in,
# and write the registration's audit entry (lms.audit.log_sql: the row lms.audit.log would write)
# only when a registration went in. The lock is held while PostgreSQL runs this statement and
# commits it, no round trip longer. Nothing in it grows with the meeting: the seats are the
# counter, and a second live registration of the person is refused by the unique index (ON
# CONFLICT DO NOTHING). created_at is the database's clock_timestamp() taken under the lock
# (unless the caller names the moment), so that (created_at, pk), the waiting list's order, is the
# order the lock was granted in.
_SIGN_UP_SQL = """
WITH allowed AS (
    SELECT {audience} AS ok
), m AS (
    SELECT id, status, starts_at, capacity, confirmed_count
    FROM attendance_meeting WHERE id = %(meeting)s AND (SELECT ok FROM allowed) FOR UPDATE
), moment AS (
    SELECT COALESCE(%(now)s::timestamptz, clock_timestamp()) AS at
), ins AS (
    INSERT INTO attendance_registration
        (meeting_id, person_id, status, created_at, created_by_id, booking_code)
    SELECT m.id, %(person)s,
        CASE WHEN m.confirmed_count < m.capacity THEN %(confirmed)s ELSE %(waiting)s END,
        moment.at, %(by)s, %(code)s
    FROM m, moment
    WHERE m.status = %(published)s AND m.starts_at > moment.at
    ON CONFLICT DO NOTHING
    RETURNING id, status, created_at
), seat AS (
    UPDATE attendance_meeting SET confirmed_count = attendance_meeting.confirmed_count + 1
    FROM ins WHERE attendance_meeting.id = %(meeting)s AND ins.status = %(confirmed)s
    RETURNING attendance_meeting.confirmed_count
), logged AS (
    {audit}
)
SELECT allowed.ok, m.id, m.status, m.starts_at, m.capacity,
    COALESCE((SELECT confirmed_count FROM seat), m.confirmed_count),
    ins.id, ins.status, ins.created_at
FROM allowed LEFT JOIN m ON TRUE LEFT JOIN ins ON TRUE
"""


def _registration_row(**fields: Any) -> Registration:
    """A Registration just written by SQL of our own, as if loaded from the database."""
    registration = Registration(**fields)
    registration._state.adding = False
    registration._state.db = "default"
    return registration


def _sign_up_postgresql(
    meeting: Meeting,
    *,
    person: Person,
    by: User | None,
    now: datetime | None,
    audience: bool = False,
) -> tuple[Registration, bool]:
    """(registration, created): _SIGN_UP_SQL, one round trip, which commits on its own outside a
    transaction (inside the caller's, the lock lasts until that commits). `audience`: the
    statement first asks whether the person is in the meeting's audience, and refuses (raises
    "not_in_audience") without locking when not. When it inserts nothing on an open meeting the
    person already holds a live registration (read again in a new statement, which sees what
    committed while we waited), or, once in some hundred million sign-ups, the random booking
    code was taken: then try again with another."""
    # The entry registration_create logs on SQLite, its status as the statement decides it.
    logged, params = audit.log_sql(
        Registration,
        "lms.registration.create",
        pk="ins.id",
        source="ins",
        by=by,
        data={"meeting_id": meeting.pk, "person_id": person.pk},
        data_sql={"status": "ins.status"},
    )
    sql = _SIGN_UP_SQL.replace("{audit}", logged).replace(
        "{audience}", access.audience_condition_sql() if audience else "TRUE"
    )
    params.update(
        meeting=meeting.pk,
        person=person.pk,
        by=by.pk if by is not None else None,
        now=now,
        confirmed=R.CONFIRMED,
        waiting=R.WAITING,
        published=S.PUBLISHED,
    )
    for _attempt in range(5):
        params["code"] = booking_code_new()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        allowed, found, status, starts_at, capacity, confirmed_count, pk, taken, taken_at = row
        if not allowed:
            raise _not_in_audience()
        if found is None:
            raise Meeting.DoesNotExist("the meeting has been deleted")
        meeting.status, meeting.starts_at = status, starts_at
        meeting.capacity, meeting.confirmed_count = capacity, confirmed_count
        if pk is not None:
            registration = _registration_row(
                pk=pk,
                meeting=meeting,
                person=person,
                status=taken,
                created_at=taken_at,
                created_by=by,
                booking_code=params["code"],
            )
            return registration, True
        error = _sign_up_error(meeting, now or timezone.now())
        if error is not None:
            raise error
        existing = Registration.objects.filter(
            meeting=meeting, person=person, status__in=Registration.LIVE
        ).first()
        if existing is not None:
            return existing, False
    raise RuntimeError("no free booking code after five tries")  # pragma: no cover


def _sign_up_locked(
    meeting: Meeting, *, person: Person, by: User | None, now: datetime
) -> tuple[Registration, bool]:
    """(registration, created), on SQLite (and any other database): the meeting read under the
    lock (SQLite's IMMEDIATE transaction holds the database's one write lock from BEGIN, so `now`,
    taken inside the transaction, is in lock order too), the person's live registration looked up
    by the unique index, the seat decided by the counter."""
    meeting = _lock(meeting)
    error = _sign_up_error(meeting, now)
    if error is not None:
        raise error
    existing = Registration.objects.filter(
        meeting=meeting, person=person, status__in=Registration.LIVE
    ).first()
    if existing is not None:
        return existing, False
    status = R.CONFIRMED if meeting.confirmed_count < meeting.capacity else R.WAITING
    registration = Registration.objects.create(
        meeting=meeting,
        person=person,
        status=status,
        created_at=now,
        created_by=by,
        booking_code=_booking_code_free(meeting),
    )
    if status == R.CONFIRMED:
        Meeting.objects.filter(pk=meeting.pk).update(confirmed_count=F("confirmed_count") + 1)
        meeting.confirmed_count += 1
    return registration, True


def registration_create(
    *, meeting: Meeting, person: Person, by: User | None, now: datetime | None = None
) -> Registration:
    """Sign `person` up: confirmed while seats are free, otherwise on the waiting list.

    Signing up twice returns the live registration unchanged. After a cancellation a new row is
    made (the cancelled one stays as history) at the end of the waiting list if it is full.

    `now` (default: the current time, never later) is the moment of the sign-up: the meeting
    must not have started by then, and it is the registration's `created_at`, hence its place
    on the waiting list (seats go in the order of the calls, so a caller acting as of the past
    signs people up in time order). Access is still asked of the policy as it stands; a person
    signing themselves up must find the meeting open for sign-up at the current time too.

    On PostgreSQL the meeting's lock is held for one autocommit statement (lock, seat, insert,
    audit entry; tests/attendance/test_signup_round_trips.py pins it), which also asks the
    audience when a person signs themselves up; called inside a transaction, until that
    commits. On SQLite: the ORM in an IMMEDIATE transaction. The person is told after commit.
    """
    given = now
    now = _clock(now)
    # Unlocked checks first: they decide nothing about seats.
    error = _sign_up_error(meeting, now)
    if error is not None:
        raise error
    if not person.active:
        raise ValidationError(_("This person is no longer active."), code="inactive")
    postgresql = connection.vendor == "postgresql"
    # Signing oneself up, on PostgreSQL: the audience is asked by the sign-up's own statement.
    audience = (
        postgresql
        and by is not None
        and access.own_sign_up_audience_only(by, meeting=meeting, person=person)
    )
    if by is not None and not audience:
        if not access.may_register_person(by, meeting=meeting, person=person):
            own = person if person.user_id == by.pk else policy.person_of(by)
            if own is not None and own.pk == person.pk:
                raise _not_in_audience()
            _deny()
    # Lock late, lock once; re-check everything that another transaction may have changed.
    if postgresql:
        registration, created = _sign_up_postgresql(
            meeting, person=person, by=by, now=given, audience=audience
        )
    else:
        with transaction.atomic():
            registration, created = _sign_up_locked(
                meeting, person=person, by=by, now=_clock(given)
            )
            if created:
                # The row, the meeting and the user were just written or read: no validation.
                audit.log(
                    registration,
                    "lms.registration.create",
                    by=by,
                    data={
                        "meeting_id": meeting.pk,
                        "person_id": person.pk,
                        "status": registration.status,
                    },
                    validate=False,
                )
    if created:
        # After commit: at once when the statement above committed on its own.
        _on_commit(
            notifications.registration_confirmed
            if registration.status == R.CONFIRMED
            else notifications.registration_waitlisted,
            registration_id=registration.pk,
        )
    return registration


@transaction.atomic
def registration_cancel(*, registration: Registration, by: User | None) -> Registration:
    """Cancel a registration. Self-cancellation (and cancellation by whoever books seats for the
    person) only until the meeting's cut-off; a manager of the meeting may cancel at any time. A
    freed seat goes to the first on the waiting list. Cancelling a cancelled registration changes
    nothing."""
    meeting = registration.meeting
    if by is not None:
        if not (
            access.is_own_registration(by, registration)
            or access.can_manage_meeting(by, meeting)
            or access.is_booker_for(by, registration)
        ):
            _deny()
        if not access.may_cancel_registration(by, registration):
            raise ValidationError(_("The cancellation deadline has passed."), code="cutoff_passed")
    meeting = _lock(meeting)
    # Re-read under the lock: a promotion or another cancel may have changed it meanwhile.
    registration = Registration.objects.get(pk=registration.pk)
    if registration.status == R.CANCELLED:
        return registration
    if meeting.status in (S.HELD, S.CLOSED):
        raise _status_error(meeting)
    was_confirmed = registration.status == R.CONFIRMED
    registration.status = R.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    if was_confirmed:
        Meeting.objects.filter(pk=meeting.pk).update(confirmed_count=F("confirmed_count") - 1)
        meeting.confirmed_count -= 1
    audit.log(
        registration,
        "lms.registration.cancel",
        by=by,
        data={"meeting_id": meeting.pk, "was": "confirmed" if was_confirmed else "waiting"},
    )
    _on_commit(notifications.registration_cancelled, registration_id=registration.pk)
    if was_confirmed and meeting.status == S.PUBLISHED:
        _promote(meeting, by=by)
    return registration


def _promote(meeting: Meeting, *, by: User | None) -> list[Registration]:
    """Fill free seats from the waiting list, first come first served. The caller holds the
    meeting's lock, and `meeting` carries the values read under it."""
    if timezone.now() >= meeting.starts_at:
        return []
    free = meeting.capacity - meeting.confirmed_count
    if free <= 0:
        return []
    waiting = list(
        meeting.registrations.filter(status=R.WAITING).order_by("created_at", "pk")[:free]
    )
    if not waiting:
        return []
    now = timezone.now()
    Registration.objects.filter(pk__in=[r.pk for r in waiting]).update(
        status=R.CONFIRMED, promoted_at=now
    )
    Meeting.objects.filter(pk=meeting.pk).update(
        confirmed_count=F("confirmed_count") + len(waiting)
    )
    meeting.confirmed_count += len(waiting)
    for registration in waiting:
        registration.status = R.CONFIRMED
        registration.promoted_at = now
        audit.log(
            registration,
            "lms.registration.promote",
            by=by,
            data={"meeting_id": meeting.pk, "person_id": registration.person_id},
        )
        _on_commit(notifications.registration_promoted, registration_id=registration.pk)
    return waiting
