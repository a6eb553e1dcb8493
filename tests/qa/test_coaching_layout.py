"""Coaching as a feature area of the app (qa/coaching/): its own blueprint, templates and services."""

from __future__ import annotations

import ast
from pathlib import Path

import qa.coaching as coaching
from qa.coaching import services
from qa.coaching.views import bp as views_bp

ROOT = Path(__file__).resolve().parents[2]


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


def test_coaching_has_no_function_level_imports():
    """Every import in qa/coaching/ sits at the top of its module, so no cycle hides in a function."""
    for file in (ROOT / "qa" / "coaching").rglob("*.py"):
        for line, name, nested in _imports(file):
            assert not nested, f"{file}:{line} imports {name} inside a function"


def test_blueprint_and_templates_live_in_coaching():
    """The blueprint is defined in qa/coaching/__init__.py and its templates in qa/coaching/templates."""
    assert coaching.bp is views_bp and coaching.bp.name == "coaching"
    assert coaching.bp.url_prefix == "/training"
    templates = ROOT / "qa" / "coaching" / "templates" / "coaching"
    assert (templates / "session.html").exists() and (templates / "training.html").exists()
    assert not (ROOT / "qa" / "templates" / "coaching").exists()


def test_services_public_api_declared():
    """coaching.services states its public API in __all__, and every name in it exists."""
    assert "CoachingSessionError" in services.__all__ and "TrainingError" in services.__all__
    for name in services.__all__:
        assert hasattr(services, name), name


def test_coaching_views_are_short():
    """Every coaching view (a function with a route) is at most 25 lines, decorators excluded."""
    tree = ast.parse((ROOT / "qa" / "coaching" / "views.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and any(
            isinstance(d, ast.Call) and getattr(d.func, "attr", "") == "route"
            for d in node.decorator_list
        ):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            assert length <= 25, f"{node.name} has {length} lines"


def test_app_registers_the_coaching_blueprint(app):
    """create_app registers the coaching area's own blueprint, with its templates folder."""
    assert app.blueprints["coaching"] is coaching.bp
    assert coaching.bp.template_folder == "templates"
