"""Course certificates: the PDF, and the reads behind it and the public verification page.

A certificate is a Completion: its code is printed on it (and as a QR code to the verification
page). What it says is fixed when it is earned: the course title of the revision it was completed
on, the completion date and the last valid day. Completing again after expiry is a new Completion,
so a new certificate with its own code and dates; the old one then verifies as expired.

The verification page shows only whether a code is valid, and the name, course and dates.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import Frame

from courses.models import Completion
from lms.pdf import BOLD, FONT, paragraph, qr_draw

VALID = "valid"
EXPIRED = "expired"
WITHDRAWN = "withdrawn"

# The codes are drawn from an alphabet without look-alikes (courses.services); people type them
# back in upper or lower case, with or without the dashes the certificate shows.
CODE_GROUP = 4
_NOT_CODE = re.compile(r"[^0-9A-Z]")

PAGE = landscape(A4)
MARGIN = 20 * mm
QR_SIZE = 38 * mm
INK = colors.HexColor("#1a1a1a")
ACCENT = colors.HexColor("#1a4b8c")

TITLE = ParagraphStyle(
    "title", fontName=BOLD, fontSize=34, leading=40, alignment=TA_CENTER, textColor=ACCENT
)
LEAD = ParagraphStyle(
    "lead", fontName=FONT, fontSize=13, leading=17, alignment=TA_CENTER, textColor=INK
)
NAME = ParagraphStyle(
    "name", fontName=BOLD, fontSize=26, leading=31, alignment=TA_CENTER, textColor=INK
)
COURSE = ParagraphStyle(
    "course", fontName=BOLD, fontSize=18, leading=23, alignment=TA_CENTER, textColor=INK
)
LABEL = ParagraphStyle("label", fontName=FONT, fontSize=10, leading=13, textColor=INK)
VALUE = ParagraphStyle("value", fontName=BOLD, fontSize=13, leading=17, textColor=INK)
SMALL = ParagraphStyle("small", fontName=FONT, fontSize=8.5, leading=11, textColor=INK)


def normalise_code(text: str) -> str:
    return _NOT_CODE.sub("", (text or "").upper())


def display_code(code: str) -> str:
    """ABCD-EFGH-JKMN: easier to read out and type back."""
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def completion_by_code(code: str) -> Completion | None:
    code = normalise_code(code)
    if not code:
        return None
    return (
        Completion.objects.select_related(
            "enrolment__person", "enrolment__course", "revision", "evidence"
        )
        .filter(certificate_code=code)
        .first()
    )


def course_title(completion: Completion) -> str:
    """The title the course had when it was completed, not today's."""
    content = completion.revision.content if completion.revision_id else None
    title = (content or {}).get("title") if isinstance(content, dict) else None
    return title or completion.enrolment.course.title


def certificate_status(completion: Completion, *, today: dt.date | None = None) -> str:
    """valid, expired (past its last valid day) or withdrawn (its evidence was voided)."""
    today = today or timezone.localdate()
    if completion.evidence_id is not None and completion.evidence.voided_at is not None:
        return WITHDRAWN
    if completion.valid_until is not None and completion.valid_until < today:
        return EXPIRED
    return VALID


def verify_url(code: str) -> str:
    path = reverse("courses:certificate_verify", kwargs={"code": code})
    return settings.LMS_BASE_URL.rstrip("/") + path


@dataclass(frozen=True)
class CertificateFacts:
    """Everything a certificate shows, and nothing else: the verification page shows this."""

    code: str
    name: str
    course: str
    completed_on: dt.date
    valid_until: dt.date | None
    status: str

    @property
    def display_code(self) -> str:
        return display_code(self.code)


def certificate_facts(completion: Completion, *, today: dt.date | None = None) -> CertificateFacts:
    return CertificateFacts(
        code=completion.certificate_code,
        name=completion.enrolment.person.name,
        course=course_title(completion),
        completed_on=completion.completed_on,
        valid_until=completion.valid_until,
        status=certificate_status(completion, today=today),
    )


# --- The PDF -------------------------------------------------------------------------------------


def _date(day: dt.date) -> str:
    return formats.date_format(day, "j. F Y")


def _frame(pdf, story, *, x, y, width, height) -> None:
    frame = Frame(x, y, width, height, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    frame.addFromList(story, pdf)


def certificate_pdf(*, facts: CertificateFacts, url: str, issuer: str) -> bytes:
    """The certificate as PDF bytes (A4 landscape). Real text, so that it can be searched, read
    aloud and tested; `url` (the verification page) is printed and drawn as a QR code."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=PAGE, pageCompression=1, invariant=1)
    pdf.setTitle(_("Course certificate: %(course)s") % {"course": facts.course})
    pdf.setAuthor(issuer)
    pdf.setCreator("Infohus LMS")
    width, height = PAGE

    pdf.setStrokeColor(ACCENT)
    pdf.setLineWidth(3)
    pdf.rect(MARGIN / 2, MARGIN / 2, width - MARGIN, height - MARGIN, stroke=1, fill=0)

    body_top = height - MARGIN - 8 * mm
    _frame(
        pdf,
        [
            paragraph(_("Course certificate"), TITLE),
            paragraph(issuer, LEAD),
            paragraph(" ", LEAD),
            paragraph(_("This certifies that"), LEAD),
            paragraph(facts.name, NAME),
            paragraph(_("has completed the course"), LEAD),
            paragraph(facts.course, COURSE),
        ],
        x=MARGIN,
        y=height / 2 - 10 * mm,
        width=width - 2 * MARGIN,
        height=body_top - (height / 2 - 10 * mm),
    )

    valid_until = _date(facts.valid_until) if facts.valid_until else _("does not expire")
    details = []
    for label, value in (
        (_("Completed on"), _date(facts.completed_on)),
        (_("Valid until"), valid_until),
        (_("Verification code"), facts.display_code),
    ):
        details += [paragraph(label, LABEL), paragraph(value, VALUE)]
    details += [
        paragraph(" ", SMALL),
        paragraph(_("Check this certificate at:"), SMALL),
        paragraph(url, SMALL),
    ]
    box_bottom = MARGIN + 2 * mm
    _frame(
        pdf,
        details,
        x=MARGIN + 8 * mm,
        y=box_bottom,
        width=width / 2,
        height=height / 2 - 14 * mm - box_bottom,
    )
    qr_draw(pdf, url, x=width - MARGIN - 8 * mm - QR_SIZE, y=box_bottom + 4 * mm, size=QR_SIZE)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
