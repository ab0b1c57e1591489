"""Who a send reaches: the people of its audience, each with the reason they will be skipped.

One annotated queryset serves both the admin's preview (counts per reason, before sending) and
send_start, which inserts it into the ledger in one INSERT ... SELECT: the preview counts what the
send will freeze. `default_audience` is who an Infohus sends to when nobody chose.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Lower

from lms.people.models import JobCategory, OrgUnit, Person
from newsletters.models import AudienceDefault, BouncingAddress, Delivery, OptOut, Send

__all__ = [
    "LEDGER_COLUMNS",
    "Audience",
    "audience_people",
    "audience_preview",
    "audience_preview_of",
    "default_audience",
    "ledger_rows",
]

SKIP = Delivery.SkipReason


def _subtrees_q(paths: list[str], field: str) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def _external_paths(audience_paths: list[str]) -> list[str]:
    """External units (institutions, partners) in or above the audience: their subtrees are
    external staff."""
    above = {a for path in audience_paths for a in OrgUnit.ancestor_paths(path)}
    return list(
        OrgUnit.objects.filter(
            _subtrees_q(audience_paths, "path") | Q(path__in=sorted(above)),
            kind__in=OrgUnit.EXTERNAL_KINDS,
        ).values_list("path", flat=True)
    )


@dataclass(frozen=True)
class Audience:
    """Who a send is aimed at: units (each with its subtree), job categories (none: all) and
    whether staff of external institutions are included."""

    units: list[OrgUnit]
    job_categories: list[JobCategory]
    include_externals: bool


def default_audience(infohus_unit: OrgUnit) -> Audience:
    """The audience of a send from `infohus_unit` when none is chosen (send_create, and the
    admin's prefill): the Infohus's own setting (AudienceDefault), else everyone in the
    administrations it serves (its whole unit, externals left out). Three queries at most."""
    setting = AudienceDefault.objects.filter(org_unit=infohus_unit).first()
    if setting is None:
        return Audience(units=[infohus_unit], job_categories=[], include_externals=False)
    units = list(setting.units.order_by("path"))
    return Audience(
        units=units or [infohus_unit],
        job_categories=list(setting.job_categories.all()),
        include_externals=setting.include_externals,
    )


def audience_chosen_or_default(
    infohus_unit: OrgUnit,
    *,
    units: Iterable[OrgUnit] | None,
    job_categories: Iterable[JobCategory] | None,
    include_externals: bool | None,
) -> Audience:
    """The audience a send is created with (send_create, urgent_message_send): what was chosen,
    each part left out (None) taken from the Infohus's default audience when no units were
    chosen either; the units without repeats, in the order given."""
    if units is None:
        default = default_audience(infohus_unit)
        units = default.units
        if job_categories is None:
            job_categories = default.job_categories
        if include_externals is None:
            include_externals = default.include_externals
    return Audience(
        units=list({unit.pk: unit for unit in units}.values()),
        job_categories=list(job_categories or ()),
        include_externals=bool(include_externals),
    )


def audience_people(send: Send) -> QuerySet[Person]:
    """The people of the send's audience, leavers included (skipped with a reason), anonymised
    people never, annotated with `nl_external` (bool) and `nl_skip_reason` ("" when mailed)."""
    return _people(
        infohus_id=send.org_unit_id,
        paths=list(send.audience_units.values_list("path", flat=True)),
        categories=list(send.job_categories.values_list("pk", flat=True)),
        include_externals=send.include_externals,
    )


def _people(
    *, infohus_id: int, paths: list[str], categories: list[int], include_externals: bool
) -> QuerySet[Person]:
    people = Person.objects.filter(_subtrees_q(paths, "org_unit__path"), anonymised_at__isnull=True)
    if categories:
        people = people.filter(job_category_id__in=categories)
    external_paths = _external_paths(paths)
    if external_paths:
        external_q = _subtrees_q(external_paths, "org_unit__path")
        if not include_externals:
            people = people.exclude(external_q)
        external = ExpressionWrapper(external_q, output_field=BooleanField())
    else:
        external = Value(False, output_field=BooleanField())
    # An opt-out holds for the Infohus it was given to, or for every one (org_unit empty).
    opted_out = Exists(
        OptOut.objects.filter(email=Lower(OuterRef("email"))).filter(
            Q(org_unit__isnull=True) | Q(org_unit_id=infohus_id)
        )
    )
    bouncing = Exists(BouncingAddress.objects.filter(email=Lower(OuterRef("email"))))
    return people.annotate(
        nl_external=external,
        nl_skip_reason=Case(
            When(active=False, then=Value(SKIP.LEFT)),
            When(email="", then=Value(SKIP.NO_EMAIL)),
            When(Q(nl_external=True) & opted_out, then=Value(SKIP.OPTED_OUT)),
            When(bouncing, then=Value(SKIP.BOUNCING)),
            default=Value(""),
            output_field=CharField(),
        ),
    ).order_by("pk")


def _counts(people: QuerySet[Person]) -> dict[str, int]:
    rows = (
        people.order_by()
        .values("nl_skip_reason")
        .annotate(n=Count("pk"))
        .values_list("nl_skip_reason", "n")
    )
    return dict(rows)


def audience_preview(send: Send) -> dict[str, int]:
    """How many the send would mail ("" key) and skip, per skip reason. One query."""
    return _counts(audience_people(send))


def audience_preview_of(
    *,
    infohus_unit: OrgUnit,
    units: Iterable[OrgUnit],
    job_categories: Iterable[JobCategory] = (),
    include_externals: bool = False,
) -> dict[str, int]:
    """audience_preview for an audience not saved yet (a form before its send exists)."""
    return _counts(
        _people(
            infohus_id=infohus_unit.pk,
            paths=[u.path for u in units],
            categories=[c.pk for c in job_categories],
            include_externals=include_externals,
        )
    )


def ledger_rows(send: Send) -> QuerySet:
    """audience_people as the ledger's columns, in the order of `LEDGER_COLUMNS`: what send_start
    inserts in one INSERT ... SELECT."""
    return (
        audience_people(send)
        .annotate(
            nl_send=Value(send.pk),
            nl_person=F("pk"),
            nl_email=F("email"),
            nl_status=Case(
                When(~Q(nl_skip_reason=""), then=Value(Delivery.Status.SKIPPED)),
                default=Value(Delivery.Status.PENDING),
                output_field=CharField(),
            ),
            nl_zero=Value(0),
            nl_token=Value(""),
            nl_answer=Value(""),
            nl_false=Value(False),
        )
        .values(*(alias for _column, alias in LEDGER_COLUMNS))
    )


# (column of newsletters_delivery, alias in ledger_rows)
LEDGER_COLUMNS = (
    ("send_id", "nl_send"),
    ("person_id", "nl_person"),
    ("email", "nl_email"),
    ("external", "nl_external"),
    ("status", "nl_status"),
    ("skip_reason", "nl_skip_reason"),
    ("attempts", "nl_zero"),
    ("claim_token", "nl_token"),
    ("smtp_answer", "nl_answer"),
    ("possibly_duplicated", "nl_false"),
)
