"""Backup and restore of the database, recordings and models (SQLite, and PostgreSQL in CI's pass)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa import create_app
from qa.extensions import db
from qa.models import Interaction, Role, Team
from tests.conftest import make_interaction, make_user


@pytest.fixture
def file_app(tmp_path: Path, database_url: str):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "UPLOAD_FOLDER": str(tmp_path / "recordings"),
            "SCORING_MODEL_DIR": str(tmp_path / "models"),
        }
    )
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()  # (the database goes with the fixture)


def test_backup_then_restore_brings_everything_back(file_app, tmp_path):
    """After a backup, lost rows, recordings and models come back with restore; later rows go."""
    team = Team(name="Kept")
    db.session.add(team)
    agent = make_user(Role.AGENT, team=team)
    make_interaction(agent)
    db.session.commit()
    recording = tmp_path / "recordings" / "ab" / "call.wav"
    recording.parent.mkdir(parents=True)
    recording.write_bytes(b"RIFF....")
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "ACTIVE").write_text("v1\n")

    runner = file_app.test_cli_runner()
    created = runner.invoke(args=["backup", "create", str(tmp_path / "backups")])
    assert created.exit_code == 0, created.output
    folder = Path(created.output.strip())
    assert (folder / "manifest.json").is_file()

    for interaction in db.session.query(Interaction):
        db.session.delete(interaction)
    db.session.query(Team).filter_by(name="Kept").one().name = "Renamed"
    db.session.add(Team(name="Added later"))
    db.session.commit()
    recording.unlink()
    (tmp_path / "models" / "ACTIVE").write_text("v2\n")

    restored = runner.invoke(args=["backup", "restore", str(folder), "--yes"])
    assert restored.exit_code == 0, restored.output
    names = {t.name for t in db.session.query(Team)}
    assert names == {"Kept"}
    assert db.session.query(Interaction).count() == 1
    assert recording.read_bytes() == b"RIFF...."
    assert (tmp_path / "models" / "ACTIVE").read_text() == "v1\n"


def test_restore_refuses_a_folder_that_is_not_a_backup(file_app, tmp_path):
    """Restoring from a wrong folder is one clear error and changes nothing."""
    result = file_app.test_cli_runner().invoke(args=["backup", "restore", str(tmp_path), "--yes"])
    assert result.exit_code == 1 and "not a Coachline backup" in result.output


def test_restore_into_an_in_memory_database_is_one_clear_error(tmp_path):
    """Restoring a SQLite backup while the app runs on an in-memory database is a one-line error."""
    (tmp_path / "manifest.json").write_text('{"created": "20261202T000000Z", "database": "sqlite"}')
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["backup", "restore", str(tmp_path), "--yes"])
    assert result.exit_code == 1, result.output
    assert result.output == "Error: an in-memory database cannot be restored into\n"
