"""Sampling pages, CLI and schedule: roles and ownership, CSRF, preview, draw, replacement, coverage."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from qa.extensions import db
from qa.jobs.schedule import TASK_NAME, beat_schedule, run_weekly_sample
from qa.models import Assignment, AssignmentStatus, AuditEvent, Sample, SamplingPolicy, utcnow
from qa.services import sampling
from tests.conftest import make_interaction

FORM = {
    "name": "Weekly",
    "percentage": "50",
    "min_per_agent": "1",
    "max_per_agent": "3",
    "risk_share": "50",
    "risk_weight_autoqa": "1",
    "risk_weight_csat": "1",
    "risk_weight_escalated": "0.8",
    "risk_weight_handle_time": "0.5",
    "seed": "3",
    "active": "y",
}


def _week() -> str:
    return sampling.week_of(utcnow() - timedelta(days=1))


def _red_policy(world) -> SamplingPolicy:
    policy = sampling.save_policy(
        None,
        world["red"].id,
        {"name": "Red weekly", "percentage": 50, "min_per_agent": 1, "max_per_agent": 3},
        actor=None,
    )
    for agent in ("agent_red", "agent_red2"):
        for _ in range(3):
            make_interaction(world[agent])
    db.session.commit()
    return policy


def test_lead_creates_policy_only_for_own_team(world, login):
    """A lead creates a policy for a team they lead; another team's id is refused; CSRF is required."""
    lead = login(world["lead_red"])
    assert lead.get("/sampling/policies/new").status_code == 200
    response = lead.post(
        "/sampling/policies/new", {**FORM, "team": world["red"].id, "channels": ["chat", "call"]}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    policy = db.session.scalar(select(SamplingPolicy))
    assert (policy.team_id, policy.risk_share, sorted(policy.channels)) == (
        world["red"].id,
        0.5,
        ["call", "chat"],
    )
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "sampling_policy.created")
    )
    assert (
        lead.post("/sampling/policies/new", {**FORM, "team": world["blue"].id}).status_code == 400
    )
    assert (
        lead.post(
            "/sampling/policies/new", {**FORM, "team": world["red"].id}, csrf=False
        ).status_code
        == 400
    )
    bad = lead.post(
        "/sampling/policies/new", {**FORM, "team": world["red"].id, "max_per_agent": "0"}
    )
    assert bad.status_code == 400 and "at least the minimum" in bad.get_data(as_text=True)
    assert db.session.query(SamplingPolicy).count() == 1


def test_policy_pages_by_role_and_team(world, login):
    """Leads see only their teams' policies (others 404), agents get 403, reviewers go to their sample."""
    policy = _red_policy(world)
    week = _week()
    red = login(world["lead_red"])
    page = red.get(f"/sampling/policies/{policy.id}?week={week}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="preview"' in html and 'id="coverage"' in html and world["agent_red"].name in html
    assert red.get("/sampling/").status_code == 200
    assert red.get(f"/sampling/policies/{policy.id}?week=2026-47").status_code == 400
    blue = login(world["lead_blue"])
    assert blue.get(f"/sampling/policies/{policy.id}").status_code == 404
    assert blue.get(f"/sampling/policies/{policy.id}/edit").status_code == 404
    assert blue.post(f"/sampling/policies/{policy.id}/draw", {"week": week}).status_code == 404
    assert policy.name not in blue.get("/sampling/").get_data(as_text=True)
    assert login(world["agent_red"]).get("/sampling/").status_code == 403
    assert login(world["reviewer"]).get("/sampling/").status_code == 302
    assert login(world["admin"]).get(f"/sampling/policies/{policy.id}/edit").status_code == 200


def test_draw_from_the_page_and_bad_week(world, login):
    """The draw button samples and assigns; a malformed week is a 400; a re-run adds nothing."""
    policy = _red_policy(world)
    lead = login(world["lead_red"])
    response = lead.post(f"/sampling/policies/{policy.id}/draw", {"week": _week()})
    assert response.status_code == 302
    assert db.session.query(Sample).count() == 4  # 50% of 4 per agent (+ the world's chat), max 3
    assert db.session.query(Assignment).count() == 4
    assert lead.post(f"/sampling/policies/{policy.id}/draw", {"week": "W47"}).status_code == 400
    lead.post(f"/sampling/policies/{policy.id}/draw", {"week": _week()})
    assert db.session.query(Sample).count() == 4


def test_reviewer_replaces_own_assignment_only(world, login):
    """A reviewer replaces their own assignment with a reason; someone else's is 404; no reason is 400."""
    policy = _red_policy(world)
    sampling.draw(policy, _week())
    mine = db.session.scalar(
        select(Assignment).where(Assignment.reviewer_id == world["reviewer"].id)
    )
    theirs = db.session.scalar(
        select(Assignment).where(Assignment.reviewer_id == world["reviewer2"].id)
    )
    reviewer = login(world["reviewer"])
    listing = reviewer.get("/sampling/assignments").get_data(as_text=True)
    assert f"/sampling/assignments/{mine.id}/replace" in listing
    assert reviewer.get(f"/sampling/assignments/{theirs.id}/replace").status_code == 404
    assert (
        reviewer.post(f"/sampling/assignments/{mine.id}/replace", {"reason": ""}).status_code == 400
    )
    response = reviewer.post(
        f"/sampling/assignments/{mine.id}/replace", {"reason": "Customer spoke Polish"}
    )
    assert response.status_code == 302
    db.session.refresh(mine)
    assert (
        mine.status == AssignmentStatus.REPLACED and mine.replaced_reason == "Customer spoke Polish"
    )
    assert (
        login(world["lead_blue"]).get(f"/sampling/assignments/{theirs.id}/replace").status_code
        == 404
    )
    assert (
        login(world["lead_red"]).get(f"/sampling/assignments/{theirs.id}/replace").status_code
        == 200
    )


def test_cli_policy_coverage_and_run(app, world):
    """`flask sample policy|policies|coverage|run` work, and bad input is one line."""
    runner = app.test_cli_runner()
    created = runner.invoke(
        args=[
            "sample",
            "policy",
            "--team",
            "Red",
            "--name",
            "Cron",
            "--percentage",
            "50",
            "--min-per-agent",
            "1",
            "--max-per-agent",
            "2",
            "--channels",
            "chat",
        ]
    )
    assert created.exit_code == 0, created.output
    assert "Cron" in runner.invoke(args=["sample", "policies"]).output
    week = _week()
    run = runner.invoke(args=["sample", "run", "--week", week])
    assert run.exit_code == 0 and "sampled" in run.output and "+0 risk, +1 random" in run.output
    coverage = runner.invoke(args=["sample", "coverage", "--week", week, "--policy", "1"])
    assert coverage.exit_code == 0 and "sampled 1, reviewed 0" in coverage.output
    for args, message in [
        (["sample", "policy", "--team", "Nope", "--name", "x"], "no team named"),
        (["sample", "policy", "--id", "1", "--max-per-agent", "0"], "maximum per agent"),
        (["sample", "policy", "--name", "x"], "give --team"),
        (["sample", "coverage", "--week", "2026-99", "--policy", "1"], "2026-W47"),
        (["sample", "run", "--week", "bad"], "2026-W47"),
    ]:
        result = runner.invoke(args=args)
        assert result.exit_code == 1 and message in result.output, (args, result.output)
        assert "Traceback" not in result.output


def test_weekly_schedule_entry_and_task(world):
    """The beat entry runs the task on Mondays; the task draws every active policy for a week."""
    entry = beat_schedule()["weekly-sample"]
    assert entry["task"] == TASK_NAME and entry["schedule"].day_of_week == {1}
    _red_policy(world)
    [summary] = run_weekly_sample(_week())
    assert summary["sampled"] == 4 and summary["assigned"] == 4
    assert run_weekly_sample(_week())[0]["sampled"] == 0


def test_assignments_page_per_role(world, login):
    """Leads see their teams' open assignments, an admin all, a reviewer their own; agents get 403."""
    policy = _red_policy(world)
    sampling.draw(policy, _week())
    mine = db.session.scalar(
        select(Assignment).where(Assignment.reviewer_id == world["reviewer"].id)
    )
    theirs = db.session.scalar(
        select(Assignment).where(Assignment.reviewer_id == world["reviewer2"].id)
    )
    links = {f"/sampling/assignments/{a.id}/replace" for a in (mine, theirs)}

    def shown(user) -> set[str]:
        page = login(world[user]).get("/sampling/assignments")
        assert page.status_code == 200
        return {link for link in links if link in page.get_data(as_text=True)}

    assert shown("lead_red") == links
    assert shown("admin") == links
    assert shown("lead_blue") == set()
    assert shown("reviewer") == {f"/sampling/assignments/{mine.id}/replace"}
    assert login(world["agent_red"]).get("/sampling/assignments").status_code == 403
