"""Support KPIs from interaction metadata (PRODUCT.md), aggregated in SQL.

CSAT is the share of 4-5 among rated interactions; first-contact resolution the share resolved
among those where it is known; handle time and first response time are means; SLA compliance is
per channel: chat, social and email by first response time, calls by the customer's wait.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from flask_babel import lazy_gettext
from sqlalchemy import ColumnElement, case, func, literal, select
from sqlalchemy.orm import QueryableAttribute

from ..extensions import db
from ..models import Channel, Interaction

DEFAULT_SLA_SECONDS: dict[str, int] = {
    Channel.CHAT.value: 60,
    Channel.SOCIAL.value: 3600,
    Channel.EMAIL.value: 4 * 3600,
    Channel.CALL.value: 180,
}
SLA_MEASURE = {
    Channel.CHAT.value: lazy_gettext("first response"),
    Channel.SOCIAL.value: lazy_gettext("first response"),
    Channel.EMAIL.value: lazy_gettext("first response"),
    Channel.CALL.value: lazy_gettext("wait"),
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


SUMS = 12  # count, rated, happy, fcr known, fcr yes, duration sum/n, frt sum/n, escalated,
# SLA measured, SLA met: what channel_sums returns per channel and from_sums folds


def channel_sums(
    conditions: Sequence[ColumnElement[bool]],
    thresholds: Mapping[str, int] | None = None,
    *group: ColumnElement | QueryableAttribute,
) -> list[tuple]:
    """One scan of the interactions matching `conditions`, grouped by `group` and channel:
    rows of (*group, channel value, [the SUMS counts and sums]).

    SLA "met" depends on the per-channel thresholds, so callers keeping these sums must key
    them by the thresholds too.
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
    rows = db.session.execute(
        select(
            *group,
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
        .group_by(*group, Interaction.channel)
    )
    k = len(group)
    return [
        (*row[:k], str(getattr(row[k], "value", row[k])), [float(v or 0) for v in row[k + 1 :]])
        for row in rows
    ]


def from_sums(by_channel: Mapping[str, Sequence[float]], thresholds: Mapping[str, int]) -> Kpis:
    """The KPIs from per-channel sums (channel_sums), added up over the channels."""
    thresholds = {**DEFAULT_SLA_SECONDS, **thresholds}
    totals = [0.0] * 10
    for values in by_channel.values():
        for k in range(10):
            totals[k] += values[k]
    n, rated, happy, fcr_known, fcr_yes, dur_sum, dur_n, frt_sum, frt_n, escalated = totals
    sla = {ch: (int(v[10]), int(v[11])) for ch, v in by_channel.items()}
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


def compute(
    conditions: Sequence[ColumnElement[bool]], thresholds: Mapping[str, int] | None = None
) -> Kpis:
    """KPIs over the interactions matching `conditions`: one scan grouped by channel."""
    thresholds = {**DEFAULT_SLA_SECONDS, **(thresholds or {})}
    return from_sums({row[0]: row[1] for row in channel_sums(conditions, thresholds)}, thresholds)


__all__ = [
    "DEFAULT_SLA_SECONDS",
    "SLA_MEASURE",
    "SUMS",
    "Kpis",
    "SlaRow",
    "channel_sums",
    "compute",
    "from_sums",
    "sla_thresholds",
]
