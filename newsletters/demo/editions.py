"""Demo data for the newsletter: the archive "Nyhedsbrev" under the demo home page, the year's two
editions (spring and autumn), each sent to the municipality's own staff, and a draft of next
spring's edition.

The year is the last one whose autumn edition has gone out (at a load in November 2026: "Forår
2026" sent in April, "Efterår 2026" in October, the draft "Forår 2027"), so the sent editions
always lie in the past. Both are sent through the real engine, acting as of their day (the
services' `now`, lms.clock): the send is created and started by the demo coordinator (the
recipients frozen in the ledger), then the demo works through its batches as a worker would
(newsletters.services.deliveries), over Django's mail connection: to files under var/mail in
the demo run (lms.settings.dev), one file per batch of NEWSLETTER_BATCH_SIZE messages. The batch
tasks the start enqueues after commit find nothing left to send.

The audience is the Infohus's default, everyone in the administrations it serves (the whole
municipality, staff of external institutions left out): about 1,250 mails per edition, the
employee login among them. Measured against one administration (Børn, Fritid og Uddannelse,
about 680 mails per edition): some 0.8 s more of the load, about 26 mail files (one per batch)
instead of 14, 17 MB instead of 9. So the demo shows the plan's real audience and the reach
across every administration.

Idempotent: the archive is found below the home page and an edition by its label in the archive;
both are only ever created, never updated, so an editor's changes are kept, and an edition that
exists is never sent again. So a second load adds no page, no send and no mail.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from wagtail.models import Site

from lms.mail import absolute_url
from lms.people.demo.people import MUNICIPALITY, DemoDataError
from lms.people.models import OrgUnit, User
from lms.site import teasers
from lms.site.models import HomePage, InformationPage
from lms.site.selectors.site import CONCERN_SLUG
from newsletters.models import NewsletterIndexPage, NewsletterPage, Send
from newsletters.services import deliveries as delivery_services
from newsletters.services import sends as send_services

INDEX_SLUG = "nyhedsbrev"
INDEX_INTRO = (
    "Infohus Hjørrings nyhedsbrev udkommer to gange om året til medarbejderne i de forvaltninger, "
    "Infohuset arbejder sammen med: om bekymringstegn, om hvad du gør, når du er bekymret, og om "
    "møder og materialer. Her finder du alle udgaver."
)
COORDINATOR_EMAIL = "koordinator@demo.infohus.dk"
# The whole municipality: see the module's docstring.
AUDIENCE = MUNICIPALITY
# Sent on these days (moved to the next weekday) at nine, published the working day before.
SPRING = (4, 14)
AUTUMN = (10, 6)
SEND_TIME = dt.time(9, 0)
PUBLISHED_BEFORE = dt.timedelta(days=1)
# The archive went online a few weeks before its first edition.
INDEX_PUBLISHED_BEFORE = dt.timedelta(days=21)


@dataclass(frozen=True)
class PlannedEdition:
    season: str
    # The year relative to the year of the sent editions (0: that year; 1: the next).
    year: int
    title: str
    teaser: str
    sent: bool

    def label(self, year: int) -> str:
        return f"{self.season} {year + self.year}"

    def slug(self, year: int) -> str:
        season = self.season.lower().replace("å", "aa")
        return f"{season}-{year + self.year}"


SPRING_EDITION = PlannedEdition(
    "Forår",
    0,
    "Bekymringstegn – og sådan giver du en bekymring videre",
    "Hvad kan være tegn på, at et barn, en ung eller en voksen er på vej ind i et ekstremistisk "
    "miljø? Og hvad gør du, når du er bekymret? Infohus Hjørring giver et overblik og fortæller, "
    "hvem du kan kontakte.",
    sent=True,
)
AUTUMN_EDITION = PlannedEdition(
    "Efterår",
    0,
    "Et nyt handlekort og efterårets dialogmøder",
    "Infohus Hjørring har udgivet et nyt handlekort, der på én side viser, hvad du gør ved en "
    "bekymring. Læs, hvad der er nyt, og find efterårets dialogmøder om jeres egne erfaringer.",
    sent=True,
)
DRAFT_EDITION = PlannedEdition(
    "Forår",
    1,
    "Når bekymringen opstår online",
    "Mange af de bekymringer, Infohuset får, begynder på nettet: i et spil, en chat eller et "
    "opslag. Hvordan taler du med unge om det, de møder online?",
    sent=False,
)
EDITIONS = [SPRING_EDITION, AUTUMN_EDITION, DRAFT_EDITION]


@dataclass
class NewslettersDemoResult:
    pages_created: int = 0
    sends_created: int = 0
    mails_sent: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.pages_created or self.sends_created)

    def summary(self) -> str:
        return (
            f"{self.pages_created} pages, {self.sends_created} sends created, "
            f"{self.mails_sent} mails sent"
        )


def _weekday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _sent_at(year: int, month_day: tuple[int, int]) -> dt.datetime:
    day = _weekday(dt.date(year, *month_day))
    return timezone.make_aware(dt.datetime.combine(day, SEND_TIME))


def sent_year(now: dt.datetime) -> int:
    """The year of the sent editions: the last one whose autumn edition went out before `now`."""
    year = timezone.localdate(now).year
    return year if _sent_at(year, AUTUMN) < now else year - 1


def _home() -> HomePage:
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    home = site.root_page.specific if site is not None else None
    if not isinstance(home, HomePage):
        raise DemoDataError(
            "The demo newsletter needs the demo home page (lms.people.demo.people) first."
        )
    return home


def _url(path: str) -> str:
    """A full address on the platform for a call to action, on LMS_BASE_URL as the mail's
    relative links are (newsletters.emails.editions)."""
    return absolute_url(path)


def _named_url(name: str) -> str:
    try:
        return _url(reverse(name))
    except NoReverseMatch:
        return _url("/")


def _concern(home: HomePage) -> tuple[str, str]:
    """The "Er du bekymret?" page as a rich-text link and as a full address."""
    page = InformationPage.objects.child_of(home).filter(slug=CONCERN_SLUG).first()
    path = page.get_url() if page is not None else None
    url = path if path and not path.startswith("/") else _url(path or f"/{CONCERN_SLUG}/")
    if page is None:
        return f'<a href="{url}">Er du bekymret?</a>', url
    return f'<a linktype="page" id="{page.pk}">Er du bekymret?</a>', url


def _body(plan: PlannedEdition, home: HomePage) -> list[dict]:
    concern_link, concern_url = _concern(home)
    if plan is SPRING_EDITION:
        return [
            {"type": "heading", "value": "Tegn, du kan lægge mærke til"},
            {
                "type": "rich_text",
                "value": (
                    "<p>Der findes ingen tjekliste for radikalisering, men der er tegn, som "
                    "giver anledning til at stoppe op – især når de viser sig sammen og ændrer "
                    "sig over tid:</p><ul>"
                    "<li>trækker sig fra venner, familie eller fællesskaber og får nye kontakter, "
                    "der tager afstand fra resten af samfundet</li>"
                    "<li>taler om verden som »os og dem« og nedsættende om bestemte grupper</li>"
                    "<li>ser eller deler voldsforherligende materiale, fx online</li>"
                    "<li>udtrykker forståelse for eller støtte til vold som middel</li></ul>"
                    "<p>Tro, etnicitet, udseende eller politiske holdninger er i sig selv aldrig "
                    "et tegn. Og du behøver ikke være sikker for at sige noget.</p>"
                ),
            },
            {"type": "heading", "value": "Sådan giver du en bekymring videre"},
            {
                "type": "rich_text",
                "value": (
                    "<ol><li>Tal med din nærmeste leder om det, du har set eller hørt.</li>"
                    "<li>Skriv ned, hvad du har observeret, hvornår og i hvilken sammenhæng – "
                    "ikke dine fortolkninger.</li>"
                    f"<li>Kontakt Infohus Hjørring: se {concern_link}. Vi vurderer bekymringen "
                    "sammen med dig og fortæller dig, hvad der sker.</li></ol>"
                    "<p>Er der akut fare, så ring 112. Vil du tale med politiet, og haster det "
                    "ikke, så ring 114.</p>"
                ),
            },
            {
                "type": "quote",
                "value": {
                    "quote": (
                        "Du skal ikke stå alene med en bekymring. Hellere en henvendelse for "
                        "meget end én for lidt – vi tager den derfra sammen med dig."
                    ),
                    "attribution": "Line Kjær Sørensen, SSP Hjørring og tovholder i Infohuset",
                },
            },
            {
                "type": "call_to_action",
                "value": {"text": "Er du bekymret? Sådan gør du", "url": concern_url},
            },
            {"type": "heading", "value": "Kom til et informationsmøde"},
            {
                "type": "rich_text",
                "value": (
                    "<p>I foråret holder Infohuset informationsmøder på skolerne, i Jobcenter "
                    "Hjørring og i socialpsykiatrien. Alle deltagere får Infohusets handlekort. "
                    "Find møderne og tilmeld dig på platformen.</p>"
                ),
            },
        ]
    if plan is AUTUMN_EDITION:
        return [
            {"type": "heading", "value": "Et nyt handlekort"},
            {
                "type": "rich_text",
                "value": (
                    "<p>Handlekortet samler på én side, hvad du gør, når du er bekymret. Den nye "
                    "udgave er skrevet sammen med medarbejdere fra skoler, klubber og "
                    "socialpsykiatrien, og den har fået:</p><ul>"
                    "<li>de tre trin: læg mærke til det, tal med din leder, kontakt Infohuset</li>"
                    "<li>et afsnit om bekymringer, der opstår online</li>"
                    "<li>en tydelig forskel på akut fare (112) og en bekymring (Infohuset)</li>"
                    "<li>direkte numre til Infohusets tovholdere i SSP og Lokalpolitiet</li></ul>"
                    "<p>Kortet deles ud på alle Infohusets møder og kan hentes som PDF.</p>"
                ),
            },
            {
                "type": "call_to_action",
                "value": {"text": "Se handlekortet", "url": _named_url("cards:list")},
            },
            {"type": "heading", "value": "Efterårets dialogmøder"},
            {
                "type": "rich_text",
                "value": (
                    "<p>Dialogmøderne tager udgangspunkt i jeres egne erfaringer: Hvilke "
                    "situationer møder I, hvad gjorde I, og hvad havde I brug for? Infohusets "
                    "tovholdere fra SSP og Lokalpolitiet deltager. Vi kommer også gerne ud på "
                    "jeres arbejdsplads: jeres leder kan bestille et møde på platformen.</p>"
                ),
            },
            {
                "type": "call_to_action",
                "value": {
                    "text": "Se møderne og tilmeld dig",
                    "url": _named_url("attendance:meeting_list"),
                },
            },
            {
                "type": "quote",
                "value": {
                    "quote": (
                        "Handlekortet hænger på personalestuen. Det er blevet lettere at tage "
                        "snakken, når en kollega er i tvivl."
                    ),
                    "attribution": "Lærer, Bagterpskolen",
                },
            },
            {
                "type": "rich_text",
                "value": (
                    f"<p>Er du bekymret for en person, så se {concern_link} eller kontakt "
                    "Infohuset. Ved akut fare: ring 112.</p>"
                ),
            },
        ]
    return [
        {"type": "heading", "value": "Når bekymringen opstår online"},
        {
            "type": "rich_text",
            "value": (
                "<p>Udkast: artikel om fællesskaber i spil og chatgrupper, og om hvordan du "
                "spørger nysgerrigt ind uden at fordømme. Interview med SSP Hjørring følger.</p>"
            ),
        },
        {"type": "heading", "value": "Forårets møder"},
        {
            "type": "rich_text",
            "value": "<p>Udkast: listen over forårets informations- og dialogmøder.</p>",
        },
        *_linked_items(),
        {
            "type": "call_to_action",
            "value": {"text": "Er du bekymret? Sådan gør du", "url": concern_url},
        },
    ]


def _linked_items() -> list[dict]:
    """A meeting, a course and an Action Card for the draft, picked as an editor would: the
    newest each kind offers (the features' demo data is loaded before this app's)."""
    blocks = []
    for kind in teasers.kinds():
        offered = list(kind.choices(None))
        if offered:
            item = teasers.reference(kind.key, offered[-1][0])
            blocks.append({"type": "linked_item", "value": {"item": item, "note": ""}})
    return blocks


def _publish(page, *, at: dt.datetime) -> None:
    # A revision plus publish, as the admin does; Wagtail keeps a first publication date already
    # set, so the archive lists the editions by the day they came out.
    page.first_published_at = at
    page.save_revision().publish()


def _index_ensure(
    home: HomePage, *, first_sent_at: dt.datetime, result: NewslettersDemoResult
) -> NewsletterIndexPage:
    # One archive per home page (max_count_per_parent): an editor may have renamed it.
    index = NewsletterIndexPage.objects.child_of(home).first()
    if index is None:
        index = NewsletterIndexPage(title="Nyhedsbrev", slug=INDEX_SLUG, intro=INDEX_INTRO)
        home.add_child(instance=index)
        _publish(index, at=first_sent_at - INDEX_PUBLISHED_BEFORE)
        result.pages_created += 1
    return index


def _send(
    edition: NewsletterPage,
    *,
    at: dt.datetime,
    municipality: OrgUnit,
    audience: OrgUnit,
    coordinator: User,
    result: NewslettersDemoResult,
) -> Send:
    """Send `edition` as of `at`, through the real services, as the engine's worker would."""
    send = send_services.send_create(
        edition=edition,
        org_unit=municipality,
        audience_units=[audience],
        by=coordinator,
        now=at - dt.timedelta(minutes=30),
    )
    send = send_services.send_start(send=send, by=coordinator, now=at)
    result.sends_created += 1
    # The demo's own clock, running from `at`: each batch starts where the last one ended.
    offset = at - timezone.now()
    while True:
        batch = delivery_services.deliveries_send_batch(
            send_id=send.pk, now=timezone.now() + offset
        )
        result.mails_sent += batch.sent
        if not batch.more:
            break
        # A rate limit (NEWSLETTER_RATE_PER_MINUTE): the demo's clock moves on instead of waiting.
        offset += dt.timedelta(seconds=batch.wait_seconds)
    return Send.objects.get(pk=send.pk)


def newsletters_demo_load(*, now: dt.datetime | None = None) -> NewslettersDemoResult:
    """Needs the demo organisation, logins and home page (lms.people.demo) loaded first.

    `now` (default: the current time) decides the year of the editions (see the docstring)."""
    now = now or timezone.now()
    year = sent_year(now)
    spring_at, autumn_at = _sent_at(year, SPRING), _sent_at(year, AUTUMN)
    sent_at = {SPRING_EDITION: spring_at, AUTUMN_EDITION: autumn_at}
    result = NewslettersDemoResult()
    with transaction.atomic():
        home = _home()
        municipality = OrgUnit.objects.get(code=MUNICIPALITY)
        audience = OrgUnit.objects.get(code=AUDIENCE)
        coordinator = User.objects.get(email__iexact=COORDINATOR_EMAIL)
        index = _index_ensure(home, first_sent_at=spring_at, result=result)
        existing = set(
            NewsletterPage.objects.child_of(index).values_list("edition_label", flat=True)
        )
        for plan in EDITIONS:
            if plan.label(year) in existing:
                continue
            edition = NewsletterPage(
                title=plan.title,
                slug=plan.slug(year),
                edition_label=plan.label(year),
                teaser=plan.teaser,
                body=_body(plan, home),
                live=plan.sent,
            )
            index.add_child(instance=edition)
            result.pages_created += 1
            if not plan.sent:
                # A draft with its revision, as an editor leaves it: not live, not sent.
                edition.save_revision()
                continue
            _publish(edition, at=sent_at[plan] - PUBLISHED_BEFORE)
            _send(
                NewsletterPage.objects.get(pk=edition.pk),
                at=sent_at[plan],
                municipality=municipality,
                audience=audience,
                coordinator=coordinator,
                result=result,
            )
    return result
