"""Demo Action Cards: the demo municipality's staff card (version 1, superseded by version 2) and
its acute card, the copies handed out at the season's past meetings and to a few workplaces, and
the staff card set on the upcoming meetings.

The text is written for the demo from public guidance on signs of radicalisation (several signs
together and change over time matter, not a checklist) and the public numbers (112, 114, the
national hotline). Everything goes through the services: the coordinator writes, the demo
administrator approves (four eyes), and nothing sends email (no calendar field changes).
Idempotent: a second run creates nothing and returns 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from attendance import services
from attendance.models import ActionCard, ActionCardVersion, CardDistribution, Meeting
from attendance.selectors import distributions as distribution_selectors
from lms.people.demo.people import DEMO_LOGINS, MUNICIPALITY
from lms.people.models import OrgUnit, User

STAFF_SLUG = "medarbejdere"
ACUTE_SLUG = "akut"
AUTHOR_EMAIL = DEMO_LOGINS[0].email  # the Infohus coordinator
APPROVER_EMAIL = next(login.email for login in DEMO_LOGINS if login.superuser)


def _sign(sign: str, detail: str = "") -> tuple[str, dict]:
    return ("sign", {"sign": sign, "detail": detail})


def _step(kind: str, title: str, text: str = "") -> tuple[str, dict]:
    return ("step", {"kind": kind, "title": title, "text": text})


STAFF_TITLE = "Handlekort for medarbejdere: bekymring for radikalisering"
STAFF_SUMMARY = (
    "Til dig, der i dit arbejde møder børn, unge eller voksne og bliver bekymret for, om en person "
    "er på vej ind i et ekstremistisk miljø. Tegnene er ikke en tjekliste: det er flere tegn "
    "sammen og forandring over tid, der giver grund til at handle."
)
STAFF_SIGNS_V1 = [
    _sign(
        "Ændret adfærd",
        "Trækker sig fra skole, arbejde eller fritid, skifter påklædning eller symboler, bruger "
        "meget tid i lukkede fora på nettet.",
    ),
    _sign(
        "Nye relationer",
        "Bryder med venner og familie og søger mod en ny, lukket gruppe, der kræver loyalitet.",
    ),
    _sign(
        "Holdninger",
        "Ser verden som »os og dem«, taler nedsættende om andre grupper eller afviser demokratiet.",
    ),
]
STAFF_SIGNS_V2 = [
    *STAFF_SIGNS_V1,
    _sign(
        "Accept af vold",
        "Forsvarer vold som middel eller deler materiale, der hylder voldelige handlinger.",
    ),
]
STAFF_STEPS_V1 = [
    _step(
        "leader",
        "Tal med din leder",
        "Del din bekymring med din nærmeste leder. Vurdér sammen, hvad I har set, og hvad næste "
        "skridt er.",
    ),
    _step(
        "infohus",
        "Kontakt Infohuset",
        "Infohuset rådgiver dig og hjælper med at vurdere bekymringen. Du behøver ikke være "
        "sikker for at ringe.",
    ),
    _step(
        "acute",
        "Ved akut fare: ring 112",
        "Er der fare for liv, eller er noget alvorligt ved at ske, så ring 112. Vil du tale med "
        "politiet om en bekymring, så ring 114.",
    ),
]
STAFF_STEPS_V2 = [
    *STAFF_STEPS_V1,
    _step(
        "hotline",
        "Den nationale hotline",
        "Du kan også ringe til den nationale hotline mod radikalisering og ekstremisme, alle "
        "dage kl. 8-22.",
    ),
]

ACUTE_TITLE = "Akut: når der er fare"
ACUTE_SUMMARY = "Når nogen truer med vold, eller når du oplever, at noget alvorligt er ved at ske."
ACUTE_SIGNS = [
    _sign(
        "Konkrete trusler", "Nogen truer med at skade andre eller sig selv eller beskriver en plan."
    ),
    _sign("Våben eller forberedelser", "Taler om, viser eller skaffer våben eller materialer."),
    _sign("Tidspunkt eller mål", "Nævner et bestemt sted, en bestemt person eller et tidspunkt."),
]
ACUTE_STEPS = [
    _step(
        "acute",
        "Ring 112 med det samme",
        "Bring dig selv og andre i sikkerhed. Sig, hvor du er, og hvad der sker.",
    ),
    _step("other", "Hold afstand", "Konfrontér ikke personen. Følg politiets anvisninger."),
    _step("leader", "Orientér din leder", "Når faren er drevet over."),
    _step("infohus", "Kontakt Infohuset bagefter", "Infohuset hjælper med opfølgningen."),
]

# Workplace hand-outs: (workplace code, card, version, copies, days ago). By code, not "the first
# workplaces": a unit a user adds must not change where the demo's copies went.
WORKPLACE_HANDOUTS = [
    ("HJK-BFU-LUN", STAFF_SLUG, 1, 25, 240),  # still holds the superseded version 1
    ("HJK-BFU-BAG", STAFF_SLUG, 2, 30, 20),
    ("HJK-SAEH-HJEM", STAFF_SLUG, 1, 15, 200),
    ("HJK-SAEH-HJEM", STAFF_SLUG, 2, 15, 10),  # got the new version since
    ("HJK-AU-JOB", ACUTE_SLUG, 1, 10, 30),
]
# When the versions were written and approved (days before the load): each before it was first
# handed out, at a meeting (the season's oldest is about 146 days back) or to a workplace.
STAFF_V1_DAYS = (262, 255)
STAFF_V2_DAYS = (80, 72)  # between the season's fourth meeting (v1) and its fifth (v2)
ACUTE_V1_DAYS = (190, 185)
WORKPLACE_NOTE = "Til personalerummet (demo)"


def _card_ensure(
    *,
    slug,
    audience,
    org_unit,
    owner,
    title,
    summary,
    signs,
    steps,
    review_days,
    approver,
    days,
    now,
) -> tuple[ActionCard, int]:
    card = ActionCard.objects.filter(slug=slug).first()
    if card is not None:
        return card, 0
    written, approved = (now - dt.timedelta(days=d) for d in days)
    card = services.card_create(
        slug=slug,
        audience=audience,
        org_unit=org_unit,
        owner=owner,
        title=title,
        summary=summary,
        signs=signs,
        steps=steps,
        review_date=timezone.localdate() + dt.timedelta(days=review_days),
        by=owner,
        now=written,
    )
    services.version_approve(version=card.versions.get(), by=approver, now=approved)
    card.refresh_from_db()
    return card, 2


def cards_demo_load(
    *,
    past_meetings: Sequence[Meeting],
    upcoming_meetings: Sequence[Meeting],
    now: dt.datetime | None = None,
) -> int:
    """Create the demo municipality's two Action Cards and their distributions; return how many
    rows were created (0 on a second run). `now` (default: the current time) is the moment the
    history is dated back from: each version is approved before its copies were handed out."""
    now = now or timezone.now()
    created = 0
    with transaction.atomic():
        municipality = OrgUnit.objects.get(code=MUNICIPALITY)
        author = User.objects.get(email=AUTHOR_EMAIL)
        approver = User.objects.get(email=APPROVER_EMAIL)

        staff, count = _card_ensure(
            slug=STAFF_SLUG,
            audience=ActionCard.Audience.STAFF,
            org_unit=municipality,
            owner=author,
            title=STAFF_TITLE,
            summary=STAFF_SUMMARY,
            signs=STAFF_SIGNS_V1,
            steps=STAFF_STEPS_V1,
            review_days=300,
            approver=approver,
            days=STAFF_V1_DAYS,
            now=now,
        )
        created += count
        if not staff.versions.filter(number=2).exists():
            written, approved = (now - dt.timedelta(days=d) for d in STAFF_V2_DAYS)
            draft = services.version_draft_create(card=staff, by=author, now=written)
            services.version_update(
                version=draft,
                signs=STAFF_SIGNS_V2,
                steps=STAFF_STEPS_V2,
                review_date=timezone.localdate() + dt.timedelta(days=365),
                change_note="Den nationale hotline og tegnet »accept af vold« er tilføjet.",
                by=author,
            )
            services.version_approve(version=draft, by=approver, now=approved)
            staff.refresh_from_db()
            created += 1
        acute, count = _card_ensure(
            slug=ACUTE_SLUG,
            audience=ActionCard.Audience.ACUTE,
            org_unit=municipality,
            owner=author,
            title=ACUTE_TITLE,
            summary=ACUTE_SUMMARY,
            signs=ACUTE_SIGNS,
            steps=ACUTE_STEPS,
            review_days=365,
            approver=approver,
            days=ACUTE_V1_DAYS,
            now=now,
        )
        created += count

        versions = {
            (v.card.slug, v.number): v
            for v in ActionCardVersion.objects.filter(
                card__in=[staff, acute], status=ActionCardVersion.Status.APPROVED
            ).select_related("card")
        }
        created += _meeting_distributions(past_meetings, versions)
        created += _workplace_distributions(municipality, versions, today=timezone.localdate(now))

        current = staff.current_version
        for meeting in upcoming_meetings:
            meeting.refresh_from_db()
            if meeting.action_card_version_id is None and meeting.status in (
                services.EDITABLE_STATUSES
            ):
                services.meeting_update(meeting=meeting, action_card_version=current, by=None)
    return created


def _meeting_distributions(past_meetings, versions) -> int:
    """Each held or closed meeting handed out the staff card current then (version 2 from the
    day it was approved, version 1 before); as many copies as people attended."""
    done = [m for m in past_meetings if m.status in (Meeting.Status.HELD, Meeting.Status.CLOSED)]
    recorded = set(
        CardDistribution.objects.filter(meeting__in=done).values_list("meeting_id", flat=True)
    )
    second = versions[(STAFF_SLUG, 2)]
    created = 0
    for meeting in sorted(done, key=lambda m: m.starts_at):
        if meeting.pk in recorded:
            continue
        quantity = distribution_selectors.suggested_quantity(meeting)
        if quantity < 1:
            continue
        number = 2 if second.approved_at <= meeting.starts_at else 1
        services.distribution_record(
            version=versions[(STAFF_SLUG, number)], quantity=quantity, meeting=meeting, by=None
        )
        created += 1
    return created


def _workplace_distributions(municipality: OrgUnit, versions, *, today: dt.date) -> int:
    workplaces = {
        u.code: u
        for u in OrgUnit.objects.filter(
            path__startswith=municipality.path,
            code__in={code for code, *_rest in WORKPLACE_HANDOUTS},
        )
    }
    created = 0
    for code, slug, number, copies, days_ago in WORKPLACE_HANDOUTS:
        workplace = workplaces.get(code)
        if workplace is None:
            continue
        version = versions[(slug, number)]
        exists = CardDistribution.objects.filter(
            meeting=None, org_unit=workplace, version=version, note=WORKPLACE_NOTE
        ).exists()
        if exists:
            continue
        services.distribution_record(
            version=version,
            quantity=copies,
            org_unit=workplace,
            handed_out_on=today - dt.timedelta(days=days_ago),
            note=WORKPLACE_NOTE,
            by=None,
        )
        created += 1
    return created
