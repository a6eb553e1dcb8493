"""Stored dashboard days: read back, cleared by every kind of write, never stale under a race."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from qa import create_app
from qa.extensions import db
from qa.models import (
    Answer,
    AutoScore,
    Criterion,
    DashboardDay,
    Dispute,
    DisputeStatus,
    Review,
    ReviewStatus,
    Role,
)
from qa.services import dashboard, dashboard_cache
from tests.conftest import make_interaction, make_team, make_user
from tests.qa.test_dashboard import PERIOD, fixture, reviewed  # noqa: F401  (the world)


def figures(o: dashboard.Overview) -> dict:
    """Everything the dashboard shows, comparable (people by id)."""
    out = dataclasses.asdict(
        dataclasses.replace(o, agents=[], criterion_cells=[])  # type: ignore[arg-type]
    )
    out["agents"] = [
        {**dataclasses.asdict(dataclasses.replace(r, agent=None)), "agent": r.agent.id}  # type: ignore[arg-type]
        for r in o.agents
    ]
    out["criterion_cells"] = sorted(dataclasses.astuple(c) for c in o.criterion_cells)
    return out


def check(team_ids, agent_id=None) -> dashboard.Overview:  # type: ignore[no-untyped-def]
    """The stored path gives exactly what a full computation gives."""
    stored = dashboard.overview(team_ids, PERIOD, agent_id=agent_id)
    live = dashboard.overview(team_ids, PERIOD, agent_id=agent_id, cached=False)
    assert figures(stored) == figures(live)
    return stored


def stored_days(team_id: int) -> dict[date, DashboardDay]:
    db.session.expire_all()
    return {
        row.day: row
        for row in db.session.scalars(select(DashboardDay).where(DashboardDay.team_id == team_id))
    }


def test_closed_days_are_stored_then_read_back(fixture):  # noqa: F811
    """Closed days are stored, empty ones too, and read back; other SLA thresholds recompute."""
    red = fixture["red"].id
    before = check([red])
    days = stored_days(red)
    kept = sorted(d for d, row in days.items() if row.payload is not None)
    assert kept == [date(2026, 11, d) for d in range(2, 16)]  # every day, empty ones too
    assert days[date(2026, 10, 30)].payload is None  # written before, never asked for
    saturday = json.loads(days[date(2026, 11, 7)].payload)  # no interactions that day
    assert saturday["a"] == {} and saturday["t"][0] == 0
    # the page is now folded from the stored rows: tampering with one shows through
    row = days[date(2026, 11, 2)]
    data = json.loads(row.payload)
    data["t"][0] += 1000  # the day's interactions
    data["a"][str(fixture["a"].id)][0] += 1000  # Ann's
    row.payload = json.dumps(data)
    db.session.commit()
    after = dashboard.overview([red], PERIOD)
    assert after.interactions == before.interactions + 1000
    assert after.agents[0].interactions == before.agents[0].interactions + 1000
    # a different spec (SLA thresholds) isn't trusted: recomputed and stored again
    other = dashboard.overview([red], PERIOD, sla={"chat": 5})
    assert other.interactions == before.interactions
    assert json.loads(stored_days(red)[date(2026, 11, 2)].payload)["t"][0] < 1000


def test_agent_dashboard_agrees_with_the_stored_team_days(fixture):  # noqa: F811
    """An agent's own dashboard agrees with their row on the stored team dashboard."""
    team = check([fixture["red"].id])
    ben = next(r for r in team.agents if r.agent.id == fixture["b"].id)
    o = check([fixture["red"].id], agent_id=fixture["b"].id)  # computed from Ben's interactions
    assert (o.interactions, o.reviews, o.iqs, o.aqs) == (ben.interactions, ben.reviews, ben.iqs, ben.aqs)
    assert (o.interactions, o.reviews) == (2, 1)


def _new_review(w):  # type: ignore[no-untyped-def]
    criteria = list(w["r1"].scorecard_version.criteria)
    reviewed(w["b"], w["r1"].reviewer, datetime(2026, 11, 12, 15), 80,
             {"_criteria": criteria, "values": [4, 1]}, {"empathy": 70})  # fmt: skip


def _late_interaction(w):  # type: ignore[no-untyped-def]
    make_interaction(w["a"], started_at=datetime(2026, 11, 5, 8), csat=5)


def _review_score(w):  # type: ignore[no-untyped-def]
    w["r3"].score = 20


def _review_withdrawn(w):  # type: ignore[no-untyped-def]
    db.session.delete(w["r2"])


def _answer(w):  # type: ignore[no-untyped-def]
    w["r5"].answers[0].value = 5


def _dispute_decided(w):  # type: ignore[no-untyped-def]
    w["r1"].disputes[0].status = DisputeStatus.UPHELD


def _dispute_opened(w):  # type: ignore[no-untyped-def]
    db.session.add(Dispute(review=w["r4"], agent=w["a"], reason="n", status=DisputeStatus.OPEN))


def _autoqa_rescored(w):  # type: ignore[no-untyped-def]
    score = db.session.scalar(
        select(AutoScore).where(AutoScore.interaction_id == w["i1"].id, AutoScore.criterion == "empathy")
    )
    score.value = 5


def _autoqa_added(w):  # type: ignore[no-untyped-def]
    db.session.add(AutoScore(interaction=w["i4"], criterion="resolution", value=10, model_version="t"))


def _moved_day(w):  # type: ignore[no-untyped-def]
    w["i2"].started_at = datetime(2026, 11, 14, 9)


def _moved_team(w):  # type: ignore[no-untyped-def]
    w["i5"].team = w["blue"]


def _kpi_field(w):  # type: ignore[no-untyped-def]
    w["i3"].escalated = True


def _criterion_renamed(w):  # type: ignore[no-untyped-def]
    db.session.scalar(select(Criterion).where(Criterion.name == "Empathy")).name = "Warmth"


def _interaction_deleted(w):  # type: ignore[no-untyped-def]
    db.session.delete(w["i6"])


# Child rows moved to another parent on another day: both days change.
def _autoqa_moved(w):  # type: ignore[no-untyped-def]
    score = db.session.scalar(
        select(AutoScore).where(AutoScore.interaction_id == w["i1"].id, AutoScore.criterion == "empathy")
    )
    score.interaction = w["i4"]  # Nov 2 -> Nov 11 (i4 had no AutoQA scores)


def _review_moved(w):  # type: ignore[no-untyped-def]
    w["r2"].interaction = w["i6"]  # Nov 3 -> Nov 12 (i6 was not reviewed)


def _answer_moved(w):  # type: ignore[no-untyped-def]
    answer = w["r1"].answers[0]  # Nov 2 -> r3 on Nov 10, in place of r3's own answer
    db.session.delete(next(a for a in w["r3"].answers if a.criterion_id == answer.criterion_id))
    db.session.flush()
    answer.review = w["r3"]


def _dispute_moved(w):  # type: ignore[no-untyped-def]
    # Red, Nov 10 -> Blue, Nov 3 (a decided one: r7 has its open dispute, one is the most)
    w["r3"].disputes[0].review = w["r7"]


WRITES = [
    _new_review, _late_interaction, _review_score, _review_withdrawn, _answer, _dispute_decided,
    _dispute_opened, _autoqa_rescored, _autoqa_added, _moved_day, _moved_team, _kpi_field,
    _criterion_renamed, _interaction_deleted, _autoqa_moved, _review_moved, _answer_moved,
    _dispute_moved,
]  # fmt: skip


@pytest.mark.parametrize("write", WRITES, ids=[w.__name__.strip("_") for w in WRITES])
def test_every_write_clears_the_days_it_touches(fixture, write):  # noqa: F811
    """After each kind of write the stored days still equal a full computation, for both teams."""
    red, blue = fixture["red"].id, fixture["blue"].id
    before = check([red])
    check([blue])
    write(fixture)
    db.session.commit()
    after = check([red])
    check([blue])
    check([red], agent_id=fixture["a"].id)
    # the write changed what the dashboard shows (so the check above was not vacuous)
    assert figures(after) != figures(before) or write is _moved_team
    if write is _moved_team:
        assert after.interactions == before.interactions - 1


def test_unrelated_writes_keep_the_stored_days(fixture):  # noqa: F811
    """Writes that move no figure keep the stored days; submitting a draft clears only its day."""
    red = fixture["red"].id
    check([red])
    generations = {d: r.generation for d, r in stored_days(red).items()}
    fixture["i1"].status = fixture["i1"].status  # no change
    fixture["a"].name = "Ann B."  # names are looked up live, not stored
    fixture["r1"].comment = "Warm greeting"  # a comment or an acknowledgement moves no figure
    # a draft review with answers on a stored day counts for nothing until it is submitted
    criteria = list(fixture["r1"].scorecard_version.criteria)
    draft = Review(interaction=fixture["i6"], reviewer=fixture["r1"].reviewer,
                   scorecard_version=criteria[0].version, status=ReviewStatus.DRAFT)
    draft.answers.append(Answer(criterion=criteria[0], value=2))
    db.session.add(draft)
    db.session.commit()
    assert {d: r.generation for d, r in stored_days(red).items()} == generations
    assert {a.agent.name for a in check([red]).agents} == {"Ann B.", "Ben"}
    # submitting it does clear its day (Nov 12), and only that day
    draft.status, draft.score = ReviewStatus.SUBMITTED, 30
    db.session.commit()
    after = {d: r.generation for d, r in stored_days(red).items()}
    assert {d for d in after if after[d] != generations.get(d)} == {date(2026, 11, 12)}
    assert check([red]).reviews == 6


def test_flushes_and_savepoints_clear_once_at_commit(fixture):  # noqa: F811
    """Many flushes (one savepoint per imported row) lock the rows once, at the commit."""
    red = fixture["red"].id
    check([red])
    before = {d: r.generation for d, r in stored_days(red).items()}
    for day in (9, 4, 9, 3):
        with db.session.begin_nested():
            make_interaction(fixture["a"], started_at=datetime(2026, 11, day, 12))
        # not cleared yet (nothing locked), but this transaction sees its own changes
        assert dashboard_cache._PENDING in db.session.info
    assert check([red]).interactions == 10
    db.session.commit()
    after = {d: r.generation for d, r in stored_days(red).items()}
    changed = {d: after[d] - before[d] for d in after if after[d] != before.get(d)}
    assert changed == {date(2026, 11, 3): 1, date(2026, 11, 4): 1, date(2026, 11, 9): 1}
    assert check([red]).interactions == 10


def test_several_teams_and_a_changed_autoqa_key(fixture):  # noqa: F811
    """Two teams at once match a full computation; a criterion's new AutoQA key is recomputed."""
    both = [fixture["red"].id, fixture["blue"].id]
    first = check(both)
    assert first.interactions == 7
    # a criterion gets an AutoQA key the stored sums were not computed with: recomputed
    empathy = db.session.scalar(select(Criterion).where(Criterion.name == "Empathy"))
    empathy.autoqa_key = "warmth"
    db.session.add(AutoScore(interaction=fixture["i1"], criterion="warmth", value=64, model_version="t"))
    db.session.commit()
    row = next(r for r in check(both).criteria if r.name == "Empathy")
    assert (row.autoqa_key, row.aqs) == ("warmth", 64.0)


def test_a_fill_computed_before_a_write_is_not_stored(fixture, monkeypatch):  # noqa: F811
    """A writer commits between the reader's look at the stored rows and its computation: the
    reader shows what it computed but stores nothing, on a new row or a cleared one."""
    red = fixture["red"].id
    real = dashboard_cache.day_cells

    def computed_then_written(*args, **kwargs):  # type: ignore[no-untyped-def]
        out = real(*args, **kwargs)
        fixture["r3"].score = 0  # Nov 10: a writer's change lands after the computation
        db.session.commit()
        return out

    monkeypatch.setattr(dashboard_cache, "day_cells", computed_then_written)
    dashboard.overview([red], PERIOD)  # no rows yet: the inserts lose to the writer's row
    assert stored_days(red)[date(2026, 11, 10)].payload is None
    monkeypatch.setattr(dashboard_cache, "day_cells", real)
    check([red])  # stored now, then cleared again by a write during the next computation
    fixture["r3"].score = 50
    db.session.commit()
    monkeypatch.setattr(dashboard_cache, "day_cells", computed_then_written)
    dashboard.overview([red], PERIOD)
    assert stored_days(red)[date(2026, 11, 10)].payload is None
    monkeypatch.setattr(dashboard_cache, "day_cells", real)
    assert check([red]).reviews == 5


def team_with_interactions(*days_ago: int):  # type: ignore[no-untyped-def]
    """A team whose agent had one interaction on each of these days before now."""
    team = make_team()
    agent = make_user(Role.AGENT, team=team)
    now = dashboard_cache.utcnow()
    for days in days_ago:
        make_interaction(agent, started_at=now - timedelta(days=days))
    db.session.commit()
    return team, now


def test_today_and_yesterday_are_neither_stored_nor_locked(app):
    """Today gets no stored row and yesterday's stays empty; the day before yesterday is stored."""
    team, now = team_with_interactions(0, 1, 2)
    period = dashboard.Period(now.date() - timedelta(days=2), now.date())
    assert dashboard.overview([team.id], period).interactions == 3
    days = stored_days(team.id)
    assert now.date() not in days  # an ingest today wrote no row
    assert days[now.date() - timedelta(days=1)].payload is None  # cleared, never filled
    assert days[now.date() - timedelta(days=2)].payload is not None


@pytest.fixture
def file_app(tmp_path: Path, database_url: str):  # type: ignore[no-untyped-def]
    """The app on a database file (or PostgreSQL): fills use their own connection."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_pages_store_and_clear_days_through_their_own_connection(file_app, login):
    """On a database file pages store days; a new review clears its day, the next page refills."""
    team = make_team()
    lead = make_user(Role.LEAD, leads=[team])
    agent = make_user(Role.AGENT, team=team, name="Dee")
    reviewer = make_user(Role.REVIEWER)
    from tests.qa.test_dashboard import scorecard

    criteria = list(scorecard())
    reviewed(agent, reviewer, datetime(2026, 11, 3, 9), 60,
             {"_criteria": criteria, "values": [3, 1]}, {"empathy": 50})  # fmt: skip
    db.session.commit()
    team_id, agent_id = team.id, agent.id
    client = login(lead)
    query = f"team={team_id}&start=2026-11-02&end=2026-11-08"
    assert client.get(f"/dashboard?{query}").status_code == 200
    days = stored_days(team_id)
    assert sum(r.payload is not None for r in days.values()) == 7
    generation = days[date(2026, 11, 3)].generation
    # a review submitted elsewhere clears the day; the next page shows it and stores it again
    interaction = make_interaction(agent, started_at=datetime(2026, 11, 3, 12))
    db.session.add(
        Review(interaction=interaction, reviewer=reviewer, scorecard_version=criteria[0].version,
               status=ReviewStatus.SUBMITTED, score=100,
               submitted_at=datetime(2026, 11, 20), answers=[Answer(criterion=criteria[0], value=5)])
    )  # fmt: skip
    db.session.commit()
    assert stored_days(team_id)[date(2026, 11, 3)].payload is None
    page = client.get(f"/dashboard?{query}").get_data(as_text=True)
    assert "IQS 2026-W45: 80" in page  # (60 + 100) / 2
    row = stored_days(team_id)[date(2026, 11, 3)]
    assert row.payload is not None and row.generation > generation
    assert json.loads(row.payload)["a"][str(agent_id)][3] == 2  # reviews
    assert json.loads(row.payload)["t"][3] == 2  # and the day's total


def test_refresh_command_fills_the_closed_days_once(app):
    """dashboard refresh stores each closed day once, nothing the second time, refuses 0 days."""
    team, now = team_with_interactions(0, 3, 9)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["dashboard", "refresh", "--days", "10"])
    assert first.exit_code == 0, first.output
    assert "9 team-days stored for 1 teams" in first.output  # 10 days back .. the day before yesterday
    kept = {d: r for d, r in stored_days(team.id).items() if r.payload is not None}
    assert sorted(kept) == [(now - timedelta(days=k)).date() for k in range(10, 1, -1)]
    assert sum(json.loads(r.payload)["t"][0] for r in kept.values()) == 2
    again = runner.invoke(args=["dashboard", "refresh", "--days", "10"])
    assert "0 team-days stored" in again.output
    bad = runner.invoke(args=["dashboard", "refresh", "--days", "0"])
    assert bad.exit_code != 0 and "Error: days must be at least 1" in bad.output
    assert "Traceback" not in bad.output


def _listeners() -> list[int]:
    """How many times each cache listener is registered on the sessions."""
    session = db.session()
    return [
        list(getattr(session.dispatch, name)).count(listener)
        for name, listener in dashboard_cache._LISTENERS
    ]


def test_listeners_are_registered_once_by_create_app(fixture):  # noqa: F811
    """create_app registers the cache listeners, once however often it runs; without them a write
    leaves its stored day in place, with them it clears it."""
    create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    dashboard_cache.register()
    assert _listeners() == [1, 1, 1, 1]
    red, day = fixture["red"].id, date(2026, 11, 10)  # r3's day
    check([red])
    try:
        dashboard_cache.unregister()
        assert _listeners() == [0, 0, 0, 0]
        fixture["r3"].score = 20
        db.session.commit()
        assert stored_days(red)[day].payload is not None
    finally:
        dashboard_cache.register()
    fixture["r3"].score = 30
    db.session.commit()
    assert stored_days(red)[day].payload is None
