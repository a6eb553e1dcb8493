"""A real server on loopback with a database of its own (a SQLite file, or a fresh PostgreSQL database
with QA_TEST_DATABASE_URL), and Debian's Chromium driven by pytest-playwright."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from qa.extensions import db
from qa.models import Role, Scorecard, ScorecardVersion, Team, User
from qa.services.reviews import publish_version
from tests.conftest import (
    PASSWORD,  # (the factories' password; seeded users use it too)
    PASSWORD_HASH,
)

CHROMIUM = "/usr/bin/chromium"

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):  # type: ignore[no-untyped-def]
    """Use Debian's Chromium; `playwright install` cannot download browsers here."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does this)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


def sign_in(page: Page, base: str, email: str) -> None:
    """Sign in through the login form and wait for the signed-in page."""
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Coachline")).to_be_visible()


def seed_admin() -> User:
    """Inside an app context: an admin, admin@example.com (committed)."""
    from tests.conftest import PASSWORD_HASH

    admin = User(email="admin@example.com", name="Ada Admin", role=Role.ADMIN)
    admin.password_hash = PASSWORD_HASH
    db.session.add(admin)
    db.session.commit()
    return admin


def seed_team() -> tuple[Team, dict[Role, User], ScorecardVersion]:
    """Inside an app context: team Billing with a lead, a reviewer and an agent (the agent's
    address is agent@example.com, and so on) and the demo scorecard, published."""
    from qa.demo import SCORECARD

    team = Team(name="Billing")
    people: dict[Role, User] = {}
    for role, name in [
        (Role.LEAD, "Lena Lead"),
        (Role.REVIEWER, "Rita Reviewer"),
        (Role.AGENT, "Aisha Agent"),
    ]:
        user = User(
            email=f"{role.value}@example.com",
            name=name,
            role=role,
            team=team if role == Role.AGENT else None,
        )
        user.password_hash = PASSWORD_HASH
        if role == Role.LEAD:
            user.led_teams = [team]
        db.session.add(user)
        people[role] = user
    scorecard = Scorecard(name="Support quality")
    db.session.add(scorecard)
    db.session.flush()
    return team, people, publish_version(scorecard, [dict(c) for c in SCORECARD])
