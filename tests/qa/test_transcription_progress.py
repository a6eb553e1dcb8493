"""Transcription progress stored on the interaction, for its page and the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import event, text

from qa.extensions import db
from qa.models import Channel, Interaction, Role, Status
from qa.services.pipeline import progress_writer
from tests.conftest import make_interaction, make_team, make_user
from tests.qa.test_pipeline import upload

CALL = Path(__file__).resolve().parents[2] / "qa" / "demo" / "calls" / "double_charge_refund.ogg"


def _stored(interaction_id: int) -> float | None:
    """The value another connection (the page's request) reads: what was committed."""
    with db.engine.connect() as conn:
        return conn.execute(
            text("SELECT transcription_progress FROM interaction WHERE id = :id"),
            {"id": interaction_id},
        ).scalar_one()


def test_progress_is_committed_in_steps(app) -> None:
    """The writer commits the share done, skipping changes below its step and writes sooner
    than its interval, so other requests see it while the call is still transcribing."""
    team = make_team()
    call = make_interaction(make_user(Role.AGENT, team=team), channel=Channel.CALL,
                            status=Status.TRANSCRIBING)  # fmt: skip
    db.session.commit()
    write = progress_writer(call, every_seconds=0.0, step=0.05)
    write(0.01)
    assert _stored(call.id) is None
    write(0.2)
    assert _stored(call.id) == pytest.approx(0.2)
    write(0.22)
    assert _stored(call.id) == pytest.approx(0.2)
    write(1.4)  # never above done
    assert _stored(call.id) == pytest.approx(1.0)
    slow = progress_writer(call, every_seconds=3600.0)
    slow(0.5)
    assert _stored(call.id) == pytest.approx(1.0)


@pytest.mark.slow
def test_upload_reports_progress_then_clears_it(login, world) -> None:
    """A real upload goes through Whisper with a progress callback: the interaction starts at
    0, and once transcribed (and scored) carries no progress any more."""
    seen: list[float | None] = []

    def record(target, value, oldvalue, initiator):  # type: ignore[no-untyped-def]
        seen.append(value)

    event.listen(Interaction.transcription_progress, "set", record)
    try:
        lead = login(world["lead_red"])
        assert upload(lead, world["agent_red"], CALL).status_code == 302
    finally:
        event.remove(Interaction.transcription_progress, "set", record)
    interaction = db.session.query(Interaction).filter_by(external_id="UP-1").one()
    assert interaction.status == Status.SCORED, interaction.failure_reason
    assert seen[0] == 0.0 and seen[-1] is None
    assert interaction.transcription_progress is None
