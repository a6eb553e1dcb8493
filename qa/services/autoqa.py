"""AutoQA model versions: train into the registry, list, activate, roll back (audited)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from ..models import User
from . import audit

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = ROOT / "data" / "autoqa" / "conversations.jsonl"


def shipped_default() -> dict[str, Any]:
    """Sidecar of the default model committed in scoring/default_model/."""
    from scoring import load_default_model  # noqa: F401  (keeps the import cost in one place)
    from scoring.registry import SIDECAR_FILE

    path = ROOT / "scoring" / "default_model" / SIDECAR_FILE
    return json.loads(path.read_text()) if path.is_file() else {}


def versions(registry: Any) -> list[dict[str, Any]]:
    """Registered versions, newest first, with `active` set on the one in use."""
    active = registry.active()
    rows = [dict(v, active=v.get("version") == active) for v in registry.versions()]
    return list(reversed(rows))


def train_version(
    registry: Any, data: Path, *, encoder_path: str | None, actor: User | None, activate: bool
) -> str:
    """Train on a corpus file, register the artifact, and optionally activate it."""
    from scoring.train import train

    with tempfile.TemporaryDirectory() as tmp:
        model = train(data, Path(tmp) / "artifact", encoder_path=encoder_path)
        version = registry.register(Path(tmp) / "artifact")
    audit.record(
        actor,
        "autoqa.trained",
        None,
        version=version,
        data=data.name,
        metrics=model.metadata.get("metrics"),
    )
    if activate:
        activate_version(registry, version, actor)
    return version


def activate_version(registry: Any, version: str, actor: User | None) -> None:
    previous = registry.active()
    registry.activate(version)
    audit.record(actor, "autoqa.activated", None, version=version, previous=previous)


def rollback(registry: Any, actor: User | None) -> str:
    current = registry.active()
    version = registry.rollback()
    audit.record(actor, "autoqa.rolled_back", None, version=version, previous=current)
    return version
