"""The layout from STYLE.md: packages, public APIs, and the import direction."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "path",
    [
        "qa/__init__.py",
        "qa/config.py",
        "qa/extensions.py",
        "qa/models.py",
        "qa/jobs",
        "qa/ml.py",
        "qa/cli/__init__.py",
        "qa/services",
        "qa/coaching/models.py",
        "qa/coaching/services",
        "qa/coaching/views.py",
        "scoring/__init__.py",
        "scoring/__main__.py",
        "transcription/__init__.py",
        "transcription/__main__.py",
        "transcription/base.py",
        "transcription/whisper.py",
        "migrations/env.py",
        "wsgi.py",
        "README.md",
        "pyproject.toml",
        "Makefile",
        ".ci/run",
    ],
)
def test_layout_exists(path):
    """Every part of the designed layout is present."""
    assert (ROOT / path).exists(), path


@pytest.mark.parametrize("package", ["scoring", "transcription"])
def test_ml_packages_are_framework_free(package):
    """scoring/ and transcription/ never import flask, qa, coaching or a database layer, nor read os.environ."""
    forbidden = {"flask", "qa", "coaching", "sqlalchemy", "flask_sqlalchemy"}
    for file in (ROOT / package).rglob("*.py"):
        tree = ast.parse(file.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                names = []
            for name in names:
                assert name.split(".")[0] not in forbidden, f"{file}: imports {name}"
            if isinstance(node, ast.Attribute) and node.attr == "environ":
                raise AssertionError(f"{file}:{node.lineno} reads os.environ")


@pytest.mark.parametrize("package", ["scoring", "transcription"])
def test_public_api_declared(package):
    """Each ML package states its public API in __all__, and every name in it exists."""
    module = importlib.import_module(package)
    assert module.__all__
    for name in module.__all__:
        assert hasattr(module, name), f"{package}.{name}"
