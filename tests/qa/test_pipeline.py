"""The real pipeline through the app: upload checked by content → Whisper → AutoQA, and failures
kept with a reason and retryable. Uses the real tiny.en and MiniLM models."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from qa.extensions import db
from qa.models import AutoScore, Interaction, Recording, Status

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CALL = ROOT / "qa" / "demo" / "calls" / "double_charge_refund.ogg"
AUDIO = ROOT / "tests" / "data" / "audio"


def upload(
    client,
    agent,
    path: Path | None = None,
    *,
    data: bytes | None = None,
    name: str | None = None,
    external_id: str = "UP-1",
):
    content = data if data is not None else path.read_bytes()  # type: ignore[union-attr]
    return client.post(
        "/interactions/upload",
        {
            "recording": (io.BytesIO(content), name or (path.name if path else "x.wav")),
            "agent": str(agent.id),
            "external_id": external_id,
            "started_at": "2026-11-16T10:00",
            "agent_channel": "right",
        },
        content_type="multipart/form-data",
    )


def test_upload_transcribes_and_scores(login, world):
    """A stereo call becomes an agent/customer transcript with AutoQA scores and evidence."""
    lead = login(world["lead_red"])
    response = upload(lead, world["agent_red"], CALL)
    assert response.status_code == 302
    interaction = db.session.query(Interaction).filter_by(external_id="UP-1").one()
    assert interaction.status == Status.SCORED, interaction.failure_reason
    speakers = [s.speaker for s in interaction.transcript.segments]
    assert speakers[0] == "customer" and "agent" in speakers
    starts = [s.start for s in interaction.transcript.segments]
    assert starts == sorted(starts)
    text = " ".join(s.text for s in interaction.transcript.segments).lower()
    assert "charged twice" in text
    scores = {
        s.criterion: s for s in db.session.query(AutoScore).filter_by(interaction_id=interaction.id)
    }
    assert set(scores) == {"empathy", "resolution"}
    assert 0 <= scores["empathy"].value <= 100 and scores["empathy"].evidence
    assert (
        scores["resolution"].label in {"resolved", "unresolved"}
        and scores["resolution"].model_version
    )
    page = lead.get(f"/interactions/{interaction.id}").get_data(as_text=True)
    assert 'data-start="' in page and "AutoQA" in page
    audio = lead.get(f"/interactions/{interaction.id}/audio", headers={"Range": "bytes=0-99"})
    assert audio.status_code == 206 and len(audio.data) == 100


def test_not_audio_is_refused_with_reason(login, world):
    """A file that is not audio (whatever its name) is refused with a reason; nothing is stored."""
    lead = login(world["lead_red"])
    response = upload(lead, world["agent_red"], data=b"<html>hello</html>" * 50, name="call.wav")
    assert response.status_code == 400
    assert "audio" in response.get_data(as_text=True).lower()
    assert db.session.query(Recording).count() == 0
    assert db.session.query(Interaction).filter_by(external_id="UP-1").count() == 0
    empty = upload(lead, world["agent_red"], data=b"", name="call.wav")
    assert empty.status_code == 400 and "empty" in empty.get_data(as_text=True)


def test_same_recording_is_not_stored_twice(login, world):
    """Uploading the same file again is refused: one recording per SHA-256."""
    lead = login(world["lead_red"])
    assert upload(lead, world["agent_red"], CALL).status_code == 302
    again = upload(lead, world["agent_red"], CALL, external_id="UP-2")
    assert again.status_code == 400 and "already uploaded" in again.get_data(as_text=True)


def test_silent_call_is_kept_failed_and_retryable(app, login, world):
    """Silence fails transcription; the interaction stays with status failed, a reason, and can be retried."""
    lead = login(world["lead_red"])
    response = upload(lead, world["agent_red"], AUDIO / "silence.wav")
    assert response.status_code == 302
    interaction = db.session.query(Interaction).filter_by(external_id="UP-1").one()
    assert interaction.status == Status.FAILED
    assert "silent" in interaction.failure_reason
    assert interaction.recording is not None
    page = lead.get(f"/interactions/{interaction.id}").get_data(as_text=True)
    assert "silent" in page and "Retry" in page
    result = app.test_cli_runner().invoke(args=["transcribe", "--retry-failed"])
    assert result.exit_code == 0
    assert "failed: audio is silent" in result.output
    db.session.refresh(interaction)
    assert interaction.status == Status.FAILED


def test_mono_call_is_diarized_into_agent_and_customer(app, login, world):
    """A mono upload (two synthesised voices) is stored with agent and customer segments, each
    with a speaker confidence, and the transcript's diarization note, both shown on the page
    (a label under 0.5 marked uncertain); with QA_DIARIZATION off a mono call keeps "unknown"
    speakers."""
    lead = login(world["lead_red"])
    assert upload(lead, world["agent_red"], AUDIO / "mono_call.ogg").status_code == 302
    interaction = db.session.query(Interaction).filter_by(external_id="UP-1").one()
    assert interaction.status == Status.SCORED, interaction.failure_reason
    segments = interaction.transcript.segments
    assert {s.speaker for s in segments} == {"agent", "customer"}
    assert all(0 < (s.speaker_confidence or 0) <= 1 for s in segments)
    assert interaction.transcript.diarization_note == "diarized: 2 speakers"
    for position, seg in enumerate(segments):  # one uncertain label, the others sure
        seg.speaker_confidence = 0.3 if position == 0 else 0.9
    db.session.commit()
    page = lead.get(f"/interactions/{interaction.id}").get_data(as_text=True)
    assert "speakers found by diarization: diarized: 2 speakers" in page
    # one marked segment (the legend above the transcript explains the mark once)
    assert page.count('<abbr class="unsure" title=') == 1 and "diarization confidence 0.30" in page
    assert 'id="unsure-legend"' in page
    app.config["DIARIZATION"] = False
    try:
        response = upload(lead, world["agent_red"], AUDIO / "mono_sentence.wav", external_id="UP-2")
    finally:
        app.config["DIARIZATION"] = True
    assert response.status_code == 302
    plain = db.session.query(Interaction).filter_by(external_id="UP-2").one()
    assert {s.speaker for s in plain.transcript.segments} == {"unknown"}
    assert plain.transcript.diarization_note is None
    assert all(s.speaker_confidence is None for s in plain.transcript.segments)


def test_reviewer_cannot_upload(login, world):
    """Only leads and admins upload recordings."""
    assert upload(login(world["reviewer"]), world["agent_red"], CALL).status_code == 403
    assert upload(login(world["agent_red"]), world["agent_red"], CALL).status_code == 403


def test_lead_cannot_upload_for_other_team(login, world):
    """A lead cannot attach a call to another team's agent."""
    response = upload(login(world["lead_red"]), world["agent_blue"], CALL)
    assert response.status_code == 400  # not among the form's choices
    assert db.session.query(Interaction).filter_by(external_id="UP-1").count() == 0
