"""The top bar fits one row at 1280 px for an admin, the role with the most links, in English
and in French (longer labels); the personal links live in an account menu (issue 18 walk)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from qa.extensions import db
from qa.models import User
from tests.browser.conftest import seed_admin
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser]


def header_rows(page: Page) -> float:
    """The height of the header's content (without its padding) in nav-link heights: about 1
    when everything sits on one row, 2 or more once it wraps."""
    content = page.evaluate(
        "() => { const h = document.querySelector('header.topbar'), s = getComputedStyle(h);"
        " return h.clientHeight - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom); }"
    )
    link = page.locator("header.topbar nav a").first.bounding_box()
    assert link is not None
    return float(content) / link["height"]


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_admin_header_is_one_row_at_1280px(live_app, page: Page, locale: str):
    """At 1280x800 the admin's header is less than two link heights tall, every nav link is
    visible, and the account menu opens on click to Change password and Language."""
    app, base = live_app
    with app.app_context():
        seed_admin()
        admin = db.session.query(User).filter_by(email="admin@example.com").one()
        admin.locale = locale
        db.session.commit()
    page.set_viewport_size({"width": 1280, "height": 800})
    _sign_in(page, base, "Sign out" if locale == "en" else "Se déconnecter")
    page.goto(f"{base}/")
    expect(page.locator("html")).to_have_attribute("lang", locale)
    assert header_rows(page) < 2, f"header wraps at 1280 px ({locale})"
    links = page.locator("header.topbar nav a")
    assert links.count() == 12  # six in the bar, six lead tools under More
    page.locator("details.more summary").click()
    for i in range(links.count()):
        expect(links.nth(i)).to_be_visible()
    menu = page.locator("details.account")
    password = "Change password" if locale == "en" else "Changer le mot de passe"
    expect(menu.get_by_role("link", name=password)).to_be_hidden()
    menu.locator("summary").click()
    expect(menu.get_by_role("link", name=password)).to_be_visible()
    expect(menu.get_by_role("link", name="Language" if locale == "en" else "Langue")).to_be_visible()


def _sign_in(page: Page, base: str, sign_out: str) -> None:
    """Sign in as the admin through the (English) login form, then wait for the signed-in page
    in the admin's language."""
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill("admin@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=sign_out)).to_be_visible()
