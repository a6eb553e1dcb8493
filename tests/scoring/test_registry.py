"""Tests for the versioned model registry."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from scoring import DEFAULT_MODEL_DIR, Registry, ScoringError


def _artifact(tmp_path: Path, version: str, created: str) -> Path:
    folder = tmp_path / "build" / version
    shutil.copytree(DEFAULT_MODEL_DIR, folder)
    sidecar = json.loads((folder / "model.json").read_text())
    sidecar.update(version=version, created=created)
    (folder / "model.json").write_text(json.dumps(sidecar))
    return folder


def test_register_activate_rollback(tmp_path: Path) -> None:
    """Versions register, activate, list oldest first and roll back to the previous one."""
    reg = Registry(tmp_path / "models")
    assert reg.versions() == [] and reg.active() is None
    v1 = reg.register(_artifact(tmp_path, "v1", "2026-01-01T00:00:00+00:00"))
    v2 = reg.register(_artifact(tmp_path, "v2", "2026-02-01T00:00:00+00:00"))
    assert [s["version"] for s in reg.versions()] == [v1, v2]
    assert reg.active() is None  # registering never activates
    reg.activate(v1)
    reg.activate(v2)
    assert reg.active() == "v2"
    assert reg.rollback() == "v1" and reg.active() == "v1"
    # from the first version ever activated: none active, the caller's default applies again
    assert reg.rollback() is None and reg.active() is None
    with pytest.raises(ScoringError, match="nothing to roll back"):
        reg.rollback()
    reg.activate(v2)  # and the history starts again from there
    assert reg.active() == "v2" and reg.rollback() is None


def test_registry_errors(tmp_path: Path) -> None:
    """Unknown versions, duplicates, bad folders and an empty registry raise ScoringError."""
    reg = Registry(tmp_path / "models")
    with pytest.raises(ScoringError):
        reg.activate("nope")
    with pytest.raises(ScoringError):
        reg.load_active()
    with pytest.raises(ScoringError):
        reg.register(tmp_path)
    art = _artifact(tmp_path, "v1", "2026-01-01T00:00:00+00:00")
    reg.register(art)
    with pytest.raises(ScoringError):
        reg.register(art)
    with pytest.raises(ScoringError):
        reg.activate("../escape")


def test_load_active(tmp_path: Path) -> None:
    """load_active returns a model carrying the active version."""
    reg = Registry(tmp_path / "models")
    reg.activate(reg.register(_artifact(tmp_path, "v7", "2026-03-01T00:00:00+00:00")))
    assert reg.load_active().version == "v7"
