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


def _user_at_0004(role, team):
    """A user row as revision 0004 has them: later revisions add User columns (0006's
    session_version) that the ORM would write and read, so the row is inserted with the 0004
    columns and loaded without the later ones."""
    from sqlalchemy import text
    from sqlalchemy.orm import defer

    from qa.models import User, utcnow
    from tests.conftest import PASSWORD_HASH

    email = f"{role.value}-0004@example.com"
    user_id = db.session.execute(
        text(
            'INSERT INTO "user" (email, name, password_hash, role, team_id, weekly_capacity, '
            "active, created_at) VALUES (:email, :email, :hash, :role, :team, 40, :active, :now) "
            "RETURNING id"
        ),
        {"email": email, "hash": PASSWORD_HASH, "role": role.value, "active": True,
         "team": team.id if team else None, "now": utcnow()},
    ).scalar_one()  # fmt: skip
    return db.session.get(User, user_id, options=[defer(User.session_version), defer(User.locale)])


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"] if ON_POSTGRES else ["sqlite"])
def test_0005_folds_duplicates_made_by_races(tmp_path, postgres, backend):
    """0005 keeps one draft per reviewer and interaction (the one with answers) and one open
    dispute per review (the oldest), then refuses new duplicates."""
    from sqlalchemy import select
    from sqlalchemy.exc import IntegrityError

    from qa.models import Answer, Dispute, DisputeStatus, Review, ReviewStatus, Role
    from tests.conftest import make_interaction, make_scorecard, make_team

    url = f"sqlite:///{tmp_path / 'm.db'}" if backend == "sqlite" else postgres.create(empty=True)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(directory=str(MIGRATIONS), revision="0004")
        team = make_team()
        agent, reviewer = _user_at_0004(Role.AGENT, team), _user_at_0004(Role.REVIEWER, None)
        version = make_scorecard().current
        chat, other = make_interaction(agent), make_interaction(agent)
        drafts = [
            Review(interaction=chat, reviewer=reviewer, scorecard_version=version) for _ in "abc"
        ]
        drafts.append(Review(interaction=other, reviewer=reviewer, scorecard_version=version))
        done = Review(interaction=other, reviewer=reviewer, scorecard_version=version,
                      status=ReviewStatus.SUBMITTED, score=50)  # fmt: skip
        db.session.add_all([*drafts, done])
        db.session.flush()
        db.session.add(Answer(review=drafts[1], criterion=version.criteria[0], value=1))
        disputes = [
            Dispute(review=done, agent=agent, reason=f"r{n}", criteria=[], score_before=50)
            for n in range(3)
        ]
        db.session.add_all(disputes)
        db.session.flush()
        ids = [d.id for d in drafts], [d.id for d in disputes]
        again = {"review": done.id, "agent": agent.id, "chat": chat.id, "reviewer": reviewer.id}
        again["version"] = version.id
        db.session.commit()  # read every id first: a refresh after commit would load 0006 columns
        db.session.remove()

        upgrade(directory=str(MIGRATIONS))
        left = db.session.scalars(select(Review.id).where(Review.status == ReviewStatus.DRAFT))
        assert sorted(left) == [ids[0][1], ids[0][3]]  # the draft with an answer, the only one
        states = {d.id: d for d in db.session.scalars(select(Dispute))}
        assert [states[i].status for i in ids[1]] == [
            DisputeStatus.OPEN, DisputeStatus.UPHELD, DisputeStatus.UPHELD
        ]
        comment = f"Closed as a duplicate of dispute #{ids[1][0]}."
        assert states[ids[1][2]].resolution_comment == comment
        assert states[ids[1][2]].score_after == 50
        db.session.add(
            Dispute(review_id=again["review"], agent_id=again["agent"], reason="x", criteria=[])
        )
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        db.session.add(
            Review(
                interaction_id=again["chat"],
                reviewer_id=again["reviewer"],
                scorecard_version_id=again["version"],
            )
        )
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()
    if backend == "postgresql":
        postgres.drop(url)
