"""Call analytics per interaction (issue 16): how a call sounded, from its transcript's timings.

`transcription.call_analytics` computes the figures (talk ratio, dead air, overtalk,
interruptions, holds, speech rate, the timeline) from the stored segments' speakers and times;
this module stores them per call (`CallAnalysis`), keeps them current and reads them back for
the pages, the sampler's "long dead air" risk signal, the scorecards' `call.*` AutoQA keys and
the dashboards.

- **When.** The pipeline stores them with the transcript. A later change to a transcript's
  segments through the ORM (a speaker swap, a re-diarization) is noted at flush and the call
  recomputed just before the commit; `current()` also recomputes a row whose fingerprint no
  longer matches the segments (a bulk UPDATE bypasses the ORM). `backfill()` (the CLI's
  `flask calls analytics --backfill`) computes them for calls stored before.
- **Which calls.** A call with at least one timed segment. Without "agent"/"customer" labels
  (a mono recording not diarized) the figures that need them are None and the row says why
  (`note`); so does a call with speech of other labels, or only one side heard.
- **Scorecard keys.** `call.*` keys give a 0-100 score, higher being better, as every AutoQA
  key does (a yes/no criterion suggests yes at 50 or more), with the figure as the label. They
  are computed from the row, not stored as AutoScores: they are measurements, not a model's
  judgement, and must not move the AQS or the sampler's "low AutoQA" signal.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import gettext
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, selectinload

from transcription import CallAnalytics
from transcription import Segment as TimedSegment
from transcription import call_analytics as compute_figures

from ..extensions import db
from ..formats import format_percent
from ..models import CallAnalysis, Channel, Interaction, Segment, Transcript
from .dashboard_days import Period, scope
from .sampling import week_of

LABELLED, PARTIAL, UNKNOWN = "labelled", "partial", "unknown"
# note codes (translated where they are shown)
SPEAKERS_UNKNOWN, SPEAKERS_PARTIAL, ONE_SPEAKER = (
    "speakers_unknown",
    "speakers_partial",
    "one_speaker",
)
SIDES = ("agent", "customer")
_PENDING = "call_analytics_pending"  # session.info: interaction ids whose segments changed
# what compute() reads, loaded in a few queries for a batch (lazy loads were 2/3 of the time)
_LOAD = (
    selectinload(Interaction.transcript).selectinload(Transcript.segments),
    selectinload(Interaction.recording),
    selectinload(Interaction.analysis),
)


def settings_from(config: Any) -> dict[str, float]:
    """The thresholds from the app's config (CALL_SILENCE_SECONDS, CALL_HOLD_SECONDS)."""
    return {
        "silence_threshold": float(config.get("CALL_SILENCE_SECONDS", 3.0)),
        "hold_threshold": float(config.get("CALL_HOLD_SECONDS", 20.0)),
    }


def fingerprint(segments: Iterable[Any]) -> str:
    """What the figures depend on: each timed segment's speaker, times and word count."""
    raw = [
        [s.speaker, round(float(s.start), 3), round(float(s.end), 3), len((s.text or "").split())]
        for s in segments
        if s.start is not None and s.end is not None
    ]
    return hashlib.sha1(json.dumps(raw).encode()).hexdigest()


def _timed(segments: Iterable[Any]) -> list[TimedSegment]:
    return [
        TimedSegment(float(s.start), float(s.end), s.speaker, s.text or "")
        for s in segments
        if s.start is not None and s.end is not None
    ]


def _duration(interaction: Interaction) -> float:
    """The recording's length as best known (the figures never cut speech off anyway)."""
    transcript, recording = interaction.transcript, interaction.recording
    for value in (
        transcript.duration_seconds if transcript else None,
        recording.duration_seconds if recording else None,
        interaction.duration_seconds,
    ):
        if value:
            return float(value)
    return 0.0


def _speakers(figures: CallAnalytics) -> tuple[str, str | None]:
    """(labelled | partial | unknown, the note code or None)."""
    talk = figures.talk_seconds
    sides = [who for who in SIDES if talk.get(who)]
    others = sum(seconds for who, seconds in talk.items() if who not in SIDES)
    if not sides:
        return UNKNOWN, SPEAKERS_UNKNOWN
    if others:
        return PARTIAL, SPEAKERS_PARTIAL
    return LABELLED, ONE_SPEAKER if len(sides) == 1 else None


def analysable(interaction: Interaction) -> bool:
    """A call with a transcript holding at least one timed segment."""
    transcript = interaction.transcript
    return (
        interaction.channel == Channel.CALL
        and transcript is not None
        and any(s.start is not None and s.end is not None for s in transcript.segments)
    )


def compute(interaction: Interaction) -> CallAnalysis | None:
    """Compute and store (or update) the call's analytics; None, and no row, when it has no
    timed transcript. The caller commits."""
    row = interaction.analysis
    if not analysable(interaction):
        if row is not None:
            db.session.delete(row)
            interaction.analysis = None
        return None
    segments = interaction.transcript.segments  # type: ignore[union-attr]
    thresholds = settings_from(current_app.config)
    figures = compute_figures(
        _timed(segments),
        _duration(interaction),
        silence_threshold=thresholds["silence_threshold"],
        hold_threshold=thresholds["hold_threshold"],
    )
    if row is None:
        row = CallAnalysis(interaction_id=interaction.id)
        interaction.analysis = row
    _fill(row, figures)
    row.fingerprint = fingerprint(segments)
    db.session.add(row)
    return row


def _fill(row: CallAnalysis, f: CallAnalytics) -> None:
    row.speakers, row.note = _speakers(f)
    labelled = f.talk_ratio is not None
    row.duration_seconds, row.speech_seconds = f.duration, f.speech_seconds
    row.talk_ratio = f.talk_ratio
    row.agent_talk_seconds = f.talk_seconds.get("agent") if labelled else None
    row.customer_talk_seconds = f.talk_seconds.get("customer") if labelled else None
    row.dead_air_seconds, row.dead_air_ratio = f.dead_air_seconds, f.dead_air_ratio
    row.longest_silence_seconds = f.longest_silence.seconds if f.longest_silence else 0.0
    row.long_silences = f.long_silences
    row.overtalk_count, row.overtalk_seconds = f.overtalk_count, f.overtalk_seconds
    row.agent_interruptions = f.agent_interruptions
    row.customer_interruptions = f.customer_interruptions
    row.holds, row.hold_seconds = len(f.holds), f.hold_seconds
    row.agent_wpm = f.words_per_minute.get("agent")
    row.customer_wpm = f.words_per_minute.get("customer")
    row.figures = f.to_dict()


def current(interaction: Interaction) -> CallAnalysis | None:
    """The call's analytics, recomputed first when its segments changed since (or it has none
    yet); the caller commits when it wants the recomputed row kept."""
    row = interaction.analysis
    transcript = interaction.transcript
    fresh = row is not None and transcript is not None and analysable(interaction)
    if fresh and row.fingerprint == fingerprint(transcript.segments):  # type: ignore[union-attr]
        return row
    return compute(interaction)


def backfill(
    *, recompute: bool = False, batch: int = 200, progress: Callable[[int], object] | None = None
) -> tuple[int, int]:
    """Analytics for every transcribed call without them (every one with `recompute`),
    committed in batches; returns (computed, skipped: calls without timed segments)."""
    query = (
        select(Interaction.id)
        .join(Transcript, Transcript.interaction_id == Interaction.id)
        .where(Interaction.channel == Channel.CALL)
        .order_by(Interaction.id)
    )
    if not recompute:
        query = query.where(~select(CallAnalysis.interaction_id).where(
            CallAnalysis.interaction_id == Interaction.id).exists())  # fmt: skip
    ids = list(db.session.scalars(query))
    done = skipped = 0
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        chosen = select(Interaction).options(*_LOAD).where(Interaction.id.in_(chunk))
        for interaction in db.session.scalars(chosen):
            if compute(interaction) is None:
                skipped += 1
            else:
                done += 1
        db.session.commit()
        if progress is not None:
            progress(len(chunk))
    return done, skipped


# --- keeping the rows current: segments changed through the ORM -------------------------------


def _note_changed_segments(session: Session, _flush_context: Any) -> None:
    """after_flush: the transcripts whose segments were added, changed or deleted."""
    changed = {
        obj.transcript_id
        for obj in (*session.new, *session.dirty, *session.deleted)
        if isinstance(obj, Segment) and obj.transcript_id is not None
    }
    if changed:
        session.info.setdefault(_PENDING, set()).update(changed)


def _recompute_before_commit(session: Session) -> None:
    """before_commit: recompute the analytics of the calls whose segments changed (those the
    pipeline computed already match their fingerprint and are left as they are)."""
    if session.new or session.dirty or session.deleted:
        session.flush()  # the commit's own flush comes after this event
    transcript_ids = session.info.pop(_PENDING, None)
    if not transcript_ids:
        return
    interactions = session.scalars(
        select(Interaction)
        .options(*_LOAD)
        .join(Transcript, Transcript.interaction_id == Interaction.id)
        .where(Transcript.id.in_(sorted(transcript_ids)), Interaction.channel == Channel.CALL)
    )
    for interaction in list(interactions):
        current(interaction)
    session.flush()


def _forget(session: Session, _previous: Any = None) -> None:
    session.info.pop(_PENDING, None)


_LISTENERS = (
    ("after_flush", _note_changed_segments),
    ("before_commit", _recompute_before_commit),
    ("after_soft_rollback", _forget),
)


def register() -> None:
    """Listen for segment changes on every session (idempotent; create_app calls it)."""
    for name, listener in _LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


# --- scorecard keys: call.* as AutoQA-like 0-100 scores ------------------------------------------


@dataclass(frozen=True)
class CallScore:
    """A `call.*` key's score, shaped as an AutoScore where the review page reads one."""

    criterion: str
    value: float  # 0-100, higher is better
    label: str  # the figure it comes from, e.g. "dead air 12%"
    evidence: list[dict[str, Any]] = field(default_factory=list)
    model_version: str = "call analytics"


def _falling(value: float, limit: float) -> float:
    """100 at 0, falling linearly to 0 at `limit` and beyond."""
    return max(0.0, 100.0 * (1.0 - value / limit))


def _band(value: float, low: float, high: float, slack: float) -> float:
    """100 inside [low, high], falling linearly to 0 `slack` beyond either edge."""
    off = max(low - value, value - high, 0.0)
    return max(0.0, 100.0 * (1.0 - off / slack))


def _pct(ratio: float) -> str:
    """A share in the reader's locale: "12%", "12\u00a0%" in French (issue 15)."""
    return format_percent(ratio)


# key: how a row gives (score, label), or None when its figure is unknown; the limits are
# documented in docs/call_analytics.md
CALL_KEYS: dict[str, Callable[[CallAnalysis], tuple[float, str] | None]] = {
    # agent's share of the talk: 100 from 40% to 60%, 0 at 15% or 85%
    "call.talk_ratio": lambda r: None if r.talk_ratio is None else (
        _band(r.talk_ratio, 0.4, 0.6, 0.25),
        gettext("agent %(share)s of the talk", share=_pct(r.talk_ratio))),
    # dead air share of the call: 100 without, 0 at 30%
    "call.dead_air_share": lambda r: None if r.dead_air_ratio is None else (
        _falling(r.dead_air_ratio, 0.30), gettext("dead air %(share)s", share=_pct(r.dead_air_ratio))),
    # longest silence: 100 without, 0 at 60 s
    "call.longest_silence": lambda r: (
        _falling(r.longest_silence_seconds, 60.0),
        gettext("longest silence %(seconds)s s", seconds=round(r.longest_silence_seconds))),
    # agent interruptions of the customer: 100 without, 75 for one, ..., 0 from 4
    "call.interruptions": lambda r: None if r.agent_interruptions is None else (
        _falling(r.agent_interruptions, 4),
        gettext("%(count)s interruptions by the agent", count=r.agent_interruptions)),
    # overtalk as a share of speech: 100 without, 0 at 10%
    "call.overtalk": lambda r: None if r.overtalk_seconds is None or not r.speech_seconds else (
        _falling(r.overtalk_seconds / r.speech_seconds, 0.10),
        gettext("overtalk %(seconds)s s", seconds=round(r.overtalk_seconds))),
    # agent's words per minute: 100 from 120 to 170, 0 at 60 or 230
    "call.speech_rate": lambda r: None if r.agent_wpm is None else (
        _band(r.agent_wpm, 120, 170, 60),
        gettext("%(rate)s words per minute", rate=round(r.agent_wpm))),
}  # fmt: skip


def call_scores(row: CallAnalysis | None) -> dict[str, CallScore]:
    """The `call.*` scores a call's analytics give (keys whose figure is unknown are left out)."""
    if row is None:
        return {}
    out = {}
    for key, score in CALL_KEYS.items():
        result = score(row)
        if result is not None:
            out[key] = CallScore(key, round(result[0], 2), result[1])
    return out


# --- dashboards: per agent and ISO week -------------------------------------------------------


@dataclass
class CallWeek:
    """One agent's (or the team's, agent_id None) calls with analytics in one ISO week."""

    week: str
    agent_id: int | None
    calls: int = 0
    _sums: dict[str, list[float]] = field(default_factory=dict)

    def add(self, name: str, total: float | None, n: int) -> None:
        s = self._sums.setdefault(name, [0.0, 0])
        s[0] += float(total or 0)
        s[1] += int(n or 0)

    def mean(self, name: str) -> float | None:
        total, n = self._sums.get(name, (0.0, 0))
        return total / n if n else None

    @property
    def talk_ratio(self) -> float | None:
        return self.mean("talk_ratio")

    @property
    def dead_air_ratio(self) -> float | None:
        return self.mean("dead_air_ratio")

    @property
    def interruptions(self) -> float | None:
        """Agent interruptions per call with an agent/customer split."""
        return self.mean("agent_interruptions")


_MEANS = ("talk_ratio", "dead_air_ratio", "agent_interruptions")


def weekly(
    team_ids: Sequence[int], period: Period, agent_id: int | None = None
) -> tuple[list[CallWeek], list[CallWeek]]:
    """(per agent and week, per week for the whole scope), from one GROUP BY agent, day scan;
    days fold into ISO weeks in Python (as the dashboard does)."""
    day = func.date(Interaction.started_at)
    columns = [
        c for name in _MEANS for c in (
            func.sum(getattr(CallAnalysis, name)), func.count(getattr(CallAnalysis, name)))
    ]  # fmt: skip
    rows = db.session.execute(
        select(Interaction.agent_id, day, func.count(), *columns)
        .join(CallAnalysis, CallAnalysis.interaction_id == Interaction.id)
        .where(*scope(team_ids, period, agent_id))
        .group_by(Interaction.agent_id, day)
    ).all()
    per_agent: dict[tuple[str, int], CallWeek] = {}
    per_week: dict[str, CallWeek] = {}
    for agent, d, n, *sums in rows:
        week = week_of(d if isinstance(d, date) else date.fromisoformat(str(d)[:10]))
        for cell in (
            per_agent.setdefault((week, agent), CallWeek(week, agent)),
            per_week.setdefault(week, CallWeek(week, None)),
        ):
            cell.calls += int(n)
            for k, name in enumerate(_MEANS):
                cell.add(name, sums[2 * k], sums[2 * k + 1])
    return (
        [per_agent[k] for k in sorted(per_agent)],
        [per_week[w] for w in sorted(per_week)],
    )


__all__ = [
    "CALL_KEYS",
    "CallScore",
    "CallWeek",
    "analysable",
    "backfill",
    "call_scores",
    "compute",
    "current",
    "fingerprint",
    "register",
    "settings_from",
    "weekly",
]
