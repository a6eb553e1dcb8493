"""Call analytics in a real browser (issue 16): a demo call transcribed by the real Whisper shows
its timeline of who spoke when on the reviewer's review page, with as many agent and customer
spans as the call has speech stretches; its agent sees it on their call, and nobody else's."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from qa.extensions import db
from qa.ml import get_transcriber
from qa.models import (
    Assignment,
    Channel,
    Interaction,
    Role,
    Sample,
    SamplingPolicy,
    Segment,
    Status,
    Transcript,
    User,
)
from qa.services import pipeline
from qa.services.ingest import IngestSettings, ingest_recording
from tests.browser.conftest import seed_team, sign_in, sign_out
from tests.conftest import PASSWORD_HASH
from transcription import Segment as TimedSegment
from transcription import call_analytics

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CALL = Path(__file__).resolve().parents[2] / "qa" / "demo" / "calls" / "double_charge_refund.ogg"


def seed(app) -> dict:  # type: ignore[no-untyped-def]
    """Team Billing; the demo call of Aisha Agent transcribed by Whisper (its analytics stored
    by the pipeline) and a copy of it as Bob Agent's call. Returns ids and the span counts
    transcription.call_analytics gives for the stored segments."""
    with app.app_context():
        team, people, _ = seed_team()
        bob = User(email="bob@example.com", name="Bob Agent", role=Role.AGENT, team=team)
        bob.password_hash = PASSWORD_HASH
        db.session.add(bob)
        db.session.commit()
        row = {"external_id": "CALL-2001", "agent_email": people[Role.AGENT].email,
               "started_at": "2026-11-16T10:00"}  # fmt: skip
        with CALL.open("rb") as handle:
            call = ingest_recording(
                row, handle, CALL.name, settings=IngestSettings.from_config(app.config),
                actor=None, source="test", agent_channel="right", process="none",
            )  # fmt: skip
        db.session.commit()
        assert pipeline.transcribe(call.id, get_transcriber()), call.failure_reason
        call = db.session.get(Interaction, call.id)
        segments = call.transcript.segments
        figures = call_analytics(
            [TimedSegment(s.start, s.end, s.speaker, s.text) for s in segments],
            call.transcript.duration_seconds,
        )
        counts = {k: len(figures.timeline(k)) for k in ("agent", "customer")}
        copy = Interaction(source="test", external_id="CALL-2002", channel=Channel.CALL,
                           agent=bob, team=team, started_at=call.started_at,
                           status=Status.TRANSCRIBED)  # fmt: skip
        transcript = Transcript(interaction=copy, duration_seconds=figures.duration, redactions={})
        for s in segments:
            transcript.segments.append(
                Segment(
                    position=s.position, speaker=s.speaker, start=s.start, end=s.end, text=s.text
                )  # fmt: skip
            )
        db.session.add_all([copy, transcript])
        # the reviewer's assignment: reviewers see the calls they are given
        policy = SamplingPolicy(team=team, name="Weekly")
        sample = Sample(policy=policy, week="2026-W47", interaction=call, stratum="random")
        db.session.add_all([policy, sample])
        db.session.add(Assignment(sample=sample, interaction=call, reviewer=people[Role.REVIEWER]))
        db.session.commit()
        return {"call": call.id, "bob_call": copy.id, "counts": counts,
                "people": {r.value: u.email for r, u in people.items()}}  # fmt: skip


def _expect_timeline(page: Page, counts: dict[str, int]) -> None:
    picture = page.get_by_role("img", name="Timeline of who spoke when")
    expect(picture).to_be_visible()
    for kind, n in counts.items():
        expect(picture.locator(f"rect.span.{kind}")).to_have_count(n)
    legend = page.locator(".call-analytics .legend")
    expect(legend).to_contain_text("Agent")
    expect(legend).to_contain_text("Overtalk")
    expect(legend).to_contain_text("Silence")
    expect(page.locator(".call-analytics dl.figures")).to_contain_text("Talk ratio")
    expect(page.locator('.call-analytics [data-figure="dead_air"]')).to_be_visible()


def test_reviewer_and_agent_see_the_call_timeline(live_app, page: Page):
    """The reviewer's interaction and review pages draw the demo call's agent and customer spans; the agent
    sees the same on their call and is refused another agent's call."""
    app, base = live_app
    data = seed(app)
    counts = data["counts"]
    assert counts["agent"] >= 2 and counts["customer"] >= 2  # a real two-sided call

    sign_in(page, base, data["people"]["reviewer"])
    page.goto(f"{base}/interactions/{data['call']}")
    _expect_timeline(page, counts)
    page.goto(f"{base}/queue")
    page.locator("#assigned").get_by_role("button", name="Review").click()
    expect(page.locator("#review-form")).to_be_visible()
    _expect_timeline(page, counts)
    sign_out(page)

    sign_in(page, base, data["people"]["agent"])
    page.goto(f"{base}/interactions/{data['call']}")
    _expect_timeline(page, counts)
    response = page.goto(f"{base}/interactions/{data['bob_call']}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("img", name="Timeline of who spoke when")).to_have_count(0)
