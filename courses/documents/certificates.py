"""The course certificate as a PDF (A4 landscape): what it says comes from
courses.selectors.certificates (CertificateFacts), fixed when the certificate was earned.
"""

from __future__ import annotations

import datetime as dt
import io

from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import Frame

from courses.selectors.certificates import CertificateFacts
from lms.pdf import BOLD, FONT, paragraph, qr_draw

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
