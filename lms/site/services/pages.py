"""Writes for the public site: seeding a site's home page, its citizen pages and its settings."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.models import Page, Site

from lms.people.models import OrgUnit
from lms.site.models import HomePage, InfohusContact, InfohusSettings, InformationPage
from lms.site.selectors.site import ACCESSIBILITY_SLUG, CONCERN_SLUG

HOME_SLUG = "forside"


@dataclass(frozen=True)
class ContactData:
    name: str
    title: str = ""
    phone: str = ""
    email: str = ""


@dataclass
class SiteSeedResult:
    site: Site
    home: HomePage
    concern_page: InformationPage
    accessibility_page: InformationPage
    created: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created)


def _rich(html: str) -> dict:
    return {"type": "rich_text", "value": html}


def _home_content(infohus_name: str) -> dict:
    return {
        "title": infohus_name,
        "intro": (
            f"<p>{infohus_name} er et samarbejde mellem kommunen og politiet om at forebygge "
            "radikalisering og ekstremisme. Vi rådgiver borgere og fagpersoner, holder "
            "informations- og dialogmøder for medarbejdere og hjælper, når nogen er bekymret for "
            "et barn, en ung eller en voksen.</p>"
        ),
        "body": [
            _rich(
                "<h2>For medarbejdere</h2><p>Er du ansat i kommunen eller på en uddannelse, "
                "kan du logge ind og tilmelde dig informations- og dialogmøder, tage korte kurser "
                "og finde handlekortet, der beskriver, hvad du gør, når du er bekymret.</p>"
            ),
            {
                "type": "contact_list",
                "value": {"heading": "Kontakt os", "include_site_contacts": True, "contacts": []},
            },
        ],
    }


def _concern_content(infohus_name: str) -> dict:
    return {
        "title": "Er du bekymret?",
        "slug": CONCERN_SLUG,
        "intro": (
            "<p>Er du bekymret for, at et barn, en ung eller en voksen er ved at blive draget mod "
            "ekstremisme eller radikalisering? Så kan du få råd. Det er i orden at spørge, også "
            "selvom du er i tvivl.</p>"
        ),
        "body": [
            {
                "type": "callout",
                "value": {
                    "tone": "acute",
                    "heading": "Er der akut fare?",
                    "text": (
                        "<p>Ring <b>112</b>, hvis nogen er i fare lige nu, eller hvis der er "
                        "risiko for, at noget alvorligt sker.</p>"
                    ),
                },
            },
            {
                "type": "phone_numbers",
                "value": {
                    "heading": "Her kan du få hjælp",
                    "include_site_numbers": True,
                    "numbers": [],
                },
            },
            _rich(
                "<h2>Hvem kan du ringe til?</h2>"
                "<ul><li><b>Hotline mod radikalisering</b> er en national rådgivning for "
                "borgere og fagpersoner. Du kan ringe og tale om din bekymring og få råd om, "
                "hvad du kan gøre.</li>"
                "<li><b>Politiet på 114</b>, hvis du vil tale med politiet om en bekymring, "
                "der ikke er akut.</li>"
                "<li><b>112</b>, når der er akut fare.</li>"
                f"<li><b>{infohus_name}</b> i din kommune. Her kan du tale med en "
                "SSP-konsulent eller med politiets forebyggelsesmedarbejder.</li></ul>"
            ),
            {
                "type": "contact_list",
                "value": {
                    "heading": f"Kontakt {infohus_name}",
                    "include_site_contacts": True,
                    "contacts": [],
                },
            },
            _rich(
                "<h2>Hvad sker der, når du henvender dig?</h2>"
                "<p>Den, du taler med, lytter til din bekymring og hjælper dig med at vurdere, "
                "hvad der er brug for. Ofte handler det om gode råd til, hvordan du selv kan "
                "tale med personen. Er der brug for mere, kan kommunen og politiet i samarbejde "
                "tilbyde støtte og vejledning.</p>"
                "<p>En bekymring er ikke en anklage. Formålet er at hjælpe tidligt, før "
                "problemerne vokser.</p>"
            ),
            _rich(
                "<h2>Er du ansat i kommunen?</h2>"
                "<p>Følg handlekortet på din arbejdsplads, og tal med din leder. Du er også "
                "velkommen til at kontakte Infohusets medarbejdere direkte.</p>"
            ),
        ],
    }


def _accessibility_content(infohus_name: str, organisation_name: str) -> dict:
    return {
        "title": "Tilgængelighedserklæring",
        "slug": ACCESSIBILITY_SLUG,
        "intro": (
            f"<p>{organisation_name} ønsker, at alle kan bruge {infohus_name}s hjemmeside. "
            "Denne erklæring beskriver, hvordan hjemmesiden lever op til kravene om "
            "webtilgængelighed, og hvordan du kan give os besked om problemer.</p>"
        ),
        "body": [
            _rich(
                "<h2>Overholdelse af kravene</h2>"
                "<p>Hjemmesiden er udviklet efter WCAG 2.1 niveau AA, som er kravet i lov om "
                "tilgængelighed af offentlige organers websteder og mobilapplikationer. "
                "Hjemmesiden kan bruges uden JavaScript, med tastatur alene og med skærmlæser, "
                "og teksten kan forstørres til 200 procent, uden at indhold går tabt.</p>"
            ),
            _rich(
                "<h2>Kendte begrænsninger</h2>"
                "<p>Dokumenter, for eksempel PDF-filer fra andre myndigheder, er ikke "
                "nødvendigvis fuldt tilgængelige. Kontakt os, hvis du har brug for indholdet i "
                "en anden form, så sender vi det til dig.</p>"
            ),
            _rich(
                "<h2>Sådan er erklæringen udarbejdet</h2>"
                "<p>Erklæringen bygger på en selvevaluering med automatiske test og en manuel "
                "gennemgang med tastatur og skærmlæser. Vi gennemgår den mindst én gang om "
                "året.</p>"
            ),
            {
                "type": "contact_list",
                "value": {
                    "heading": "Feedback og kontakt",
                    "include_site_contacts": True,
                    "contacts": [],
                },
            },
            _rich(
                "<h2>Klagemulighed</h2>"
                "<p>Får du ikke et tilfredsstillende svar fra os, kan du klage til "
                "Digitaliseringsstyrelsen, som fører tilsyn med offentlige hjemmesiders "
                "tilgængelighed.</p>"
            ),
        ],
    }


def _publish(page: Page) -> None:
    # A revision plus publish, as the admin does, so the page has history and first_published_at.
    page.save_revision().publish()


def _add_information_page(parent: Page, content: dict) -> InformationPage:
    page = InformationPage(
        title=content["title"],
        slug=content["slug"],
        intro=content["intro"],
        body=json.dumps(content["body"]),
        show_in_menus=True,
    )
    parent.add_child(instance=page)
    _publish(page)
    return page


def _is_wagtail_welcome_page(page: Page) -> bool:
    """The placeholder page Wagtail's first migration makes: plain Page type, no children."""
    return page.content_type == ContentType.objects.get_for_model(Page) and not page.numchild


@transaction.atomic
def site_seed(
    *,
    site: Site | None = None,
    infohus_name: str = "Infohus",
    organisation_name: str = "Kommunen",
    contacts: Sequence[ContactData] = (),
    org_unit: OrgUnit | None = None,
) -> SiteSeedResult:
    """Give a site its Danish home page, the "Er du bekymret?" and accessibility pages, and fill
    empty settings. Idempotent: pages and contacts that exist are left as editors made them.

    `org_unit` is the Infohus unit whose site this is (its coordinators become the site's
    editors, see lms.site.services.editors); it is set on a home page that has none yet."""
    created: list[str] = []
    if site is None:
        site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site.objects.create(
            hostname="localhost",
            port=80,
            is_default_site=True,
            root_page=Page.get_first_root_node(),
        )

    if not site.site_name and infohus_name:
        # Wagtail names a site by its host name ("localhost") when it has no name.
        site.site_name = infohus_name
        site.save(update_fields=["site_name"])
        created.append(f"site name {infohus_name!r}")

    root_page = site.root_page.specific
    if isinstance(root_page, HomePage):
        home = root_page
    else:
        content = _home_content(infohus_name)
        home = HomePage(
            title=content["title"],
            slug=HOME_SLUG,
            intro=content["intro"],
            body=json.dumps(content["body"]),
            org_unit=org_unit,
        )
        tree_root = Page.get_first_root_node()
        if tree_root.get_children().filter(slug=HOME_SLUG).exists():
            home.slug = f"{HOME_SLUG}-{site.pk}"
        tree_root.add_child(instance=home)
        _publish(home)
        site.root_page = home
        site.save(update_fields=["root_page"])
        created.append(f"home page {home.title!r}")
        old = Page.objects.get(pk=root_page.pk)
        # Only Wagtail's own placeholder is removed; a real page someone made is kept.
        if _is_wagtail_welcome_page(old) and not Site.objects.filter(root_page=old).exists():
            old.delete()

    if org_unit is not None and home.org_unit_id is None:
        home.org_unit = org_unit
        # Only the live row's field: the editors' revisions are not rewritten.
        home.save(update_fields=["org_unit"])
        created.append(f"home page unit {org_unit.code!r}")

    def child(slug: str) -> InformationPage | None:
        return InformationPage.objects.child_of(home).filter(slug=slug).first()

    concern = child(CONCERN_SLUG)
    if concern is None:
        concern = _add_information_page(home, _concern_content(infohus_name))
        created.append(f"page {concern.title!r}")
    accessibility = child(ACCESSIBILITY_SLUG)
    if accessibility is None:
        accessibility = _add_information_page(
            home, _accessibility_content(infohus_name, organisation_name)
        )
        created.append(f"page {accessibility.title!r}")

    settings = InfohusSettings.for_site(site)
    changed_fields = []
    if settings.infohus_name == "Infohus" and infohus_name != "Infohus":
        settings.infohus_name = infohus_name
        changed_fields.append("infohus_name")
    if settings.concern_page_id is None:
        settings.concern_page = concern
        changed_fields.append("concern_page")
    if settings.accessibility_page_id is None:
        settings.accessibility_page = accessibility
        changed_fields.append("accessibility_page")
    if changed_fields:
        settings.save(update_fields=changed_fields)
        created.append("site settings: " + ", ".join(changed_fields))
    if contacts and not settings.contacts.exists():
        InfohusContact.objects.bulk_create(
            InfohusContact(
                setting=settings,
                sort_order=i,
                name=c.name,
                title=c.title,
                phone=c.phone,
                email=c.email,
            )
            for i, c in enumerate(contacts)
        )
        created.append(f"{len(contacts)} Infohus contacts")

    return SiteSeedResult(
        site=site,
        home=home,
        concern_page=concern,
        accessibility_page=accessibility,
        created=created,
    )
