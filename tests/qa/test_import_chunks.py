"""import_rows stores rows in chunks (one flush, one savepoint each): the rows of a chunk are
inserted together; a chunk the database refuses is stored again a row at a time, so the
refused row is reported with its line and every other row lands; re-importing is idempotent."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import event, func, select, text

from qa.extensions import db
from qa.models import Interaction, Role
from qa.services.interactions import AudioLimits, import_rows
from tests.conftest import make_team, make_user

TURNS = [{"speaker": "customer", "text": "Hi"}, {"speaker": "agent", "text": "Hello"}]


def _rows(email: str, n: int, **by_index: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    rows = []
    for k in range(1, n + 1):
        row = {"external_id": f"R-{k}", "channel": "chat", "agent_email": email,
               "started_at": "2026-11-03T10:00:00", "turns": TURNS, "tags": ["a"]}  # fmt: skip
        rows.append((k, {**row, **by_index.get(str(k), {})}))
    return rows


def _import(rows, **kw):  # type: ignore[no-untyped-def]
    limits = AudioLimits.from_config(current_app.config)
    report = import_rows(rows, limits=limits, upload_folder="/nonexistent", **kw)
    db.session.commit()
    return report


def _refuse(external_id: str) -> None:
    """A database-side rule no check of import_rows knows: inserting this id fails."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text(
            "CREATE TRIGGER refuse BEFORE INSERT ON interaction "
            f"WHEN NEW.external_id = '{external_id}' BEGIN SELECT RAISE(ABORT, 'refused'); END"
        ))  # fmt: skip
    else:
        db.session.execute(text(
            "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN "
            f"IF NEW.external_id = '{external_id}' THEN RAISE EXCEPTION 'refused'; END IF; "
            "RETURN NEW; END $$ LANGUAGE plpgsql"
        ))  # fmt: skip
        db.session.execute(text(
            "CREATE TRIGGER refuse BEFORE INSERT ON interaction "
            "FOR EACH ROW EXECUTE FUNCTION refuse()"
        ))  # fmt: skip
    db.session.commit()


def test_a_chunk_is_inserted_together(app) -> None:  # type: ignore[no-untyped-def]
    """250 rows in chunks of 100: three savepoints and three flushes (the tags of a chunk in
    one executemany), not 250 of each; every row stored with its transcript and tags."""
    agent = make_user(Role.AGENT, team=make_team())
    db.session.commit()
    seen: list[str] = []

    def _seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.startswith(("SAVEPOINT", "INSERT INTO interaction_tag ")):
            seen.append(statement.split()[0] + (" tag" if "interaction_tag" in statement else ""))

    event.listen(db.engine, "before_cursor_execute", _seen)
    try:
        report = _import(_rows(agent.email, 250), chunk_size=100)
    finally:
        event.remove(db.engine, "before_cursor_execute", _seen)
    assert len(report.created) == 250 and report.errors == []
    assert sorted(seen) == ["INSERT tag"] * 3 + ["SAVEPOINT"] * 3
    stored = db.session.get(Interaction, report.created[-1])
    assert stored.external_id == "R-250" and stored.tags == ["a"]
    assert [s.text for s in stored.transcript.segments] == ["Hi", "Hello"]


def test_refused_chunk_falls_back_to_rows_with_positions(app) -> None:  # type: ignore[no-untyped-def]
    """Row 7 is refused by the database, row 3 by the checks, row 9 repeats row 2's id: the
    chunk of 10 is stored again row by row, so row 7 is reported with its line, row 3 too, row
    9 counts as a duplicate, and the seven others land; a second import creates nothing."""
    agent = make_user(Role.AGENT, team=make_team())
    db.session.commit()
    _refuse("R-7")
    rows = _rows(agent.email, 10, **{"3": {"channel": "fax"}, "9": {"external_id": "R-2"}})
    report = _import(rows, chunk_size=10)
    assert [line for line, _ in report.errors] == [3, 7]
    assert "channel must be" in report.errors[0][1]
    assert report.errors[1][1].startswith("refused by the database")
    assert report.duplicates == 1 and len(report.created) == 7
    stored = db.session.scalars(select(Interaction.external_id)).all()
    assert sorted(stored) == sorted(f"R-{k}" for k in (1, 2, 4, 5, 6, 8, 10))
    again = _import(rows, chunk_size=10)
    assert again.created == [] and again.duplicates == 8
    assert [line for line, _ in again.errors] == [3, 7]
    assert db.session.scalar(select(func.count(Interaction.id))) == 7


def test_duplicates_within_a_chunk_are_found_without_a_flush(app) -> None:  # type: ignore[no-untyped-def]
    """The same id twice in one chunk is stored once and counted once as a duplicate, in the
    chunk's own flush (no fallback: no error)."""
    agent = make_user(Role.AGENT, team=make_team())
    db.session.commit()
    report = _import(_rows(agent.email, 4, **{"4": {"external_id": "R-1"}}), chunk_size=10)
    assert (len(report.created), report.duplicates, report.errors) == (3, 1, [])
