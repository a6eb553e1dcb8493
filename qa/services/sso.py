"""Single sign-on: who the verified claims of an OpenID Connect ID token are, and the admin's
provisioning settings. The OIDC protocol itself (discovery, PKCE, state, nonce, the ID token's
signature and claims) is checked by qa/auth/sso.py with Authlib before anything here runs."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select

from ..extensions import db
from ..models import Role, SsoSettings, User
from . import audit
from . import users as user_service

__all__ = [
    "SsoRefused",
    "get_settings",
    "parse_domains",
    "save_settings",
    "sign_in_user",
    "verified_email",
]

# One label of letters, digits and hyphens, then at least one more: example.com, eu.acme.co.uk
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class SsoRefused(Exception):
    """The identity provider vouched for someone Coachline does not let in; `reason` is one of
    no_email, unverified, unknown, deactivated, linked (the view words it), `email` the
    address."""

    def __init__(self, reason: str, email: str = "") -> None:
        super().__init__(f"{reason}: {email}" if email else reason)
        self.reason = reason
        self.email = email


def get_settings() -> SsoSettings:
    """The stored settings, or the defaults (no provisioning, agents) when none were saved."""
    settings = db.session.get(SsoSettings, 1)
    return settings or SsoSettings(id=1, allowed_domains="", default_role=Role.AGENT)


def parse_domains(text: str) -> list[str]:
    """The domains of a comma- or space-separated list, lowercased, each checked; ValueError
    names the first that is not a domain (an "@" or a wildcard is refused, not guessed at)."""
    domains: list[str] = []
    for item in re.split(r"[\s,;]+", text.strip().lower()):
        if not item:
            continue
        if not DOMAIN.match(item):
            raise ValueError(f"not an email domain: {item[:80]!r}")
        if item not in domains:
            domains.append(item)
    return domains


def save_settings(domains_text: str, role: Role | str, actor: User | None) -> SsoSettings:
    """Store the allowed domains and the default role, audited; ValueError for a bad domain or
    the admin role."""
    domains = parse_domains(domains_text)
    settings = db.session.get(SsoSettings, 1)
    if settings is None:
        settings = SsoSettings(id=1)
        db.session.add(settings)
    if Role(role) == Role.ADMIN:
        raise ValueError("new accounts cannot be admins: everyone of the domains would be one")
    settings.allowed_domains = " ".join(domains)
    settings.default_role = Role(role)
    audit.record(actor, "sso.settings_changed", settings, domains=domains, role=Role(role).value)
    return settings


def verified_email(claims: Mapping[str, Any]) -> str:
    """The email of verified ID-token (or userinfo) claims, lowercased. Only an address the
    provider says it verified (`email_verified` true) is taken: matching by email trusts the
    provider's word that the person owns it, and an unverified one could be anybody's."""
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email or len(email) > 255:
        raise SsoRefused("no_email")
    email = email.strip().lower()
    verified = claims.get("email_verified")
    # A few providers send the boolean as a string.
    if verified is not True and not (isinstance(verified, str) and verified.lower() == "true"):
        raise SsoRefused("unverified", email)
    return email


def _display_name(claims: Mapping[str, Any], email: str) -> str:
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        parts = [claims.get("given_name"), claims.get("family_name")]
        name = " ".join(p for p in parts if isinstance(p, str) and p.strip())
    return (name.strip() or email.split("@")[0])[:120]


def sign_in_user(claims: Mapping[str, Any], issuer: str, subject: str) -> User:
    """The active user the verified claims name: the one linked to this identity at the
    provider (`issuer`, `subject`: the ID token's iss and sub) first, whatever email the
    provider now gives; else the one with the verified email (case-insensitive), linked to the
    identity from now on; else, when the admin allows the email's domain, a new user with the
    default role, linked. Raises SsoRefused otherwise, "linked" when the email's user is linked
    to another subject of this provider (someone else, or an account the provider recreated:
    an admin decides). The caller commits and signs the user in."""
    issuer, subject = issuer[:255], subject[:255]
    user = db.session.scalar(
        select(User).where(User.oidc_issuer == issuer, User.oidc_subject == subject)
    )
    if user is not None:
        if not user.active:
            raise SsoRefused("deactivated", user.email)
        return user
    email = verified_email(claims)
    user = db.session.scalar(select(User).where(func.lower(User.email) == email))
    if user is not None:
        if not user.active:
            raise SsoRefused("deactivated", email)
        if user.oidc_issuer == issuer and user.oidc_subject:
            raise SsoRefused("linked", email)
        _link(user, issuer, subject)
        return user
    return _provision(claims, email, issuer, subject)


def _link(user: User, issuer: str, subject: str) -> None:
    """Tie the user to the identity (a user linked at another issuer, after a change of
    provider, is relinked to this one), audited."""
    audit.record(
        None,
        "user.sso_linked",
        user,
        issuer=issuer,
        subject=subject,
        previous_issuer=user.oidc_issuer,
        previous_subject=user.oidc_subject,
    )
    user.oidc_issuer, user.oidc_subject = issuer, subject


def _provision(claims: Mapping[str, Any], email: str, issuer: str, subject: str) -> User:
    """A new user for an email of an allowed domain, linked to the identity; SsoRefused
    ("unknown") when the domain is not allowed."""
    settings = get_settings()
    if email.rsplit("@", 1)[1] not in settings.allowed_domains.split():
        raise SsoRefused("unknown", email)
    # The password is random and unknown to anyone, and password sign-in is off: the account
    # exists through the provider only (an admin may turn passwords on and invite the user).
    user = user_service.create_user(
        email, _display_name(claims, email), secrets.token_urlsafe(32), settings.default_role
    )
    user.password_login = False
    user.oidc_issuer, user.oidc_subject = issuer, subject
    audit.record(None, "user.provisioned", user, role=user.role.value, subject=subject)
    return user
