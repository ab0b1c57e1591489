"""Outreach for the Overblik page: information and dialogue meetings held, their participants and
attendance, meeting requests and how fast they were answered, Action Cards handed out per version
and the places still holding a superseded one, and the institutions and administrations no
meeting reached in the last twelve months.

A scope is an org unit's subtree. A meeting belongs to it when it was organised there, was for an
institution there, or had an audience unit there; its participants are counted only when they
work in the scope (a meeting for several municipalities gives none of them the others' figures).
Every read is a GROUP BY or a distinct list of unit paths: a fixed number of queries however many
meetings, people and units there are. pandas bins the monthly sums into half-years.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import BooleanField, Case, Count, Exists, Max, OuterRef, Q, Sum, When
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.models import Attendance, CardDistribution, Meeting, MeetingRequest
from lms.people.models import OrgUnit
from reports.lib import charts, periods, tables
from reports.lib.periods import HalfYear, Period
from reports.lib.tables import DATE, DAYS, Cell, Section, Table, text

HELD = (Meeting.Status.HELD, Meeting.Status.CLOSED)
# "No meeting in the last twelve months".
REACH_DAYS = 365
REACHED_KINDS = (OrgUnit.Kind.INSTITUTION, OrgUnit.Kind.ADMINISTRATION)


def _meetings_in(unit: OrgUnit):
    audience = Meeting.audience_units.through.objects.filter(
        meeting_id=OuterRef("pk"), orgunit__path__startswith=unit.path
    )
    return Meeting.objects.filter(
        Q(org_unit__path__startswith=unit.path)
        | Q(institution__path__startswith=unit.path)
        | Exists(audience)
    )


_EXTERNAL = Case(
    When(Q(institution__isnull=False) | Q(org_unit__kind__in=OrgUnit.EXTERNAL_KINDS), then=True),
    default=False,
    output_field=BooleanField(),
)


def meetings_by_month(*, unit: OrgUnit, period: Period) -> list[dict]:
    """[{"month", "external", "meetings"}]: meetings held. One query."""
    return list(
        _meetings_in(unit)
        .filter(status__in=HELD, starts_at__gte=period.start_at, starts_at__lt=period.end_at)
        .annotate(month=TruncMonth("starts_at"), external=_EXTERNAL)
        .values("month", "external")
        .annotate(meetings=Count("pk"))
        .order_by()
    )


def participants_by_month(*, unit: OrgUnit, period: Period) -> list[dict]:
    """[{"month", "external", "attended", "marked"}]: the scope's people marked at meetings held,
    those present or late (attended) and all marked. One query."""
    meetings = _meetings_in(unit).filter(
        status__in=HELD, starts_at__gte=period.start_at, starts_at__lt=period.end_at
    )
    return list(
        Attendance.objects.filter(
            meeting__in=meetings.values("pk"), person__org_unit__path__startswith=unit.path
        )
        .annotate(
            month=TruncMonth("meeting__starts_at"),
            external=Case(
                When(
                    Q(meeting__institution__isnull=False)
                    | Q(meeting__org_unit__kind__in=OrgUnit.EXTERNAL_KINDS),
                    then=True,
                ),
                default=False,
                output_field=BooleanField(),
            ),
        )
        .values("month", "external")
        .annotate(
            attended=Count("pk", filter=Q(mark__in=Attendance.ATTENDED)),
            marked=Count("pk"),
        )
        .order_by()
    )


def _requests(unit: OrgUnit, period: Period):
    return MeetingRequest.objects.filter(
        org_unit__path__startswith=unit.path,
        created_at__gte=period.start_at,
        created_at__lt=period.end_at,
    )


def requests_by_month(*, unit: OrgUnit, period: Period) -> list[dict]:
    """[{"month", "received", "answered"}]. One query."""
    return list(
        _requests(unit, period)
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(received=Count("pk"), answered=Count("pk", filter=Q(handled_at__isnull=False)))
        .order_by()
    )


def answer_days(*, unit: OrgUnit, period: Period) -> list[dict]:
    """[{"received_on", "answered_on", "count"}]: answered requests per day received and day
    answered (the time to answer as a histogram). One query."""
    return list(
        _requests(unit, period)
        .filter(handled_at__isnull=False)
        .annotate(received_on=TruncDate("created_at"), answered_on=TruncDate("handled_at"))
        .values("received_on", "answered_on")
        .annotate(count=Count("pk"))
        .order_by()
    )


def cards_by_version(*, unit: OrgUnit, period: Period) -> list[dict]:
    """Copies handed out in the scope in the period per card version, and to how many places.
    One query."""
    return list(
        CardDistribution.objects.filter(
            org_unit__path__startswith=unit.path,
            handed_out_on__gte=period.start,
            handed_out_on__lt=period.end_exclusive,
        )
        .values(
            "version_id",
            "version__number",
            "version__title",
            "version__card_id",
            "version__card__current_version_id",
        )
        .annotate(copies=Sum("quantity"), places=Count("org_unit", distinct=True))
        .order_by("version__title", "version__card_id", "-version__number")
    )


def superseded_places(*, unit: OrgUnit) -> list[dict]:
    """The places in the scope whose newest copies of a card (handed out last; the higher number
    on the same day) are not the card's current version, by place name. One query: the copies
    per place and version, grouped in the database."""
    rows = (
        CardDistribution.objects.filter(org_unit__path__startswith=unit.path)
        .values(
            "org_unit_id",
            "org_unit__name",
            "version__card_id",
            "version_id",
            "version__number",
            "version__card__current_version_id",
            "version__card__current_version__number",
            "version__card__current_version__title",
        )
        .annotate(last=Max("handed_out_on"))
        .order_by()
    )
    newest: dict[tuple[int, int], dict] = {}
    for row in rows:
        key = (row["org_unit_id"], row["version__card_id"])
        best = newest.get(key)
        if best is None or (row["last"], row["version__number"]) > (
            best["last"],
            best["version__number"],
        ):
            newest[key] = row
    places = [
        row
        for row in newest.values()
        if row["version__card__current_version_id"] is not None
        and row["version_id"] != row["version__card__current_version_id"]
    ]
    places.sort(key=lambda r: (r["org_unit__name"].casefold(), r["version__card_id"]))
    return places


def unreached(*, unit: OrgUnit, today: dt.date | None = None) -> list[OrgUnit]:
    """The youth and vocational institutions and the administrations in the scope that no meeting
    held in the last twelve months reached: none was organised by, for or with an audience unit
    in their subtree, and nobody of their subtree attended one. Four queries: the units, and the
    distinct paths that meetings reached (targets, audience units, attendees' units)."""
    today = today or timezone.localdate()
    since = periods._aware(today - dt.timedelta(days=REACH_DAYS))
    until = periods._aware(today + dt.timedelta(days=1))
    candidates = list(
        OrgUnit.objects.filter(path__startswith=unit.path, kind__in=REACHED_KINDS).order_by(
            "kind", "name"
        )
    )
    # Every held meeting of the year, wherever organised: one for a whole region reaches this
    # scope's units through its audience and attendees.
    meetings = Meeting.objects.filter(
        status__in=HELD, starts_at__gte=since, starts_at__lt=until
    ).values("pk")
    reached: set[str] = set()
    for org_path, institution_path in (
        Meeting.objects.filter(pk__in=meetings)
        .values_list("org_unit__path", "institution__path")
        .distinct()
    ):
        reached.update(p for p in (org_path, institution_path) if p)
    reached.update(
        Meeting.audience_units.through.objects.filter(meeting_id__in=meetings)
        .values_list("orgunit__path", flat=True)
        .distinct()
    )
    reached.update(
        Attendance.objects.filter(
            meeting_id__in=meetings,
            mark__in=Attendance.ATTENDED,
            person__org_unit__path__startswith=unit.path,
        )
        .values_list("person__org_unit__path", flat=True)
        .distinct()
    )
    return [u for u in candidates if not any(path.startswith(u.path) for path in reached)]


def section(
    *, unit: OrgUnit, period: Period, suppressed: bool, today: dt.date | None = None
) -> Section:
    halves = period.halves
    meetings = periods.by_half(
        (
            {
                "month": r["month"],
                "internal": 0 if r["external"] else r["meetings"],
                "external": r["meetings"] if r["external"] else 0,
            }
            for r in meetings_by_month(unit=unit, period=period)
        ),
        period,
        ["internal", "external"],
    )
    people = periods.by_half(
        (
            {
                "month": r["month"],
                "internal": 0 if r["external"] else r["attended"],
                "external": r["attended"] if r["external"] else 0,
                "marked": r["marked"],
            }
            for r in participants_by_month(unit=unit, period=period)
        ),
        period,
        ["internal", "external", "marked"],
    )
    cells = [[int(people.at[h.key, "internal"]), int(people.at[h.key, "external"])] for h in halves]
    hidden = tables.hide(cells, 2, suppressed)
    marked = [int(people.at[h.key, "marked"]) for h in halves]

    held = Table(
        key="meetings",
        caption=_("Information and dialogue meetings held"),
        columns=[
            _("Half-year"),
            _("Meetings, internal"),
            _("Meetings, external institutions"),
            _("Participants, internal"),
            _("Participants, external institutions"),
            _("Participants"),
            _("Attendance rate"),
        ],
    )
    for i, half in enumerate(halves):
        attended = sum(cells[i])
        held.rows.append(
            [
                text(half.label),
                Cell(int(meetings.at[half.key, "internal"])),
                Cell(int(meetings.at[half.key, "external"])),
                Cell(cells[i][0], hidden=hidden.cells[i][0]),
                Cell(cells[i][1], hidden=hidden.cells[i][1]),
                Cell(attended, hidden=hidden.row_totals[i]),
                tables.share(attended, marked[i], shown=not hidden.row_totals[i]),
            ]
        )
    held.total = [
        text(_("Total")),
        Cell(int(meetings["internal"].sum())),
        Cell(int(meetings["external"].sum())),
        Cell(sum(r[0] for r in cells), hidden=hidden.totals[0]),
        Cell(sum(r[1] for r in cells), hidden=hidden.totals[1]),
        Cell(sum(map(sum, cells)), hidden=hidden.grand),
        tables.share(sum(map(sum, cells)), sum(marked), shown=not hidden.grand),
    ]

    requests = periods.by_half(
        requests_by_month(unit=unit, period=period), period, ["received", "answered"]
    )
    waits: dict[str, list[tuple[int, int]]] = {h.key: [] for h in halves}
    for row in answer_days(unit=unit, period=period):
        days = (row["answered_on"] - row["received_on"]).days
        key = HalfYear.of(row["received_on"]).key
        if key in waits:
            waits[key].append((days, row["count"]))
    asked = Table(
        key="requests",
        caption=_("Meeting requests"),
        columns=[_("Half-year"), _("Received"), _("Answered"), _("Median time to answer")],
    )
    for half in halves:
        asked.rows.append(
            [
                text(half.label),
                Cell(int(requests.at[half.key, "received"])),
                Cell(int(requests.at[half.key, "answered"])),
                Cell(periods.median_days(waits[half.key]), DAYS),
            ]
        )
    asked.total = [
        text(_("Total")),
        Cell(int(requests["received"].sum())),
        Cell(int(requests["answered"].sum())),
        Cell(periods.median_days(p for pairs in waits.values() for p in pairs), DAYS),
    ]

    cards = Table(
        key="cards",
        caption=_("Action Cards handed out per version"),
        columns=[_("Action Card"), _("Version"), _("Current version"), _("Copies"), _("Places")],
    )
    for row in cards_by_version(unit=unit, period=period):
        current = row["version_id"] == row["version__card__current_version_id"]
        cards.rows.append(
            [
                text(row["version__title"]),
                Cell(row["version__number"]),
                text(_("Yes") if current else _("No, superseded")),
                Cell(row["copies"] or 0),
                Cell(row["places"]),
            ]
        )

    stale = Table(
        key="superseded",
        caption=_("Places still holding a superseded Action Card"),
        columns=[
            _("Place"),
            _("Action Card"),
            _("Version held"),
            _("Current version"),
            _("Last handed out"),
        ],
    )
    for row in superseded_places(unit=unit):
        stale.rows.append(
            [
                text(row["org_unit__name"]),
                text(row["version__card__current_version__title"]),
                Cell(row["version__number"]),
                Cell(row["version__card__current_version__number"]),
                Cell(row["last"], DATE),
            ]
        )

    missing = Table(
        key="unreached",
        caption=_("No meeting in the last twelve months"),
        columns=[_("Institution or administration"), _("Kind")],
    )
    for place in unreached(unit=unit, today=today):
        missing.rows.append([text(place.name), text(place.get_kind_display())])

    figure = charts.bars(
        categories=[h.label for h in halves],
        series=[
            (_("Internal"), [int(meetings.at[h.key, "internal"]) for h in halves]),
            (_("External institutions"), [int(meetings.at[h.key, "external"]) for h in halves]),
        ],
        title=_("Meetings held per half-year"),
        axis=_("Meetings"),
        stacked=True,
    )
    return Section(
        key="outreach",
        title=_("Outreach"),
        period_label=period.label,
        computed_at=timezone.now(),
        tables=[held, asked, cards, stale, missing],
        figure=figure,
        notes=[
            _(
                "Attendance rate: the share of the people marked at the meetings who were present "
                "or late. Participants are counted where they work."
            ),
            _(
                "A place holds a superseded Action Card when the newest copies it was given are "
                "not the card's current version. Not reached: no meeting held in the last twelve "
                "months was organised by or for it, and nobody from it attended one."
            ),
        ],
    )
