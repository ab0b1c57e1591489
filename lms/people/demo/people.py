"""The demo data: a Hjørring-like municipality, its staff roster, one login per role and the site.

Everything is generated deterministically (fixed lists, a fixed random seed), so the same org-unit
table and roster come out on every run; they go through the ordinary imports, which change nothing
the second time. Names of people are invented from lists of common Danish names.
"""

from __future__ import annotations

import functools
import random
import unicodedata
from dataclasses import dataclass, field

import pandas as pd
from allauth.account.models import EmailAddress
from django.db import transaction

from lms.people import services
from lms.people.models import JobCategory, OrgUnit, Person, Role, RoleAssignment, User
from lms.people.services.identity import person_link_user
from lms.people.services.org_unit_import import org_units_import
from lms.people.services.roster_import import roster_import
from lms.site.services.pages import ContactData, site_seed
from lms.tabular import ImportResult

DEMO_PASSWORD = "demo-infohus-2026"
SEED = 2026
MUNICIPALITY = "HJK"


W = OrgUnit.Kind.WORKPLACE

# (code, name, kind, parent code)
TOP_UNITS = [
    (MUNICIPALITY, "Hjørring Kommune", OrgUnit.Kind.MUNICIPALITY, ""),
    ("HJK-BFU", "Børn, Fritid og Uddannelse", OrgUnit.Kind.ADMINISTRATION, MUNICIPALITY),
    ("HJK-SAEH", "Social, Ældre og Handicap", OrgUnit.Kind.ADMINISTRATION, MUNICIPALITY),
    ("HJK-AU", "Arbejdsmarked og Uddannelse", OrgUnit.Kind.ADMINISTRATION, MUNICIPALITY),
    ("HJK-POL", "Lokalpoliti Hjørring", OrgUnit.Kind.POLICE, MUNICIPALITY),
]

# Who works where: job-category code -> weight.
PROFILES = {
    "school": {"TEACHER": 76, "PEDAGOGUE": 14, "ADMIN": 5, "SERVICE": 5},
    "school_site": {"TEACHER": 55, "PEDAGOGUE": 30, "SERVICE": 5},
    "sfo": {"PEDAGOGUE": 75, "PED_ASSIST": 25},
    "daycare": {"PEDAGOGUE": 60, "PED_ASSIST": 35, "ADMIN": 5},
    "youth_school": {"TEACHER": 40, "CLUB": 45, "ADMIN": 5},
    "club": {"CLUB": 70, "PEDAGOGUE": 30},
    "ssp": {"SSP": 70, "STREET": 20, "ADMIN": 10},
    "health_visitors": {"HEALTH_VISITOR": 90, "ADMIN": 10},
    "family": {"SOCIAL_WORKER": 75, "PSYCH": 5, "ADMIN": 20},
    "ppr": {"PSYCH": 70, "SOCIAL_WORKER": 10, "ADMIN": 20},
    "psychiatry": {"SOCIAL_EDUCATOR": 65, "HEALTH_CARE": 25, "SOCIAL_WORKER": 10},
    "addiction": {"SOCIAL_WORKER": 50, "SOCIAL_EDUCATOR": 35, "HEALTH_CARE": 15},
    "street": {"STREET": 85, "SOCIAL_WORKER": 15},
    "housing": {"HOUSING": 80, "SOCIAL_WORKER": 20},
    "disability": {"SOCIAL_EDUCATOR": 80, "HEALTH_CARE": 20},
    "home_care": {"HEALTH_CARE": 90, "ADMIN": 10},
    "adult_counselling": {"SOCIAL_WORKER": 80, "ADMIN": 20},
    "job_centre": {"JOB_CONSULTANT": 60, "SOCIAL_WORKER": 25, "ADMIN": 15},
    "youth_unit": {"JOB_CONSULTANT": 55, "SOCIAL_WORKER": 30, "MENTOR": 15},
    "integration": {"INTEGRATION": 70, "SOCIAL_WORKER": 20, "ADMIN": 10},
    "language_centre": {"TEACHER": 85, "ADMIN": 15},
    "benefits": {"ADMIN": 100},
    "business": {"JOB_CONSULTANT": 70, "ADMIN": 30},
    "citizen_service": {"ADMIN": 100},
    "administration": {"ADMIN": 80, "CONSULTANT": 20},
    "police_prevention": {"PREVENTION_OFFICER": 60, "POLICE": 40},
    "police": {"POLICE": 90, "ADMIN": 10},
    "upper_secondary": {"LECTURER": 85, "GUIDANCE": 7, "ADMIN": 8},
    "vocational": {"LECTURER": 80, "GUIDANCE": 8, "ADMIN": 12},
    "fgu": {"LECTURER": 75, "GUIDANCE": 15, "ADMIN": 10},
    "tenth_grade": {"TEACHER": 85, "GUIDANCE": 10, "ADMIN": 5},
    "university_college": {"LECTURER": 80, "GUIDANCE": 5, "ADMIN": 15},
}

# (code, name, kind, parent code, staff besides the leader, profile)
UNITS: list[tuple[str, str, str, str, int, str]] = [
    ("HJK-BORGER", "Borgerservice og Digitalisering", W, MUNICIPALITY, 24, "citizen_service"),
    # Børn, Fritid og Uddannelse
    ("HJK-BFU-STAB", "BFU Sekretariat", W, "HJK-BFU", 14, "administration"),
    ("HJK-BFU-BAG", "Bagterpskolen", W, "HJK-BFU", 68, "school"),
    ("HJK-BFU-BAG-SFO", "Bagterpskolen, SFO", W, "HJK-BFU-BAG", 18, "sfo"),
    ("HJK-BFU-LUN", "Lundergårdskolen", W, "HJK-BFU", 64, "school"),
    ("HJK-BFU-HIR", "Hirtshals Skole", W, "HJK-BFU", 48, "school"),
    ("HJK-BFU-HIR-HOR", "Hirtshals Skole, afdeling Horne", W, "HJK-BFU-HIR", 16, "school_site"),
    ("HJK-BFU-SIN", "Sindal Skole", W, "HJK-BFU", 46, "school"),
    ("HJK-BFU-SIN-LEN", "Sindal Skole, afdeling Lendum", W, "HJK-BFU-SIN", 14, "school_site"),
    ("HJK-BFU-VRA", "Vrå Skole", W, "HJK-BFU", 44, "school"),
    ("HJK-BFU-VRA-LOK", "Vrå Skole, afdeling Løkken", W, "HJK-BFU-VRA", 18, "school_site"),
    ("HJK-BFU-TAA", "Tårs Skole", W, "HJK-BFU", 34, "school"),
    ("HJK-BFU-UNG", "Hjørring Ungdomsskole", W, "HJK-BFU", 30, "youth_school"),
    ("HJK-BFU-DAG-BY", "Dagtilbud Hjørring By", W, "HJK-BFU", 12, "daycare"),
    ("HJK-BFU-DAG-BY-MAE", "Børnehuset Mælkebøtten", W, "HJK-BFU-DAG-BY", 22, "daycare"),
    ("HJK-BFU-DAG-BY-SPI", "Vuggestuen Spiren", W, "HJK-BFU-DAG-BY", 18, "daycare"),
    ("HJK-BFU-DAG-HIR", "Dagtilbud Hirtshals", W, "HJK-BFU", 30, "daycare"),
    ("HJK-BFU-DAG-SIN", "Dagtilbud Sindal-Tårs", W, "HJK-BFU", 28, "daycare"),
    ("HJK-BFU-KLUB-NL", "Ungdomsklubben Nordlyset", W, "HJK-BFU", 14, "club"),
    ("HJK-BFU-KLUB-HIR", "Klub Hirtshals", W, "HJK-BFU", 9, "club"),
    ("HJK-BFU-SSP", "SSP Hjørring", W, "HJK-BFU", 8, "ssp"),
    ("HJK-BFU-SUND", "Sundhedsplejen", W, "HJK-BFU", 20, "health_visitors"),
    ("HJK-BFU-FAM", "Familie og Rådgivning", W, "HJK-BFU", 56, "family"),
    ("HJK-BFU-PPR", "Pædagogisk Psykologisk Rådgivning", W, "HJK-BFU", 22, "ppr"),
    # Social, Ældre og Handicap
    ("HJK-SAEH-STAB", "SÆH Sekretariat", W, "HJK-SAEH", 12, "administration"),
    ("HJK-SAEH-PSY", "Socialpsykiatrien Hjørring", W, "HJK-SAEH", 36, "psychiatry"),
    ("HJK-SAEH-PSY-BOS", "Socialpsykiatrien, Bostøtten", W, "HJK-SAEH-PSY", 18, "psychiatry"),
    ("HJK-SAEH-MIS", "Misbrugscenter Hjørring", W, "HJK-SAEH", 20, "addiction"),
    ("HJK-SAEH-GADE", "Gadeteamet", W, "HJK-SAEH", 7, "street"),
    ("HJK-SAEH-BOLIG", "Boligsocial indsats Hjørring Øst", W, "HJK-SAEH", 9, "housing"),
    ("HJK-SAEH-HAND", "Handicapcenter Vendsyssel", W, "HJK-SAEH", 56, "disability"),
    ("HJK-SAEH-HJEM", "Hjemmeplejen Hjørring Syd", W, "HJK-SAEH", 84, "home_care"),
    ("HJK-SAEH-VOKS", "Voksenrådgivningen", W, "HJK-SAEH", 26, "adult_counselling"),
    # Arbejdsmarked og Uddannelse
    ("HJK-AU-STAB", "AU Sekretariat", W, "HJK-AU", 8, "administration"),
    ("HJK-AU-JOB", "Jobcenter Hjørring", W, "HJK-AU", 78, "job_centre"),
    ("HJK-AU-UNGE", "Jobcenter Hjørring, Ungeenheden", W, "HJK-AU", 24, "youth_unit"),
    ("HJK-AU-INT", "Integrationsteamet", W, "HJK-AU", 14, "integration"),
    ("HJK-AU-SPROG", "Sprogcenter Hjørring", W, "HJK-AU", 22, "language_centre"),
    ("HJK-AU-YDEL", "Ydelsescenter", W, "HJK-AU", 26, "benefits"),
    ("HJK-AU-VIRK", "Virksomhedsservice", W, "HJK-AU", 12, "business"),
    # Lokalpoliti Hjørring
    ("HJK-POL-FOR", "Forebyggelsesenheden", W, "HJK-POL", 6, "police_prevention"),
    ("HJK-POL-NAER", "Nærpolitiet Hjørring", W, "HJK-POL", 22, "police"),
    ("HJK-POL-PAT", "Patruljeafdelingen", W, "HJK-POL", 48, "police"),
    # External institutions (youth and vocational education)
    (
        "HJK-HG",
        "Hjørring Gymnasium",
        OrgUnit.Kind.INSTITUTION,
        MUNICIPALITY,
        110,
        "upper_secondary",
    ),
    ("HJK-EUCN", "EUC Nord", OrgUnit.Kind.INSTITUTION, MUNICIPALITY, 150, "vocational"),
    ("HJK-FGU", "FGU Vendsyssel", OrgUnit.Kind.INSTITUTION, MUNICIPALITY, 36, "fgu"),
    ("HJK-NY10", "Hjørring Ny 10.", OrgUnit.Kind.INSTITUTION, MUNICIPALITY, 24, "tenth_grade"),
    ("HJK-UCN", "UCN Hjørring", OrgUnit.Kind.INSTITUTION, MUNICIPALITY, 70, "university_college"),
]

# (code, Danish name, front-line)
JOB_CATEGORIES = [
    ("TEACHER", "Lærer", True),
    ("PEDAGOGUE", "Pædagog", True),
    ("PED_ASSIST", "Pædagogisk assistent", True),
    ("CLUB", "Klubmedarbejder", True),
    ("SOCIAL_WORKER", "Socialrådgiver", True),
    ("SOCIAL_EDUCATOR", "Socialpædagog", True),
    ("HEALTH_VISITOR", "Sundhedsplejerske", True),
    ("PSYCH", "Psykolog", True),
    ("SSP", "SSP-konsulent", True),
    ("JOB_CONSULTANT", "Jobkonsulent", True),
    ("MENTOR", "Mentor", True),
    ("STREET", "Gadeplansmedarbejder", True),
    ("HOUSING", "Boligsocial medarbejder", True),
    ("INTEGRATION", "Integrationsmedarbejder", True),
    ("POLICE", "Politibetjent", True),
    ("PREVENTION_OFFICER", "Forebyggelsesmedarbejder (politi)", True),
    ("LECTURER", "Underviser", True),
    ("GUIDANCE", "Studie- og uddannelsesvejleder", True),
    ("HEALTH_CARE", "Social- og sundhedsassistent", False),
    ("LEADER", "Leder", False),
    ("CONSULTANT", "Konsulent", False),
    ("ADMIN", "Administrativ medarbejder", False),
    ("SERVICE", "Servicemedarbejder", False),
]

# The roster's email domain for each top-level employer.
EMAIL_DOMAINS = {
    MUNICIPALITY: "hjoerring.demo.infohus.dk",
    "HJK-POL": "politi.demo.infohus.dk",
    "HJK-HG": "hjoerring-gym.demo.infohus.dk",
    "HJK-EUCN": "eucnord.demo.infohus.dk",
    "HJK-FGU": "fguv.demo.infohus.dk",
    "HJK-NY10": "ny10.demo.infohus.dk",
    "HJK-UCN": "ucn.demo.infohus.dk",
}
NUMBER_PREFIXES = {
    MUNICIPALITY: "HK",
    "HJK-POL": "NJP",
    "HJK-HG": "HG",
    "HJK-EUCN": "EUC",
    "HJK-FGU": "FGU",
    "HJK-NY10": "TI",
    "HJK-UCN": "UCN",
}


FIRST_NAMES = (
    "Anne Kirsten Mette Hanne Helle Susanne Lene Maria Marianne Camilla Louise Charlotte Pia "
    "Tina Gitte Karen Julie Sofie Line Anna Emma Ida Laura Cecilie Sara Maja Katrine Rikke "
    "Trine Bente Lone Malene Signe Nanna Stine Dorthe Birgitte Inge Christina Mia Freja Mathilde "
    "Karoline Amalie Josefine Heidi Jette Tanja Lotte Annette Peter Jens Lars Michael Henrik "
    "Thomas Søren Jan Niels Christian Martin Anders Morten Jesper Rasmus Mads Kim Per Hans Ole "
    "Frederik Mikkel Jacob Kasper Jonas Simon Nicolai Poul Bo Torben Steen Jørgen Klaus Brian "
    "Allan Kenneth Carsten Claus Bjarne Erik Finn Flemming Kristian Emil Oliver Lasse Troels "
    "Mathias Andreas Tobias Johan Esben Ahmed Ali Fatima Sarah Mohammed Yasmin "
    "Omar Aisha Ibrahim Leila"
).split()
MIDDLE_NAMES = "Marie Louise Kathrine Elisabeth Juul Bech Dahl Holm Krogh Lykke Skov Friis".split()
LAST_NAMES = (
    "Nielsen Jensen Hansen Pedersen Andersen Christensen Larsen Sørensen Rasmussen Jørgensen "
    "Petersen Madsen Kristensen Olsen Thomsen Christiansen Poulsen Johansen Møller Mortensen "
    "Knudsen Jakobsen Mikkelsen Olesen Frederiksen Laursen Henriksen Lund Schmidt Eriksen "
    "Holm Kristiansen Clausen Simonsen Svendsen Andreasen Iversen Jeppesen Mogensen Jacobsen "
    "Nissen Lauridsen Kjær Jespersen Thygesen Bach Vestergaard Nørgaard Bertelsen Klausen "
    "Munk Overgaard Dam Brandt Kjeldsen Fisker Bundgaard Thomasen Sloth Hald Ali Hussein Yilmaz"
).split()

# The lists are in order of how common the names are in Denmark; Nielsen is far more common than
# Sloth, so draw the surnames with falling weights.
LAST_NAME_WEIGHTS = [1 / (rank + 1) ** 0.7 for rank in range(len(LAST_NAMES))]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    label: str
    name: str
    employee_number: str
    org_unit_code: str
    job_category: str
    role: Role | None = None
    role_unit_code: str = ""
    superuser: bool = False


DEMO_LOGINS = [
    DemoLogin(
        "koordinator@demo.infohus.dk",
        "Infohus coordinator (Hjørring Kommune)",
        "Line Kjær Sørensen",
        "HK90001",
        "HJK-BFU-SSP",
        "SSP",
        Role.COORDINATOR,
        MUNICIPALITY,
    ),
    DemoLogin(
        "afdeling@demo.infohus.dk",
        "Department contact (Børn, Fritid og Uddannelse)",
        "Anders Bech Mortensen",
        "HK90002",
        "HJK-BFU-STAB",
        "CONSULTANT",
        Role.DEPARTMENT_CONTACT,
        "HJK-BFU",
    ),
    DemoLogin(
        "institution@demo.infohus.dk",
        "Institution coordinator (Hjørring Gymnasium)",
        "Camilla Friis Laursen",
        "HG90003",
        "HJK-HG",
        "GUIDANCE",
        Role.INSTITUTION_COORDINATOR,
        "HJK-HG",
    ),
    DemoLogin(
        "styregruppe@demo.infohus.dk",
        "Steering group (Hjørring Kommune)",
        "Bente Holm Vestergaard",
        "HK90004",
        "HJK-BFU",
        "LEADER",
        Role.STEERING_GROUP,
        MUNICIPALITY,
    ),
    DemoLogin(
        "medarbejder@demo.infohus.dk",
        "Employee (teacher, Bagterpskolen)",
        "Mikkel Dahl Jensen",
        "HK90005",
        "HJK-BFU-BAG",
        "TEACHER",
    ),
    DemoLogin(
        "admin@demo.infohus.dk",
        "Administrator (superuser)",
        "Sara Lund Iversen",
        "HK90006",
        "HJK-BORGER",
        "ADMIN",
        superuser=True,
    ),
    # Added after the others, so that every earlier roster row keeps its place.
    DemoLogin(
        "leder@demo.infohus.dk",
        "Leader (Hjørring Kommune): sends urgent messages",
        "Henrik Overgaard Nørgaard",
        "HK90008",
        MUNICIPALITY,
        "LEADER",
        Role.LEADER,
        MUNICIPALITY,
    ),
    DemoLogin(
        "ssp@demo.infohus.dk",
        "SSP consultant (Infohus Hjørring): citizens' concerns about children",
        "Maria Krogh Thygesen",
        "HK90009",
        "HJK-BFU-SSP",
        "SSP",
        Role.SSP_CONSULTANT,
        MUNICIPALITY,
    ),
    DemoLogin(
        "politi@demo.infohus.dk",
        "Police representative (Infohus Hjørring): concerns about adults",
        "Jesper Bach Kjeldsen",
        "NJP90010",
        "HJK-POL-FOR",
        "PREVENTION_OFFICER",
        Role.POLICE_REPRESENTATIVE,
        MUNICIPALITY,
    ),
]

# The Infohus contacts on the public site: the two coordinators (the "tovholdere").
POLICE_PREVENTION_OFFICER = ("NJP90007", "Morten Skov Pedersen")


def _ascii(text: str) -> str:
    text = text.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text if ch.isalnum() or ch in ".-")


def _top(code: str, parents: dict[str, str]) -> str:
    """The employer of a unit: the municipality, the police or an external institution."""
    while code and code not in EMAIL_DOMAINS:
        code = parents.get(code, "")
    return code or MUNICIPALITY


def org_units_frame() -> pd.DataFrame:
    rows = [
        {"code": c, "name": n, "kind": str(k), "parent_code": p} for c, n, k, p in TOP_UNITS
    ] + [{"code": c, "name": n, "kind": str(k), "parent_code": p} for c, n, k, p, _s, _p in UNITS]
    return pd.DataFrame(rows, columns=["code", "name", "kind", "parent_code"])


def roster_frame() -> pd.DataFrame:
    """The whole demo roster, the same on every run (fixed seed, fixed order)."""
    rng = random.Random(SEED)
    parents = {c: p for c, _n, _k, p in TOP_UNITS} | {c: p for c, _n, _k, p, _s, _f in UNITS}
    used_emails: set[str] = {login.email for login in DEMO_LOGINS}
    counters = dict.fromkeys(NUMBER_PREFIXES, 0)
    rows: list[dict] = []
    leader_of: dict[str, str] = {}

    def name() -> str:
        first = rng.choice(FIRST_NAMES)
        middle = rng.choice(MIDDLE_NAMES) + " " if rng.random() < 0.18 else ""
        return f"{first} {middle}{rng.choices(LAST_NAMES, LAST_NAME_WEIGHTS)[0]}"

    def email_for(full_name: str, unit_code: str) -> str:
        parts = full_name.split()
        local = f"{_ascii(parts[0])}.{_ascii(parts[-1])}"
        domain = EMAIL_DOMAINS[_top(unit_code, parents)]
        candidate, n = f"{local}@{domain}", 1
        while candidate in used_emails:
            n += 1
            candidate = f"{local}{n}@{domain}"
        used_emails.add(candidate)
        return candidate

    def number_for(unit_code: str) -> str:
        top = _top(unit_code, parents)
        counters[top] += 1
        return f"{NUMBER_PREFIXES[top]}{counters[top]:05d}"

    def add(unit_code: str, job: str, manager: str, full_name: str | None = None) -> str:
        full_name = full_name or name()
        number = number_for(unit_code)
        rows.append(
            {
                "employee_number": number,
                "name": full_name,
                "email": email_for(full_name, unit_code),
                "org_unit_code": unit_code,
                "job_category": job,
                "manager_employee_number": manager,
            }
        )
        return number

    # Leaders first: the chief executive, the directors, the police chief and institution heads.
    leader_of[MUNICIPALITY] = add(MUNICIPALITY, "LEADER", "")
    for code, _name, _kind, parent in TOP_UNITS[1:]:
        if code == "HJK-BFU":
            # The BFU director is the steering-group demo login.
            leader_of[code] = next(
                d.employee_number for d in DEMO_LOGINS if d.org_unit_code == code
            )
            continue
        leader_of[code] = add(code, "LEADER", "" if code == "HJK-POL" else leader_of[parent])
    for code, _name, _kind, parent, size, profile in UNITS:
        external = code in EMAIL_DOMAINS
        leader_of[code] = add(code, "LEADER", "" if external else leader_of[parent])
        jobs, weights = zip(*PROFILES[profile].items(), strict=True)
        for _ in range(size):
            add(code, rng.choices(jobs, weights)[0], leader_of[code])

    # The police prevention officer who is the Infohus's second coordinator.
    number, officer_name = POLICE_PREVENTION_OFFICER
    rows.append(
        {
            "employee_number": number,
            "name": officer_name,
            "email": "forebyggelse@politi.demo.infohus.dk",
            "org_unit_code": "HJK-POL-FOR",
            "job_category": "PREVENTION_OFFICER",
            "manager_employee_number": leader_of["HJK-POL-FOR"],
        }
    )
    for login in DEMO_LOGINS:
        manager = leader_of[login.org_unit_code]
        if manager == login.employee_number:
            manager = leader_of[parents[login.org_unit_code]]
        rows.append(
            {
                "employee_number": login.employee_number,
                "name": login.name,
                "email": login.email,
                "org_unit_code": login.org_unit_code,
                "job_category": login.job_category,
                "manager_employee_number": manager,
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class RosterEntry:
    """One person of the demo roster as generated, whatever has happened to them since."""

    index: int
    employee_number: str
    email: str
    org_unit_code: str
    job_category: str

    @property
    def frontline(self) -> bool:
        return self.job_category in FRONTLINE_CATEGORIES

    @property
    def is_login(self) -> bool:
        return self.employee_number in LOGIN_NUMBERS


FRONTLINE_CATEGORIES = frozenset(code for code, _name, frontline in JOB_CATEGORIES if frontline)
LOGIN_NUMBERS = frozenset(login.employee_number for login in DEMO_LOGINS) | {
    POLICE_PREVENTION_OFFICER[0]
}


@functools.cache
def demo_roster() -> tuple[RosterEntry, ...]:
    """The demo roster in its generated order: the stable keys every demo choice of people is
    made by. A choice made by a query of the Person table ("the first N", "every sixth") would
    change as soon as a user adds a colleague, and the next load would add rows for other
    people; a choice made here never does."""
    return tuple(
        RosterEntry(
            index=index,
            employee_number=row.employee_number,
            email=row.email,
            org_unit_code=row.org_unit_code,
            job_category=row.job_category,
        )
        for index, row in enumerate(roster_frame().itertuples(index=False))
    )


def demo_roster_numbers() -> frozenset[str]:
    return frozenset(entry.employee_number for entry in demo_roster())


def demo_people(entries) -> list[Person]:
    """The active people of the given roster entries (or employee numbers), in the entries'
    order. Someone a coordinator has since marked left, or removed, is skipped."""
    numbers = [getattr(entry, "employee_number", entry) for entry in entries]
    found = {
        p.employee_number: p
        for p in Person.objects.active()
        .filter(employee_number__in=numbers)
        .select_related("org_unit", "job_category")
    }
    return [found[number] for number in numbers if number in found]


def site_contacts() -> list[ContactData]:
    coordinator = DEMO_LOGINS[0]
    return [
        ContactData(
            name=coordinator.name,
            title="SSP-konsulent, Infohus Hjørring",
            phone="72 33 33 33",
            email=coordinator.email,
        ),
        ContactData(
            name=POLICE_PREVENTION_OFFICER[1],
            title="Forebyggelsesmedarbejder, Lokalpoliti Hjørring",
            phone="72 33 34 50",
            email="forebyggelse@politi.demo.infohus.dk",
        ),
    ]


class DemoDataError(Exception):
    pass


@dataclass
class DemoResult:
    job_categories_created: int = 0
    org_units: ImportResult | None = None
    roster: ImportResult | None = None
    users_created: int = 0
    emails_verified: int = 0
    people_linked: int = 0
    roles_created: int = 0
    site_changes: list[str] = field(default_factory=list)
    logins: list[DemoLogin] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.job_categories_created
            or (self.org_units and self.org_units.has_changes)
            or (self.roster and self.roster.has_changes)
            or self.users_created
            or self.emails_verified
            or self.people_linked
            or self.roles_created
            or self.site_changes
        )


def _check(result: ImportResult, what: str) -> ImportResult:
    if not result.ok:
        raise DemoDataError(
            f"The demo {what} did not import: " + "; ".join(map(str, result.errors))
        )
    return result


def _job_categories_ensure() -> int:
    existing = set(JobCategory.objects.values_list("code", flat=True))
    created = 0
    for code, name, frontline in JOB_CATEGORIES:
        if code not in existing:
            services.job_category_create(code=code, name=name, is_frontline=frontline)
            created += 1
    return created


def _demo_user_ensure(login: DemoLogin, result: DemoResult) -> User:
    """A demo login with a verified primary address, so it can sign in at once (allauth makes
    every other user confirm their address by email)."""
    user = User.objects.filter(email__iexact=login.email).first()
    if user is None:
        user = User.objects.create_user(
            email=login.email,
            password=DEMO_PASSWORD,
            is_staff=login.superuser,
            is_superuser=login.superuser,
        )
        result.users_created += 1
    address = EmailAddress.objects.filter(user=user, email__iexact=login.email).first()
    if address is None:
        EmailAddress.objects.create(user=user, email=login.email, verified=True, primary=True)
        result.emails_verified += 1
    elif not (address.verified and address.primary):
        address.verified = address.primary = True
        address.save(update_fields=["verified", "primary"])
        result.emails_verified += 1
    return user


def demo_data_load() -> DemoResult:
    """Load (or complete) the demo data. Idempotent: a second run changes nothing."""
    result = DemoResult(logins=list(DEMO_LOGINS))
    with transaction.atomic():
        result.job_categories_created = _job_categories_ensure()
        result.org_units = _check(org_units_import(source=org_units_frame(), by=None), "org units")
        result.roster = _check(roster_import(source=roster_frame(), by=None), "roster")

        units = {u.code: u for u in OrgUnit.objects.filter(code__startswith=MUNICIPALITY)}
        for login in DEMO_LOGINS:
            user = _demo_user_ensure(login, result)
            already_linked = Person.objects.filter(user=user).exists()
            person = person_link_user(user=user)
            if person is None or person.employee_number != login.employee_number:
                raise DemoDataError(f"{login.email} could not be linked to its roster entry.")
            result.people_linked += not already_linked
            if login.role is not None:
                unit = units[login.role_unit_code]
                if not RoleAssignment.objects.filter(
                    user=user, role=login.role, org_unit=unit
                ).exists():
                    services.role_assignment_create(user=user, role=login.role, org_unit=unit)
                    result.roles_created += 1

        seeded = site_seed(
            infohus_name="Infohus Hjørring",
            organisation_name="Hjørring Kommune",
            contacts=site_contacts(),
            # The coordinators of the municipality edit its site (lms.site.services.editors).
            org_unit=units[MUNICIPALITY],
        )
        result.site_changes = seeded.created
    return result
