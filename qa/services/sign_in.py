"""Password checks with a limit per account and per address, counted in the database.

Flask-Limiter's default memory storage counts per worker process, so `make run`'s two gunicorn
workers allowed about twice the limit, and only per address. Attempts are rows of `login_attempt`
instead: every worker sees the same counts, on SQLite and PostgreSQL, without a Redis server.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from limits import parse_many
from sqlalchemy import delete, func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import LoginAttempt, User, utcnow

__all__ = ["Limit", "Throttled", "count_sso_attempt", "verify_password"]

PENDING, FAILED, SUCCEEDED, REFUSED = "pending", "failed", "succeeded", "refused"


@dataclass(frozen=True)
class Limit:
    """At most `amount` attempts per `seconds`."""

    amount: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> list[Limit]:
        """The limits of a Flask-Limiter string such as "10 per minute" or "10/minute; 50/hour"
        (QA_LOGIN_RATE_LIMIT)."""
        return [cls(amount=item.amount, seconds=item.get_expiry()) for item in parse_many(text)]


class Throttled(Exception):
    """Too many attempts for this account or from this address; retry after `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many attempts; retry in {retry_after} s")
        self.retry_after = retry_after


@cache
def _dummy_hash() -> str:
    return generate_password_hash("not a password of anyone")


def _retry_after(email: str, address: str, limits: list[Limit], now: datetime) -> int | None:
    """Seconds until the account and the address are both within every limit again, or None if
    they are now. The account counts its failures (and unchecked attempts), the address every
    attempt; both include the caller's own, already committed, attempt."""
    wait: float | None = None
    for limit in limits:
        since = now - timedelta(seconds=limit.seconds)
        counted = select(func.count(LoginAttempt.id), func.min(LoginAttempt.created_at)).where(
            LoginAttempt.created_at >= since, LoginAttempt.outcome != REFUSED
        )
        for condition in (
            (LoginAttempt.email == email) & LoginAttempt.outcome.in_([PENDING, FAILED]),
            LoginAttempt.address == address,
        ):
            count, oldest = db.session.execute(counted.where(condition)).one()
            if count > limit.amount:
                # the count drops when its oldest attempt leaves the window
                wait = max(wait or 0.0, (oldest - since).total_seconds())
    return None if wait is None else max(1, math.ceil(wait))


def verify_password(email: str, password: str, address: str, limits: list[Limit]) -> User | None:
    """The active user with this email and password, or None (the failure is counted); raises
    Throttled, without checking the password, past a limit of failures for the account (known or
    not, so the answer never tells whether it exists) or of attempts from the address.

    Commits on purpose: each attempt is stored and committed before it counts, so of two attempts
    racing in two processes at least one sees the other; the count can be too high, never too low.
    """
    email = email.strip().lower()[:255]
    address = (address or "unknown")[:64]
    now = utcnow()
    longest = max((limit.seconds for limit in limits), default=0)
    db.session.execute(
        delete(LoginAttempt).where(LoginAttempt.created_at < now - timedelta(seconds=longest))
    )
    attempt = LoginAttempt(email=email, address=address, outcome=PENDING, created_at=now)
    db.session.add(attempt)
    db.session.commit()

    retry_after = _retry_after(email, address, limits, now)
    if retry_after is not None:
        attempt.outcome = REFUSED
        db.session.commit()
        raise Throttled(retry_after)

    user = db.session.scalar(select(User).where(User.email == email))
    # A missing user costs the same hash as a wrong password, so timing does not tell them apart.
    ok = check_password_hash(user.password_hash if user else _dummy_hash(), password)
    ok = ok and user is not None and user.active
    attempt.outcome = SUCCEEDED if ok else FAILED
    if ok:
        # The account's earlier failures no longer count; the address's attempts still do.
        db.session.execute(
            update(LoginAttempt)
            .where(LoginAttempt.email == email, LoginAttempt.outcome == FAILED)
            .values(outcome=SUCCEEDED)
        )
    db.session.commit()
    return user if ok else None


def count_sso_attempt(address: str, limits: list[Limit]) -> None:
    """Count a single sign-on callback against the address's limit (the same count as password
    attempts: one address cannot alternate between the two to get twice the tries); raises
    Throttled past it. No account is known yet, so none is counted. Commits, as verify_password."""
    address = (address or "unknown")[:64]
    now = utcnow()
    attempt = LoginAttempt(email="", address=address, outcome=SUCCEEDED, created_at=now)
    db.session.add(attempt)
    db.session.commit()
    retry_after = _retry_after("", address, limits, now)
    if retry_after is not None:
        attempt.outcome = REFUSED
        db.session.commit()
        raise Throttled(retry_after)
