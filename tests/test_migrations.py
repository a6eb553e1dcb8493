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
from qa.kb.fulltext import include_name
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
                MigrationContext.configure(
                    conn, opts={"compare_type": True, "include_name": include_name}
                ),
                db.metadata,
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
    deferred = [defer(User.session_version), defer(User.password_login), defer(User.tier), defer(User.locale),
                defer(User.oidc_issuer), defer(User.oidc_subject)]
    return db.session.get(User, user_id, options=deferred)


def _team_at_0004():
    """A team row as revision 0004 has them (0010 adds the language, 0012 the tier)."""
    from sqlalchemy import text
    from sqlalchemy.orm import defer

    from qa.models import Team, utcnow

    team_id = db.session.execute(
        text("INSERT INTO team (name, created_at) VALUES ('Team 0004', :now) RETURNING id"),
        {"now": utcnow()},
    ).scalar_one()
    return db.session.get(Team, team_id, options=[defer(Team.tier), defer(Team.language)])


def _scorecard_at_0004():
    """A published scorecard as revision 0004 has them (0018 adds the language): the row is
    inserted with the 0004 columns and loaded without the later one."""
    from sqlalchemy import text
    from sqlalchemy.orm import defer

    from qa.demo import SCORECARD
    from qa.models import Scorecard, utcnow
    from qa.services.reviews import publish_version

    scorecard_id = db.session.execute(
        text("INSERT INTO scorecard (name, created_at) VALUES ('Card 0004', :now) RETURNING id"),
        {"now": utcnow()},
    ).scalar_one()
    scorecard = db.session.get(Scorecard, scorecard_id, options=[defer(Scorecard.language)])
    publish_version(scorecard, [dict(c) for c in SCORECARD])
    return scorecard


def _interaction_at_0004(agent, team, n):
    """An interaction row as revision 0004 has them (0010 adds the language columns, 0012 tier
    and customer), loaded without the later columns."""
    from sqlalchemy import text
    from sqlalchemy.orm import defer

    from qa.models import Interaction, utcnow

    interaction_id = db.session.execute(
        text(
            "INSERT INTO interaction (source, external_id, channel, agent_id, team_id, started_at, "
            "escalated, status, created_at, updated_at) VALUES ('test', :ext, 'chat', :agent, "
            ":team, :now, :no, 'scored', :now, :now) RETURNING id"
        ),
        {"ext": f"M-{n}", "agent": agent.id, "team": team.id, "now": utcnow(), "no": False},
    ).scalar_one()
    later = (
        Interaction.tier,
        Interaction.customer,
        Interaction.language,
        Interaction.language_source,
        Interaction.autoqa_skipped,
        Interaction.transcription_progress,
    )
    return db.session.get(Interaction, interaction_id, options=[defer(c) for c in later])


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"] if ON_POSTGRES else ["sqlite"])
def test_0005_folds_duplicates_made_by_races(tmp_path, postgres, backend):
    """0005 keeps one draft per reviewer and interaction (the one with answers) and one open
    dispute per review (the oldest), then refuses new duplicates."""
    from sqlalchemy import select
    from sqlalchemy.exc import IntegrityError

    from qa.models import Answer, Dispute, DisputeStatus, Review, ReviewStatus, Role

    url = f"sqlite:///{tmp_path / 'm.db'}" if backend == "sqlite" else postgres.create(empty=True)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(directory=str(MIGRATIONS), revision="0004")
        team = _team_at_0004()
        agent, reviewer = _user_at_0004(Role.AGENT, team), _user_at_0004(Role.REVIEWER, None)
        version = _scorecard_at_0004().current
        chat, other = _interaction_at_0004(agent, team, 1), _interaction_at_0004(agent, team, 2)
        drafts = [
            Review(interaction=chat, reviewer=reviewer, scorecard_version=version) for _ in "abc"
        ]
        drafts.append(Review(interaction=other, reviewer=reviewer, scorecard_version=version))
        done = Review(interaction=other, reviewer=reviewer, scorecard_version=version,
                      status=ReviewStatus.SUBMITTED, score=50)  # fmt: skip
        db.session.add_all([*drafts, done])
        db.session.flush()
        db.session.add(Answer(review=drafts[1], criterion=version.criteria[0], value=1))
        # the columns of 0004 only (later migrations add dispute columns the model has)
        dispute_ids = [
            db.session.execute(
                Dispute.__table__.insert().values(
                    review_id=done.id, agent_id=agent.id, reason=f"r{n}", criteria=[],
                    score_before=50,
                )  # fmt: skip
            ).inserted_primary_key[0]
            for n in range(3)
        ]
        ids = [d.id for d in drafts], dispute_ids
        again = {"review": done.id, "agent": agent.id, "chat": chat.id, "reviewer": reviewer.id}
        again["version"] = version.id
        db.session.commit()  # read every id first: a refresh after commit would load 0006 columns
        db.session.remove()

        upgrade(directory=str(MIGRATIONS))
        left = db.session.scalars(select(Review.id).where(Review.status == ReviewStatus.DRAFT))
        assert sorted(left) == [ids[0][1], ids[0][3]]  # the draft with an answer, the only one
        states = {d.id: d for d in db.session.scalars(select(Dispute))}
        # the kept open one was announced to the lead, who decides it: 0016 makes it escalated
        assert [states[i].status for i in ids[1]] == [
            DisputeStatus.ESCALATED, DisputeStatus.UPHELD, DisputeStatus.UPHELD
        ]
        assert states[ids[1][0]].escalated_at == states[ids[1][0]].created_at
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


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"] if ON_POSTGRES else ["sqlite"])
def test_0018_gives_content_of_one_other_language_team_that_language(tmp_path, postgres, backend):
    """0018 makes scorecards and training modules English, except those used only by teams of one
    other language: a scorecard assigned only to French teams and a module assigned only to
    French agents become French; general, mixed or English ones stay English."""
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'm.db'}" if backend == "sqlite" else postgres.create(empty=True)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(directory=str(MIGRATIONS), revision="0016")
        def run(sql: str, **values: object) -> object:
            result = db.session.execute(text(sql), values)
            return result.scalar() if result.returns_rows else None

        teams = {
            name: run("INSERT INTO team (name, created_at, tier, language) VALUES "
                      "(:name, CURRENT_TIMESTAMP, 1, :lang) RETURNING id", name=name, lang=lang)
            for name, lang in [("France", "fr"), ("Québec", "fr"), ("UK", "en")]
        }  # fmt: skip
        agents = {
            name: run('INSERT INTO "user" (email, name, password_hash, role, team_id, '
                      "weekly_capacity, active, created_at) VALUES (:email, :email, 'x', 'agent', "
                      ":team, 40, :yes, CURRENT_TIMESTAMP) RETURNING id",
                      email=f"{name}@example.com", team=teams.get(name), yes=True)
            for name in ["France", "Québec", "UK", "nobody"]
        }  # fmt: skip
        cards = {
            name: run("INSERT INTO scorecard (name, created_at) VALUES (:name, CURRENT_TIMESTAMP) "
                      "RETURNING id", name=name)
            for name in ["french", "mixed", "general", "unassigned", "english", "fr+any"]
        }  # fmt: skip
        for card, team, channel in [
            ("french", "France", None), ("french", "Québec", "chat"), ("mixed", "France", None),
            ("mixed", "UK", None), ("general", None, "chat"), ("english", "UK", None),
            ("fr+any", "France", None), ("fr+any", None, "email"),
        ]:  # fmt: skip
            run("INSERT INTO scorecard_assignment (scorecard_id, channel, team_id) VALUES "
                "(:card, :channel, :team)", card=cards[card], channel=channel,
                team=teams.get(team or ""))  # fmt: skip
        modules = {
            name: run("INSERT INTO training_module (title, content, quiz, pass_mark, created_at) "
                      "VALUES (:title, 'x', '[]', 80, CURRENT_TIMESTAMP) RETURNING id", title=name)
            for name in ["french", "mixed", "teamless", "unassigned"]
        }  # fmt: skip
        for module, agent in [("french", "France"), ("french", "Québec"), ("mixed", "France"),
                              ("mixed", "UK"), ("teamless", "France"), ("teamless", "nobody")]:
            run("INSERT INTO training_assignment (module_id, agent_id, assigned_by_id, status, "
                "quiz_attempts, created_at) VALUES (:module, :agent, :agent, 'assigned', 0, "
                "CURRENT_TIMESTAMP)", module=modules[module], agent=agents[agent])  # fmt: skip
        db.session.commit()
        db.session.remove()

        upgrade(directory=str(MIGRATIONS), revision="0018")
        languages = dict(db.session.execute(text("SELECT name, language FROM scorecard")).all())
        assert languages == {"french": "fr", "mixed": "en", "general": "en", "unassigned": "en",
                             "english": "en", "fr+any": "en"}  # fmt: skip
        languages = dict(db.session.execute(text("SELECT title, language FROM training_module")).all())
        assert languages == {"french": "fr", "mixed": "en", "teamless": "en", "unassigned": "en"}
        db.session.remove()
        db.engine.dispose()
    if backend == "postgresql":
        postgres.drop(url)
