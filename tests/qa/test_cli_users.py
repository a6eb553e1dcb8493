"""`flask users create|list|token`: what they print, and bad input as one line with exit status 1."""

from __future__ import annotations

from sqlalchemy import func, select

from qa.extensions import db
from qa.models import AuditEvent, Role, Team, User


def create(app, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(
        args=["users", "create", *args, "--password", "long enough password"]
    )


def test_create_makes_teams_and_list_shows_role_and_team(app):
    """An agent joins a new team, a lead leads two; `users list` prints role, email and team."""
    agent = create(app, "--email", " Ana@Example.com", "--role", "agent", "--team", "Billing")
    assert agent.exit_code == 0 and agent.output == "created agent ana@example.com\n"
    lead = create(
        app, "--email", "lee@example.com", "--role", "lead", "--leads", "Billing", "--leads", "Tech"
    )
    assert lead.exit_code == 0, lead.output
    user = db.session.scalar(select(User).where(User.email == "lee@example.com"))
    assert sorted(t.name for t in user.led_teams) == ["Billing", "Tech"] and user.name == user.email
    assert user.check_password("long enough password")
    listed = app.test_cli_runner().invoke(args=["users", "list"]).output.splitlines()
    # (sorted: the role order is the enum's on PostgreSQL, the names' on SQLite)
    assert sorted(listed) == [
        f"{'agent':9} {'ana@example.com':35} Billing",
        f"{'lead':9} {'lee@example.com':35} -",
    ]


def test_create_refusal_is_one_line_and_leaves_nothing_behind(app, world):
    """A taken email is `Error: ...`, exit 1, and the team it named is not created either."""
    taken = world["agent_red"].email
    result = create(app, "--email", taken, "--role", "agent", "--team", "Brand new")
    assert result.exit_code == 1
    assert result.output == f"Error: a user with email {taken} already exists\n"
    db.session.expire_all()
    assert not db.session.scalar(select(func.count(Team.id)).where(Team.name == "Brand new"))
    short = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--email",
            "x@example.com",
            "--role",
            "agent",
            "--password",
            "short",
        ]
    )
    assert short.exit_code == 1 and short.output.startswith("Error: password must have at least")


def test_token_is_printed_once_works_and_is_audited(app, client, world):
    """`users token EMAIL --name ci` prints a token the API accepts; an unknown email is one line."""
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "token", world["lead_red"].email, "--name", "ci"])
    assert result.exit_code == 0
    raw = result.output.strip()
    assert raw.startswith("cl_") and len(result.output.splitlines()) == 1
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert me.status_code == 200 and me.json["role"] == Role.LEAD.value
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api_token.created"))
    unknown = runner.invoke(args=["users", "token", "nobody@example.com"])
    assert (
        unknown.exit_code == 1
        and unknown.output == "Error: no user with email nobody@example.com\n"
    )
