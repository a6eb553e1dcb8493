"""The tier dashboard in a real browser (issue 17): the admin sets a team's tier on the users
page; the lead follows the Tiers link and reads their team's escalation figures, per tier and
per agent, and nothing of the team they do not lead."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from qa.extensions import db
from qa.models import EscalationOutcome, Role, Team, User, utcnow
from qa.services.escalations import record_escalation
from tests.browser.conftest import seed_admin, seed_team, sign_in, sign_out
from tests.conftest import make_interaction, make_user

pytestmark = [pytest.mark.browser]


def test_lead_reads_the_tier_dashboard_of_their_team(live_app, page: Page):
    """Billing (N1) escalated one of its two chats to Experts, who sent it back after 20 min:
    the lead sees N1 with 50.0% escalated, 20.0 min to escalate and 100.0% bounced back, the
    agent's row, and no N2 row; the admin's tier change is flashed."""
    app, base = live_app
    with app.app_context():
        billing, people, _ = seed_team()
        experts = Team(name="Experts")
        db.session.add(experts)
        db.session.flush()
        expert = make_user(Role.AGENT, team=experts, name="Eve Expert")
        agent = people[Role.AGENT]
        start = utcnow() - timedelta(days=1)
        first = make_interaction(agent, started_at=start)
        second = make_interaction(agent, started_at=start + timedelta(hours=1))
        target = make_interaction(expert, started_at=start + timedelta(minutes=20))
        first.tier, second.tier, target.tier = 1, 1, 2
        first.resolved_first_contact, second.resolved_first_contact = False, True
        record_escalation(
            first, target, reason="refund over the limit", outcome=EscalationOutcome.BOUNCED
        )
        seed_admin()
        db.session.commit()
        billing_id = billing.id

    sign_in(page, base, "admin@example.com")
    page.goto(f"{base}/admin/users")
    page.get_by_label("Tier of Experts", exact=True).select_option("N2")
    page.get_by_role("button", name="Set tier of Experts").click()
    expect(page.get_by_text("Experts is now N2.")).to_be_visible()
    sign_out(page)

    sign_in(page, base, "lead@example.com")
    page.locator("details.more summary").click()  # the lead tools' menu in the top bar
    page.get_by_role("link", name="Tiers").click()
    expect(page.get_by_role("heading", name="Tiers and escalations")).to_be_visible()
    n1 = page.locator('#tiers tr[data-tier="1"]')
    expect(n1).to_contain_text("N1")
    cells = n1.locator("td")
    expect(cells.nth(1)).to_have_text("2")  # interactions
    expect(cells.nth(2)).to_contain_text("50.0%")  # FCR: one of two known
    expect(cells.nth(3)).to_contain_text("50.0%")  # escalation rate
    expect(cells.nth(4)).to_have_text("20.0 min")
    expect(cells.nth(5)).to_contain_text("100.0%")  # bounced back
    expect(page.locator('#tiers tr[data-tier="2"]')).to_have_count(0)
    expect(page.locator("#tier-agents")).to_contain_text("Aisha Agent")
    expect(page.locator("#tier-agents")).not_to_contain_text("Eve Expert")
    with app.app_context():
        assert db.session.get(Team, billing_id).tier == 1
        assert db.session.query(User).filter_by(name="Eve Expert").one().team.tier == 2
