"""API tokens: listed without their secret, revoked (audited) from `flask users` and the admin
users page, and refused by the API from then on."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from qa.extensions import db
from qa.models import ApiToken, AuditEvent
from qa.services.tokens import create_token


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def revocations() -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "api_token.revoked"))
    )


@pytest.fixture
def token(world):  # type: ignore[no-untyped-def]
    """A working token of the red lead, as (ApiToken, raw value)."""
    made = create_token(world["lead_red"], "ci", None)
    db.session.commit()
    return made


def test_cli_lists_a_users_tokens_without_the_secret(app, client, world, token):
    """`flask users tokens EMAIL` shows id, name, first characters, created and last use, never the token."""
    row, raw = token
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["users", "tokens", world["lead_red"].email])
    assert listed.exit_code == 0, listed.output
    assert re.search(
        rf"^\s*{row.id} ci\s+{row.prefix}…  created \S+ \S+, last used never$", listed.output, re.M
    )
    assert raw not in listed.output and raw[10:] not in listed.output
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
    used = runner.invoke(args=["users", "tokens", world["lead_red"].email.upper()])
    assert "last used never" not in used.output and "revoked" not in used.output


def test_cli_tokens_of_a_user_without_any_and_of_an_unknown_email(app, world):
    """A user without tokens is said so; an unknown email is a one-line error with exit status 1."""
    runner = app.test_cli_runner()
    none = runner.invoke(args=["users", "tokens", world["agent_red"].email])
    assert none.exit_code == 0 and none.output == f"{world['agent_red'].email} has no API tokens\n"
    unknown = runner.invoke(args=["users", "tokens", "nobody@example.com"])
    assert unknown.exit_code == 1
    assert unknown.output == "Error: no user with email nobody@example.com\n"


def test_cli_revokes_a_token_audited_and_the_api_refuses_it(app, client, world, token):
    """`flask users revoke-token ID` revokes once (audited, no actor); the API answers 401 after it."""
    row, raw = token
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "revoke-token", str(row.id)])
    assert result.exit_code == 0, result.output
    assert result.output == f"revoked API token {row.id} (ci) of {world['lead_red'].email}\n"
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401
    [event] = revocations()
    assert event.actor_id is None and event.object_id == row.id
    assert event.details == {"user": world["lead_red"].id, "name": "ci"}

    again = runner.invoke(args=["users", "revoke-token", str(row.id)])
    assert again.exit_code == 0 and "was already revoked on" in again.output
    assert len(revocations()) == 1
    listed = runner.invoke(args=["users", "tokens", world["lead_red"].email])
    assert ", revoked " in listed.output


@pytest.mark.parametrize("token_id", ["999", "0", "99999999999"])
def test_cli_revoke_of_an_unknown_token_is_a_one_line_error(app, world, token_id):
    """An id that names no token is `Error: no API token with id N`, exit status 1, no traceback."""
    result = app.test_cli_runner().invoke(args=["users", "revoke-token", token_id])
    assert result.exit_code == 1
    assert result.output == f"Error: no API token with id {token_id}\n"


def test_admin_lists_and_revokes_a_token_on_the_users_page(login, client, world, token):
    """The users page lists a token without its secret; its form revokes it, audited, and the API refuses it."""
    row, raw = token
    admin = login(world["admin"])
    page = admin.get("/admin/users").get_data(as_text=True)
    assert f'action="/admin/tokens/{row.id}/revoke"' in page and f"{row.prefix}…" in page
    assert raw not in page

    response = admin.post(f"/admin/tokens/{row.id}/revoke")
    assert response.status_code == 302 and response.location.endswith("/admin/users")
    page = admin.get("/admin/users").get_data(as_text=True)
    assert f"Revoked API token ci of {world['lead_red'].email}." in page
    assert f"/admin/tokens/{row.id}/revoke" not in page
    [event] = revocations()
    assert event.actor_id == world["admin"].id and event.object_id == row.id
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401


def test_revoke_needs_an_admin_a_csrf_token_and_a_known_id(login, client, world, token):
    """Non-admins get 403, a post without CSRF token 400, an unknown id 404; the token keeps working."""
    row, raw = token
    for who in ("agent_red", "lead_red", "reviewer"):
        assert login(world[who]).post(f"/admin/tokens/{row.id}/revoke").status_code == 403
    admin = login(world["admin"])
    assert admin.post(f"/admin/tokens/{row.id}/revoke", csrf=False).status_code == 400
    assert admin.post(f"/admin/tokens/{row.id + 1000}/revoke").status_code == 404
    assert admin.get(f"/admin/tokens/{row.id}/revoke").status_code == 405
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).revoked_at is None and not revocations()
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
