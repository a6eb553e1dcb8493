"""Admins change a user's role, team and account status: audited, CSRF-protected, admins only,
and the last active admin cannot demote or deactivate themself."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from qa.extensions import db
from qa.models import AuditEvent, Role
from qa.services import users as user_service
from tests.conftest import make_user


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def edit(user, **changes) -> dict:  # type: ignore[no-untyped-def]
    """The row form as the users page posts it, with `changes` applied."""
    data = {
        "role": user.role.value,
        "team": str(user.team_id or 0),
        "status": "active" if user.active else "deactivated",
    }
    return {**data, **changes}


def test_set_role_persists_and_is_audited(world):
    """set_role changes the role and writes one user.role_changed event; the same role is a no-op."""
    agent, admin = world["agent_red"], world["admin"]
    user_service.set_role(agent, Role.REVIEWER, admin)
    user_service.set_role(agent, Role.REVIEWER, admin)
    db.session.commit()
    db.session.expire_all()
    assert agent.role == Role.REVIEWER
    [event] = events("user.role_changed")
    assert (event.actor_id, event.object_type, event.object_id) == (admin.id, "user", agent.id)
    assert event.details == {"old": "agent", "new": "reviewer"}


def test_last_admin_keeps_the_role(world):
    """The only active admin cannot lose the role; once there is a second admin, they can."""
    admin = world["admin"]
    with pytest.raises(user_service.UserError, match="last active admin"):
        user_service.set_role(admin, Role.LEAD, admin)
    with pytest.raises(user_service.UserError, match="own account"):
        user_service.set_active(admin, False, admin)
    assert admin.role == Role.ADMIN and admin.active and events("user.role_changed") == []
    other = make_user(Role.ADMIN)
    user_service.set_role(admin, Role.LEAD, other)
    with pytest.raises(user_service.UserError, match="last active admin"):
        user_service.set_active(other, False, None)
    assert admin.role == Role.LEAD


def test_set_team_and_deactivate_are_audited(world, client):
    """A team move and a deactivation each leave an audit row; the deactivated user cannot sign in."""
    agent, admin = world["agent_red"], world["admin"]
    user_service.set_team(agent, world["blue"], admin)
    user_service.set_active(agent, False, admin)
    db.session.commit()
    [moved] = events("user.team_changed")
    assert moved.details == {"old": "Red", "new": "Blue"}
    assert len(events("user.deactivated")) == 1
    assert client.login(agent.email).status_code != 302
    user_service.set_active(agent, True, admin)
    db.session.commit()
    assert len(events("user.reactivated")) == 1
    assert client.login(agent.email).status_code == 302


def test_admin_changes_a_role_from_the_users_page(login, world):
    """The users page has a row form; posting it changes the role and the audit log shows it."""
    c, agent = login(world["admin"]), world["agent_red"]
    page = c.get("/admin/users").get_data(as_text=True)
    assert (
        f'action="/admin/users/{agent.id}"' in page and f'aria-label="Role of {agent.name}"' in page
    )
    response = c.post(f"/admin/users/{agent.id}", edit(agent, role="reviewer"))
    assert response.status_code == 302
    db.session.expire_all()
    assert agent.role == Role.REVIEWER
    [event] = events("user.role_changed")
    assert event.actor_id == world["admin"].id and event.details["new"] == "reviewer"
    audit_page = c.get("/admin/audit").get_data(as_text=True)
    assert "user.role_changed" in audit_page


def test_last_admin_cannot_demote_themself(login, world):
    """The only admin demoting themself gets a clear message and stays admin."""
    admin = world["admin"]
    c = login(admin)
    response = c.post(f"/admin/users/{admin.id}", edit(admin, role="agent"), follow_redirects=True)
    assert response.status_code == 200
    assert "last active admin" in response.get_data(as_text=True)
    db.session.expire_all()
    assert admin.role == Role.ADMIN and events("user.role_changed") == []


def test_change_without_csrf_token_is_rejected(login, world):
    """The row form posted without its CSRF token is refused with 400 and changes nothing."""
    c, agent = login(world["admin"]), world["agent_red"]
    response = c.post(f"/admin/users/{agent.id}", edit(agent, role="admin"), csrf=False)
    assert response.status_code == 400
    db.session.expire_all()
    assert agent.role == Role.AGENT


@pytest.mark.parametrize("who", ["agent_red", "lead_red", "reviewer"])
def test_non_admins_cannot_change_roles(login, world, who):
    """Agents, leads and reviewers get 403 from the users page and the change route."""
    c, target = login(world[who]), world[who]
    assert c.get("/admin/users").status_code == 403
    assert c.post(f"/admin/users/{target.id}", edit(target, role="admin")).status_code == 403
    db.session.expire_all()
    assert target.role != Role.ADMIN


def test_deactivation_ends_open_sessions(login, world):
    """A signed-in agent whose account is deactivated is signed out on the next request."""
    agent = world["agent_red"]
    agent_client, admin_client = login(agent), login(world["admin"])
    assert agent_client.get("/notifications").status_code == 200
    response = admin_client.post(f"/admin/users/{agent.id}", edit(agent, status="deactivated"))
    assert response.status_code == 302
    response = agent_client.get("/notifications")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_invalid_role_is_refused(login, world):
    """A tampered role value is a 400, not a crash."""
    c, agent = login(world["admin"]), world["agent_red"]
    assert c.post(f"/admin/users/{agent.id}", edit(agent, role="owner")).status_code == 400
