"""Admin in a real browser: change an agent's role on the users page, then find it in the audit log;
revoke a lead's API token, which the API then refuses."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from qa.extensions import db
from qa.models import Role, User
from qa.services.tokens import create_token
from tests.browser.conftest import seed_admin, seed_team, sign_in

pytestmark = [pytest.mark.browser]


def test_admin_makes_an_agent_a_reviewer(live_app, page: Page):
    """The admin picks reviewer in the agent's row and saves; the table and the audit log show it."""
    app, base = live_app
    with app.app_context():
        seed_team()
        seed_admin()

    sign_in(page, base, "admin@example.com")
    page.goto(f"{base}/admin/users")
    page.get_by_label("Role of Aisha Agent").select_option("reviewer")
    page.get_by_role("button", name="Save Aisha Agent").click()
    expect(page.get_by_text("Saved agent@example.com: reviewer, active.")).to_be_visible()
    expect(page.get_by_label("Role of Aisha Agent")).to_have_value("reviewer")

    page.goto(f"{base}/admin/audit")
    row = page.get_by_role("row").filter(has_text="user.role_changed")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("admin@example.com")
    expect(row).to_contain_text('"new": "reviewer"')
    with app.app_context():
        assert (
            db.session.query(User).filter_by(email="agent@example.com").one().role == Role.REVIEWER
        )


def test_admin_revokes_an_api_token(live_app, page: Page):
    """A token revoked on the users page leaves the list, is audited with the admin, and gets 401."""
    app, base = live_app
    with app.app_context():
        _, people, _ = seed_team()
        seed_admin()
        _, raw = create_token(people[Role.LEAD], "nightly export", None)
        db.session.commit()
    assert page.request.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).ok

    sign_in(page, base, "admin@example.com")
    page.goto(f"{base}/admin/users")
    tokens = page.locator("#api-tokens")
    expect(tokens).to_contain_text("Lena Lead (lead@example.com)")
    expect(tokens).to_contain_text(raw[:10])
    expect(tokens).not_to_contain_text(raw)
    page.get_by_role("button", name="Revoke API token nightly export of Lena Lead").click()
    expect(
        page.get_by_text("Revoked API token nightly export of lead@example.com.")
    ).to_be_visible()
    expect(page.locator("#api-tokens")).to_have_count(0)
    expect(page.get_by_text("No API tokens.")).to_be_visible()

    page.goto(f"{base}/admin/audit")
    row = page.get_by_role("row").filter(has_text="api_token.revoked")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("admin@example.com")
    refused = page.request.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert refused.status == 401
