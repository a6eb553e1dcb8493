"""Sign-in, password hashing, CSRF, rate limiting and security headers."""

from __future__ import annotations

from qa import create_app
from qa.extensions import db
from qa.models import AuditEvent, Role
from tests.conftest import PASSWORD, Client, make_user


def test_login_and_role_home(client, world):
    """Each role lands on its own start page after signing in."""
    homes = {
        "agent_red": "/feedback",
        "reviewer": "/queue",
        "lead_red": "/dashboard",
        "admin": "/dashboard",
    }
    for key, home in homes.items():
        c = Client(client.c.application.test_client())
        assert c.login(world[key].email).status_code == 302
        response = c.get("/")
        assert response.headers["Location"].endswith(home), key


def test_wrong_password_is_refused_and_audited(client, world):
    """A wrong password gets 401 with a message and an audit event; no session is opened."""
    response = client.login(world["agent_red"].email, "wrong password")
    assert response.status_code == 401
    assert "Wrong email or password" in response.get_data(as_text=True)
    assert client.get("/feedback").status_code == 302
    assert db.session.query(AuditEvent).filter_by(action="auth.login_failed").count() == 1


def test_passwords_are_hashed(world):
    """The stored password is a salted hash, never the password."""
    user = world["agent_red"]
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))
    assert user.check_password(PASSWORD) and not user.check_password("nope")


def test_post_without_csrf_token_is_rejected(login, world):
    """A form posted without its CSRF token is refused with 400."""
    c = login(world["agent_red"])
    from tests.qa.test_access import submitted_review

    review = submitted_review(world)
    response = c.post(f"/reviews/{review.id}/acknowledge", csrf=False)
    assert response.status_code == 400
    db.session.refresh(review)
    assert review.acknowledged_at is None


def test_login_is_rate_limited(database_url):
    """Repeated sign-in attempts from one address get 429."""
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "LOGIN_RATE_LIMIT": "3 per minute",
        }
    )
    with app.app_context():
        db.create_all()
        make_user(Role.AGENT)
        db.session.commit()
        c = Client(app.test_client())
        codes = [c.login("nobody@example.com", "x").status_code for _ in range(5)]
        assert codes[:3] == [401, 401, 401]
        assert codes[3:] == [429, 429]
        db.session.remove()
        db.engine.dispose()


def test_open_redirect_is_refused(client, world):
    """The next= parameter cannot send a user to another site."""
    page = client.c.get("/login").get_data(as_text=True)
    import re

    client.token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login?next=//evil.example/x", {"email": world["agent_red"].email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"


def test_security_headers_and_cookie_flags(client, world):
    """Pages carry CSP, nosniff and frame denial; the session cookie is HttpOnly."""
    response = client.login(world["agent_red"].email)
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie
    page = client.get("/feedback")
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]


def test_logout_requires_post(login, world):
    """Signing out is a POST with CSRF; afterwards pages ask to sign in again."""
    c = login(world["agent_red"])
    assert c.get("/logout").status_code == 405
    assert c.post("/logout").status_code == 302
    assert c.get("/feedback").status_code == 302
