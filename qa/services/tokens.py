"""Personal API tokens: shown once, stored as SHA-256, listed without their secret, revocable."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import ApiToken, User, utcnow
from . import audit

PREFIX = "cl_"


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(user: User, name: str, actor: User | None) -> tuple[ApiToken, str]:
    """A new token for `user`; the raw value is returned once and never stored."""
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user, name=name.strip()[:120] or "token", prefix=raw[:10], token_hash=_hash(raw)
    )
    db.session.add(token)
    db.session.flush()
    audit.record(actor, "api_token.created", token, user=user.id, name=token.name)
    return token, raw


def authenticate(raw: str) -> User | None:
    """The active user behind a token, or None; records when the token was last used."""
    if not raw.startswith(PREFIX):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(raw)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    token.last_used_at = utcnow()
    db.session.commit()
    return token.user


def tokens_of(user: User) -> list[ApiToken]:
    """Every token of `user`, revoked ones included, oldest first."""
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
        )
    )


def unrevoked_tokens() -> list[ApiToken]:
    """Every token not revoked yet, by its user's email then age (a deactivated user's tokens are
    refused anyway, but still listed so they can be revoked before a reactivation)."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .join(ApiToken.user)
            .where(ApiToken.revoked_at.is_(None))
            .options(joinedload(ApiToken.user))
            .order_by(User.email, ApiToken.id)
        )
    )


def revoke(token: ApiToken, actor: User | None) -> bool:
    """Refuse `token` from now on, audited; False (and nothing recorded) if it was revoked already."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    audit.record(actor, "api_token.revoked", token, user=token.user_id, name=token.name)
    return True
