"""Admin in a real browser: give a lead a second team on the users page; the lead then finds it in
the dashboard's team picker."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from qa.extensions import db
from qa.models import Team
from tests.browser.conftest import seed_admin, seed_team, sign_in, sign_out

pytestmark = [pytest.mark.browser]


def test_admin_gives_a_lead_a_second_team(live_app, page: Page):
    """The admin selects Billing and Support for the lead and saves; the lead picks Support on the
    dashboard and sees that team's dashboard."""
    app, base = live_app
    with app.app_context():
        seed_team()
        db.session.add(Team(name="Support"))
        seed_admin()

    sign_in(page, base, "admin@example.com")
    page.goto(f"{base}/admin/users")
    page.get_by_label("Teams led by Lena Lead").select_option(["Billing", "Support"])
    page.get_by_role("button", name="Save teams of Lena Lead").click()
    expect(page.get_by_text("Saved lead@example.com: leads Billing, Support.")).to_be_visible()
    page.goto(f"{base}/admin/audit")
    row = page.get_by_role("row").filter(has_text="user.led_teams_changed")
    expect(row).to_contain_text('"new": ["Billing", "Support"]')
    sign_out(page)

    sign_in(page, base, "lead@example.com")
    page.goto(f"{base}/dashboard")
    picker = page.get_by_label("Team", exact=True)
    expect(picker.locator("option")).to_have_text(["Billing", "Support"])
    picker.select_option("Support")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="Team dashboard · Support")).to_be_visible()
