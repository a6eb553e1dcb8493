"""Agents' voice profiles in the app (issue 16): opt-in only, built from the agent's earlier
stereo call (real CAM++ on the demo call), deletable with an audit event, withdrawn consent
deletes it, only the agent or an admin with recorded consent manage it, and the pipeline hands
the profile to the diarizer of the agent's next mono call."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from qa.extensions import db
from qa.models import (
    AuditEvent,
    Channel,
    Interaction,
    Recording,
    Role,
    Segment,
    Status,
    Transcript,
    VoiceProfile,
)
from qa.services import pipeline, voice_profiles
from tests.conftest import make_team, make_user
from transcription import Segment as TimedSegment
from transcription import Transcript as Result
from transcription.audio import decode_audio
from transcription.diarization import speech_regions

CALL = Path(__file__).resolve().parents[2] / "qa" / "demo" / "calls" / "double_charge_refund.ogg"


def stereo_call(agent, tmp_path: Path) -> Interaction:
    """The demo stereo call as `agent`'s earlier call: its agent segments are the speech
    stretches of the right channel (as Whisper's channel labels would give)."""
    path = tmp_path / "earlier.ogg"
    shutil.copy(CALL, path)
    _, (left, right) = decode_audio(path)
    call = Interaction(source="test", external_id=f"EARLY-{agent.id}", channel=Channel.CALL,
                       agent=agent, team=agent.team, status=Status.SCORED,
                       started_at=datetime(2026, 11, 2, 9), duration_seconds=30.1)  # fmt: skip
    db.session.add(call)
    db.session.add(Recording(interaction=call, path=str(path), size=path.stat().st_size,
                             channels=2, agent_channel="right", sha256="a" * 64))  # fmt: skip
    transcript = Transcript(interaction=call, duration_seconds=30.1, redactions={})
    turns = sorted([(s, e, "agent") for s, e in speech_regions(right)]
                   + [(s, e, "customer") for s, e in speech_regions(left)])  # fmt: skip
    for n, (s, e, who) in enumerate(turns):
        transcript.segments.append(Segment(position=n, speaker=who, start=s, end=e, text="..."))
    db.session.add(transcript)
    db.session.commit()
    return call


@pytest.fixture
def people(app):  # type: ignore[no-untyped-def]
    team = make_team("Phones")
    return {
        "agent": make_user(Role.AGENT, team=team),
        "other": make_user(Role.AGENT, team=team),
        "lead": make_user(Role.LEAD, leads=[team]),
        "admin": make_user(Role.ADMIN),
    }


def _actions() -> list[str]:
    query = select(AuditEvent.action).where(AuditEvent.action.like("voice_profile.%"))
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


@pytest.mark.slow
def test_agent_opts_in_then_deletes(people, login, tmp_path):
    """Without the consent box nothing is stored; with it the profile is the 192-dim mean
    embedding of the agent's channel of the earlier call (no audio), with an audit event;
    deleting removes the row and writes "voice_profile.deleted"."""
    agent = people["agent"]
    stereo_call(agent, tmp_path)
    c = login(agent)
    page = c.get("/account/voice-profile").get_data(as_text=True)
    assert "biometric data (GDPR article 9)" in page and "No voice profile is stored." in page
    c.post("/account/voice-profile", {"action": "create"})
    assert db.session.scalar(select(VoiceProfile)) is None
    response = c.post("/account/voice-profile", {"action": "create", "consent": "yes"})
    assert response.status_code == 303
    row = db.session.scalars(select(VoiceProfile)).one()
    assert (row.user_id, row.dims, row.n_calls, row.consent_by_id) == (agent.id, 192, 1, agent.id)
    assert len(row.embedding) == 192 and row.seconds >= 10 and row.n_segments >= 2
    assert sum(v * v for v in row.embedding) == pytest.approx(1.0, abs=1e-3)
    profile = voice_profiles.profile_for(agent.id)
    assert profile is not None and profile.dims == 192
    assert "Stored since" in c.get("/account/voice-profile").get_data(as_text=True)

    c.post("/account/voice-profile", {"action": "withdraw"})
    assert db.session.scalar(select(VoiceProfile)) is None
    assert _actions() == ["voice_profile.created", "voice_profile.deleted"]
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event is not None and event.details == {"reason": "consent withdrawn"}
    assert "embedding" not in str(db.session.scalars(select(AuditEvent.details)).all())


def test_only_the_agent_or_an_admin_with_recorded_consent(people, login):
    """A lead or another agent gets 404 on the agent's profile page; an admin must say where
    the consent is recorded; a reviewer has no profile to make."""
    agent = people["agent"]
    url = f"/account/voice-profile/{agent.id}"
    assert login(people["lead"]).get(url).status_code == 404
    assert login(people["other"]).get(url).status_code == 404
    assert login(people["other"]).post(url, {"action": "delete"}).status_code == 404
    with pytest.raises(voice_profiles.VoiceProfileError, match="recorded consent"):
        voice_profiles.enrol(agent, people["admin"], consent=True)
    with pytest.raises(voice_profiles.VoiceProfileError, match="Not enough"):
        voice_profiles.enrol(agent, people["admin"], consent=True, consent_note="HR file 12")
    assert login(people["admin"]).get(url).status_code == 200
    reviewer = make_user(Role.REVIEWER)
    assert login(reviewer).get("/account/voice-profile").status_code == 404


def test_pipeline_hands_the_agents_profile_to_the_diarizer(people, monkeypatch, tmp_path):
    """A new mono call of an agent with a profile: the diarizer is called with that profile
    (and with None for an agent without one)."""
    agent = people["agent"]
    db.session.add(VoiceProfile(user_id=agent.id, embedding=[1.0] + [0.0] * 191, dims=192,
                                model="m", n_segments=3, n_calls=1, seconds=12.0,
                                consent_at=datetime(2026, 12, 1)))  # fmt: skip
    db.session.commit()
    seen = []

    def fake_label(diarizer, path, result, profile=None):  # type: ignore[no-untyped-def]
        seen.append(profile)
        return result

    class Mono:
        def transcribe(self, path, *, agent_channel="right", progress=None):  # type: ignore[no-untyped-def]
            return Result("en", None, 5.0, (TimedSegment(0.0, 2.0, "unknown", "hello"),))

    monkeypatch.setattr(pipeline, "label_speakers", fake_label)
    for who in (agent, people["other"]):
        call = Interaction(source="test", external_id=f"NEW-{who.id}", channel=Channel.CALL,
                           agent=who, team=who.team, status=Status.PENDING,
                           started_at=datetime(2026, 12, 2, 9))  # fmt: skip
        db.session.add(call)
        db.session.add(Recording(interaction=call, path=str(tmp_path / "x.wav"), size=1,
                                 channels=1, sha256=str(who.id) * 64))  # fmt: skip
        db.session.commit()
        assert pipeline.transcribe(call.id, Mono(), diarizer=object())  # type: ignore[arg-type]
    assert seen[0] is not None and seen[0].embedding[0] == 1.0 and seen[1] is None
