"""Demo data for the micro-courses: the catalogue "Kurser" under the demo home page with two Danish
courses on warning signs of radicalisation and extremism, and the progress of part of the roster.

The course "Bekymringstegn: radikalisering og ekstremisme" (four lessons and a quiz of ten
questions) is required for everyone in the demo municipality and earns "Kender bekymringstegn";
the refresher "Genopfrisk: bekymringstegn og hvad du gør" (two lessons, five questions) earns the
same competence and is not required. The text is written for the demo from public facts: what
extremism and radicalisation are, signs in behaviour, relationships and attitudes (and what they
do not mean), what to do when worried, sharing information under retsplejelovens § 115 and the
duty to notify about children (barnets lov). No faith, ethnicity or appearance is ever a sign.

About fifteen people of the roster have taken the main course through courses.services.courses (some
failed the quiz once first), so completions, certificates, evidence and coverage have something to
show; the employee login has only started it (one lesson done), so that person can take the
course themselves. Courses send no mail, so nothing needs silencing.

Idempotent: pages are found by slug below the demo home page and are only ever created, never
updated, so an editor's changes to them are kept; a person's progress is only made when they have
no enrolment in the course yet. Deterministic: question and answer ids are fixed (uuid5), the
learners and their answers come from fixed random seeds. The learners took the course on days
spread over the last months (the services' injectable clock, `now`), so completions, certificates
and the evidence they earn carry those dates, not the day of the load.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from wagtail.models import Site

from courses import access
from courses.lib import quiz
from courses.models import CourseIndexPage, CoursePage, Enrolment, LessonPage
from courses.selectors import courses as selectors
from courses.selectors import quiz as quiz_selectors
from courses.services import courses as services
from courses.services import quiz as quiz_services
from lms.competence.demo.competences import SIGNS
from lms.competence.models import Competence
from lms.people.demo.people import MUNICIPALITY, DemoDataError, demo_people, demo_roster
from lms.people.models import OrgUnit, Person
from lms.site.models import HomePage

SEED = 2026
# Fixed ids for the quiz questions and answers, so that every load makes the same quiz.
ID_NAMESPACE = uuid.UUID("6f1d6c52-43a8-4d8e-9a55-7f0b2c1e9d10")

INDEX_SLUG = "kurser"
MAIN_SLUG = "bekymringstegn-radikalisering-og-ekstremisme"
REFRESHER_SLUG = "genopfrisk-bekymringstegn"
EMPLOYEE_EMAIL = "medarbejder@demo.infohus.dk"

# Who has taken the main course: a sample of each unit's front-line staff (the employee login's
# colleagues at Bagterpskolen most of all), plus two demo logins so that their certificates show.
LEARNER_UNITS = [
    ("HJK-BFU-BAG", 8),
    ("HJK-BFU-FAM", 2),
    ("HJK-AU-JOB", 1),
    ("HJK-SAEH-PSY", 1),
    ("HJK-HG", 1),
]
LEARNER_LOGINS = ["koordinator@demo.infohus.dk", "institution@demo.infohus.dk"]
# The share of learners who failed their first attempt at the quiz.
FAIL_FIRST = 0.3
# The learners took the course between this many days ago and a few weeks ago; the employee
# login started it a few days ago.
TAKEN_WITHIN_DAYS = (21, 160)
EMPLOYEE_STARTED_DAYS_AGO = 3


def _rich(html: str) -> dict:
    return {"type": "rich_text", "value": html}


def _callout(tone: str, heading: str, html: str) -> dict:
    return {"type": "callout", "value": {"tone": tone, "heading": heading, "text": html}}


def _sign(sign: str, may_mean: str, does_not_mean: str) -> dict:
    return {
        "type": "warning_sign",
        "value": {"sign": sign, "may_mean": may_mean, "does_not_mean": does_not_mean},
    }


ACUTE = _callout(
    "acute",
    "Er der akut fare? Ring 112",
    "<p>Ring <b>112</b>, hvis der er fare for liv eller helbred lige nu, eller hvis nogen "
    "fortæller om konkrete planer om vold. Ring <b>114</b> til politiet, hvis du vil tale med "
    "politiet om en bekymring, der ikke er akut.</p>",
)

NOT_A_CHECKLIST = _callout(
    "important",
    "Tegn er ikke en tjekliste",
    "<p>Et enkelt tegn siger meget lidt. Det, der betyder noget, er <b>flere tegn på samme "
    "tid</b> og <b>en forandring over tid</b>: at en person er ved at blive en anden end den, "
    "du kender. Tro, etnicitet, udseende eller politisk ståsted er aldrig i sig selv et "
    "tegn.</p>",
)


@dataclass(frozen=True)
class PlannedLesson:
    title: str
    slug: str
    body: list[dict]


@dataclass(frozen=True)
class PlannedQuestion:
    key: str
    kind: str
    question: str
    # (answer, correct, feedback)
    choices: tuple[tuple[str, bool, str], ...]


@dataclass(frozen=True)
class PlannedCourse:
    key: str
    title: str
    slug: str
    summary: str
    minutes: int
    required: bool
    pass_mark: int
    attempts_allowed: int | None
    lessons: tuple[PlannedLesson, ...]
    questions: tuple[PlannedQuestion, ...]


def _true_false(key: str, statement: str, true: bool, if_true: str, if_false: str):
    """A true-or-false question: "Sandt" first, as people read them; feedback for both."""
    return PlannedQuestion(
        key, "true_false", statement, (("Sandt", true, if_true), ("Falsk", not true, if_false))
    )


MAIN_LESSONS = (
    PlannedLesson(
        "Hvad er ekstremisme og radikalisering?",
        "hvad-er-ekstremisme-og-radikalisering",
        [
            _rich(
                "<p>I denne lektion får du de to begreber på plads, og du får at vide, hvorfor "
                "skarpe holdninger ikke i sig selv er et problem.</p>"
                "<h2>To begreber, der hænger sammen</h2>"
                "<ul><li><b>Ekstremisme</b> er, når personer eller grupper begår – eller "
                "forsøger at retfærdiggøre – vold eller andre ulovlige handlinger for at ændre "
                "samfundet eller ramme bestemte grupper af mennesker, fordi de er utilfredse med "
                "samfundet, som det er.</li>"
                "<li><b>Radikalisering</b> er den proces, hvor en person i stigende grad tager "
                "ekstremistiske synspunkter til sig og begynder at acceptere vold eller andre "
                "ulovlige midler. Processen kan gå hurtigt eller tage år, og den kan gå i stå "
                "eller vende.</li></ul>"
                "<h2>Holdninger er ikke ekstremisme</h2>"
                "<p>I et demokrati må man have stærke, kritiske og upopulære holdninger, og man må "
                "arbejde for dem med lovlige midler: debat, demonstrationer, foreninger og valg. "
                "Det, der gør noget til ekstremisme, er accepten af vold, trusler eller andre "
                "ulovlige midler – ikke hvilken politisk, religiøs eller anden overbevisning en "
                "person har.</p>"
                "<h2>Mange former</h2>"
                "<p>Ekstremisme kan tage udgangspunkt i politiske ideologier på både højre- og "
                "venstrefløjen, i religiøse ideer eller i en enkelt sag, som en person er stærkt "
                "optaget af. Myndighederne ser også unge, der radikaliseres online gennem en "
                "blanding af konspirationsteorier, had mod bestemte grupper og fascination af "
                "vold og tidligere gerningsmænd – ofte uden en fast ideologi.</p>"
            ),
            _callout(
                "info",
                "Hvorfor bliver nogen radikaliseret?",
                "<p>Der er ingen enkel forklaring. Ofte spiller flere ting sammen: ensomhed eller "
                "mistrivsel, en krise, oplevelser af uretfærdighed eller af at blive holdt "
                "udenfor, en søgen efter identitet, fællesskab og mening – og kontakt med "
                "personer eller miljøer, der tilbyder enkle svar. Det kan gøre en person mere "
                "sårbar, men det er ikke i sig selv tegn på radikalisering.</p>",
            ),
            _rich(
                "<h2>Det store billede</h2>"
                "<p>De fleste unge, der i en periode har ekstreme holdninger, begår aldrig vold, "
                "og mange bevæger sig væk fra holdningerne igen – ofte fordi voksne omkring dem "
                "bliver ved med at tale med dem. Din rolle er derfor ikke at afsløre eller dømme, "
                "men at være en voksen, der lægger mærke til forandringer, spørger interesseret "
                "og søger råd i tide.</p>"
            ),
        ],
    ),
    PlannedLesson(
        "Bekymringstegn i adfærd, relationer og holdninger",
        "bekymringstegn-i-adfaerd-relationer-og-holdninger",
        [
            _rich(
                "<p>Bekymringstegn er forandringer, der kan give anledning til at spørge ind og "
                "søge råd. De er ikke beviser. Her er tegnene delt i tre grupper: adfærd, "
                "relationer og holdninger. Ved hvert tegn står, hvad det kan betyde – og hvad "
                "det ikke betyder.</p>"
            ),
            NOT_A_CHECKLIST,
            _rich("<h2>Adfærd</h2>"),
            _sign(
                "Trækker sig fra venner, familie og fællesskaber",
                "Mistrivsel, ensomhed eller en krise – eller at et nyt, lukket fællesskab fylder "
                "mere og mere.",
                "At personen er ved at blive radikaliseret. De fleste, der trækker sig, har det "
                "svært af helt andre grunde og har brug for, at nogen spørger til dem.",
            ),
            _sign(
                "Bruger meget tid i lukkede online-fora og deler indhold, der hylder vold",
                "At personen søger fællesskab og forklaringer i miljøer, der gør had og vold "
                "normalt, eller er fascineret af tidligere gerningsmænd.",
                "At interesse for computerspil, internettet eller et bestemt emne i sig selv er "
                "bekymrende.",
            ),
            _sign(
                "Viser ny og vedvarende interesse for våben, vold eller træning til kamp",
                "At vold er ved at blive en acceptabel løsning for personen – især hvis det "
                "hænger sammen med had mod bestemte grupper.",
                "At jagt, kampsport, militærhistorie eller actionfilm er et tegn. Det er "
                "sammenhængen og forandringen, der tæller.",
            ),
            _rich("<h2>Relationer</h2>"),
            _sign(
                "Får nye venner eller forbilleder, der kræver afstand til alle andre",
                "At personen er på vej ind i et miljø, der kræver loyalitet og skaber afstand til "
                "familie og gamle venner.",
                "At nye venner er et problem. Unge skifter fællesskaber, og det er en naturlig "
                "del af at blive voksen.",
            ),
            _sign(
                "Bryder i konflikt med familie eller tidligere fællesskaber",
                "At et nyt verdensbillede gør det svært at være sammen med dem, der tænker "
                "anderledes.",
                "At almindelige konflikter med forældre eller at flytte hjemmefra er et tegn på "
                "ekstremisme.",
            ),
            _rich("<h2>Holdninger</h2>"),
            _sign(
                "Taler om bestemte grupper som fjender eller som mindre værd",
                "At et »os mod dem«-tankesæt er ved at tage form, hvor andre mennesker ikke "
                "længere ses som ligeværdige.",
                "At personen har skarpe eller provokerende meninger om politik eller samfund. Dem "
                "må man gerne have og diskutere.",
            ),
            _sign(
                "Forsvarer eller hylder vold som middel til at nå et mål",
                "Et af de tydeligste tegn på, at holdninger er ved at blive til accept af "
                "ekstremisme – især sammen med andre tegn.",
                "At personen nødvendigvis selv vil bruge vold. Men det er en god grund til at "
                "tale med din leder eller Infohuset.",
            ),
            _sign(
                "Mister tilliden til demokratiet og ser sammensværgelser overalt",
                "At personen lukker sig om en fortælling, hvor vold eller lovbrud kan virke "
                "berettiget.",
                "At kritik af politikere, myndigheder eller medier er et tegn. Kritik er en del "
                "af demokratiet.",
            ),
            _rich(
                "<h2>Tænk over sammenhængen</h2>"
                "<p>Spørg dig selv: Hvad har forandret sig, og hvor hurtigt? Hvad ved jeg om "
                "personens situation i øvrigt? Har andre voksne set det samme? Svarene hjælper "
                "dig og dem, du taler med, til at vurdere, om der er grund til bekymring – eller "
                "om der er tale om noget andet, for eksempel mistrivsel, som også kræver, at "
                "nogen handler.</p>"
            ),
        ],
    ),
    PlannedLesson(
        "Hvad gør du, når du er bekymret?",
        "hvad-goer-du-naar-du-er-bekymret",
        [
            _rich(
                "<p>Du behøver ikke være sikker for at handle. Det er nok, at du er bekymret, og "
                "du skal ikke vurdere det alene.</p>"
                "<h2>Sådan kan du gribe det an</h2>"
                "<ol><li><b>Tal med personen</b>, hvis det føles trygt og naturligt. Vis "
                "interesse, spørg åbent og lyt: »Jeg har lagt mærke til … – hvordan har du "
                "det?« Undgå at håne eller afvise holdningerne; så lukker samtalen sig.</li>"
                "<li><b>Tal med din leder.</b> Følg arbejdspladsens handlekort, og skriv ned, "
                "hvad du har set og hørt, med datoer – uden at gætte på forklaringer.</li>"
                "<li><b>Kontakt Infohuset.</b> Infohusets medarbejdere fra kommunen og politiet "
                "rådgiver om bekymringer og hjælper med at vurdere, hvad der er brug for. Du kan "
                "også få råd uden at nævne personens navn.</li>"
                "<li><b>Ring til Hotline mod radikalisering</b> på 41 74 90 90 (alle dage kl. "
                "8–22), hvis du vil have råd uden for arbejdstiden eller ikke ved, hvem du skal "
                "kontakte.</li></ol>"
            ),
            ACUTE,
            _rich(
                "<h2>Hvad sker der så?</h2>"
                "<p>En bekymring er ikke en anmeldelse eller en anklage. Infohuset lytter, "
                "vurderer sammen med dig og finder den indsats, der passer – ofte råd til, "
                "hvordan du og din arbejdsplads selv kan støtte personen. Er der brug for mere, "
                "kan for eksempel en mentor, kommunens rådgivning eller politiets "
                "forebyggelsesmedarbejdere hjælpe. Formålet er at hjælpe personen videre i et "
                "godt liv, ikke at straffe.</p>"
            ),
            _callout(
                "important",
                "Del kun med dem, der skal vide det",
                "<p>Fortæl om bekymringen til din leder og Infohuset – ikke i frokoststuen eller "
                "på sociale medier. Det beskytter personen, som måske slet ikke er ved at blive "
                "radikaliseret.</p>",
            ),
        ],
    ),
    PlannedLesson(
        "Videregivelse af oplysninger og underretningspligt",
        "videregivelse-og-underretningspligt",
        [
            _rich(
                "<p>Som offentligt ansat har du tavshedspligt. Men der er regler, der gør det "
                "muligt – og nogle gange pligtigt – at dele oplysninger, når et barn, en ung "
                "eller en voksen har brug for hjælp.</p>"
                "<h2>Retsplejelovens § 115</h2>"
                "<p>Retsplejelovens § 115 giver politiet, kommunens sociale myndigheder, skoler "
                "og visse andre myndigheder mulighed for at udveksle oplysninger om en persons "
                "private forhold, når det er nødvendigt i det kriminalitetsforebyggende "
                "samarbejde. Det gælder samarbejdet i SSP, med psykiatrien (PSP), med "
                "Kriminalforsorgen (KSP) og i Infohuset, og forebyggelse af radikalisering og "
                "ekstremisme er en del af det.</p>"
                "<ul><li>Reglen er en <b>mulighed</b>, ikke en pligt.</li>"
                "<li>Der må kun udveksles de oplysninger, der er <b>nødvendige</b> for det "
                "forebyggende arbejde.</li>"
                "<li>Oplysningerne må ikke videregives yderligere.</li>"
                "<li>Udvekslingen sker mellem myndighederne i samarbejdet. Som medarbejder går "
                "du gennem din leder eller Infohuset og deler ikke på egen hånd.</li></ul>"
                "<h2>Underretningspligten, når det gælder børn og unge</h2>"
                "<p>Er du offentligt ansat og får du kendskab til eller grund til at antage, at "
                "et barn eller en ung under 18 år kan have behov for særlig støtte, har du pligt "
                "til at underrette kommunen. Pligten står i barnets lov (§ 133), som fra 2024 "
                "har afløst reglerne i serviceloven (tidligere § 153). Den gælder også, når "
                "bekymringen handler om radikalisering eller ekstremisme.</p>"
            ),
            _callout(
                "important",
                "Underretningspligten er personlig",
                "<ul><li>Den er ikke opfyldt, blot fordi du har fortalt det til en kollega. Du "
                "må gerne gå gennem din leder, men du skal sikre dig, at underretningen bliver "
                "sendt.</li>"
                "<li>Den går forud for din tavshedspligt.</li>"
                "<li>Du behøver ikke være sikker. En begrundet bekymring er nok; det er kommunen, "
                "der vurderer sagen.</li>"
                "<li>At Infohuset har drøftet sagen efter § 115, <b>erstatter ikke</b> en "
                "underretning.</li></ul>",
            ),
            _rich(
                "<h2>Når det gælder voksne</h2>"
                "<p>For voksne gælder andre regler. Spørg din leder eller Infohuset, hvad du må "
                "dele, og hvordan bekymringen bedst bliver givet videre.</p>"
            ),
            _callout(
                "info",
                "Er du i tvivl?",
                "<p>Spørg din leder, kommunens rådgivning eller Infohuset. Det er bedre at spørge "
                "én gang for meget end én gang for lidt.</p>",
            ),
        ],
    ),
)

MAIN_QUESTIONS = (
    PlannedQuestion(
        "extremism",
        "single",
        "Hvad kendetegner ekstremisme?",
        (
            (
                "At man begår eller forsøger at retfærdiggøre vold eller andre ulovlige "
                "handlinger for at ændre samfundet",
                True,
                "Rigtigt. Det er accepten af vold og ulovlige midler, der gør noget til "
                "ekstremisme.",
            ),
            (
                "At man har stærke politiske eller religiøse holdninger",
                False,
                "Nej. Stærke holdninger er en del af et demokrati. Det afgørende er accept af "
                "vold eller andre ulovlige midler.",
            ),
            (
                "At man er meget kritisk over for myndighederne",
                False,
                "Nej. Kritik af myndigheder er lovlig og almindelig. Den er ikke i sig selv "
                "ekstremisme.",
            ),
        ),
    ),
    _true_false(
        "most-never-violent",
        "De fleste unge, der i en periode har ekstreme holdninger, begår aldrig vold.",
        True,
        "Rigtigt. De fleste begår aldrig vold, og mange forlader holdningerne igen – ofte fordi "
        "voksne bliver ved med at tale med dem.",
        "Forkert. De fleste unge med ekstreme holdninger begår aldrig vold. Derfor handler det "
        "om at støtte og spørge, ikke om at dømme.",
    ),
    PlannedQuestion(
        "signs",
        "multiple",
        "Hvilke af disse kan være bekymringstegn, især hvis de er nye? Vælg alle rigtige.",
        (
            (
                "Taler om en bestemt gruppe mennesker som fjender eller som mindre værd",
                True,
                "Rigtigt. Et »os mod dem«-tankesæt, hvor andre ikke er ligeværdige, er et "
                "tegn i holdninger.",
            ),
            (
                "Forsvarer vold som en måde at nå et politisk mål på",
                True,
                "Rigtigt. Accept af vold er et af de tydeligste tegn.",
            ),
            (
                "Bryder med gamle venner og isolerer sig i en ny, lukket kreds",
                True,
                "Rigtigt. Det kan være et tegn i relationer – og kan også skyldes mistrivsel, "
                "som kræver, at nogen spørger.",
            ),
            (
                "Begynder at interessere sig for religion eller politik",
                False,
                "Nej. Tro og politisk engagement er ikke tegn i sig selv. Det er en del af et "
                "frit samfund.",
            ),
            (
                "Skifter tøjstil og musiksmag",
                False,
                "Nej. Ændret udseende eller smag siger intet i sig selv; mange unge prøver sig af.",
            ),
        ),
    ),
    _true_false(
        "one-sign",
        "Ser du ét bekymringstegn, betyder det, at personen er ved at blive radikaliseret.",
        False,
        "Forkert. Tegn er ikke en tjekliste: ét tegn siger meget lidt. Det er flere tegn sammen "
        "og en forandring over tid, der giver grund til bekymring.",
        "Rigtigt. Et enkelt tegn er ikke et bevis. Se efter flere tegn og forandring over tid – "
        "og søg råd, hvis du er i tvivl.",
    ),
    PlannedQuestion(
        "assess",
        "single",
        "Hvad er vigtigst, når du vurderer, om der er grund til bekymring?",
        (
            (
                "Om der er flere tegn på samme tid, og om de viser en forandring over tid",
                True,
                "Rigtigt. Det er sammenhængen og forandringen, der tæller.",
            ),
            (
                "Hvor mange punkter på en liste over tegn personen opfylder",
                False,
                "Nej. Tegn er ikke en tjekliste. Det afgørende er helheden og forandringen.",
            ),
            (
                "Personens baggrund, tro eller udseende",
                False,
                "Nej. Baggrund, tro og udseende er aldrig i sig selv tegn. Se på adfærd, "
                "relationer, holdninger og forandring.",
            ),
        ),
    ),
    PlannedQuestion(
        "acute",
        "single",
        "En ung fortæller dig, at en ven har konkrete planer om at bruge vold i dag. Hvad gør du?",
        (
            (
                "Ringer 112",
                True,
                "Rigtigt. Ved akut fare for liv eller helbred ringer du 112 med det samme.",
            ),
            (
                "Skriver en mail til Infohuset",
                False,
                "Nej. Infohuset rådgiver om bekymringer, men ved akut fare skal du ringe 112.",
            ),
            (
                "Tager det op på næste personalemøde",
                False,
                "Nej. Akut fare kan ikke vente. Ring 112, og fortæl bagefter din leder, hvad der "
                "er sket.",
            ),
        ),
    ),
    PlannedQuestion(
        "next-steps",
        "multiple",
        "Du er bekymret for en ung, men der er ingen akut fare. Hvad er gode næste skridt? "
        "Vælg alle rigtige.",
        (
            (
                "Tale med din leder",
                True,
                "Rigtigt. Din leder kender arbejdspladsens handlekort og kan hjælpe dig videre.",
            ),
            (
                "Kontakte Infohuset for råd",
                True,
                "Rigtigt. Infohuset rådgiver og hjælper med at vurdere bekymringen – også uden "
                "navn.",
            ),
            (
                "Ringe til Hotline mod radikalisering på 41 74 90 90",
                True,
                "Rigtigt. Hotlinen giver råd alle dage kl. 8–22.",
            ),
            (
                "Konfrontere den unge med din mistanke foran de andre",
                False,
                "Nej. Det kan udstille den unge og lukke samtalen. Tal med personen i enrum, "
                "hvis det er trygt.",
            ),
            (
                "Dele din bekymring i en gruppe på sociale medier",
                False,
                "Nej. Del kun bekymringen med dem, der skal vide det: din leder og Infohuset.",
            ),
        ),
    ),
    PlannedQuestion(
        "police",
        "single",
        "Hvilket nummer ringer du på, hvis du vil tale med politiet om en bekymring, der ikke er "
        "akut?",
        (
            ("114", True, "Rigtigt. 114 er politiets nummer, når det ikke haster."),
            ("112", False, "Nej. 112 er til akut fare for liv eller helbred."),
            (
                "1813",
                False,
                "Nej. 1813 er Akuttelefonen i Region Hovedstaden ved sygdom og skade.",
            ),
        ),
    ),
    _true_false(
        "section-115",
        "Retsplejelovens § 115 giver myndighederne i det kriminalitetsforebyggende samarbejde, "
        "for eksempel i Infohuset, mulighed for at udveksle nødvendige oplysninger om en person.",
        True,
        "Rigtigt. Det er en mulighed, ikke en pligt, og kun nødvendige oplysninger må "
        "udveksles. De må ikke videregives yderligere.",
        "Forkert. § 115 giver netop den mulighed – men kun for nødvendige oplysninger, og de må "
        "ikke videregives yderligere.",
    ),
    PlannedQuestion(
        "duty-to-notify",
        "single",
        "Du er ansat i kommunen og har grund til at antage, at et barn under 18 år kan have "
        "behov for særlig støtte. Hvad gælder?",
        (
            (
                "Du har pligt til at underrette kommunen, og pligten er personlig",
                True,
                "Rigtigt. Underretningspligten efter barnets lov er personlig og går forud for "
                "tavshedspligten.",
            ),
            (
                "Du må kun underrette, hvis forældrene giver lov",
                False,
                "Nej. Underretningspligten gælder uanset forældrenes samtykke.",
            ),
            (
                "Det er nok, at du har nævnt det for en kollega",
                False,
                "Nej. Pligten er personlig: du skal sikre dig, at underretningen når frem til "
                "kommunen.",
            ),
        ),
    ),
)

REFRESHER_LESSONS = (
    PlannedLesson(
        "Tegnene i sammenhæng",
        "tegnene-i-sammenhaeng",
        [
            _rich(
                "<p>En kort genopfriskning af, hvad du ser efter. Ekstremisme er accept af vold "
                "eller andre ulovlige midler for at ændre samfundet – ikke stærke holdninger, "
                "tro eller kritik. De fleste unge med ekstreme holdninger begår aldrig vold.</p>"
            ),
            NOT_A_CHECKLIST,
            _sign(
                "Trækker sig og isolerer sig i en ny, lukket kreds",
                "Mistrivsel, eller at et nyt fællesskab kræver afstand til familie og venner.",
                "At personen er radikaliseret. Spørg til, hvordan personen har det.",
            ),
            _sign(
                "Taler om bestemte grupper som fjender eller som mindre værd",
                "At et »os mod dem«-tankesæt er ved at tage form.",
                "At skarpe eller provokerende meninger i sig selv er et problem.",
            ),
            _sign(
                "Forsvarer eller hylder vold som middel",
                "Et tydeligt tegn – især sammen med andre tegn og en forandring over tid.",
                "At personen nødvendigvis selv vil bruge vold. Søg råd.",
            ),
        ],
    ),
    PlannedLesson(
        "Hvad du gør – og hvad du må dele",
        "hvad-du-goer-og-hvad-du-maa-dele",
        [
            _rich(
                "<ol><li><b>Tal med personen</b>, hvis det er trygt: spørg åbent og lyt.</li>"
                "<li><b>Tal med din leder</b>, og følg handlekortet.</li>"
                "<li><b>Kontakt Infohuset</b> for råd – gerne uden navn i første omgang.</li>"
                "<li><b>Hotline mod radikalisering</b>: 41 74 90 90, alle dage kl. 8–22.</li>"
                "</ol>"
            ),
            ACUTE,
            _rich(
                "<h2>Hvad må deles?</h2>"
                "<p>Efter <b>retsplejelovens § 115</b> kan myndighederne i det "
                "kriminalitetsforebyggende samarbejde, for eksempel Infohuset, udveksle de "
                "oplysninger, der er nødvendige. Det er en mulighed, ikke en pligt, og "
                "oplysningerne må ikke videregives yderligere.</p>"
                "<p>Gælder bekymringen et barn eller en ung under 18 år, har du som offentligt "
                "ansat <b>underretningspligt</b> efter barnets lov (tidligere serviceloven). "
                "Pligten er personlig og går forud for tavshedspligten.</p>"
            ),
        ],
    ),
)

REFRESHER_QUESTIONS = (
    _true_false(
        "together",
        "Flere bekymringstegn på én gang, der viser en forandring over tid, er en god grund til "
        "at søge råd.",
        True,
        "Rigtigt. Det er sammenhængen og forandringen, der tæller – ikke det enkelte tegn.",
        "Forkert. Netop flere tegn sammen og en forandring over tid er grund til at søge råd.",
    ),
    PlannedQuestion(
        "signs",
        "multiple",
        "Hvilke af disse bør få dig til at søge råd, hvis de er nye? Vælg alle rigtige.",
        (
            (
                "Hylder vold som løsning på politiske uenigheder",
                True,
                "Rigtigt. Accept af vold er et tydeligt tegn.",
            ),
            (
                "Omtaler en bestemt gruppe som fjender, der ikke fortjener respekt",
                True,
                "Rigtigt. Et »os mod dem«-tankesæt er et tegn i holdninger.",
            ),
            (
                "Er stærkt kritisk over for regeringen",
                False,
                "Nej. Kritik af politikere er en del af demokratiet.",
            ),
            (
                "Skifter tøjstil og musiksmag",
                False,
                "Nej. Udseende og smag siger intet i sig selv.",
            ),
        ),
    ),
    PlannedQuestion(
        "acute",
        "single",
        "En elev fortæller, at en ven har skaffet en kniv og vil »gøre noget« på skolen i dag. "
        "Hvad gør du?",
        (
            ("Ringer 112", True, "Rigtigt. Ved akut fare ringer du 112 med det samme."),
            (
                "Skriver til Infohuset",
                False,
                "Nej. Infohuset rådgiver, men akut fare kræver 112.",
            ),
            (
                "Venter og taler med din leder i morgen",
                False,
                "Nej. Akut fare kan ikke vente. Ring 112, og fortæl bagefter din leder det.",
            ),
        ),
    ),
    PlannedQuestion(
        "first",
        "single",
        "Du er bekymret, men der er ingen akut fare. Hvem taler du med først?",
        (
            (
                "Din leder – og gerne Infohuset for råd",
                True,
                "Rigtigt. Du skal ikke stå alene med bekymringen.",
            ),
            (
                "Ingen, før du er helt sikker",
                False,
                "Nej. Du behøver ikke være sikker; det er nok, at du er bekymret.",
            ),
            (
                "Dine kolleger i frokoststuen",
                False,
                "Nej. Del kun bekymringen med dem, der skal vide det: din leder og Infohuset.",
            ),
        ),
    ),
    _true_false(
        "duty-to-notify",
        "Din underretningspligt er opfyldt, når du har fortalt en kollega om din bekymring for "
        "et barn.",
        False,
        "Forkert. Underretningspligten er personlig: du skal sikre dig, at underretningen når "
        "frem til kommunen.",
        "Rigtigt. Pligten er personlig, og den er først opfyldt, når kommunen har fået "
        "underretningen.",
    ),
)

MAIN = PlannedCourse(
    key="main",
    title="Bekymringstegn: radikalisering og ekstremisme",
    slug=MAIN_SLUG,
    summary=(
        "Hvad er ekstremisme og radikalisering, og hvad er det ikke? Lær de tegn, du kan lægge "
        "mærke til i adfærd, relationer og holdninger, hvorfor tegn ikke er en tjekliste, og "
        "hvad du gør, når du er bekymret: fra samtalen med din leder til Infohuset, hotlinen, "
        "112 og 114 – og reglerne om at dele oplysninger og om underretningspligt."
    ),
    minutes=20,
    required=True,
    pass_mark=75,
    attempts_allowed=3,
    lessons=MAIN_LESSONS,
    questions=MAIN_QUESTIONS,
)

REFRESHER = PlannedCourse(
    key="refresher",
    title="Genopfrisk: bekymringstegn og hvad du gør",
    slug=REFRESHER_SLUG,
    summary=(
        "En kort genopfriskning for dig, der har været på kursus eller informationsmøde: "
        "tegnene i sammenhæng, hvad du gør ved akut fare og ellers, og hvad du må dele."
    ),
    minutes=8,
    required=False,
    pass_mark=80,
    attempts_allowed=None,
    lessons=REFRESHER_LESSONS,
    questions=REFRESHER_QUESTIONS,
)

COURSES = (MAIN, REFRESHER)

INDEX_INTRO = (
    "<p>Korte kurser om at kende bekymringstegn og om, hvad du gør, når du er bekymret for et "
    "barn, en ung eller en voksen. Du kan tage dem, når det passer dig, og genoptage dem, hvor "
    "du slap.</p>"
)


def _block_id(*parts: str) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, ":".join(parts)))


def quiz_raw(plan: PlannedCourse) -> str:
    """The quiz StreamField's stored JSON, with fixed ids for every question and answer."""
    return json.dumps(
        [
            {
                "type": "question",
                "id": _block_id(plan.key, question.key),
                "value": {
                    "kind": question.kind,
                    "question": question.question,
                    "choices": [
                        {
                            "type": "item",
                            "id": _block_id(plan.key, question.key, str(number)),
                            "value": {"text": text, "correct": correct, "feedback": feedback},
                        }
                        for number, (text, correct, feedback) in enumerate(question.choices)
                    ],
                },
            }
            for question in plan.questions
        ]
    )


@dataclass
class CoursesDemoResult:
    pages_created: list[str] = field(default_factory=list)
    enrolments_created: int = 0
    lessons_done: int = 0
    attempts_made: int = 0
    completions_created: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.pages_created or self.enrolments_created)

    def summary(self) -> str:
        pages = ", ".join(self.pages_created) if self.pages_created else "no pages"
        return (
            f"{pages} created; {self.enrolments_created} enrolments, {self.lessons_done} lessons "
            f"done, {self.attempts_made} quiz attempts, {self.completions_created} completions"
        )


# The catalogue and courses were first published this many days before the load: before anyone
# took them (TAKEN_WITHIN_DAYS).
PUBLISHED_DAYS_AGO = 180


def _publish(page, *, now: dt.datetime) -> None:
    # A revision plus publish, as the admin does: the course's revision is what attempts and
    # completions point at. Wagtail keeps a first publication date already set.
    if page.first_published_at is None:
        page.first_published_at = now - dt.timedelta(days=PUBLISHED_DAYS_AGO)
    page.save_revision().publish()


def _home() -> HomePage:
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    home = site.root_page.specific if site is not None else None
    if not isinstance(home, HomePage):
        raise DemoDataError(
            "The demo courses need the demo home page (lms.people.demo.people) first."
        )
    return home


def _index_ensure(
    home: HomePage, result: CoursesDemoResult, *, now: dt.datetime
) -> CourseIndexPage:
    index = (
        CourseIndexPage.objects.child_of(home).filter(slug=INDEX_SLUG).first()
        # A catalogue an editor renamed: there is one per home page.
        or CourseIndexPage.objects.child_of(home).first()
    )
    if index is None:
        index = CourseIndexPage(title="Kurser", slug=INDEX_SLUG, intro=INDEX_INTRO)
        home.add_child(instance=index)
        _publish(index, now=now)
        result.pages_created.append("catalogue 'Kurser'")
    return index


def _course_ensure(
    index: CourseIndexPage,
    plan: PlannedCourse,
    *,
    audience: OrgUnit,
    competence: Competence | None,
    result: CoursesDemoResult,
    now: dt.datetime,
) -> CoursePage:
    course = CoursePage.objects.child_of(index).filter(slug=plan.slug).first()
    if course is not None:
        return course
    course = CoursePage(
        title=plan.title,
        slug=plan.slug,
        summary=plan.summary,
        estimated_minutes=plan.minutes,
        competence=competence,
        required=plan.required,
        pass_mark=plan.pass_mark,
        attempts_allowed=plan.attempts_allowed,
        quiz=quiz_raw(plan),
    )
    course.audience_units.set([audience])
    index.add_child(instance=course)
    _publish(course, now=now)
    for lesson_plan in plan.lessons:
        lesson = LessonPage(
            title=lesson_plan.title, slug=lesson_plan.slug, body=json.dumps(lesson_plan.body)
        )
        course.add_child(instance=lesson)
        _publish(lesson, now=now)
    result.pages_created.append(f"course {plan.title!r} ({len(plan.lessons)} lessons)")
    return CoursePage.objects.get(pk=course.pk)


def _learners() -> list[Person]:
    """The people who have taken the main course, the same on every run: a seeded sample of each
    unit's front-line staff as the demo roster generated them (the demo logins left out), then
    two demo logins. Never a sample of a query: a colleague a user adds must not change it."""
    rng = random.Random(SEED)
    entries = []
    for code, count in LEARNER_UNITS:
        staff = [
            e for e in demo_roster() if e.org_unit_code == code and e.frontline and not e.is_login
        ]
        entries += rng.sample(staff, min(count, len(staff)))
    logins = sorted(
        (e for e in demo_roster() if e.email in LEARNER_LOGINS), key=lambda e: e.employee_number
    )
    return demo_people(entries + logins)


def _answers(questions: dict[str, quiz.Question], rng: random.Random, wrong: int) -> dict:
    """All answers right except `wrong` questions, answered with a wrong choice (no credit)."""
    wrong_ids = set(rng.sample(sorted(questions), wrong))
    answers: dict[str, list[str]] = {}
    for qid, question in questions.items():
        if qid not in wrong_ids:
            answers[qid] = sorted(question.correct_ids)
            continue
        incorrect = sorted(question.choice_ids - question.correct_ids)
        answers[qid] = [rng.choice(incorrect)] if incorrect else []
    return answers


def _wrong_counts(questions: int, pass_mark: int) -> tuple[range, range]:
    """How many questions may be answered wrong to pass, and to fail, at `pass_mark`."""
    passing = [w for w in range(questions + 1) if (questions - w) * 100 >= pass_mark * questions]
    most = max(passing, default=0)
    return range(0, most + 1), range(most + 1, min(most + 3, questions) + 1)


def _course_taken(
    course: CoursePage, person: Person, result: CoursesDemoResult, *, now: dt.datetime
) -> None:
    """Enrol, finish every lesson and take the quiz until passed (maybe failing once first), on
    a day of the last months: a few minutes per lesson, a retry the next day."""
    rng = random.Random(f"{SEED}:{course.slug}:{person.employee_number}")
    moment = now - dt.timedelta(
        days=rng.randint(*TAKEN_WITHIN_DAYS), minutes=rng.randint(0, 6 * 60)
    )
    enrolment = services.enrolment_start(course=course, person=person, by=None, now=moment)
    result.enrolments_created += 1
    for lesson in selectors.course_lessons(course):
        moment += dt.timedelta(minutes=rng.randint(3, 9))
        services.lesson_complete(enrolment=enrolment, lesson=lesson, by=None, now=moment)
        result.lessons_done += 1
    questions = quiz_selectors.quiz_questions(course.live_revision)
    pass_mark = quiz_selectors.revision_pass_mark(course.live_revision, default=course.pass_mark)
    to_pass, to_fail = _wrong_counts(len(questions), pass_mark)
    plan = ["fail", "pass"] if rng.random() < FAIL_FIRST and to_fail else ["pass"]
    for outcome in plan:
        if quiz_services.attempts_remaining(enrolment=enrolment) == 0:
            break
        moment += dt.timedelta(minutes=2) if outcome == plan[0] else dt.timedelta(days=1)
        attempt = quiz_services.attempt_start(enrolment=enrolment, by=None, rng=rng, now=moment)
        wrong = rng.choice(to_fail if outcome == "fail" else to_pass)
        moment += dt.timedelta(minutes=rng.randint(4, 12))
        attempt = quiz_services.attempt_submit(
            attempt=attempt, answers=_answers(questions, rng, wrong), by=None, now=moment
        )
        result.attempts_made += 1
        if attempt.passed:
            result.completions_created += 1
            break


def _progress_load(course: CoursePage, result: CoursesDemoResult, *, now: dt.datetime) -> None:
    # A course an editor unpublished, emptied or cleared of questions is left as it is.
    if (
        not course.live
        or course.live_revision is None
        or not selectors.course_lessons(course)
        or not quiz_selectors.quiz_questions(course.live_revision)
    ):
        return
    enrolled = set(Enrolment.objects.filter(course=course).values_list("person_id", flat=True))
    for person in _learners():
        if person.pk not in enrolled and access.person_may_take_course(person, course):
            _course_taken(course, person, result, now=now)

    # The employee login has started: one lesson done, the rest for them to try.
    employee = next(iter(demo_people(e for e in demo_roster() if e.email == EMPLOYEE_EMAIL)), None)
    if (
        employee is not None
        and employee.pk not in enrolled
        and access.person_may_take_course(employee, course)
    ):
        started = now - dt.timedelta(days=EMPLOYEE_STARTED_DAYS_AGO)
        enrolment = services.enrolment_start(course=course, person=employee, by=None, now=started)
        result.enrolments_created += 1
        services.lesson_complete(
            enrolment=enrolment,
            lesson=selectors.course_lessons(course)[0],
            by=None,
            now=started + dt.timedelta(minutes=7),
        )
        result.lessons_done += 1


def courses_demo_load(*, now: dt.datetime | None = None) -> CoursesDemoResult:
    """Needs the demo organisation, roster, site and competences (the core's demo data) first;
    load_demo_data loads those before any app's demo_load(). `now` (default: the current time)
    is the moment the learners' history is dated back from."""
    now = now or timezone.now()
    result = CoursesDemoResult()
    with transaction.atomic():
        home = _home()
        audience = OrgUnit.objects.get(code=MUNICIPALITY)
        competence = Competence.objects.filter(code=SIGNS).first()
        index = _index_ensure(home, result, now=now)
        courses = {
            plan.key: _course_ensure(
                index, plan, audience=audience, competence=competence, result=result, now=now
            )
            for plan in COURSES
        }
        _progress_load(courses[MAIN.key], result, now=now)
    return result
