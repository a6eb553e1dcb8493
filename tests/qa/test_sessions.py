"""Server-side session ends: sign-out, password change, role change and deactivation stop every copy
of a session or remember-me cookie (issue 19, item 2), and the change-password page."""

from __future__ import annotations

import re

from qa.extensions import db
from qa.models import AuditEvent, Role, User
from qa.services import users as user_service
from tests.conftest import PASSWORD, Client

NEW_PASSWORD = "a kettle of purple otters"


def _signed_in(app, user: User, *, remember: bool = False) -> Client:  # type: ignore[no-untyped-def]
    c = Client(app.test_client())
    page = c.get("/login").get_data(as_text=True)
    c.token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = {"email": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    assert c.post("/login", data).status_code == 302
    return c


def _copy(source: Client, app, *names: str) -> Client:  # type: ignore[no-untyped-def]
    """A new client holding only copies of the named cookies of `source`."""
    copy = Client(app.test_client())
    for name in names:
        cookie = source.c.get_cookie(name)
        assert cookie is not None, name
        copy.c.set_cookie(name, cookie.value)
    return copy


def test_copied_session_cookie_is_dead_after_logout(app, world):
    """A copy of the session cookie taken before sign-out no longer opens /feedback afterwards."""
    c = _signed_in(app, world["agent_red"])
    stolen = _copy(c, app, "session")
    assert stolen.get("/feedback").status_code == 200
    assert c.post("/logout").status_code == 302
    assert stolen.get("/feedback").status_code == 302
    assert c.get("/feedback").status_code == 302


def test_copied_remember_cookie_is_dead_after_logout(app, world):
    """A copy of the remember-me cookie alone signs in before sign-out, and not after."""
    c = _signed_in(app, world["agent_red"], remember=True)
    stolen = _copy(c, app, "remember_token")
    assert stolen.get("/feedback").status_code == 200
    assert c.post("/logout").status_code == 302
    stolen.c.delete_cookie("session")  # only the remember-me cookie: no session opened from it
    assert stolen.get("/feedback").status_code == 302


def test_role_change_ends_sessions(app, world):
    """After a role change, a session opened under the old role is signed out."""
    agent = world["agent_red"]
    c = _signed_in(app, agent)
    user_service.set_role(agent, Role.REVIEWER, world["admin"])
    db.session.commit()
    assert c.get("/queue").status_code == 302


def test_deactivated_then_reactivated_user_keeps_no_old_session(app, world):
    """Deactivation ends sessions for good: reactivating the user does not revive an old cookie."""
    agent = world["agent_red"]
    c = _signed_in(app, agent, remember=True)
    user_service.set_active(agent, False, world["admin"])
    user_service.set_active(agent, True, world["admin"])
    db.session.commit()
    assert c.get("/feedback").status_code == 302
    assert _copy(c, app, "remember_token").get("/feedback").status_code == 302


def _change(
    c: Client, current: str, new: str, confirm: str | None = None, address: str = "127.0.0.1"
):  # type: ignore[no-untyped-def]
    page = c.get("/account/password")
    assert page.status_code == 200
    c.token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)
    ).group(1)
    return c.post(
        "/account/password",
        {"current_password": current, "new_password": new, "confirm": confirm or new},
        environ_base={"REMOTE_ADDR": address},
    )


def test_password_change_keeps_this_session_and_ends_the_others(app, world):
    """Changing the password keeps the session that did it, signs out the others (remember-me copies
    too), and only the new password signs in afterwards."""
    agent = world["agent_red"]
    here = _signed_in(app, agent, remember=True)
    elsewhere = _signed_in(app, agent)
    old_remember = here.c.get_cookie("remember_token").value
    response = _change(here, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert here.get("/feedback").status_code == 200
    assert _copy(here, app, "remember_token").get("/feedback").status_code == 200  # re-issued
    assert elsewhere.get("/feedback").status_code == 302
    stale = Client(app.test_client())
    stale.c.set_cookie("remember_token", old_remember)
    assert stale.get("/feedback").status_code == 302
    assert Client(app.test_client()).login(agent.email, PASSWORD).status_code == 401
    assert Client(app.test_client()).login(agent.email, NEW_PASSWORD).status_code == 302
    assert db.session.query(AuditEvent).filter_by(action="user.password_changed").count() == 1


def test_password_change_needs_the_current_password(app, world):
    """A wrong current password, differing confirmation or a common new password change nothing."""
    agent = world["agent_red"]
    c = _signed_in(app, agent)
    assert _change(c, "not my password", NEW_PASSWORD).status_code == 400
    assert _change(c, PASSWORD, NEW_PASSWORD, "something else entirely").status_code == 400
    response = _change(c, PASSWORD, "password123")
    assert response.status_code == 400
    assert "most common" in response.get_data(as_text=True)
    db.session.refresh(agent)
    assert agent.check_password(PASSWORD)
    assert c.get("/feedback").status_code == 200


def test_password_change_needs_csrf_and_a_session(app, world):
    """The change-password form is refused without its CSRF token, and asks anonymous users to sign in."""
    assert Client(app.test_client()).get("/account/password").status_code == 302
    c = _signed_in(app, world["agent_red"])
    response = c.post(
        "/account/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        csrf=False,
    )
    assert response.status_code == 400
    db.session.refresh(world["agent_red"])
    assert world["agent_red"].check_password(PASSWORD)


def test_password_change_is_rate_limited(app, world):
    """Guessing the current password on the change page hits the account's sign-in limit (from any
    address): 429, and then even the right one is not checked."""
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    c = _signed_in(app, world["agent_red"])
    codes = [
        _change(c, f"guess {i}", NEW_PASSWORD, address=f"10.0.0.{i}").status_code for i in range(4)
    ]
    assert codes == [400, 400, 400, 429]
    assert _change(c, PASSWORD, NEW_PASSWORD, address="10.0.1.1").status_code == 429
    db.session.refresh(world["agent_red"])
    assert world["agent_red"].check_password(PASSWORD)


def test_navigation_links_the_password_page(app, world):
    """Every signed-in page links to the change-password page."""
    for key in ("agent_red", "reviewer", "admin"):
        page = _signed_in(app, world[key]).get("/interactions/").get_data(as_text=True)
        assert 'href="/account/password"' in page, key
