"""Which assignment and session rows a user may see."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, or_, select

from ...models import Role, User


def visible_rows(
    model: Any, user: User, team_ids: Sequence[int], lead_column: Any
) -> Select | None:
    """Rows of `model` (with an agent_id) a user may see: an agent their own; a lead their teams'
    agents' and those they created themselves (`lead_column`); an admin all; others none."""
    query = select(model).join(User, User.id == model.agent_id)
    if user.role == Role.AGENT:
        return query.where(model.agent_id == user.id)
    if user.role == Role.LEAD:
        return query.where(or_(User.team_id.in_(list(team_ids)), lead_column == user.id))
    if user.role == Role.ADMIN:
        return query
    return None
