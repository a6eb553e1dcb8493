"""Password checks with a limit per account and per address, counted in the database.

Flask-Limiter's default memory storage counts per worker process, so `make run`'s two gunicorn
workers allowed about twice the limit, and only per address. Attempts are rows of `login_attempt`
instead: every worker sees the same counts, on SQLite and PostgreSQL, without a Redis server.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from limits import parse
from sqlalchemy import delete, func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import LoginAttempt, User, utcnow

__all__ = ["Limit", "Throttled", "verify_password"]

PENDING, FAILED, SUCCEEDED, REFUSED = "pending", "failed", "succeeded", "refused"


@dataclass(frozen=True)
class Limit:
    """At most `amount` attempts per `seconds`, e.g. from "10 per minute" (QA_LOGIN_RATE_LIMIT)."""

    amount: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Limit:
        item = parse(text)
        return cls(amount=item.amount, seconds=item.get_expiry())


class Throttled(Exception):
    """Too many attempts for this account or from this address; retry after `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many attempts; retry in {retry_after} s")
        self.retry_after = retry_after


@cache
def _dummy_hash() -> str:
    return generate_password_hash("not a password of anyone")


def verify_password(email: str, password: str, address: str, limit: Limit) -> User | None:
    """The active user with this email and password, or None (the failure is counted); raises
    Throttled, without checking the password, past `limit` failures for the account (known or
    not, so the answer never tells whether it exists) or attempts from the address.

    Commits twice on purpose: the attempt is stored and committed before counting, so attempts
    racing in other processes see each other and at most `limit.amount` are ever checked.
    """
    email = email.strip().lower()[:255]
    address = (address or "unknown")[:64]
    now = utcnow()
    since = now - timedelta(seconds=limit.seconds)
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.created_at < since))
    attempt = LoginAttempt(email=email, address=address, outcome=PENDING, created_at=now)
    db.session.add(attempt)
    db.session.commit()

    # Each attempt is committed before it counts, so of two racing attempts at least one sees
    # the other: the count can only be too high, never too low.
    counted = select(func.count(LoginAttempt.id), func.min(LoginAttempt.created_at)).where(
        LoginAttempt.created_at >= since, LoginAttempt.outcome != REFUSED
    )
    by_account = db.session.execute(
        counted.where(LoginAttempt.email == email, LoginAttempt.outcome.in_([PENDING, FAILED]))
    ).one()
    by_address = db.session.execute(counted.where(LoginAttempt.address == address)).one()
    over = [oldest for count, oldest in (by_account, by_address) if count > limit.amount]
    if over:
        attempt.outcome = REFUSED
        db.session.commit()
        # a count drops when its oldest counted attempt leaves the window
        free_at = max(over) + timedelta(seconds=limit.seconds)
        raise Throttled(max(1, math.ceil((free_at - now).total_seconds())))

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
