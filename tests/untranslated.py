"""Finding English that the libraries' Danish catalogues leave on our pages.

Wagtail, allauth, Django and their helpers ship English source catalogues (locale/en/.../*.po)
listing every string their templates and code can show. A string is untranslated when the Danish
catalogue that Django actually uses (the libraries' own, overlaid by the project's LOCALE_PATHS)
has no entry for it. `untranslated_in(html)` reads a rendered page the way a person (or a screen
reader) does, visible text and the title, aria-label, placeholder and alt attributes, and returns
the pieces that are such untranslated English strings, so a test can assert that there are none.

No polib: the .po format is read by the small parser below.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from importlib.util import find_spec
from pathlib import Path

from django.apps import apps
from django.utils import translation
from django.utils.translation.trans_real import DjangoTranslation

# The packages whose strings reach our users' pages.
PACKAGES = ("wagtail", "allauth", "django", "django_filters", "taggit")

# Attributes a person reads (tool tips) or hears (screen readers) besides the text itself.
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "aria-description")
# Elements whose content is not text on the page. <template> holds markup JavaScript shows later.
SKIPPED = {"script", "style", "noscript", "svg", "code", "pre", "textarea"}
# <option> labels are read, but a <select> of user data may hold anything; values never.

# printf and python-format placeholders: %(name)s, %s, %d, {name}, {0}.
PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdifr]|\{[a-z_0-9]*\}")


@dataclass(frozen=True)
class Entry:
    msgid: str
    plural: str | None
    context: str | None
    domain: str
    source: str

    @property
    def key(self):
        msgid = f"{self.context}\x04{self.msgid}" if self.context else self.msgid
        return (msgid, 0) if self.plural is not None else msgid


def po_entries(path: Path) -> list[tuple[str | None, str, str | None, bool]]:
    """(msgctxt, msgid, msgid_plural, fuzzy) for each live entry of a .po file."""
    entries = []
    fields: dict[str, str] = {}
    current = None
    fuzzy = False

    def flush():
        nonlocal fields, current, fuzzy
        if "msgid" in fields:
            entries.append(
                (fields.get("msgctxt"), fields["msgid"], fields.get("msgid_plural"), fuzzy)
            )
        fields, current, fuzzy = {}, None, False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            if "msgid" in fields:
                flush()
            fuzzy = "fuzzy" in line
            continue
        if line.startswith("#"):
            if "msgid" in fields and current and current.startswith("msgstr"):
                flush()
            continue
        if line.startswith('"'):
            if current:
                fields[current] += ast.literal_eval(line)
            continue
        keyword, _, value = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and current and current.startswith("msgstr"):
            keep_fuzzy = fuzzy
            flush()
            fuzzy = keep_fuzzy
        current = keyword
        fields[keyword] = ast.literal_eval(value)
    flush()
    return entries


def package_dir(name: str) -> Path:
    spec = find_spec(name)
    assert spec is not None and spec.origin, name
    return Path(spec.origin).parent


def installed(package: str, path: Path) -> bool:
    """Whether the catalogue at `path` belongs to an installed app (or to Django itself): only
    those strings can reach a page."""
    module = ".".join(path.relative_to(package_dir(package).parent).parts[:-4])
    return module in ("django.conf", package) or apps.is_installed(module)


@cache
def source_entries() -> tuple[Entry, ...]:
    """Every English msgid of the installed apps, from their English (source) catalogues."""
    found: dict[tuple, Entry] = {}
    for package in PACKAGES:
        root = package_dir(package)
        for path in sorted(root.glob("**/locale/en/LC_MESSAGES/*.po")):
            if not installed(package, path):
                continue
            domain = path.stem
            for context, msgid, plural, _ in po_entries(path):
                if not msgid:
                    continue
                entry = Entry(msgid, plural, context, domain, str(path.relative_to(root.parent)))
                found.setdefault((domain, entry.key), entry)
    return tuple(found.values())


@cache
def danish(domain: str) -> DjangoTranslation:
    """The Danish catalogue Django uses for `domain` (djangojs: as JavaScriptCatalog builds it)."""
    if domain == "django":
        with translation.override("da"):
            return translation.trans_real.translation("da")
    return DjangoTranslation("da", domain=domain)


def is_translated(entry: Entry) -> bool:
    return entry.key in danish(entry.domain)._catalog


@cache
def untranslated_entries() -> tuple[Entry, ...]:
    return tuple(entry for entry in source_entries() if not is_translated(entry))


def pattern(text: str) -> str | None:
    """A regex for the rendered form of a msgid (a placeholder matches anything, nothing
    included), or None when the msgid has no English word to tell it apart by."""
    pieces = PLACEHOLDER.split(" ".join(text.split()).replace("%%", "%"))
    if not re.search(r"[A-Za-z]{2,}", "".join(pieces)):
        return None
    return ".*?".join(re.escape(piece).replace(r"\ ", r"\s*") for piece in pieces)


@cache
def matchers() -> tuple[tuple[re.Pattern, Entry], ...]:
    result = []
    seen = set()
    for entry in untranslated_entries():
        for text in filter(None, (entry.msgid, entry.plural)):
            # Markup inside a msgid (links, <strong>) splits its text on the page; the text between
            # the tags is what a person reads, so match each piece of it.
            for piece in re.split(r"<[^>]+>", text):
                regex = pattern(piece.strip())
                if regex is None or (regex, entry.msgid) in seen:
                    continue
                seen.add((regex, entry.msgid))
                result.append((re.compile(regex, re.S), entry))
    return tuple(result)


class _Reader(HTMLParser):
    """Collects the pieces of text a person reads: text runs and the read attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.skip_depth = 0
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED:
            self.skip_depth += 1
        if tag not in VOID:
            self.stack.append(tag)
        if self.skip_depth:
            return
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self.pieces.append(value)
        if tag == "input" and dict(attrs).get("type") in ("submit", "button"):
            value = dict(attrs).get("value")
            if value:
                self.pieces.append(value)

    def handle_startendtag(self, tag, attrs):
        if tag in SKIPPED:
            return
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self.pieces.append(value)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        while self.stack:
            top = self.stack.pop()
            if top in SKIPPED:
                self.skip_depth -= 1
            if top == tag:
                break

    def handle_data(self, data):
        if not self.skip_depth and data.strip():
            self.pieces.append(data)


VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
}  # fmt: skip


def readable_texts(html: str) -> list[str]:
    """The text runs and read attributes of a page, white space collapsed."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return [" ".join(piece.split()) for piece in reader.pieces if piece.strip()]


def untranslated_in_texts(texts: list[str]) -> list[str]:
    """'text  <- msgid (catalogue)' for each text that is an untranslated library msgid."""
    found = []
    for text in dict.fromkeys(texts):
        for regex, entry in matchers():
            if regex.fullmatch(text):
                found.append(f"{text!r} <- {entry.msgid!r} ({entry.source})")
                break
    return found


def untranslated_in(html: str) -> list[str]:
    return untranslated_in_texts(readable_texts(html))
