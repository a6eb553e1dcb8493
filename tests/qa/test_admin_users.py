"""Admins change a user's role, team, account status and (for leads) led teams: audited,
CSRF-protected, admins only, and the last active admin cannot be demoted or deactivated, even by
two admins at once."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from qa.admin.views import human_time
from qa.extensions import db
from qa.models import AuditEvent, Role, User
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


def test_two_admins_demoting_each_other_at_once_leave_one_admin(database_url):
    """Two admins demote each other at the same moment: one succeeds, the other is refused as the
    last active admin, so one admin remains (PostgreSQL: the active admins' rows are locked before
    counting; SQLite: the count is taken after the write, inside the write transaction)."""
    import threading
    import time

    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    from qa import create_app
    from qa.models import User

    live = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url})
    on_postgres = not database_url.startswith("sqlite")
    with live.app_context():
        if not on_postgres:
            db.create_all()
        first, second = make_user(Role.ADMIN), make_user(Role.ADMIN)
        db.session.commit()
        first_id, second_id = first.id, second.id
        db.session.remove()
    watcher = sa.create_engine(database_url, poolclass=NullPool)

    def second_is_waiting() -> bool:
        """Whether another session waits on a row lock (PostgreSQL; SQLite cannot tell)."""
        if not on_postgres:
            return False
        with watcher.connect() as conn:
            return bool(
                conn.scalar(
                    sa.text(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                    )
                )
            )

    first_checked, second_checked = threading.Event(), threading.Event()
    outcomes: dict[str, object] = {}

    def first_admin() -> None:
        """Demotes the second admin, then holds the transaction open until the second admin has
        either passed the same check (the race: both would commit) or is seen waiting on a lock."""
        with live.app_context():
            try:
                me, other = db.session.get(User, first_id), db.session.get(User, second_id)
                user_service.set_role(other, Role.LEAD, me)
                first_checked.set()
                deadline = time.monotonic() + 3
                while not second_checked.is_set() and time.monotonic() < deadline:
                    if second_is_waiting():
                        break
                    time.sleep(0.02)
                db.session.commit()
                outcomes["first"] = "demoted"
            except BaseException as exc:  # noqa: BLE001 - reported below
                outcomes["first"] = exc
            finally:
                first_checked.set()
                db.session.remove()

    def second_admin() -> None:
        with live.app_context():
            try:
                me, other = db.session.get(User, second_id), db.session.get(User, first_id)
                assert first_checked.wait(30)
                user_service.set_role(other, Role.LEAD, me)
                second_checked.set()
                db.session.commit()
                outcomes["second"] = "demoted"
            except BaseException as exc:  # noqa: BLE001 - reported below
                outcomes["second"] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=first_admin), threading.Thread(target=second_admin)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    try:
        assert outcomes["first"] == "demoted", outcomes
        assert isinstance(outcomes["second"], user_service.UserError), outcomes
        assert "last active admin" in str(outcomes["second"])
        with live.app_context():
            admins = db.session.scalars(
                select(User.id).where(User.role == Role.ADMIN, User.active.is_(True))
            ).all()
            assert admins == [first_id]
            db.session.remove()
    finally:
        watcher.dispose()
        with live.app_context():
            db.engine.dispose()


def test_set_led_teams_is_audited(world):
    """set_led_teams replaces a lead's teams and audits the names before and after; the same set
    again is a no-op, and only leads lead teams."""
    lead, admin, red, blue = world["lead_red"], world["admin"], world["red"], world["blue"]
    user_service.set_led_teams(lead, [red, blue], admin)
    user_service.set_led_teams(lead, [blue, red, blue], admin)
    db.session.commit()
    db.session.expire_all()
    assert sorted(t.name for t in lead.led_teams) == ["Blue", "Red"]
    [event] = events("user.led_teams_changed")
    assert (event.actor_id, event.object_type, event.object_id) == (admin.id, "user", lead.id)
    assert event.details == {"old": ["Red"], "new": ["Blue", "Red"]}
    with pytest.raises(user_service.UserError, match="only leads lead teams"):
        user_service.set_led_teams(world["reviewer"], [red], admin)
    assert world["reviewer"].led_teams == []


def test_admin_sets_a_leads_teams_from_the_users_page(login, world):
    """Lead rows carry a teams form; posting it changes the teams, audited, and an empty choice
    leaves the lead with no teams."""
    c, lead, red, blue = login(world["admin"]), world["lead_red"], world["red"], world["blue"]
    page = c.get("/admin/users").get_data(as_text=True)
    assert f'action="/admin/users/{lead.id}/teams"' in page
    assert f'aria-label="Teams led by {lead.name}"' in page
    assert f'aria-label="Teams led by {world["agent_red"].name}"' not in page
    response = c.post(f"/admin/users/{lead.id}/teams", {"teams": [str(red.id), str(blue.id)]})
    assert response.status_code == 302
    db.session.expire_all()
    assert sorted(t.name for t in lead.led_teams) == ["Blue", "Red"]
    [event] = events("user.led_teams_changed")
    assert event.actor_id == world["admin"].id and event.details["new"] == ["Blue", "Red"]
    assert c.post(f"/admin/users/{lead.id}/teams", {}).status_code == 302
    db.session.expire_all()
    assert lead.led_teams == []
    assert events("user.led_teams_changed")[-1].details == {"old": ["Blue", "Red"], "new": []}


@pytest.mark.parametrize(
    ("who", "teams", "reason"),
    [
        ("lead_red", ["999999"], "not a valid choice"),
        ("lead_red", ["red"], "Invalid choice"),
        ("agent_red", ["red-id"], "only leads lead teams"),
    ],
)
def test_invalid_led_teams_are_refused(login, world, who, teams, reason):
    """Unknown or malformed team ids, or teams for a user who is not a lead, are a 400 with the
    reason, and nothing changes."""
    c, user = login(world["admin"]), world[who]
    teams = [str(world["red"].id) if t == "red-id" else t for t in teams]
    response = c.post(f"/admin/users/{user.id}/teams", {"teams": teams})
    assert response.status_code == 400
    assert reason in response.get_data(as_text=True)
    db.session.expire_all()
    assert [t.name for t in user.led_teams] == (["Red"] if who == "lead_red" else [])
    assert events("user.led_teams_changed") == []


def test_led_teams_need_csrf_and_an_admin(login, world):
    """The teams form without its CSRF token is a 400; leads, reviewers and agents get 403."""
    lead, blue = world["lead_red"], world["blue"]
    url, data = f"/admin/users/{lead.id}/teams", {"teams": [str(blue.id)]}
    assert login(world["admin"]).post(url, data, csrf=False).status_code == 400
    for who in ("lead_red", "reviewer", "agent_red"):
        assert login(world[who]).post(url, data).status_code == 403
    db.session.expire_all()
    assert [t.name for t in lead.led_teams] == ["Red"]
    assert events("user.led_teams_changed") == []


def _new_user_form(c, email: str, **extra) -> dict:  # type: ignore[no-untyped-def]
    """The admin's add-or-invite form as the users page posts it (no password: an invitation)."""
    return {
        "user-email": email,
        "user-name": "Nina New",
        "user-password": "",
        "user-role": "reviewer",
        "user-team": "0",
        "user-weekly_capacity": "25",
        "user-submit": "Create or invite user",
        "user-csrf_token": c.token,
        **extra,
    }


def test_admin_invites_a_user_who_sets_their_password_once(client, login, world):
    """An invitation without a password leads to a one-time link; the set-password page refuses
    a common password, accepts a good one, and the link then stops working."""
    admin = login(world["admin"])
    response = admin.post("/admin/users", _new_user_form(admin, "nina@example.com"))
    assert response.status_code == 302 and "/invite" in response.headers["Location"]
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    link = re.search(r'value="(http://[^"]+/account/set-password/[^"]+)"', page).group(1)
    nina = db.session.scalar(select(User).where(User.email == "nina@example.com"))
    assert (nina.role, nina.weekly_capacity) == (Role.REVIEWER, 25)
    assert [e.action for e in events("user.invited")] == ["user.invited"]

    path = link.split("localhost", 1)[1]
    guest = client
    form = guest.get(path).get_data(as_text=True)
    assert "Set your password" in form and "nina@example.com" in form
    guest.token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    weak = {"new_password": "password1", "confirm": "password1"}
    refused = guest.post(path, weak)
    assert refused.status_code == 400 and "most common" in refused.get_data(as_text=True)
    good = {"new_password": "amber-kettle-41", "confirm": "amber-kettle-41"}
    assert guest.post(path, good).status_code == 302
    db.session.expire_all()
    assert nina.check_password("amber-kettle-41")
    again = guest.get(path)
    assert again.status_code == 400 and "already used" in again.get_data(as_text=True)


def test_invite_token_expires_and_forged_is_refused(app, world):
    """A set-password token past its age, or signed with another key, is refused with the reason."""
    token = user_service.invite_token(world["reviewer"], app.config["SECRET_KEY"])
    assert user_service.user_for_invite(token, app.config["SECRET_KEY"]) == world["reviewer"]
    with pytest.raises(user_service.UserError, match="expired"):
        user_service.user_for_invite(token, app.config["SECRET_KEY"], max_age=-1)
    with pytest.raises(user_service.UserError, match="not valid"):
        user_service.user_for_invite(token, "another key")


def test_capacity_is_saved_from_the_row_and_audited(login, world):
    """A reviewer's weekly capacity is edited in their row; the change is audited with old and new."""
    c, reviewer = login(world["admin"]), world["reviewer"]
    page = c.get("/admin/users").get_data(as_text=True)
    assert f'aria-label="Weekly capacity of {reviewer.name}"' in page
    assert (
        c.post(f"/admin/users/{reviewer.id}", edit(reviewer, weekly_capacity="12")).status_code
        == 302
    )
    db.session.expire_all()
    assert reviewer.weekly_capacity == 12
    [event] = events("user.capacity_changed")
    assert event.details["new"] == 12
    assert (
        c.post(f"/admin/users/{reviewer.id}", edit(reviewer, weekly_capacity="-1")).status_code
        == 400
    )


def test_human_time_reads_iso_stamps():
    """ISO stamps (naive, offset or Z) read as "23 Nov 2026, 08:50 UTC"; anything else unchanged."""
    assert human_time("2026-11-23T08:50:12") == "23 Nov 2026, 08:50 UTC"
    assert human_time("2026-11-23T09:50:12+01:00") == "23 Nov 2026, 08:50 UTC"
    assert human_time("2026-11-23T08:50:12Z") == "23 Nov 2026, 08:50 UTC"
    assert (human_time("soon"), human_time(None)) == ("soon", "")
