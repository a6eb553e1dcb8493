"""Agents' voice profiles (issue 16): opt-in biometric data that helps diarize mono calls.

An agent opts in on their account page (or an admin does, with the agent's consent recorded
elsewhere, whose reference is kept); the profile is then built from the agent's earlier calls
where the agent's speech is known with high confidence: the agent's channel of a stereo call,
or the segments diarization labelled "agent" with a speaker confidence of at least
``MIN_CONFIDENCE`` on a mono call. Only the mean embedding is stored (`models.VoiceProfile`),
never audio. On a new mono call of that agent the pipeline passes the profile to the diarizer
(`profile_for`), which names the agent by voice when the match is clear.

Deleting the profile, or withdrawing consent (the same action), removes the row; the audit
trail keeps that it existed and when it was deleted, not the embedding. docs/privacy.md
("Agent voice profiles") is the notice for agents.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from flask_babel import gettext
from sqlalchemy import select

from transcription.audio import decode_audio
from transcription.voice_profile import VoiceProfile as Profile
from transcription.voice_profile import build_profile

from ..extensions import db
from ..models import Channel, Interaction, Recording, Role, Transcript, User, VoiceProfile, utcnow
from . import audit

log = logging.getLogger(__name__)

MIN_CONFIDENCE = 0.8  # a diarized "agent" segment counts from this speaker confidence on
MAX_CALLS = 20  # the newest calls looked at
MAX_SECONDS = 600.0  # of the agent's speech embedded
MIN_SECONDS = 10.0  # less: no profile (too little speech to trust)


class VoiceProfileError(ValueError):
    """The profile cannot be made or changed (no consent, not an agent, too little speech)."""


@dataclass(frozen=True)
class Enrolment:
    profile: VoiceProfile
    calls: int


def may_manage(actor: User, agent: User) -> bool:
    """The agent themself, or an admin; only agents have voice profiles."""
    return agent.role == Role.AGENT and (actor.id == agent.id or actor.role == Role.ADMIN)


def profile_of(agent: User) -> VoiceProfile | None:
    return db.session.scalar(select(VoiceProfile).where(VoiceProfile.user_id == agent.id))


def profile_for(agent_id: int) -> Profile | None:
    """The agent's stored profile as the diarizer takes it (None: no profile)."""
    row = db.session.scalar(select(VoiceProfile).where(VoiceProfile.user_id == agent_id))
    if row is None:
        return None
    return Profile(tuple(float(v) for v in row.embedding), row.model, row.n_segments, row.seconds)


def _agent_speech(
    interaction: Interaction,
) -> tuple[np.ndarray[Any, Any], list[tuple[float, float]]] | None:
    """(audio of the agent, spans where the agent speaks) from one earlier call, or None when
    its agent is not known with high confidence or the recording is unreadable."""
    transcript, recording = interaction.transcript, interaction.recording
    if transcript is None or recording is None:
        return None
    agent = [s for s in transcript.segments if s.speaker == "agent" and s.start is not None]
    diarized = any(s.speaker_confidence is not None for s in transcript.segments)
    if diarized:
        agent = [s for s in agent if (s.speaker_confidence or 0.0) >= MIN_CONFIDENCE]
    if not agent:
        return None
    try:
        _, channels = decode_audio(recording.path)
    except Exception as exc:  # a moved or broken file: that call is skipped
        log.warning(
            "voice profile: recording of interaction %s unreadable: %s", interaction.id, exc
        )
        return None
    if diarized or len(channels) != 2:
        if not diarized:
            return None  # a mono call that was not diarized: the agent is not known
        audio = channels[0] if len(channels) == 1 else np.mean(channels, axis=0).astype(np.float32)
    else:
        audio = channels[1] if recording.agent_channel == "right" else channels[0]
    return audio, [(float(s.start), float(s.end)) for s in agent if s.end is not None]  # type: ignore[arg-type]


def _earlier_calls(agent: User, limit: int) -> list[Interaction]:
    query = (
        select(Interaction)
        .join(Transcript, Transcript.interaction_id == Interaction.id)
        .join(Recording, Recording.interaction_id == Interaction.id)
        .where(Interaction.agent_id == agent.id, Interaction.channel == Channel.CALL)
        .order_by(Interaction.started_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def enrol(
    agent: User,
    actor: User,
    *,
    consent: bool,
    consent_note: str | None = None,
    max_calls: int = MAX_CALLS,
) -> Enrolment:
    """Build (or rebuild) the agent's profile from their earlier calls; the caller commits.
    ``consent`` is the agent's explicit opt-in; an admin acting for them must say where the
    agent's recorded consent is (``consent_note``)."""
    if not may_manage(actor, agent):
        raise VoiceProfileError(
            gettext("Only the agent or an admin can manage this voice profile.")
        )
    if not consent:
        raise VoiceProfileError(gettext("A voice profile needs the agent's explicit consent."))
    note = (consent_note or "").strip()[:255] or None
    if actor.id != agent.id and note is None:
        raise VoiceProfileError(gettext("Say where the agent's recorded consent is kept."))
    used = 0

    def speech() -> Iterator[tuple[np.ndarray[Any, Any], list[tuple[float, float]]]]:
        nonlocal used
        for call in _earlier_calls(agent, max_calls):
            found = _agent_speech(call)
            if found is not None:
                used += 1
                yield found

    built = build_profile(speech(), max_seconds=MAX_SECONDS, min_seconds=MIN_SECONDS)
    if built is None:
        raise VoiceProfileError(gettext("Not enough of the agent's speech on earlier calls (at "
                                        "least %(seconds)s seconds of stereo calls or confidently "
                                        "diarized mono calls).", seconds=int(MIN_SECONDS)))  # fmt: skip
    row = profile_of(agent) or VoiceProfile(user_id=agent.id)
    row.embedding = list(built.embedding)
    row.dims, row.model = built.dims, built.model
    row.n_segments, row.n_calls, row.seconds = built.segments, used, built.seconds
    row.created_at = row.consent_at = utcnow()
    row.consent_by_id, row.consent_note = actor.id, note
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "voice_profile.created", agent, calls=used, seconds=built.seconds,
                 consent_by="agent" if actor.id == agent.id else "admin")  # fmt: skip
    return Enrolment(row, used)


def delete(agent: User, actor: User, *, reason: str = "deleted") -> bool:
    """Delete the agent's profile (``reason``: "deleted" or "consent withdrawn"); False when
    there was none. The caller commits."""
    if not may_manage(actor, agent):
        raise VoiceProfileError(
            gettext("Only the agent or an admin can manage this voice profile.")
        )
    row = profile_of(agent)
    if row is None:
        return False
    db.session.delete(row)
    audit.record(actor, "voice_profile.deleted", agent, reason=reason)
    return True


def apply(
    agent: User, actor: User, action: str, *, consent: bool, consent_note: str | None
) -> str:
    """The profile page's action (create | delete | withdraw); returns the message to show.
    The caller commits."""
    if action == "create":
        made = enrol(agent, actor, consent=consent, consent_note=consent_note)
        return gettext("Voice profile saved from %(calls)s earlier calls.", calls=made.calls)
    if action in ("delete", "withdraw"):
        reason = "consent withdrawn" if action == "withdraw" else "deleted"
        if delete(agent, actor, reason=reason):
            return gettext("Voice profile deleted.")
        return gettext("There was no voice profile to delete.")
    raise VoiceProfileError(gettext("Unknown action."))


__all__ = [
    "MIN_CONFIDENCE",
    "Enrolment",
    "VoiceProfileError",
    "apply",
    "delete",
    "enrol",
    "may_manage",
    "profile_for",
    "profile_of",
]
