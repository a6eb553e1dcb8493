"""SQLite savepoints (qa/extensions.py): a SAVEPOINT before the session's first write is part
of the session's transaction, so a rollback undoes what the released savepoint wrote, and the
rows of an import are committed once, not once per row."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from qa import create_app
from qa.extensions import db
from qa.models import Team
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="SQLite's driver only")


@pytest.fixture
def file_app(tmp_path: Path):  # type: ignore[no-untyped-def]
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'f.db'}"})
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_rollback_undoes_a_released_savepoint(file_app) -> None:  # type: ignore[no-untyped-def]
    """A savepoint opened after a read (no write yet) and released is undone by the session's
    rollback: before the hook the driver had no transaction open and RELEASE committed it."""
    assert db.session.scalar(select(func.count(Team.id))) == 0
    with db.session.begin_nested():
        db.session.add(Team(name="Inside"))
    db.session.rollback()
    assert db.session.scalar(select(func.count(Team.id))) == 0
    with db.session.begin_nested():
        db.session.add(Team(name="Kept"))
    db.session.commit()
    assert db.session.scalars(select(Team.name)).all() == ["Kept"]


def test_many_savepoints_make_one_commit(file_app) -> None:  # type: ignore[no-untyped-def]
    """Ten rows in ten savepoints after a read: one BEGIN IMMEDIATE before the first, the
    transaction still open after the ten RELEASEs (before the hook each RELEASE committed),
    and the ten rows land with the one commit."""
    begins: list[str] = []

    def _seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.upper().startswith("BEGIN"):
            begins.append(statement)

    event.listen(db.engine, "before_cursor_execute", _seen)
    db.session.scalar(select(func.count(Team.id)))
    for n in range(10):
        with db.session.begin_nested():
            db.session.add(Team(name=f"T{n}"))
    raw = db.session.connection().connection.dbapi_connection
    assert raw is not None and raw.in_transaction  # type: ignore[attr-defined]
    db.session.commit()
    event.remove(db.engine, "before_cursor_execute", _seen)
    assert begins == ["BEGIN IMMEDIATE"]
    assert db.session.scalar(select(func.count(Team.id))) == 10
