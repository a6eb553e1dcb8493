"""Sessions in a real browser: changing the password from the navigation signs out a copied session
and keeps this one; after signing out, the copied cookies open nothing (issue 19, item 2)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from qa.extensions import db
from tests.browser.conftest import seed_team, sign_in, sign_out
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser]

NEW_PASSWORD = "seven lanterns over the harbour"


def test_password_change_and_sign_out_end_copied_sessions(live_app, page: Page, browser: Browser):
    """A second browser holding copies of the agent's cookies loses access when the agent changes
    the password (the agent stays signed in), and again after the agent signs out."""
    app, base = live_app
    with app.app_context():
        seed_team()
        db.session.commit()

    sign_in(page, base, "agent@example.com")
    thief = browser.new_context()
    thief.add_cookies(page.context.cookies())
    stolen = thief.new_page()
    stolen.goto(f"{base}/feedback")
    expect(stolen.get_by_role("button", name="Sign out")).to_be_visible()

    page.locator("details.account summary").click()  # the account menu in the top bar
    page.get_by_role("link", name="Change password").click()
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your password is changed.")).to_be_visible()

    stolen.goto(f"{base}/feedback")
    expect(stolen.get_by_role("heading", name="Sign in to Coachline")).to_be_visible()
    page.goto(f"{base}/feedback")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    thief.clear_cookies()
    thief.add_cookies(page.context.cookies())  # a fresh copy, taken after the change
    stolen.goto(f"{base}/feedback")
    expect(stolen.get_by_role("button", name="Sign out")).to_be_visible()
    sign_out(page)
    stolen.goto(f"{base}/feedback")
    expect(stolen.get_by_role("heading", name="Sign in to Coachline")).to_be_visible()
    thief.close()

    page.goto(f"{base}/login")
    page.get_by_label("Email").fill("agent@example.com")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
