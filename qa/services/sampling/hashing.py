"""The deterministic random order: an integer hash of (interaction id, policy, seed, ISO week).

It is computed modulo a Mersenne prime with every intermediate value below 2**62, so SQLite and
PostgreSQL give the same order in BIGINT, and `rank_key` gives it in Python.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, bindparam, cast, literal_column
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.expression import ColumnClause

from ...models import SamplingPolicy
from .weeks import week_number

# Hash constants: a Mersenne prime modulus and multipliers below 2**31, so that x * m < 2**62.
_P = 2_147_483_647
_A = 1_103_515_245
_D = 1_664_525_013 % _P


def salts(policy_id: int, seed: int, week: str) -> tuple[int, int]:
    """The two salts of a (policy, seed, week); the SQL hash takes them as bind parameters."""
    n = week_number(week)
    salt = (policy_id * 73_856_093 + seed * 19_349_663 + n * 83_492_791) % _P
    return salt, (salt * 2_654_435_761 + 97) % _P


def rank_key(interaction_id: int, policy_id: int, seed: int, week: str) -> int:
    """Python twin of `hash_sql`: the position of an interaction in the week's random order."""
    salt, salt2 = salts(policy_id, seed, week)
    x = (interaction_id * _A + salt) % _P
    y = (x * x) % _P  # squaring makes the map non-linear in the id
    return (y * _D + x + salt2) % _P


def policy_rank_key(policy: SamplingPolicy, week: str, interaction_id: int) -> int:
    """`rank_key` of an interaction under a policy's id and seed."""
    return rank_key(interaction_id, policy.id, policy.seed or 0, week)


def hash_sql(id_col: ColumnElement[int]) -> ColumnElement[int]:
    """`rank_key` in SQL, in BIGINT on both dialects; the salts are the bind parameters salt, salt2."""
    p: ColumnClause[Any] = literal_column(str(_P))
    a: ColumnClause[Any] = literal_column(str(_A))
    d: ColumnClause[Any] = literal_column(str(_D))
    x = (cast(id_col, BigInteger) * a + bindparam("salt", type_=BigInteger)) % p
    y = (x * x) % p
    return (y * d + x + bindparam("salt2", type_=BigInteger)) % p
