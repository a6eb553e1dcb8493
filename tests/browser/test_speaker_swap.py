"""Swapping diarized speakers in a real browser (issue 16): the reviewer opens a diarized mono
call in their review, sees the unsure-label mark and its legend, clicks "Swap agent and
customer" and sees the labels swap and the AutoQA empathy suggestion change (scored again by
the shipped AutoQA model)."""

from __future__ import annotations

from datetime import datetime

import pytest
from playwright.sync_api import Page, expect

from qa import jobs
from qa.extensions import db
from qa.models import AutoScore, Channel, Interaction, Role, Segment, Status, Transcript
from qa.services.reviews import start_review
from tests.browser.conftest import seed_team, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# the diarizer named the speakers the wrong way round: the apologising agent is "customer"
TURNS = [
    ("customer", 0.0, 5.0, "Thank you for calling, my name is Sam, how can I help you today?", 0.42),
    ("agent", 5.5, 12.0, "You charged me twice this month and nobody answers my emails.", 0.81),
    ("customer", 12.5, 22.0, "I am so sorry about that, I completely understand how "
     "frustrating this is. Let me refund the second charge right now.", 0.79),  # fmt: skip
    ("agent", 22.5, 26.0, "Fine. Is it done?", 0.74),
    ("customer", 26.5, 33.0, "Yes, the refund is done, you will see it in three days. "
     "Is there anything else I can help you with?", 0.8),  # fmt: skip
]


def seed(app) -> dict:  # type: ignore[no-untyped-def]
    """Team Billing; a diarized mono call of its agent, scored by AutoQA; the reviewer's draft
    review of it. Returns the review id and the reviewer's address."""
    with app.app_context():
        team, people, version = seed_team()
        call = Interaction(source="test", external_id="MONO-1", channel=Channel.CALL,
                           agent=people[Role.AGENT], team=team, status=Status.TRANSCRIBED,
                           started_at=datetime(2026, 11, 16, 10), duration_seconds=34.0)  # fmt: skip
        transcript = Transcript(interaction=call, duration_seconds=34.0, redactions={},
                                diarization_note="diarized: 2 speakers")  # fmt: skip
        for n, (who, start, end, text, conf) in enumerate(TURNS):
            transcript.segments.append(Segment(position=n, speaker=who, start=start, end=end,
                                               text=text, speaker_confidence=conf))  # fmt: skip
        db.session.add_all([call, transcript])
        db.session.commit()
        assert jobs.score_interactions([call.id]) == 1
        review = start_review(call, people[Role.REVIEWER], version)
        db.session.commit()
        empathy = db.session.query(AutoScore).filter_by(interaction_id=call.id,
                                                        criterion="empathy").one()  # fmt: skip
        return {"review": review.id, "reviewer": people[Role.REVIEWER].email,
                "empathy": empathy.value}  # fmt: skip


def test_reviewer_swaps_speakers_and_sees_the_score_change(live_app, page: Page):
    """Before: segment 1 is "Customer" with the "?" mark and the legend; after one click every
    label is swapped (segment 1 reads "Agent", segment 2 "Customer") and the empathy
    suggestion shows a new value."""
    app, base = live_app
    data = seed(app)
    sign_in(page, base, data["reviewer"])
    page.goto(f"{base}/reviews/{data['review']}/edit")
    first, second = page.locator("#seg-0 .spk"), page.locator("#seg-1 .spk")
    expect(first).to_contain_text("customer", ignore_case=True)
    expect(first.locator("abbr.unsure")).to_be_visible()
    expect(page.locator("#unsure-legend")).to_contain_text("Speaker uncertain")
    suggestion = page.locator('.suggest[data-key="empathy"]').first
    before = suggestion.inner_text()

    page.get_by_role("button", name="Swap agent and customer").click()
    expect(page.locator("#review-form")).to_be_visible()
    expect(first).to_contain_text("agent", ignore_case=True)
    expect(second).to_contain_text("customer", ignore_case=True)
    expect(page.get_by_text("Speakers swapped")).to_be_visible()
    expect(suggestion).not_to_have_text(before)
    with app.app_context():
        after = db.session.query(AutoScore).filter_by(criterion="empathy").one().value
    assert after > data["empathy"]  # the apologies now count as the agent's
