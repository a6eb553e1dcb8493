"""`flask sample`: the weekly review sample, its policies and its coverage."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db
from ..models import SamplingPolicy, Team
from ..services import sampling
from .common import one_line_errors

manager = AppGroup("sample", help="Weekly sampling for review.")

# Option names that differ from the policy's column names.
POLICY_COLUMNS = {
    "weight_autoqa": "risk_weight_autoqa",
    "weight_csat": "risk_weight_csat",
    "weight_escalated": "risk_weight_escalated",
    "weight_handle_time": "risk_weight_handle_time",
    "min_duration": "min_duration_seconds",
}


def _week(week: str | None, last_week: bool) -> str:
    """The ISO week asked for by exactly one of --week or --last-week."""
    if bool(week) == last_week:
        raise click.ClickException("give exactly one of --week 2026-W47 or --last-week")
    week = sampling.last_week() if last_week else week
    assert week is not None
    return week


def _policy(policy_id: int) -> SamplingPolicy:
    policy = db.session.get(SamplingPolicy, policy_id)
    if policy is None:
        raise click.ClickException(f"no sampling policy with id {policy_id}")
    return policy


def _policies_to_draw(policy_id: int | None) -> list[SamplingPolicy]:
    """Every active policy, or only the one asked for (which must be active)."""
    policies = sampling.active_policies()
    if policy_id is not None:
        policies = [p for p in policies if p.id == policy_id]
        if not policies:
            raise click.ClickException(f"no active sampling policy with id {policy_id}")
    if not policies:
        raise click.ClickException("no active sampling policy: create one first")
    return policies


@manager.command("run")
@click.option("--week", help="ISO week, e.g. 2026-W47.")
@click.option("--last-week", is_flag=True, help="The previous ISO week (for cron).")
@click.option(
    "--policy", "policy_id", type=int, help="Only this policy (default: every active one)."
)
@click.option("--dry-run", is_flag=True, help="Show what would be sampled, change nothing.")
def sample_run(week: str | None, last_week: bool, policy_id: int | None, dry_run: bool) -> None:
    """Draw the weekly sample per policy and assign reviewers."""
    week = _week(week, last_week)
    for policy in _policies_to_draw(policy_id):
        with one_line_errors(sampling.SamplingError):
            report = sampling.draw(policy, week, dry_run=dry_run)
        click.echo(
            f"{policy.team.name} / {policy.name} {week}: {report.added} sampled"
            + ("" if dry_run else f", {report.assigned} assigned, {report.unassigned} unassigned")
        )
        for agent in report.agents:
            click.echo(
                f"  agent {agent.agent_id}: volume {agent.volume}, quota {agent.quota}, "
                f"had {agent.already}, +{agent.added_risk} risk, +{agent.added_random} random"
            )


@manager.command("policies")
def sample_policies() -> None:
    """List sampling policies with their settings."""
    for p in db.session.scalars(select(SamplingPolicy).order_by(SamplingPolicy.id)):
        click.echo(
            f"{p.id:4} {p.team.name} / {p.name}: {p.percentage:g}% min {p.min_per_agent} "
            f"max {p.max_per_agent}, risk {p.risk_share:.0%}, channels "
            f"{','.join(p.channels) if p.channels else 'all'}, seed {p.seed}"
            + ("" if p.active else " (inactive)")
        )


def _team_id(team_name: str | None, policy: SamplingPolicy | None) -> int:
    """The team named by --team, else the updated policy's own team."""
    if team_name:
        team = db.session.scalar(select(Team).where(Team.name == team_name))
        if team is None:
            raise click.ClickException(f"no team named {team_name!r}")
        return team.id
    if policy is None:
        raise click.ClickException("give --team to create a policy (or --id to update one)")
    return policy.team_id


@manager.command("policy")
@click.option("--id", "policy_id", type=int, help="Update this policy (default: create one).")
@click.option("--team", "team_name", help="Team name (required to create).")
@click.option("--name")
@click.option("--percentage", type=float)
@click.option("--min-per-agent", type=int)
@click.option("--max-per-agent", type=int)
@click.option("--risk-share", type=float, help="0..1 of each agent's quota.")
@click.option("--weight-autoqa", type=float)
@click.option("--weight-csat", type=float)
@click.option("--weight-escalated", type=float)
@click.option("--weight-handle-time", type=float)
@click.option("--channels", help="Comma-separated (call,chat,email,social); empty for all.")
@click.option("--min-duration", type=float, help="Minimum duration in seconds.")
@click.option("--min-turns", type=int)
@click.option("--exclude-own-team/--allow-own-team", default=None)
@click.option("--seed", type=int)
@click.option("--active/--inactive", default=None)
def sample_policy(policy_id: int | None, team_name: str | None, **options: object) -> None:
    """Create or update a team's sampling policy."""
    values = {POLICY_COLUMNS.get(k, k): v for k, v in options.items() if v is not None}
    if "channels" in values:
        values["channels"] = [c.strip() for c in str(values["channels"]).split(",") if c.strip()]
    policy = _policy(policy_id) if policy_id is not None else None
    team_id = _team_id(team_name, policy)
    with one_line_errors(sampling.SamplingError, on_error=db.session.rollback):
        policy = sampling.save_policy(policy, team_id, values, actor=None)
    db.session.commit()
    click.echo(
        f"{'updated' if policy_id else 'created'} sampling policy {policy.id} ({policy.name})"
    )


@manager.command("coverage")
@click.option("--week", help="ISO week, e.g. 2026-W47.")
@click.option("--last-week", is_flag=True, help="The previous ISO week.")
@click.option("--policy", "policy_id", type=int, required=True)
def sample_coverage(week: str | None, last_week: bool, policy_id: int) -> None:
    """Per agent: volume, sampled, reviewed, quality score and its 95% margin of error."""
    week = _week(week, last_week)
    policy = _policy(policy_id)
    with one_line_errors(sampling.SamplingError):
        rows = sampling.coverage(policy, week)
    click.echo(f"{policy.team.name} / {policy.name} {week}")
    for row in rows:
        score = "-" if row.score is None else f"{row.score:.1f}"
        click.echo(
            f"  {row.name}: volume {row.volume}, sampled {row.sampled}, reviewed {row.reviewed}, "
            f"score {score}, {row.verdict}"
        )
