"""The printable pocket Action Card: one credit-card-size page per side (ID-1, 85.6 x 54 mm).

Side one: the title and the signs to look for. Side two: the steps with the numbers to call (from
the site settings), a QR code to the card's stable public page, the address in plain text, and the
version with its approval date. Each side shrinks its text to fit, so a card is always two pages.
Text is drawn as real PDF text (searchable, readable by screen readers, testable); the QR code is
drawn as vector squares, so it prints sharp at any size.
"""

from __future__ import annotations

import io

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import Frame, KeepInFrame, Spacer

from attendance.models import ActionCardVersion
from lms.pdf import BOLD, FONT, paragraph, qr_draw

CARD_SIZE = (85.6 * mm, 54 * mm)
MARGIN = 3 * mm
QR_SIZE = 19 * mm

TITLE = ParagraphStyle("title", fontName=BOLD, fontSize=9, leading=10.5, spaceAfter=2)
HEADING = ParagraphStyle("heading", fontName=BOLD, fontSize=7, leading=8.5, spaceAfter=1)
BODY = ParagraphStyle("body", fontName=FONT, fontSize=6.5, leading=7.8)
BULLET = ParagraphStyle("bullet", parent=BODY, leftIndent=6, bulletIndent=0)
SMALL = ParagraphStyle("small", fontName=FONT, fontSize=5.5, leading=6.6)
ACUTE = ParagraphStyle("acute", fontName=BOLD, fontSize=8, leading=9.5, textColor=colors.black)


def step_numbers(kind: str, settings, contacts) -> list[str]:
    """The numbers a step of `kind` shows, as plain lines (shared with the web page's wording)."""
    if settings is None:
        return []
    if kind == "acute":
        return [
            _("Acute danger: call %(emergency)s") % {"emergency": settings.emergency_number},
            _("Police: call %(police)s") % {"police": settings.police_number},
        ]
    if kind == "hotline":
        line = f"{settings.hotline_name}: {settings.hotline_number}"
        if settings.hotline_hours:
            line += f" ({settings.hotline_hours})"
        return [line]
    if kind == "infohus":
        return [
            f"{contact.name}: {contact.phone}" if contact.phone else contact.name
            for contact in contacts
        ]
    return []


def _fill(pdf: canvas.Canvas, story: list, *, x: float, y: float, width: float, height: float):
    frame = Frame(x, y, width, height, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    frame.addFromList([KeepInFrame(width, height, story, mode="shrink")], pdf)


def card_pdf(
    *, version: ActionCardVersion, url: str, settings, contacts, superseded: bool = False
) -> bytes:
    """The pocket card of `version` as PDF bytes; `url` is the card's stable public page."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=CARD_SIZE, pageCompression=1, invariant=1)
    pdf.setTitle(version.title)
    pdf.setSubject(_("Action Card, version %(number)s") % {"number": version.number})
    if settings is not None:
        pdf.setAuthor(settings.infohus_name)
    pdf.setCreator("Infohus LMS")
    width, height = CARD_SIZE

    # Side one: what to look for.
    front = [paragraph(version.title, TITLE)]
    if superseded:
        front.append(
            paragraph(_("Superseded version: see the current card at the address."), HEADING)
        )
    front.append(paragraph(_("Signs to look for"), HEADING))
    for block in version.signs:
        front.append(paragraph(block.value["sign"], BULLET))
        front[-1].bulletText = "•"
    front += [
        Spacer(1, 2),
        paragraph(
            _("Several signs together, and changes over time, matter more than one sign alone."),
            SMALL,
        ),
    ]
    _fill(
        pdf,
        front,
        x=MARGIN,
        y=MARGIN,
        width=width - 2 * MARGIN,
        height=height - 2 * MARGIN,
    )
    pdf.showPage()

    # Side two: what to do, whom to call.
    back = [paragraph(_("What to do"), HEADING)]
    for number, block in enumerate(version.steps, start=1):
        step = block.value
        back.append(paragraph(f"{number}. {step['title']}", BODY))
        for line in step_numbers(step["kind"], settings, contacts):
            back.append(paragraph(line, ACUTE if step["kind"] == "acute" else BODY))
    # The address and version run along the bottom, full width: the address must print whole.
    footer_height = 5 * mm
    top = MARGIN + footer_height + 1 * mm
    qr_x = width - MARGIN - QR_SIZE
    qr_y = height - MARGIN - QR_SIZE
    qr_draw(pdf, url, x=qr_x, y=qr_y, size=QR_SIZE)
    _fill(
        pdf,
        back,
        x=MARGIN,
        y=top,
        width=width - 3 * MARGIN - QR_SIZE,
        height=height - MARGIN - top,
    )
    approved = (
        formats.date_format(timezone.localtime(version.approved_at), "SHORT_DATE_FORMAT")
        if version.approved_at
        else "–"
    )
    footer = [
        paragraph(url.split("://", 1)[-1], SMALL),
        paragraph(
            _("Version %(number)s, approved %(date)s")
            % {"number": version.number, "date": approved},
            SMALL,
        ),
    ]
    _fill(pdf, footer, x=MARGIN, y=MARGIN, width=width - 2 * MARGIN, height=footer_height)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
