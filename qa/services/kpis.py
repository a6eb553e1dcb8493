"""Support KPIs from interaction metadata (PRODUCT.md), aggregated in SQL.

CSAT is the share of 4-5 among rated interactions; first-contact resolution the share resolved
among those where it is known; handle time and first response time are means; SLA compliance is
per channel: chat, social and email by first response time, calls by the customer's wait.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, case, func, literal, select

from ..extensions import db
from ..models import Channel, Interaction

DEFAULT_SLA_SECONDS: dict[str, int] = {
    Channel.CHAT.value: 60,
    Channel.SOCIAL.value: 3600,
    Channel.EMAIL.value: 4 * 3600,
    Channel.CALL.value: 180,
}
SLA_MEASURE = {
    Channel.CHAT.value: "first response",
    Channel.SOCIAL.value: "first response",
    Channel.EMAIL.value: "first response",
    Channel.CALL.value: "wait",
}


@dataclass
class SlaRow:
    channel: str
    threshold_seconds: int
    measured: int  # interactions with the measure recorded
    met: int

    @property
    def compliance(self) -> float | None:
        return round(100 * self.met / self.measured, 1) if self.measured else None


@dataclass
class Kpis:
    interactions: int = 0
    rated: int = 0
    csat: float | None = None  # % of 4-5 among rated
    fcr_known: int = 0
    fcr: float | None = None  # % resolved at first contact
    aht_seconds: float | None = None
    frt_seconds: float | None = None
    escalation_rate: float | None = None  # %
    sla: list[SlaRow] = field(default_factory=list)


def sla_thresholds(config: Mapping[str, object]) -> dict[str, int]:
    """Per-channel SLA thresholds in seconds from config keys QA_SLA_*."""
    keys = {
        Channel.CHAT.value: "SLA_CHAT_SECONDS",
        Channel.SOCIAL.value: "SLA_SOCIAL_SECONDS",
        Channel.EMAIL.value: "SLA_EMAIL_SECONDS",
        Channel.CALL.value: "SLA_CALL_WAIT_SECONDS",
    }
    return {ch: int(config.get(key, DEFAULT_SLA_SECONDS[ch])) for ch, key in keys.items()}  # type: ignore[call-overload]


def _pct(part: int | float | None, whole: int | None) -> float | None:
    return round(100 * float(part or 0) / whole, 1) if whole else None


def compute(
    conditions: Sequence[ColumnElement[bool]], thresholds: Mapping[str, int] | None = None
) -> Kpis:
    """KPIs over the interactions matching `conditions`: one scan grouped by channel.

    Counts and sums come back per channel (at most four rows) and are added up here, so the
    overall figures and the per-channel SLA cost a single pass over the interactions.
    """
    thresholds = {**DEFAULT_SLA_SECONDS, **(thresholds or {})}
    one = literal(1)
    measure = case(
        (Interaction.channel == Channel.CALL, Interaction.wait_seconds),
        else_=Interaction.first_response_seconds,
    )
    limit = case(
        *((Interaction.channel == Channel(ch), literal(sec)) for ch, sec in thresholds.items()),
        else_=None,
    )
    totals = [0.0] * 11
    sla: dict[str, tuple[int, int]] = {}
    for channel, *values in db.session.execute(
        select(
            Interaction.channel,
            func.count(Interaction.id),
            func.count(Interaction.csat),
            func.sum(case((Interaction.csat >= 4, one), else_=0)),
            func.count(Interaction.resolved_first_contact),
            func.sum(case((Interaction.resolved_first_contact.is_(True), one), else_=0)),
            func.sum(Interaction.duration_seconds),
            func.count(Interaction.duration_seconds),
            func.sum(Interaction.first_response_seconds),
            func.count(Interaction.first_response_seconds),
            func.sum(case((Interaction.escalated.is_(True), one), else_=0)),
            func.count(measure),
            func.sum(case((measure < limit, one), else_=0)),
        )
        .where(*conditions)
        .group_by(Interaction.channel)
    ):
        for k, v in enumerate(values[:10]):
            totals[k] += float(v or 0)
        sla[str(getattr(channel, "value", channel))] = (int(values[10] or 0), int(values[11] or 0))
    n, rated, happy, fcr_known, fcr_yes, dur_sum, dur_n, frt_sum, frt_n, escalated = totals[:10]
    return Kpis(
        interactions=int(n),
        rated=int(rated),
        csat=_pct(happy, int(rated)),
        fcr_known=int(fcr_known),
        fcr=_pct(fcr_yes, int(fcr_known)),
        aht_seconds=round(dur_sum / dur_n, 1) if dur_n else None,
        frt_seconds=round(frt_sum / frt_n, 1) if frt_n else None,
        escalation_rate=_pct(escalated, int(n)),
        sla=[
            SlaRow(ch, thresholds[ch], *sla.get(ch, (0, 0)))
            for ch in (
                Channel.CHAT.value,
                Channel.SOCIAL.value,
                Channel.EMAIL.value,
                Channel.CALL.value,
            )
        ],
    )


__all__ = ["DEFAULT_SLA_SECONDS", "SLA_MEASURE", "Kpis", "SlaRow", "compute", "sla_thresholds"]
