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
import json
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
        # The English (source) catalogues; a package without one (django-filter) lists its
        # msgids in its Danish catalogue too.
        paths = sorted(root.glob("**/locale/en/LC_MESSAGES/*.po")) or sorted(
            root.glob("**/locale/da/LC_MESSAGES/*.po")
        )
        for path in paths:
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
    fixed = "".join(pieces)
    # A msgid that is mostly placeholders ("{}nd", "%(time)s by %(user)s", "%(a)s for %(b)s")
    # would match Danish text: it needs a word of its own and four characters besides spaces.
    if len(pieces) > 1 and len("".join(fixed.split())) < 4:
        return None
    if not re.search(r"[A-Za-z]{3,}" if len(pieces) > 1 else r"[A-Za-z]{2,}", fixed):
        return None
    return ".*?".join(re.escape(piece).replace(r"\ ", r"\s*") for piece in pieces)


@cache
def matchers(entries: tuple[Entry, ...]) -> tuple[tuple[re.Pattern, Entry], ...]:
    result = []
    seen = set()
    for entry in entries:
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
    """Collects the pieces of text a person reads: text runs, the read attributes, and the labels
    in the JSON that Wagtail's admin renders into text with JavaScript (the sidebar menu, the
    strings of wagtail-config). Also the links, for a crawler."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.links: list[str] = []
        self.skip_depth = 0
        self.stack: list[str] = []
        self.json: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and attributes.get("type") == "application/json":
            self.json = []
        # Not read: what is no text (scripts, styles ...) and what is hidden (until JavaScript
        # fills and shows it: the browser test reads the live page).
        skipped = tag in SKIPPED or "hidden" in attributes
        if tag not in VOID:
            self.stack.append((tag, skipped))
        self._attributes(tag, attributes)
        if skipped and tag not in VOID:
            self.skip_depth += 1

    def handle_startendtag(self, tag, attrs):
        self._attributes(tag, dict(attrs))

    def _attributes(self, tag, attributes):
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if self.skip_depth:
            return
        for name in READ_ATTRIBUTES:
            if attributes.get(name):
                self.pieces.append(attributes[name])
        if tag == "input" and attributes.get("type") in ("submit", "button", "reset"):
            if attributes.get("value"):
                self.pieces.append(attributes["value"])

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if tag == "script" and self.json is not None:
            self._json("".join(self.json))
            self.json = None
        while self.stack:
            top, skipped = self.stack.pop()
            if skipped:
                self.skip_depth -= 1
            if top == tag:
                break

    def handle_data(self, data):
        if self.json is not None:
            self.json.append(data)
        elif not self.skip_depth and data.strip():
            self.pieces.append(data)

    def _json(self, text):
        try:
            data = json.loads(text)
        except ValueError:
            return

        def walk(value, key="", strings=False):
            if isinstance(value, dict):
                for k, v in value.items():
                    walk(v, k, strings or k == "STRINGS")
            elif isinstance(value, list):
                for item in value:
                    walk(item, key, strings)
            elif isinstance(value, str) and value.strip():
                if strings or key in JSON_TEXT_KEYS:
                    self.pieces.append(value)
                elif key == "url":
                    self.links.append(value)

        walk(data)


# Keys of the admin's JSON whose values JavaScript shows as text.
JSON_TEXT_KEYS = {"label", "footer_text", "title", "placeholder", "help_text"}

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
}  # fmt: skip


def read(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader


def readable_texts(html: str) -> list[str]:
    """The text runs and read attributes of a page, white space collapsed."""
    return [" ".join(piece.split()) for piece in read(html).pieces if piece.strip()]


def links(html: str) -> list[str]:
    """Every link target of a page, the admin menu's included."""
    return read(html).links


# English msgids that are Danish words too, and the languages' own names in the language menu.
ALSO_DANISH = {"Note", "English", "Dansk", "Administration"}


@cache
def bypassed_gettext() -> dict[str, Entry]:
    """Texts of English msgids (without placeholders) whose Danish is different: on a Danish page
    such a text is English that never went through gettext (a template's hard-coded word, such as
    Wagtail's value="Search")."""
    catalogue = danish("django")._catalog
    result: dict[str, Entry] = {}
    for entry in source_entries():
        if entry.domain != "django" or "%" in entry.msgid or PLACEHOLDER.search(entry.msgid):
            continue
        try:
            translated = catalogue[entry.key]
        except KeyError:
            continue
        text = " ".join(entry.msgid.split())
        if " ".join(str(translated).split()) != text and text not in ALSO_DANISH:
            result.setdefault(text, entry)
    return result


def untranslated_in_texts(texts: list[str], entries: tuple[Entry, ...] | None = None) -> list[str]:
    """'text <- msgid (catalogue)' for each text that is an untranslated library msgid (of
    `entries`, by default those the Danish catalogues lack), or (by default) an English msgid
    shown as it is although it has Danish."""
    found = []
    for text in dict.fromkeys(texts):
        if entries is None and text in bypassed_gettext():
            entry = bypassed_gettext()[text]
            found.append(
                f"{text!r} <- {entry.msgid!r} ({entry.source}, Danish exists: not gettext)"
            )
            continue
        for regex, entry in matchers(untranslated_entries() if entries is None else entries):
            if regex.fullmatch(text):
                found.append(f"{text!r} <- {entry.msgid!r} ({entry.source})")
                break
    return found


def untranslated_in(html: str, entries: tuple[Entry, ...] | None = None) -> list[str]:
    return untranslated_in_texts(readable_texts(html), entries)
