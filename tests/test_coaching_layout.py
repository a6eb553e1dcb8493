"""Coaching as a feature area: its own blueprint, templates and services, imported one way."""

from __future__ import annotations

import ast
from pathlib import Path

import coaching
from coaching import services
from coaching.views import bp as views_bp

ROOT = Path(__file__).resolve().parent.parent


def _imports(file: Path) -> list[tuple[int, str, bool]]:
    """(line, module, inside a function) for every absolute import in a file."""
    tree = ast.parse(file.read_text())
    nested = {
        id(node)
        for func in ast.walk(tree)
        if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(func)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [(node.lineno, name, id(node) in nested) for name in names]
    return found


def test_qa_imports_coaching_only_in_create_app():
    """qa never imports coaching, except qa/__init__.py (create_app registers its blueprint and tables)."""
    for file in (ROOT / "qa").rglob("*.py"):
        if file == ROOT / "qa" / "__init__.py":
            continue
        for line, name, _ in _imports(file):
            assert name.split(".")[0] != "coaching", f"{file}:{line} imports {name}"


def test_coaching_has_no_function_level_imports():
    """Every import in coaching/ sits at the top of its module, so no cycle hides in a function."""
    for file in (ROOT / "coaching").rglob("*.py"):
        for line, name, nested in _imports(file):
            assert not nested, f"{file}:{line} imports {name} inside a function"


def test_blueprint_and_templates_live_in_coaching():
    """The blueprint is defined in coaching/__init__.py and its templates in coaching/templates."""
    assert coaching.bp is views_bp and coaching.bp.name == "coaching"
    assert coaching.bp.url_prefix == "/training"
    templates = ROOT / "coaching" / "templates" / "coaching"
    assert (templates / "session.html").exists() and (templates / "training.html").exists()
    assert not (ROOT / "qa" / "templates" / "coaching").exists()


def test_services_public_api_declared():
    """coaching.services states its public API in __all__, and every name in it exists."""
    assert "CoachingSessionError" in services.__all__ and "TrainingError" in services.__all__
    for name in services.__all__:
        assert hasattr(services, name), name


def test_coaching_views_are_short():
    """Every coaching view (a function with a route) is at most 25 lines, decorators excluded."""
    tree = ast.parse((ROOT / "coaching" / "views.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and any(
            isinstance(d, ast.Call) and getattr(d.func, "attr", "") == "route"
            for d in node.decorator_list
        ):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            assert length <= 25, f"{node.name} has {length} lines"


def test_registered_app_offers_coaching_services(app):
    """create_app registers the coaching blueprint, which offers its services to qa's pages."""
    assert "coaching" in app.blueprints
    assert app.extensions["coaching"] is services
    assert app.extensions["coaching.exports"] is coaching.exports
