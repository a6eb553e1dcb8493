"""Alembic: one head, and upgrading an empty database to head gives exactly the models' schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from qa import create_app
from qa.extensions import db
from tests.conftest import ON_POSTGRES

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def test_single_head():
    """The migration history has exactly one head."""
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"] if ON_POSTGRES else ["sqlite"])
def test_upgrade_matches_models_and_downgrades(tmp_path, postgres, backend):
    """Upgrade to head equals the models (no autogenerate diff); downgrade to base empties it."""
    url = f"sqlite:///{tmp_path / 'm.db'}" if backend == "sqlite" else postgres.create(empty=True)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
        engine = create_engine(url)
        with engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata
            )
        assert diff == []
        downgrade(directory=str(MIGRATIONS), revision="base")
        assert set(inspect(create_engine(url)).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()
    if backend == "postgresql":
        postgres.drop(url)
