"""Small drawing helpers shared by the platform's PDFs (the Action Card, course certificates).

reportlab draws the page; segno gives the QR code's modules, which are drawn as vector squares so
the code stays sharp at any print size and needs no image library.

Text is set in DejaVu Sans, shipped in lms/fonts/ (its licence beside it) and embedded in every
PDF: reportlab's built-in Helvetica only has Latin-1, so names such as Łukasz, Çelik or Nguyễn
would print as black boxes. Registered once, here; the PDFs use FONT and BOLD.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import segno
from reportlab.lib import colors
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"
BOLD = "DejaVuSans-Bold"


def _fonts_register() -> None:
    pdfmetrics.registerFont(TTFont(FONT, FONT_DIR / "DejaVuSans.ttf"))
    pdfmetrics.registerFont(TTFont(BOLD, FONT_DIR / "DejaVuSans-Bold.ttf"))
    # <b> in a paragraph picks the bold face of the family; no italic faces are shipped.
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, BOLD)
    addMapping(FONT, 0, 1, FONT)
    addMapping(FONT, 1, 1, BOLD)


_fonts_register()


def paragraph(text: str, style) -> Paragraph:
    """A paragraph of plain text: reportlab reads its markup, so the text is escaped."""
    return Paragraph(escape(text), style)


def qr_draw(pdf: canvas.Canvas, url: str, *, x: float, y: float, size: float) -> None:
    """A QR code of `url` in a white square of `size` with its lower-left corner at (x, y)."""
    matrix = segno.make(url, error="m").matrix
    border = 2
    module = size / (len(matrix) + 2 * border)
    pdf.setFillColor(colors.white)
    pdf.rect(x, y, size, size, stroke=0, fill=1)
    pdf.setFillColor(colors.black)
    path = pdf.beginPath()
    top = y + size - border * module
    for row_index, row in enumerate(matrix):
        for col_index, dark in enumerate(row):
            if dark:
                path.rect(
                    x + (border + col_index) * module,
                    top - (row_index + 1) * module,
                    module,
                    module,
                )
    pdf.drawPath(path, stroke=0, fill=1)
