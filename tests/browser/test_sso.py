"""Single sign-on in a real browser (issue 17) against a real OpenID Connect provider on loopback
(tests/oidc_provider.py): the admin turns an agent's password sign-in off, the agent's password
is then refused with a pointer to SSO, and the "Sign in with …" button signs them in through the
provider; an unknown person is shown why they cannot get in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from qa.extensions import db
from qa.models import User
from tests.browser.conftest import seed_admin, seed_team, sign_in, sign_out
from tests.conftest import PASSWORD
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider, serve_provider

pytestmark = [pytest.mark.browser]


@pytest.fixture
def provider(live_app) -> Iterator[Provider]:  # type: ignore[no-untyped-def]
    """A running provider, and the live app configured to sign in through it."""
    app, base = live_app
    with serve_provider() as running:
        running.redirect_uris = [f"{base}/login/sso/callback"]
        app.config.update(
            OIDC_ISSUER=running.issuer,
            OIDC_CLIENT_ID=CLIENT_ID,
            OIDC_CLIENT_SECRET=CLIENT_SECRET,
            OIDC_LABEL="Acme ID",
        )
        yield running


def test_agent_signs_in_with_sso_once_passwords_are_off(live_app, provider, page: Page):
    """The admin sets the agent's password sign-in to off; the agent's password then gets the
    SSO message, and the SSO button brings them back signed in, on the page they asked for."""
    app, base = live_app
    with app.app_context():
        seed_team()
        seed_admin()
        db.session.commit()

    sign_in(page, base, "admin@example.com")
    page.goto(f"{base}/admin/users")
    page.get_by_label("Password sign-in of Aisha Agent").select_option("off")
    page.get_by_role("button", name="Save Aisha Agent").click()
    expect(page.get_by_text("Saved agent@example.com")).to_be_visible()
    expect(page.get_by_label("Password sign-in of Aisha Agent")).to_have_value("off")
    sign_out(page)

    page.get_by_label("Email").fill("agent@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_text("Password sign-in is turned off for this account")).to_be_visible()

    provider.add("Agent@Example.com", name="Aisha Agent")
    page.goto(f"{base}/feedback")  # signed out: the login page, with next=/feedback
    page.get_by_role("link", name="Sign in with Acme ID").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_text("Signed in as agent@example.com.")).to_be_visible()
    assert page.url == f"{base}/feedback"
    request = provider.authorize_requests[-1]
    assert request["code_challenge_method"] == "S256" and request["nonce"] and request["state"]


def test_unknown_person_is_told_to_ask_their_admin(live_app, provider, page: Page):
    """Someone the provider knows but Coachline does not sees a refusal page naming their email,
    and no account is made for them."""
    app, base = live_app
    provider.add("newcomer@acme.test", name="New Comer")
    page.goto(f"{base}/login")
    page.get_by_role("link", name="Sign in with Acme ID").click()
    expect(
        page.get_by_text("There is no Coachline account for newcomer@acme.test. Ask your admin")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    with app.app_context():
        assert db.session.query(User).filter_by(email="newcomer@acme.test").count() == 0


def test_sign_out_after_sso_passes_through_the_provider(live_app, provider, page: Page):
    """An agent signed in with SSO signs out: the browser goes to the provider's end-session
    endpoint, which ends the provider's session (the hint is the agent's ID token) and sends it
    back to Coachline's sign-in page, which says they are signed out; / is closed again."""
    app, base = live_app
    with app.app_context():
        seed_team()
        db.session.commit()
    provider.post_logout_redirect_uris = [f"{base}/login"]
    person = provider.add("agent@example.com", name="Aisha Agent")
    page.goto(f"{base}/login")
    page.get_by_role("link", name="Sign in with Acme ID").click()
    expect(page.get_by_text("Signed in as agent@example.com.")).to_be_visible()
    with page.expect_request(lambda r: r.url.startswith(f"{provider.issuer}/end-session")):
        page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Coachline")).to_be_visible()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    assert page.url == f"{base}/login"
    assert provider.ended_subjects == [person.sub]
    assert provider.end_session_requests[-1]["post_logout_redirect_uri"] == f"{base}/login"
    page.goto(f"{base}/feedback")
    expect(page.get_by_role("heading", name="Sign in to Coachline")).to_be_visible()
    with app.app_context():
        agent = db.session.query(User).filter_by(email="agent@example.com").one()
        assert (agent.oidc_issuer, agent.oidc_subject) == (provider.issuer, person.sub)
