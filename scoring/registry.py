"""Versioned model artifacts on disk: root/<version>/{model.joblib, model.json}, root/ACTIVE.

ACTIVE holds the active version; HISTORY lists every activation in order so `rollback` can
return to the version that was active before, and from the first one to none active (the
default). Files are replaced atomically.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from .errors import ScoringError
from .model import MODEL_FILE, SIDECAR_FILE, AutoQAModel

_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


class Registry:
    """A folder of model versions with one active version and a rollback history."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _dir(self, version: str) -> Path:
        if not _VERSION.match(version):
            raise ScoringError(f"invalid model version: {version!r}")
        return self.root / version

    def versions(self) -> list[dict[str, Any]]:
        """Sidecar contents of every registered version, oldest first."""
        if not self.root.is_dir():
            return []
        out = []
        for folder in sorted(self.root.iterdir()):
            sidecar = folder / SIDECAR_FILE
            if folder.is_dir() and sidecar.is_file():
                try:
                    out.append(json.loads(sidecar.read_text(encoding="utf-8")))
                except ValueError:
                    continue
        return sorted(out, key=lambda s: (str(s.get("created", "")), str(s.get("version"))))

    def active(self) -> str | None:
        marker = self.root / "ACTIVE"
        if not marker.is_file():
            return None
        return marker.read_text(encoding="utf-8").strip() or None

    def _history(self) -> list[str]:
        path = self.root / "HISTORY"
        if not path.is_file():
            return []
        return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip()]

    def activate(self, version: str) -> None:
        """Make a registered version the active one."""
        if not (self._dir(version) / SIDECAR_FILE).is_file():
            raise ScoringError(f"unknown model version: {version}")
        if version == self.active():
            return
        history = self._history() + [version]
        _write_atomic(self.root / "HISTORY", "\n".join(history) + "\n")
        _write_atomic(self.root / "ACTIVE", version + "\n")

    def rollback(self) -> str | None:
        """Re-activate the previously active version and return it. Rolling back the first
        version ever activated leaves none active (None): the caller's default applies again
        (the shipped model, or no custom head)."""
        history = self._history()
        current = self.active()
        while history and history[-1] == current:
            history.pop()
        if not history:
            if current is None:
                raise ScoringError("no version is active: nothing to roll back")
            _write_atomic(self.root / "HISTORY", "")
            (self.root / "ACTIVE").unlink(missing_ok=True)
            return None
        previous = history[-1]
        if not (self._dir(previous) / SIDECAR_FILE).is_file():
            raise ScoringError(f"previous version {previous} is no longer registered")
        _write_atomic(self.root / "HISTORY", "\n".join(history) + "\n")
        _write_atomic(self.root / "ACTIVE", previous + "\n")
        return previous

    def register(self, artifact_dir: str | Path) -> str:
        """Copy an artifact folder into the registry under its version; does not activate it."""
        source = Path(artifact_dir)
        sidecar = source / SIDECAR_FILE
        if not sidecar.is_file() or not (source / MODEL_FILE).is_file():
            raise ScoringError(f"not a model folder (needs {SIDECAR_FILE} and {MODEL_FILE}): "
                               f"{source}")
        try:
            version = str(json.loads(sidecar.read_text(encoding="utf-8"))["version"])
        except (ValueError, KeyError) as exc:
            raise ScoringError(f"unreadable sidecar {sidecar}: {exc}") from exc
        target = self._dir(version)
        if target.exists():
            raise ScoringError(f"version already registered: {version}")
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=self.root, prefix=".incoming-"))
        try:
            for name in (MODEL_FILE, SIDECAR_FILE):
                shutil.copy2(source / name, tmp / name)
            os.replace(tmp, target)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        return version

    def path(self, version: str) -> Path:
        """Folder of a registered version (raises ScoringError on an unknown one)."""
        folder = self._dir(version)
        if not (folder / SIDECAR_FILE).is_file():
            raise ScoringError(f"unknown model version: {version}")
        return folder

    def load_active(self, encoder_path: str | Path | None = None) -> AutoQAModel:
        version = self.active()
        if version is None:
            raise ScoringError(f"no active model in {self.root}")
        return AutoQAModel.load(self._dir(version), encoder_path=encoder_path)
