"""Common passwords are refused wherever a password is set, and the remember-me cookie is short-lived,
SameSite and HttpOnly (issue 19, item 8)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from qa.extensions import db
from qa.models import Role, User
from qa.services import users as user_service
from tests.conftest import PASSWORD, Client

ROOT = Path(__file__).resolve().parents[2]
COMMON = ["password1", "12345678", "qwertyuiop", "Iloveyou1", "PASSWORD123", "aaaaaaaaaaaa"]


def test_the_shipped_list_holds_the_most_common_passwords():
    """The shipped list has 10,000 entries, the best-known leaked ones among them."""
    common = user_service._common_passwords()
    assert len(common) == 10_000
    assert {"123456", "password", "qwerty", "letmein", "iloveyou", "trustno1"} <= common


@pytest.mark.parametrize("password", COMMON)
def test_create_user_refuses_common_passwords(app, password):
    """Creating a user with a common (or one-character) password of 8+ characters is refused."""
    with pytest.raises(user_service.UserError, match="most common"):
        user_service.create_user("new@example.com", "New", password, Role.AGENT)


def test_create_user_refuses_the_users_own_email_or_name(app):
    """The address, its local part or the name are not passwords."""
    for password in ("maria.lopez@example.com", "Maria.Lopez", "Maria Lopez Garcia"):
        with pytest.raises(user_service.UserError, match="email address or name"):
            user_service.create_user(
                "maria.lopez@example.com", "Maria Lopez Garcia", password, Role.AGENT
            )


def test_create_user_accepts_an_uncommon_password(app):
    """A long, uncommon password is accepted (the length rule still applies)."""
    user = user_service.create_user("ok@example.com", "Ok", "violet tram at dawn", Role.AGENT)
    assert user.check_password("violet tram at dawn")
    with pytest.raises(user_service.UserError, match="at least 8"):
        user_service.create_user("short@example.com", "Short", "x7#k", Role.AGENT)


def test_cli_refuses_a_common_password(app):
    """`flask users create` refuses a common password and creates nobody."""
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--email", "cli@example.com", "--role", "agent"],
        input="password123\npassword123\n",
    )
    assert result.exit_code != 0
    assert "most common" in result.output
    assert db.session.query(User).filter_by(email="cli@example.com").count() == 0


def test_admin_page_refuses_a_common_password(login, world):
    """The admin's new-user form refuses a common password with the reason."""
    c = login(world["admin"])
    response = c.post(
        "/admin/users",
        {
            "user-email": "page@example.com",
            "user-name": "Page",
            "user-password": "sunshine1",
            "user-role": "agent",
            "user-team": "0",
            "user-weekly_capacity": "40",
            "user-submit": "Create user",
            "user-csrf_token": c.token,
        },
    )
    assert response.status_code == 400
    assert "most common" in response.get_data(as_text=True)
    assert db.session.query(User).filter_by(email="page@example.com").count() == 0


def _remember_cookie(set_cookies: list[str]) -> str:
    return next(c for c in set_cookies if c.startswith("remember_token="))


def test_remember_cookie_is_lax_httponly_and_lasts_14_days(app, world):
    """The remember-me cookie is SameSite=Lax, HttpOnly and expires in 14 days (not a year)."""
    c = Client(app.test_client())
    page = c.get("/login").get_data(as_text=True)
    c.token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = c.post(
        "/login", {"email": world["agent_red"].email, "password": PASSWORD, "remember": "y"}
    )
    cookie = _remember_cookie(response.headers.getlist("Set-Cookie"))
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie and "Secure" not in cookie
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    days = (expires - datetime.now(UTC)).total_seconds() / 86400
    assert 13.9 < days <= 14


def test_remember_cookie_days_and_secure_come_from_the_environment(tmp_path):
    """QA_REMEMBER_DAYS sets the remember-me cookie's life and QA_SECURE_COOKIES makes it Secure."""
    code = (
        "import json, re\n"
        "from qa import create_app\n"
        "from qa.extensions import db\n"
        "from qa.models import Role\n"
        "from tests.conftest import PASSWORD, Client, make_user\n"
        "app = create_app({'TESTING': True, 'SQLALCHEMY_DATABASE_URI': 'sqlite://',\n"
        "                  'WTF_CSRF_SSL_STRICT': False})  # (no Referer from a test client)\n"
        "with app.app_context():\n"
        "    db.create_all()\n"
        "    user = make_user(Role.AGENT)\n"
        "    db.session.commit()\n"
        "    c = Client(app.test_client())\n"
        "    page = c.get('/login', base_url='https://localhost').get_data(as_text=True)\n"
        '    c.token = re.search(r\'name="csrf_token" type="hidden" value="([^"]+)"\', page).group(1)\n'
        "    r = c.post('/login', {'email': user.email, 'password': PASSWORD, 'remember': 'y'},\n"
        "               base_url='https://localhost')\n"
        "    print(json.dumps(r.headers.getlist('Set-Cookie')))\n"
    )
    env = {
        **os.environ,
        "QA_REMEMBER_DAYS": "3",
        "QA_SECURE_COOKIES": "true",
        "QA_INSTANCE_PATH": str(tmp_path),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    cookie = _remember_cookie(json.loads(out.stdout.strip().splitlines()[-1]))
    assert "Secure" in cookie and "SameSite=Lax" in cookie
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    assert 2.9 < (expires - datetime.now(UTC)).total_seconds() / 86400 <= 3
