"""Support tiers N1-N4 and escalations between interactions (issue 17).

Teams carry a tier, an agent may carry their own (else the team's), and an interaction records
the tier that handled it. An escalation links an interaction to the next tier's interaction with
its reason and time, and records what the next tier did: solved it, sent it back, or solved it
with a knowledge-base answer (the escalation was unnecessary). The interaction's `escalated` flag
(the KPI and the sampler's risk signal) is set whenever an escalation from it is recorded.

Imports name these in their own columns (`tier`, `escalated_to`, `escalation_reason`,
`escalated_at`, `escalation_outcome`); `ImportTiers` checks them row by row and links the
escalations once every row of the import is stored, so a row may name one further down.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update

from ..extensions import db
from ..models import Escalation, EscalationOutcome, Interaction, Role, Team, User
from . import audit
from .interactions import ImportReport, IngestError, Row

TIERS = (1, 2, 3, 4)
TIER_NAMES = {1: "N1", 2: "N2", 3: "N3", 4: "N4"}
OUTCOMES = {
    "solved": EscalationOutcome.SOLVED,
    "bounced_back": EscalationOutcome.BOUNCED,
    "bounced": EscalationOutcome.BOUNCED,
    "sent_back": EscalationOutcome.BOUNCED,
    "unnecessary": EscalationOutcome.UNNECESSARY,
    "kb": EscalationOutcome.UNNECESSARY,
}
ESCALATION_COLUMNS = ("escalated_to", "escalation_reason", "escalated_at", "escalation_outcome")
IMPORT_COLUMNS = {
    "tier": "N1-N4 (or 1-4) that handled it (default: the agent's tier, else the team's)",
    "customer": "the customer's id at the source (re-contact within 7 days)",
    "escalated_to": "external id of the interaction it was escalated to (same source)",
    "escalation_reason": "why it was escalated",
    "escalated_at": "ISO 8601 date-time of the escalation (default: the next one's start)",
    "escalation_outcome": "solved, bounced_back (sent back) or unnecessary (a KB answer)",
}
_CHUNK = 500


class TierError(IngestError):
    """A tier could not be set; the message says why."""


def tier_name(tier: int | None) -> str:
    """N1-N4, or an empty string for an unknown tier."""
    return TIER_NAMES.get(tier or 0, "")


def parse_tier(value: Any, key: str = "tier") -> int | None:
    """1-4 from "N2", "n2", "2" or 2; None for an empty value; IngestError otherwise."""
    if value is None or value == "":
        return None
    text = str(value).strip().upper()
    text = text[1:] if text.startswith("N") else text
    if isinstance(value, bool) or not text.isdigit() or int(text) not in TIERS:
        raise IngestError(f"{key} must be N1, N2, N3 or N4, got {str(value)[:40]!r}")
    return int(text)


def parse_outcome(value: Any) -> EscalationOutcome | None:
    """An outcome from its import spelling; None for an empty value; IngestError otherwise."""
    if value is None or value == "":
        return None
    outcome = OUTCOMES.get(str(value).strip().lower().replace(" ", "_").replace("-", "_"))
    if outcome is None:
        raise IngestError(
            f"escalation_outcome must be solved, bounced_back or unnecessary, got "
            f"{str(value)[:40]!r}"
        )
    return outcome


def _when(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            raise IngestError(
                f"escalated_at is not an ISO 8601 date-time: {str(value)[:40]!r}"
            ) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def effective_tier(agent: User) -> int:
    """The agent's own tier, else their team's, else N1."""
    if agent.tier:
        return agent.tier
    return agent.team.tier if agent.team is not None and agent.team.tier else 1


def set_team_tier(team: Team, tier: int, actor: User | None) -> None:
    """An admin sets a team's tier (N1-N4); audited, the caller commits."""
    if tier not in TIERS:
        raise TierError("tier must be N1, N2, N3 or N4")
    before, team.tier = team.tier, tier
    audit.record(actor, "team.tier_set", team, before=before, after=tier)


def set_agent_tier(agent: User, tier: int | None, actor: User | None) -> None:
    """An admin sets an agent's own tier, or None for their team's; audited, the caller commits."""
    if agent.role != Role.AGENT:
        raise TierError("only agents carry a tier of their own")
    if tier is not None and tier not in TIERS:
        raise TierError("tier must be N1, N2, N3 or N4")
    before, agent.tier = agent.tier, tier
    audit.record(actor, "user.tier_set", agent, before=before, after=tier)


def record_escalation(
    source: Interaction,
    target: Interaction | None,
    *,
    reason: str | None = None,
    escalated_at: datetime | None = None,
    outcome: EscalationOutcome | None = None,
    to_tier: int | None = None,
) -> Escalation:
    """Escalate `source` to `target` (the next tier's interaction); sets source.escalated.

    The time to escalate is measured from the start of `source`; without a time, the
    escalation happened when `target` started. The caller commits.
    """
    at = escalated_at or (target.started_at if target is not None else None)
    seconds = (at - source.started_at).total_seconds() if at is not None else None
    escalation = Escalation(
        from_interaction=source,
        to_interaction=target,
        from_tier=source.tier,
        to_tier=to_tier or (target.tier if target is not None else None),
        reason=reason,
        escalated_at=at,
        seconds_to_escalate=max(0.0, seconds) if seconds is not None else None,
        outcome=outcome,
    )
    source.escalated = True
    db.session.add(escalation)
    return escalation


def fill_tiers(interaction_ids: Iterable[int]) -> None:
    """Give these interactions without a tier their agent's tier (else the agent's team's)."""
    agent_tier = select(User.tier).where(User.id == Interaction.agent_id).scalar_subquery()
    team_tier = (
        select(Team.tier)
        .join(User, User.team_id == Team.id)
        .where(User.id == Interaction.agent_id)
        .scalar_subquery()
    )
    ids = list(interaction_ids)
    for start in range(0, len(ids), _CHUNK):
        db.session.execute(
            update(Interaction)
            .where(Interaction.id.in_(ids[start : start + _CHUNK]), Interaction.tier.is_(None))
            .values(tier=func.coalesce(agent_tier, team_tier, 1))
            .execution_options(synchronize_session=False)
        )


@dataclass
class _Pending:
    line: int
    source: str
    external_id: str
    tier: int | None
    customer: str | None
    escalated_to: str | None
    reason: str | None
    escalated_at: datetime | None
    outcome: EscalationOutcome | None


def _columns(line: int, row: Mapping[str, Any], default_source: str) -> _Pending | None:
    """The tier and escalation columns of one row (IngestError for a bad value)."""
    if not any(row.get(k) not in (None, "") for k in ("tier", "customer", *ESCALATION_COLUMNS)):
        return None
    target = row.get("escalated_to")
    if target in (None, "") and any(row.get(k) not in (None, "") for k in ESCALATION_COLUMNS):
        raise IngestError(
            "escalation_reason, escalated_at and escalation_outcome need escalated_to"
        )
    reason = row.get("escalation_reason")
    customer = row.get("customer")
    return _Pending(
        line=line,
        source=str(row.get("source") or default_source),
        external_id=str(row.get("external_id") or "").strip(),
        tier=parse_tier(row.get("tier")),
        customer=str(customer).strip()[:120] if customer not in (None, "") else None,
        escalated_to=str(target).strip() if target not in (None, "") else None,
        reason=str(reason).strip() if reason not in (None, "") else None,
        escalated_at=_when(row.get("escalated_at")),
        outcome=parse_outcome(row.get("escalation_outcome")),
    )


@dataclass
class ImportTiers:
    """The tier and escalation columns of an import: `watch` checks each row as it passes (a
    bad value makes the row an error of its line), `apply` stores them once the rows are in."""

    default_source: str = "import"
    pending: list[_Pending] = field(default_factory=list)

    def watch(self, rows: Iterable[tuple[int, Row | str]]) -> Iterator[tuple[int, Row | str]]:
        """The rows, with those whose tier or escalation columns are bad replaced by the reason."""
        for line, row in rows:
            if isinstance(row, str):
                yield line, row
                continue
            try:
                entry = _columns(line, row, self.default_source)
            except IngestError as exc:
                yield line, str(exc)
                continue
            if entry is not None:
                self.pending.append(entry)
            yield line, row

    def collect(self, rows: Iterable[tuple[int, Row | str]], report: ImportReport) -> None:
        """`watch` over rows already imported (a file import): a bad tier or escalation value
        is reported with its line; the row itself is stored without it."""
        known = {line for line, _ in report.errors}
        for line, row in self.watch(rows):
            if isinstance(row, str) and line not in known:
                report.errors.append((line, f"{row}; stored without its tier and escalation"))

    def apply(self, report: ImportReport) -> None:
        """Tiers and customers of the created interactions, then the escalations between them
        (an escalation whose target is not stored is reported with its line; the interaction
        stays). Re-importing a row leaves an escalation already recorded as it is."""
        created = set(report.created)
        for entry in self.pending:
            source = _find(entry.source, entry.external_id)
            if source is None or source.id not in created:
                continue
            if entry.tier is not None:
                source.tier = entry.tier
            if entry.customer is not None:
                source.customer = entry.customer
        db.session.flush()
        fill_tiers(report.created)
        db.session.flush()
        for entry in self.pending:
            if entry.escalated_to is None:
                continue
            error = _link(entry)
            if error:
                report.errors.append((entry.line, error))
        db.session.flush()


def _find(source: str, external_id: str) -> Interaction | None:
    return db.session.scalar(
        select(Interaction).where(
            Interaction.source == source, Interaction.external_id == external_id
        )
    )


def _link(entry: _Pending) -> str | None:
    """Record one row's escalation; the reason it could not be, or None."""
    source = _find(entry.source, entry.external_id)
    if source is None:
        return None  # the row itself was refused and is reported already
    target = _find(entry.source, entry.escalated_to or "")
    if target is None:
        return (
            f"escalated_to {entry.escalated_to!r}: no such interaction in {entry.source!r}; "
            "stored without its escalation"
        )
    if target.id == source.id:
        return "escalated_to names the interaction itself; stored without its escalation"
    db.session.refresh(source)
    db.session.refresh(target)
    if db.session.scalar(select(Escalation.id).where(Escalation.from_interaction_id == source.id)):
        return None
    record_escalation(
        source,
        target,
        reason=entry.reason,
        escalated_at=entry.escalated_at,
        outcome=entry.outcome,
    )
    return None


__all__ = [
    "ESCALATION_COLUMNS",
    "IMPORT_COLUMNS",
    "OUTCOMES",
    "TIERS",
    "TIER_NAMES",
    "ImportTiers",
    "TierError",
    "effective_tier",
    "fill_tiers",
    "parse_outcome",
    "parse_tier",
    "record_escalation",
    "set_agent_tier",
    "set_team_tier",
    "tier_name",
]
