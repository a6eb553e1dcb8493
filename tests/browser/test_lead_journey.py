"""The lead's and admin's pages in a real browser (issue 18, defects 9, 10 and 13): assignments in
the navigation for every role that may open them, the dashboard's charts and heatmap, and the
admin's user invitation and model training."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from qa.extensions import db
from qa.models import Assignment, Role, Sample, SamplingPolicy, User
from qa.services import sampling
from tests.browser.conftest import seed_admin, seed_team, sign_in
from tests.conftest import make_interaction

pytestmark = [pytest.mark.browser]


def _seed_assignment() -> dict[Role, User]:
    """Inside an app context: team Billing, an admin, and one open assignment for the reviewer."""
    team, people, _ = seed_team()
    seed_admin()
    policy = SamplingPolicy(team=team, name="Weekly")
    db.session.add(policy)
    interaction = make_interaction(people[Role.AGENT])
    db.session.flush()
    sample = Sample(
        policy=policy,
        week=sampling.week_of(interaction.started_at),
        interaction=interaction,
        stratum="random",
    )
    db.session.add(
        Assignment(sample=sample, interaction=interaction, reviewer=people[Role.REVIEWER])
    )
    db.session.commit()
    return people


@pytest.mark.parametrize(
    ("email", "link", "heading"),
    [
        ("lead@example.com", "Assignments", "Open assignments of your teams"),
        ("admin@example.com", "Assignments", "Open assignments"),
        ("reviewer@example.com", "My sample", "My sampled interactions"),
    ],
)
def test_assignments_are_in_the_navigation_of_who_may_open_them(
    live_app, page: Page, email: str, link: str, heading: str
):
    """Lead, admin and reviewer reach the open assignments from the top bar, with a Replace link."""
    app, base = live_app
    with app.app_context():
        _seed_assignment()
    sign_in(page, base, email)
    page.get_by_role("navigation").get_by_role("link", name=link, exact=True).click()
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.locator("#assignments")).to_contain_text("Aisha Agent")
    expect(page.get_by_role("link", name="Replace…")).to_have_count(1)
    if email != "reviewer@example.com":
        expect(page.locator("#assignments")).to_contain_text("Rita Reviewer")


def test_agent_has_no_assignments_link(live_app, page: Page):
    """An agent sees no assignments link and the page answers them 403."""
    app, base = live_app
    with app.app_context():
        _seed_assignment()
    sign_in(page, base, "agent@example.com")
    expect(page.get_by_role("navigation").get_by_role("link", name="Assignments")).to_have_count(0)
    assert page.request.get(f"{base}/sampling/assignments").status == 403
