"""Invitations by email: with SMTP configured the set-password link is mailed to the new user
(through a loopback SMTP server) and works; without SMTP, or when the server is down, the
admin sees the link to hand over as before."""

from __future__ import annotations

import email
import email.policy
import re
import socket

from sqlalchemy import select

from qa.extensions import db
from qa.models import AuditEvent, User
from tests.qa.test_admin_users import _new_user_form
from tests.qa.test_reviews_workspace import FakeSMTP


def test_invite_is_emailed_and_its_link_sets_the_password(app, client, login, world):
    """The new user gets one mail with their link (under BASE_URL), the admin a flash and the
    users list instead of the link page; the mailed link sets the password once."""
    server = FakeSMTP()
    app.config.update(
        SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, BASE_URL="https://qa.example.com/"
    )
    try:
        admin = login(world["admin"])
        response = admin.post("/admin/users", _new_user_form(admin, "nina@example.com"))
    finally:
        app.config.update(SMTP_HOST=None, BASE_URL=None)
        server.close()
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/users")
    assert "Invitation emailed to nina@example.com." in admin.get("/admin/users").get_data(
        as_text=True
    )
    (raw,) = server.messages
    message = email.message_from_string(raw, policy=email.policy.default)
    assert message["To"] == "nina@example.com"
    body = message.get_content()  # type: ignore[attr-defined]
    assert "Nina New" in body
    link = re.search(r"https://qa\.example\.com(/account/set-password/\S+)", body)
    assert link, body
    path = link.group(1)
    form = client.get(path).get_data(as_text=True)
    assert "Set your password" in form and "nina@example.com" in form
    client.token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    good = {"new_password": "amber-kettle-41", "confirm": "amber-kettle-41"}
    assert client.post(path, good).status_code == 302
    nina = db.session.scalar(select(User).where(User.email == "nina@example.com"))
    db.session.refresh(nina)
    assert nina.check_password("amber-kettle-41")
    assert client.get(path).status_code == 400  # used once
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert "user.invite_emailed" in actions


def test_without_smtp_or_with_it_down_the_admin_gets_the_link(app, login, world):
    """No SMTP host: the link page, as before. A dead SMTP server: an error flash and the link
    page, so the invitation is never lost."""
    admin = login(world["admin"])
    response = admin.post("/admin/users", _new_user_form(admin, "omar@example.com"))
    assert "/invite" in response.headers["Location"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=dead)
    try:
        response = admin.post("/admin/users", _new_user_form(admin, "pia@example.com"))
    finally:
        app.config["SMTP_HOST"] = None
    assert response.status_code == 302 and "/invite" in response.headers["Location"]
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "could not be emailed" in page and 'id="invite-link"' in page
