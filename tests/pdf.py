"""Reading back the PDFs the platform makes (Action Cards, certificates) in tests."""

from __future__ import annotations

import io

from pypdf import PdfReader


def pdf_text(content: bytes) -> str:
    """All text of the PDF, with runs of white space (line breaks of wrapped text) as one space."""
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def pdf_pages(content: bytes) -> list:
    return list(PdfReader(io.BytesIO(content)).pages)
