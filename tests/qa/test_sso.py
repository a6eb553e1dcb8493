"""Single sign-on (issue 17) end to end through the Flask test client against a real OpenID
Connect provider on a loopback port (tests/oidc_provider.py, Authlib's server): the full login,
and every way the answer can be wrong — forged, unsigned, expired, for another audience or
issuer, another nonce, another state, an unverified email, an unknown person."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from qa.extensions import db
from qa.models import AuditEvent, Role, User
from qa.services import sso as sso_service
from qa.services import users as user_service
from tests.conftest import Client, make_user
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, FOREIGN_KEY, Provider, serve_provider

CALLBACK = "http://localhost/login/sso/callback"


@pytest.fixture
def provider(app) -> Iterator[Provider]:  # type: ignore[no-untyped-def]
    """A running provider, and the app configured to sign in through it."""
    with serve_provider() as running:
        running.redirect_uris = [CALLBACK]
        app.config.update(
            OIDC_ISSUER=running.issuer,
            OIDC_CLIENT_ID=CLIENT_ID,
            OIDC_CLIENT_SECRET=CLIENT_SECRET,
            OIDC_LABEL="Test IdP",
        )
        yield running


def start(client: Client) -> str:
    """Open /login/sso; the provider's authorize URL it redirects to."""
    response = client.get("/login/sso")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def authorize(url: str) -> str:
    """What the browser does at the provider (consent is automatic): the callback path and query."""
    answer = requests.get(url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    parts = urlsplit(answer.headers["Location"])
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == CALLBACK
    return f"{parts.path}?{parts.query}"


def sso_sign_in(client: Client):  # type: ignore[no-untyped-def]
    """The whole round trip: start, the provider, the callback; the callback's response."""
    return client.get(authorize(start(client)))


def signed_in_as(client: Client) -> str | None:
    """The name the navigation shows as signed in, None when the client is signed out."""
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    match = re.search(r'<summary class="who"[^>]*>([^<]+)</summary>', page)  # account menu
    return match.group(1) if match else None


def refusal(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 403, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def test_sso_signs_in_an_existing_user_with_pkce_state_and_nonce(app, client, provider):
    """A user whose email the provider verified (in other letter case) is signed in; the request
    to the provider carried state, nonce and an S256 PKCE challenge; the login is audited."""
    user = make_user(Role.REVIEWER)
    db.session.commit()
    provider.add(user.email.upper())
    url = start(client)
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0]
    assert query["client_id"] == [CLIENT_ID] and "openid" in query["scope"][0].split()
    response = client.get(authorize(url))
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert f"Signed in as {user.email}." in home and signed_in_as(client) == user.name
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.login")).one()
    assert event.actor_id == user.id and event.details["method"] == "sso"


def test_sso_redirect_uri_follows_base_url(app, client, provider):
    """Behind a proxy (QA_BASE_URL set), the redirect URI sent to the provider, and shown to the
    admin, is the public one."""
    app.config["BASE_URL"] = "https://qa.example.com/"
    query = parse_qs(urlsplit(start(client)).query)
    assert query["redirect_uri"] == ["https://qa.example.com/login/sso/callback"]


def test_sso_returns_to_the_page_asked_for(app, client, provider):
    """The `next` of the login page survives the trip to the provider (and only a local path)."""
    user = make_user(Role.AGENT)
    db.session.commit()
    provider.add(user.email)
    response = client.get(authorize(start_with(client, "/feedback")))
    assert response.headers["Location"] == "/feedback"
    for outside in ("//evil.example.com/x", "/\\evil.example.com/x", "https://evil.example.com/"):
        other = Client(app.test_client())
        response = other.get(authorize(start_with(other, outside)))
        assert response.headers["Location"] == "/", outside


def start_with(client: Client, target: str) -> str:
    response = client.get("/login/sso", query_string={"next": target})
    return response.headers["Location"]


NOW = int(time.time())


@pytest.mark.parametrize(
    ("misbehaviour", "why"),
    [
        pytest.param({"signing_key": FOREIGN_KEY}, "BadSignatureError", id="forged-signature"),
        pytest.param({"unsigned": True}, "'none' is not allowed", id="alg-none"),
        pytest.param(
            {"id_token_claims": {"exp": NOW - 3600, "iat": NOW - 7200}},
            "ExpiredTokenError",
            id="expired",
        ),
        pytest.param(
            {"id_token_claims": {"iat": NOW + 3600}}, "issued in the future", id="iat-future"
        ),
        pytest.param(
            {"id_token_claims": {"aud": ["another-client"]}}, "'aud'", id="wrong-audience"
        ),
        pytest.param(
            {"id_token_claims": {"aud": ["another-client"], "azp": CLIENT_ID}},
            "'aud'",
            id="wrong-audience-with-our-azp",
        ),
        pytest.param(
            {"id_token_claims": {"iss": "https://idp.example.com"}}, "'iss'", id="wrong-issuer"
        ),
        pytest.param(
            {"id_token_claims": {"nonce": "another-requests-nonce"}},
            "Invalid claim: 'nonce'",
            id="nonce-mismatch",
        ),
        pytest.param(
            {"id_token_claims": {"nonce": None}}, "Missing claim: 'nonce'", id="nonce-missing"
        ),
        pytest.param({"id_token_claims": {"exp": None}}, "Missing claim: 'exp'", id="exp-missing"),
    ],
)
def test_sso_refuses_an_id_token_that_does_not_verify(app, client, provider, misbehaviour, why):
    """An ID token that is forged (a key not in the JWKS), unsigned, expired, issued in the
    future, for another client or issuer, or with another or no nonce is refused with a 403 for
    that reason (audited); nobody is signed in."""
    user = make_user(Role.AGENT)
    db.session.commit()
    provider.add(user.email)
    for name, value in misbehaviour.items():
        setattr(provider, name, value)
    page = refusal(sso_sign_in(client))
    assert "could not be verified" in page
    assert signed_in_as(client) is None
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "auth.sso_refused")
    ).one()
    assert event.details["reason"] == "invalid" and why in event.details["detail"]


def test_sso_refuses_another_state(app, client, provider):
    """A callback whose state is not the one this session sent is refused (CSRF on the login)."""
    user = make_user(Role.AGENT)
    db.session.commit()
    provider.add(user.email)
    callback = authorize(start(client))
    forged = re.sub(r"state=[^&]+", "state=not-the-state-we-sent", callback)
    refusal(client.get(forged))
    assert signed_in_as(client) is None


def test_sso_refuses_a_callback_started_in_another_session(app, client, provider):
    """An attacker's own authorization answer, planted in a victim's browser (login CSRF), is
    refused: the victim's session never sent that state."""
    attacker = make_user(Role.AGENT)
    db.session.commit()
    provider.add(attacker.email)
    attackers_callback = authorize(start(Client(app.test_client())))
    victim = client
    refusal(victim.get(attackers_callback))
    assert signed_in_as(victim) is None


def test_sso_code_cannot_be_used_twice(app, client, provider):
    """The callback URL replayed after a successful sign-in does not sign anyone in again."""
    user = make_user(Role.AGENT)
    db.session.commit()
    provider.add(user.email)
    callback = authorize(start(client))
    assert client.get(callback).status_code == 302
    other = Client(app.test_client())
    refusal(other.get(callback))


def test_sso_refuses_an_unverified_email(app, client, provider):
    """An email the provider has not verified is not matched, even to an existing user."""
    user = make_user(Role.AGENT)
    db.session.commit()
    provider.add(user.email, email_verified=False)
    page = refusal(sso_sign_in(client))
    assert f"has not verified the email address {user.email}" in page
    assert signed_in_as(client) is None


def test_sso_refuses_an_unknown_person_without_provisioning(app, client, provider):
    """Nobody is created for an unknown email unless an admin allowed its domain."""
    provider.add("stranger@example.org")
    page = refusal(sso_sign_in(client))
    assert "There is no Coachline account for stranger@example.org. Ask your admin" in page
    assert db.session.scalar(select(User).where(User.email == "stranger@example.org")) is None


def test_sso_provisions_an_allowed_domain_with_the_default_role(app, client, provider):
    """With example.org allowed and reviewer as the default role, a new person from example.org
    gets a reviewer account without password sign-in; one from another domain still does not."""
    sso_service.save_settings("Example.org\nacme.test", Role.REVIEWER, None)
    db.session.commit()
    provider.add("New.Person@example.org", name="New Person")
    assert sso_sign_in(client).status_code == 302
    user = db.session.scalars(select(User).where(User.email == "new.person@example.org")).one()
    assert user.role == Role.REVIEWER and user.name == "New Person" and not user.password_login
    assert signed_in_as(client) == "New Person"
    other = Client(app.test_client())
    provider.add("someone@elsewhere.com")
    refusal(sso_sign_in(other))
    assert db.session.scalar(select(User).where(User.email == "someone@elsewhere.com")) is None


def test_sso_refuses_a_deactivated_user(app, client, provider):
    """A deactivated account stays shut through single sign-on too."""
    user = make_user(Role.AGENT)
    user.active = False
    db.session.commit()
    provider.add(user.email)
    assert "is deactivated" in refusal(sso_sign_in(client))
    assert signed_in_as(client) is None


def test_sso_takes_the_email_from_userinfo_when_the_id_token_has_none(app, client, provider):
    """A provider that leaves the email out of the ID token: it is read from userinfo (same sub)."""
    user = make_user(Role.AGENT)
    db.session.commit()
    provider.add(user.email)
    provider.email_in_userinfo_only = True
    assert sso_sign_in(client).status_code == 302
    assert signed_in_as(client) == user.name


def test_sso_callback_is_rate_limited_per_address(app, client, provider):
    """Callbacks count against the address's sign-in limit: past it, 429 with Retry-After."""
    app.config["LOGIN_RATE_LIMIT"] = "2 per minute"
    provider.add("stranger@example.org")
    for _ in range(2):
        refusal(sso_sign_in(client))
    response = sso_sign_in(client)
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0


def test_sso_provider_unreachable_is_a_502(app, client):
    """An issuer that does not answer gives a page saying so, not a traceback."""
    app.config.update(OIDC_ISSUER="http://127.0.0.1:9", OIDC_CLIENT_ID=CLIENT_ID)
    response = client.get("/login/sso")
    assert response.status_code == 502
    assert "cannot be reached" in response.get_data(as_text=True)


def test_sso_off_without_configuration(app, client):
    """Without an issuer the login page has no SSO button and the SSO routes are 404."""
    assert "Sign in with" not in client.get("/login").get_data(as_text=True)
    assert client.get("/login/sso").status_code == 404
    assert client.get("/login/sso/callback?code=x&state=y").status_code == 404


def test_login_page_shows_the_sso_button(app, client, provider):
    """Configured, the login page offers "Sign in with <label>" next to the password form."""
    page = client.get("/login?next=/feedback").get_data(as_text=True)
    assert "Sign in with Test IdP" in page and "/login/sso?next=/feedback" in page


# --- password sign-in turned off ---------------------------------------------------------


def test_password_login_off_refuses_the_password(app, client):
    """With password sign-in off, the right password gets a 403 pointing to single sign-on; a
    wrong one gets the usual answer (nothing tells a stranger how the account signs in)."""
    user = make_user(Role.AGENT)
    user.password_login = False
    db.session.commit()
    response = client.login(user.email)
    assert response.status_code == 403
    assert (
        "Password sign-in is turned off for this account: use single sign-on"
        in response.get_data(as_text=True)
    )
    wrong = client.login(user.email, "not the password at all")
    assert wrong.status_code == 401 and "Wrong email or password." in wrong.get_data(as_text=True)
    assert signed_in_as(client) is None


def test_password_login_off_closes_the_invite_link(app, client):
    """An invited user whose password sign-in is off cannot set a password through the link."""
    user = user_service.invite_user("invitee@example.com", "Invitee", Role.AGENT)
    token = user_service.invite_token(user, app.config["SECRET_KEY"])
    user.password_login = False
    db.session.commit()
    page = client.get(f"/account/set-password/{token}")
    assert page.status_code == 400 and "signs in with single sign-on" in page.get_data(as_text=True)


def test_admin_turns_password_login_off_and_on(app, login, world):
    """The admin's users page turns a user's password sign-in off (audited) and on again."""
    admin, agent = world["admin"], world["agent_red"]
    client = login(admin)
    row = {"role": "agent", "team": world["red"].id, "status": "active"}
    assert (
        client.post(f"/admin/users/{agent.id}", {**row, "password_login": "off"}).status_code == 302
    )
    assert agent.password_login is False
    assert login_status(app, agent) == 403
    client.post(f"/admin/users/{agent.id}", {**row, "password_login": "on"})
    assert agent.password_login is True and login_status(app, agent) == 302
    client.post(f"/admin/users/{agent.id}", row)  # a post without the field leaves it alone
    assert agent.password_login is True
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "user.password_login_changed")
    )
    assert [e.details["allowed"] for e in events] == [False, True]


def login_status(app, user: User) -> int:  # type: ignore[no-untyped-def]
    return Client(app.test_client()).login(user.email).status_code


def test_last_admin_with_a_password_keeps_it(app, login, world):
    """The only admin cannot turn their own password sign-in off; with a second admin who has a
    password, they can."""
    admin = world["admin"]
    client = login(admin)
    row = {"role": "admin", "team": 0, "status": "active", "password_login": "off"}
    page = client.post(f"/admin/users/{admin.id}", row, follow_redirects=True).get_data(
        as_text=True
    )
    assert "last active admin with a password" in page and admin.password_login is True
    make_user(Role.ADMIN)
    db.session.commit()
    client.post(f"/admin/users/{admin.id}", row)
    assert admin.password_login is False


def test_admin_sso_page_saves_provisioning_settings(app, login, world):
    """/admin/sso stores the allowed domains and default role, refuses a bad domain with a 400,
    and is for admins only."""
    client = login(world["admin"])
    page = client.get("/admin/sso").get_data(as_text=True)
    assert "/login/sso/callback" in page
    response = client.post(
        "/admin/sso", {"allowed_domains": "Example.com, acme.test", "default_role": "lead"}
    )
    assert response.status_code == 302
    settings = sso_service.get_settings()
    assert (
        settings.allowed_domains == "example.com acme.test" and settings.default_role == Role.LEAD
    )
    bad = client.post("/admin/sso", {"allowed_domains": "*.example.com", "default_role": "agent"})
    assert bad.status_code == 400 and "not an email domain" in bad.get_data(as_text=True)
    assert login(world["lead_red"]).get("/admin/sso").status_code == 403


def test_cli_password_login_is_the_way_back_in(app):
    """`flask users password-login EMAIL --on` turns the password back on and prints a one-time
    set-password link; --off on the last admin with a password is a one-line error."""
    admin = make_user(Role.ADMIN)
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "password-login", admin.email, "--off"])
    assert result.exit_code == 1 and "last active admin with a password" in result.output
    admin.password_login = False  # as if it had been turned off while another admin existed
    db.session.commit()
    result = runner.invoke(args=["users", "password-login", admin.email, "--on"])
    assert result.exit_code == 0 and "/account/set-password/" in result.output
    assert admin.password_login is True
    assert Client(app.test_client()).login(admin.email).status_code == 302


def test_admin_creates_a_user_who_signs_in_with_sso_only(app, login, world, provider):
    """ "Signs in with single sign-on only" on the add-user form makes an account with password
    sign-in off and no set-password link; its person then signs in through the provider."""
    admin = login(world["admin"])
    form = {
        "user-email": "sso.only@example.com",
        "user-name": "Sam Sso",
        "user-password": "",
        "user-role": "agent",
        "user-team": str(world["red"].id),
        "user-weekly_capacity": "40",
        "user-sso_only": "y",
        "user-submit": "Create or invite user",
        "user-csrf_token": admin.token,
    }
    response = admin.post("/admin/users", form)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users"
    sam = db.session.scalars(select(User).where(User.email == "sso.only@example.com")).one()
    assert sam.password_login is False and sam.team == world["red"]
    provider.add("sso.only@example.com")
    client = Client(app.test_client())
    assert sso_sign_in(client).status_code == 302 and signed_in_as(client) == "Sam Sso"
    response = client.get("/account/password", follow_redirects=True)
    assert "signs in with single sign-on: it has no password" in response.get_data(as_text=True)


def test_provisioning_never_makes_admins(app, login, world):
    """The default role of provisioned accounts cannot be admin, on the page or in the service."""
    client = login(world["admin"])
    response = client.post(
        "/admin/sso", {"allowed_domains": "example.com", "default_role": "admin"}
    )
    assert response.status_code == 400
    with pytest.raises(ValueError, match="cannot be admins"):
        sso_service.save_settings("example.com", Role.ADMIN, None)
    assert sso_service.get_settings().allowed_domains == ""


def test_sso_as_a_public_client(app, client, provider):
    """Without a client secret Coachline is a public client: the token request carries no secret
    (PKCE's verifier is the proof) and the sign-in works; openid is asked for even when the
    configured scopes leave it out."""
    provider.public_client = True
    app.config.update(OIDC_CLIENT_SECRET="", OIDC_SCOPES="email profile")
    user = make_user(Role.AGENT)
    db.session.commit()
    provider.add(user.email)
    url = start(client)
    assert parse_qs(urlsplit(url).query)["scope"] == ["openid email profile"]
    assert client.get(authorize(url)).status_code == 302
    assert signed_in_as(client) == user.name


def test_sso_confidential_client_with_a_wrong_secret_is_refused(app, client, provider):
    """A wrong client secret: the provider refuses the code exchange, and so does Coachline."""
    app.config["OIDC_CLIENT_SECRET"] = "not-the-secret"
    user = make_user(Role.AGENT)
    db.session.commit()
    provider.add(user.email)
    refusal(sso_sign_in(client))
    assert signed_in_as(client) is None


def test_last_admin_with_a_password_cannot_be_demoted_or_deactivated(app, world):
    """With a second admin who signs in with SSO only, the one admin with a password can be
    neither demoted nor deactivated (nor lose the password); with another password admin, they can."""
    admin = world["admin"]
    sso_admin = make_user(Role.ADMIN)
    sso_admin.password_login = False
    db.session.commit()
    with pytest.raises(user_service.UserError, match="last active admin with a password"):
        user_service.set_role(admin, Role.LEAD, sso_admin)
    with pytest.raises(user_service.UserError, match="last active admin with a password"):
        user_service.set_active(admin, False, sso_admin)
    with pytest.raises(user_service.UserError, match="last active admin with a password"):
        user_service.set_password_login(admin, False, sso_admin)
    assert (admin.role, admin.active, admin.password_login) == (Role.ADMIN, True, True)
    user_service.set_role(sso_admin, Role.LEAD, admin)  # the SSO-only admin may go
    user_service.set_role(sso_admin, Role.ADMIN, admin)
    make_user(Role.ADMIN)  # a second admin with a password
    user_service.set_role(admin, Role.LEAD, sso_admin)
    assert admin.role == Role.LEAD


def test_sso_refuses_a_discovery_document_of_another_issuer(app, client, provider):
    """A discovery document naming another issuer than the configured one (a mix-up, or a
    document served by someone else) stops the sign-in before anyone is sent anywhere: a 502."""
    configured_issuer = provider.issuer
    provider.issuer = "https://idp.example.com"  # what its discovery document now says
    assert app.config["OIDC_ISSUER"] == configured_issuer
    response = client.get("/login/sso")
    assert response.status_code == 502 and "misconfigured" in response.get_data(as_text=True)


def test_sso_links_the_subject_on_first_sign_in(app, client, provider):
    """The first SSO sign-in of an existing user stores the provider's issuer and sub on the
    user (audited); the next sign-in finds the user by them."""
    user = make_user(Role.AGENT)
    db.session.commit()
    person = provider.add(user.email)
    assert user.oidc_subject is None
    assert sso_sign_in(client).status_code == 302
    db.session.refresh(user)
    assert (user.oidc_issuer, user.oidc_subject) == (provider.issuer, person.sub)
    linked = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.sso_linked"))
    assert [e.details["subject"] for e in linked] == [person.sub]
    again = Client(app.test_client())
    assert sso_sign_in(again).status_code == 302 and signed_in_as(again) == user.name


def test_sso_matches_the_subject_before_the_email(app, client, provider):
    """Once linked, a person whose email changed at the provider (even to another user's
    address) still signs in as the linked user."""
    user, other = make_user(Role.AGENT), make_user(Role.REVIEWER)
    db.session.commit()
    person = provider.add(user.email)
    assert sso_sign_in(client).status_code == 302
    for changed in ("renamed@example.net", other.email):
        person.email = changed
        provider.people[changed] = person
        provider.login_as = changed
        fresh = Client(app.test_client())
        assert sso_sign_in(fresh).status_code == 302, changed
        assert signed_in_as(fresh) == user.name, changed
    db.session.refresh(user)
    assert user.email != other.email and user.oidc_subject == person.sub


def test_sso_refuses_another_subject_with_a_linked_users_email(app, client, provider):
    """Another account at the provider (another sub) with the email of a user already linked
    is refused with a clear message and audited; the link stays as it was."""
    user = make_user(Role.AGENT)
    db.session.commit()
    first = provider.add(user.email)
    assert sso_sign_in(client).status_code == 302
    second = provider.add(user.email)  # same address, new sub
    assert second.sub != first.sub
    other = Client(app.test_client())
    page = refusal(sso_sign_in(other))
    assert f"The Coachline account for {user.email} is already linked to another account" in page
    assert signed_in_as(other) is None
    db.session.refresh(user)
    assert user.oidc_subject == first.sub
    refused = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "auth.sso_refused")
    ).one()
    assert refused.details["reason"] == "linked"


def test_sso_provisioned_user_is_linked(app, client, provider):
    """A user provisioned by SSO carries the identity from the start."""
    sso_service.save_settings("example.org", Role.AGENT, None)
    db.session.commit()
    person = provider.add("fresh@example.org")
    assert sso_sign_in(client).status_code == 302
    user = db.session.scalars(select(User).where(User.email == "fresh@example.org")).one()
    assert (user.oidc_issuer, user.oidc_subject) == (provider.issuer, person.sub)


def test_sso_subject_is_unique_per_issuer(app):
    """The database refuses two users linked to the same (issuer, sub); the same sub at
    another issuer is another identity."""
    a, b = make_user(Role.AGENT), make_user(Role.AGENT)
    a.oidc_issuer, a.oidc_subject = "https://idp.example.com", "s-1"
    b.oidc_issuer, b.oidc_subject = "https://other.example.com", "s-1"
    db.session.commit()
    b.oidc_issuer = "https://idp.example.com"
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def _csrf(client: Client) -> str:
    """The CSRF token of the signed-in page's forms (the sign-out button's)."""
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has a form with a CSRF token"
    return match.group(1)


def test_sign_out_after_sso_ends_the_session_at_the_provider(app, client, provider):
    """Signing out after an SSO sign-in ends the Coachline session and sends the browser to
    the provider's end_session_endpoint with the ID token as hint and the sign-in page as
    post_logout_redirect_uri; the provider accepts both and sends the browser back."""
    user = make_user(Role.AGENT)
    db.session.commit()
    person = provider.add(user.email)
    provider.post_logout_redirect_uris = ["http://localhost/login"]
    assert sso_sign_in(client).status_code == 302
    client.token = _csrf(client)
    response = client.post("/logout")
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{provider.issuer}/end-session"
    query = parse_qs(target.query)
    assert query["post_logout_redirect_uri"] == ["http://localhost/login"]
    assert query["client_id"] == [CLIENT_ID]
    answer = requests.get(response.headers["Location"], allow_redirects=False, timeout=10)
    assert answer.status_code == 302 and answer.headers["Location"] == "http://localhost/login"
    assert provider.ended_subjects == [person.sub]
    page = client.get("/login").get_data(as_text=True)  # where the provider sent the browser
    assert "You are signed out." in page
    assert signed_in_as(client) is None


def test_sign_out_stays_local_without_an_sso_sign_in_or_an_end_session_endpoint(
    app, client, provider, login
):
    """A password sign-in signs out locally, even with SSO set up; so does an SSO sign-in when
    the provider's discovery has no end_session_endpoint."""
    password_user = make_user(Role.AGENT)
    sso_user = make_user(Role.REVIEWER)
    db.session.commit()
    local = login(password_user)
    response = local.post("/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    provider.end_session = False
    provider.add(sso_user.email)
    assert sso_sign_in(client).status_code == 302
    client.token = _csrf(client)
    response = client.post("/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert signed_in_as(client) is None and provider.end_session_requests == []


def test_provider_refuses_a_forged_hint_or_an_unregistered_return(app, client, provider):
    """The test provider's end-session endpoint is strict, so the test above means something:
    a hint it did not sign, or a return URI not registered, is a 400 and ends nothing."""
    user = make_user(Role.AGENT)
    db.session.commit()
    provider.add(user.email)
    provider.post_logout_redirect_uris = ["http://localhost/login"]
    assert sso_sign_in(client).status_code == 302
    client.token = _csrf(client)
    url = client.post("/logout").headers["Location"]
    query = parse_qs(urlsplit(url).query)
    hint = query["id_token_hint"][0]
    end = f"{provider.issuer}/end-session"
    bad_return = {"id_token_hint": hint, "post_logout_redirect_uri": "https://evil.example.com/"}
    assert requests.get(end, params=bad_return, timeout=10).status_code == 400
    header, body, _ = hint.split(".")
    forged = {"id_token_hint": f"{header}.{body}.AAAA"}
    assert requests.get(end, params=forged, timeout=10).status_code == 400
    assert provider.ended_subjects == []
