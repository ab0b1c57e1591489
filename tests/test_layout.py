"""The layout rule of docs/architecture.md holds in every app (issue 9): `<layer>/<capability>.py`,
flat modules only for the entry points a framework or the core finds by name, no section markers,
the Wagtail admin in `viewsets/` and not among the front end's `views/`, and `wagtail_hooks.py`
only registers. A new app is listed here the day it lands."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

APPS = [
    "attendance",
    "courses",
    "newsletters",
    "reports",
    "lms/people",
    "lms/competence",
    "lms/site",
    "lms/concerns",
]

# Found by name: by Django, Wagtail, Celery or the core's registries.
ENTRY_POINTS = {
    "__init__",
    "access",
    "adapters",
    "apps",
    "backends",
    "blocks",
    "filters",
    "finders",
    "links",
    "middleware",
    "my_page",
    "navigation",
    "panels",
    "policy",  # lms/people: the core's decision table and its primitives
    "signals",
    "tasks",
    "teasers",
    "wagtail_hooks",
}
# A layer; flat (`<layer>.py`) while it holds one capability, else a package.
LAYERS = {
    "demo",
    "documents",
    "emails",
    "forms",
    "lib",
    "models",
    "notifications",
    "permissions",
    "selectors",
    "services",
    "urls",
    "views",
    "viewsets",
}
FRAMEWORK_PACKAGES = {"management", "migrations", "templatetags"}

SECTION_MARKER = re.compile(r"^\s*#\s*(?:-{3,}|={3,}|\*{3,}|#{3,})")


def _modules(app: str) -> list[Path]:
    return sorted(
        path
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and "settings" not in path.parts
    )


@pytest.mark.parametrize("app", APPS)
def test_every_flat_module_is_an_entry_point_or_a_single_capability_layer(app):
    for path in (ROOT / app).glob("*.py"):
        name = path.stem
        assert name in ENTRY_POINTS | LAYERS, f"{app}/{path.name}: not <layer>/<capability>.py"
        if name in LAYERS:
            assert not (ROOT / app / name).is_dir(), f"{app}: both {name}.py and {name}/"


@pytest.mark.parametrize("app", APPS)
def test_every_package_is_a_layer(app):
    for path in (ROOT / app).iterdir():
        if (path / "__init__.py").exists():
            assert path.name in LAYERS | FRAMEWORK_PACKAGES, f"{app}/{path.name}/ is no layer"


@pytest.mark.parametrize("app", APPS)
def test_no_section_markers(app):
    """A module that needs `# === Attendance ===` holds two capabilities."""
    for path in _modules(app):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            assert not SECTION_MARKER.match(line), f"{path.relative_to(ROOT)}:{number}: {line}"


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("app", APPS)
def test_the_front_end_views_are_not_the_wagtail_admin(app):
    """The admin's pages live in viewsets/, so a reader finds every capability's admin there."""
    views = [ROOT / app / "views.py", *(ROOT / app / "views").glob("*.py")]
    for path in views:
        if path.exists():
            admin = {m for m in _imports(path) if m.startswith("wagtail.admin")}
            assert not admin, f"{path.relative_to(ROOT)} is admin ({sorted(admin)}): viewsets/"


@pytest.mark.parametrize("app", APPS)
def test_wagtail_hooks_only_register(app):
    """Every function of wagtail_hooks.py is a registered hook; the code they register lives in
    the layers."""
    path = ROOT / app / "wagtail_hooks.py"
    if not path.exists():
        return
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            registered = any(
                isinstance(d, ast.Call) and getattr(d.func, "attr", "") == "register"
                for d in node.decorator_list
            )
            assert registered, f"{app}/wagtail_hooks.py: {node.name} registers nothing"


def test_the_rule_catches_what_it_looks_for(tmp_path, monkeypatch):
    """The checks above find a prefix-named module, a section marker and an admin view."""
    app = tmp_path / "app"
    (app / "views").mkdir(parents=True)
    (app / "views" / "__init__.py").write_text("")
    (app / "views" / "sheet.py").write_text("from wagtail.admin import messages\n")
    (app / "card_admin.py").write_text("# === Cards ===\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    for check in (
        test_every_flat_module_is_an_entry_point_or_a_single_capability_layer,
        test_no_section_markers,
        test_the_front_end_views_are_not_the_wagtail_admin,
    ):
        with pytest.raises(AssertionError):
            check("app")
