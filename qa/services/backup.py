"""Backup and restore: the database (SQLite online backup, or pg_dump for PostgreSQL), the stored
recordings and the AutoQA model registry, in one folder with a manifest."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from flask_babel import gettext
from sqlalchemy.engine import URL, make_url

from ..extensions import db


class BackupError(RuntimeError):
    """A backup or restore could not be done; the message says why."""


def _folders(upload_folder: str, model_dir: str) -> dict[str, Path]:
    return {"recordings": Path(upload_folder), "models": Path(model_dir)}


def _pg_args(url: str) -> tuple[list[str], dict[str, str]]:
    u = make_url(url)
    args = [
        "-h",
        u.host or "localhost",
        "-p",
        str(u.port or 5432),
        "-U",
        u.username or "postgres",
        "-d",
        u.database or "",
    ]
    env = {"PGPASSWORD": u.password} if u.password else {}
    return args, env


def _sqlite_file(url: URL, doing: str) -> str:
    """The database file of a SQLite URL; an in-memory database has none to back up or restore."""
    if not url.database or url.database == ":memory:":
        raise BackupError(gettext("an in-memory database cannot be %(doing)s", doing=doing))
    return url.database


def _run(cmd: list[str], env: dict[str, str]) -> None:
    if shutil.which(cmd[0]) is None:
        raise BackupError(gettext("%(cmd)s is not installed (apt-get install postgresql-client)", cmd=cmd[0]))
    result = subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(
            gettext("%(cmd)s failed: %(returncode)s", cmd=cmd[0], returncode=result.stderr.strip().splitlines()[-1] if result.stderr.strip() else result.returncode)
        )


def create(target: str | Path, *, database_url: str, upload_folder: str, model_dir: str) -> Path:
    """Write a consistent backup into a new folder under `target`; returns that folder."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = Path(target) / f"coachline-{stamp}"
    out.mkdir(parents=True, exist_ok=False)
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        # SQLite's online backup API gives a consistent copy while the app keeps running.
        with (
            sqlite3.connect(_sqlite_file(url, "backed up")) as source,
            sqlite3.connect(out / "database.sqlite") as copy,
        ):
            source.backup(copy)
        kind = "sqlite"
    elif url.get_backend_name() == "postgresql":
        args, env = _pg_args(database_url)
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--file",
                str(out / "database.pgdump"),
                *args,
            ],
            env,
        )
        kind = "postgresql"
    else:
        raise BackupError(gettext("unsupported database %(backend)s", backend=url.get_backend_name()))
    for name, folder in _folders(upload_folder, model_dir).items():
        with tarfile.open(out / f"{name}.tar.gz", "w:gz") as tar:
            if folder.is_dir():
                tar.add(folder, arcname=name)
    manifest = {"created": stamp, "database": kind, "files": sorted(p.name for p in out.iterdir())}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return out


def restore(source: str | Path, *, database_url: str, upload_folder: str, model_dir: str) -> dict:
    """Replace the database, recordings and models with those of a backup folder."""
    src = Path(source)
    manifest_path = src / "manifest.json"
    if not manifest_path.is_file():
        raise BackupError(gettext("not a Coachline backup (no manifest.json): %(src)s", src=src))
    manifest = json.loads(manifest_path.read_text())
    url = make_url(database_url)
    if manifest["database"] != ("sqlite" if url.get_backend_name() == "sqlite" else "postgresql"):
        raise BackupError(
            gettext("backup holds a %(manifest)s database, the app uses %(backend)s", manifest=manifest['database'], backend=url.get_backend_name())
        )
    live_file = _sqlite_file(url, "restored into") if manifest["database"] == "sqlite" else None
    db.session.remove()
    db.engine.dispose()
    if live_file is not None:
        with (
            sqlite3.connect(src / "database.sqlite") as copy,
            sqlite3.connect(live_file) as live,
        ):
            copy.backup(live)
    else:
        args, env = _pg_args(database_url)
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                *args,
                str(src / "database.pgdump"),
            ],
            env,
        )
    for name, folder in _folders(upload_folder, model_dir).items():
        archive = src / f"{name}.tar.gz"
        if not archive.is_file():
            continue
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".restore-"))
        try:
            with tarfile.open(archive) as tar:
                tar.extractall(staging, filter="data")  # refuses absolute paths and links out
            if folder.exists():
                shutil.rmtree(folder)
            if (staging / name).exists():
                (staging / name).rename(folder)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return manifest
