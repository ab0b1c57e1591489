"""The core names no feature (DESIGN.md): nothing under lms/ names a feature app's URL, URL name,
page type, model or template. Features plug in through the core's registries instead
(lms.site.navigation, lms.site.my_page, lms.competence.links, parent_page_types, AppConfig.ready()).

Project wiring is exempt: the settings (INSTALLED_APPS), lms/urls.py (the features' URL includes)
and lms/celery.py; so are migrations, translations, comments and docstrings, which may explain.
The names are read from the installed features, so a new feature is covered without a change here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.apps import apps
from django.urls import URLResolver, get_resolver

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "lms"
FEATURE_PACKAGES = ("attendance", "courses", "newsletters", "reports")
EXEMPT = {"urls.py", "celery.py"}
EXEMPT_FOLDERS = {"settings", "locale", "migrations", "__pycache__"}
# Words that are a feature's name by coincidence: (file, string).
COINCIDENCES = {
    # A manager's direct reports (Person.manager's related_name), not the reports app.
    ("lms/people/models.py", "reports"),
}


def _feature_configs():
    return [c for c in apps.get_app_configs() if c.name.split(".")[0] in FEATURE_PACKAGES]


def _feature_urls() -> tuple[set[str], set[str]]:
    """The URL namespaces and path prefixes that lms/urls.py gives the features."""
    namespaces, prefixes = set(), set()
    for pattern in get_resolver().url_patterns:
        if not isinstance(pattern, URLResolver):
            continue
        module = getattr(pattern.urlconf_module, "__name__", str(pattern.urlconf_name))
        if module.split(".")[0] in FEATURE_PACKAGES:
            if pattern.namespace:
                namespaces.add(pattern.namespace)
            if str(pattern.pattern).strip("/"):
                prefixes.add(str(pattern.pattern).strip("/"))
    return namespaces, prefixes


def _names():
    namespaces, prefixes = _feature_urls()
    configs = _feature_configs()
    words = namespaces | {c.label for c in configs} | set(FEATURE_PACKAGES)
    models = {model.__name__ for c in configs for model in c.get_models()}
    return words, prefixes, models


def _sources() -> list[Path]:
    found = []
    for path in sorted(CORE.rglob("*")):
        rel = path.relative_to(CORE)
        if EXEMPT_FOLDERS & set(rel.parts) or str(rel) in EXEMPT or not path.is_file():
            continue
        if path.suffix == ".py" or (path.suffix in {".html", ".txt"} and "templates" in rel.parts):
            found.append(path)
    return found


def _where(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name


def _python_findings(path: Path, words, prefixes, models) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    named = re.compile(rf"(?<![\w-])({'|'.join(sorted(words))})[.:/](?=[A-Za-z_])")
    found = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in docstrings:
                continue
            text = node.value
            if (_where(path), text) in COINCIDENCES:
                continue
            in_prefix = any(f"{p}/" in text for p in prefixes)
            if text in words | models or named.search(text) or in_prefix:
                found.append(f"{_where(path)}:{line}: {text!r}")
        elif isinstance(node, ast.Name) and node.id in models:
            found.append(f"{_where(path)}:{line}: {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr in models:
            found.append(f"{_where(path)}:{line}: .{node.attr}")
        elif isinstance(node, ast.ImportFrom | ast.Import):
            modules = [node.module] if isinstance(node, ast.ImportFrom) else []
            modules += [alias.name for alias in getattr(node, "names", [])]
            if any((m or "").split(".")[0] in FEATURE_PACKAGES for m in modules):
                found.append(f"{_where(path)}:{line}: import {modules}")
    return found


TEMPLATE_COMMENT = re.compile(r"{#.*?#}|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.DOTALL)


def _template_findings(path: Path, words, prefixes) -> list[str]:
    text = TEMPLATE_COMMENT.sub("", path.read_text())
    alternatives = "|".join(sorted(words))
    quoted = re.compile(rf"""["']({alternatives})([:/]|["'])""")
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if quoted.search(line) or any(f"/{p}/" in line for p in prefixes):
            found.append(f"{_where(path)}:{number}: {line.strip()}")
    return found


def test_the_feature_names_are_known():
    words, prefixes, models = _names()
    # The scan below is only as good as these: they must hold the features' real names.
    assert {"attendance", "cards", "courses"} <= words
    assert {"moeder", "handlekort", "laering"} <= prefixes
    assert {"Meeting", "ActionCard", "CourseIndexPage"} <= models


def test_the_core_names_no_feature():
    words, prefixes, models = _names()
    findings = []
    for path in _sources():
        if path.suffix == ".py":
            findings += _python_findings(path, words, prefixes, models)
        else:
            findings += _template_findings(path, words, prefixes)
    assert not findings, "The core names a feature:\n" + "\n".join(findings)


def test_the_scan_finds_what_it_looks_for(tmp_path):
    words, prefixes, models = _names()
    source = tmp_path / "sample.py"
    source.write_text(
        '"""A docstring may say courses.CoursePage."""\n'
        "# so may a comment: attendance:meeting_list\n"
        'subpage_types = ["courses.CourseIndexPage"]\n'
        'url = reverse("attendance:meeting_list")\n'
        'fallback = "/laering/"\n'
        "kind = Meeting\n"
    )
    template = tmp_path / "page.html"
    template.write_text(
        "{# courses:team is fine in a comment #}\n"
        "<a href=\"{% url 'cards:list' %}\">x</a>\n"
        "{% if request.resolver_match.namespace == 'attendance' %}{% endif %}\n"
        '{% trans "Import external courses" %}\n'
    )
    python = _python_findings(source, words, prefixes, models)
    templates = _template_findings(template, words, prefixes)
    assert sorted(int(f.split(":")[1]) for f in python) == [3, 4, 5, 6]
    assert [int(f.split(":")[1]) for f in templates] == [2, 3]
