"""The thin end-to-end path in a real browser: a lead uploads a call, it is transcribed and scored,
sampled for the week, a reviewer scores it, the agent reads and acknowledges it, the lead assigns
training and the agent completes it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from qa.coaching.models import TrainingModule
from qa.extensions import db
from qa.models import SamplingPolicy
from tests.browser.conftest import seed_team, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CALL = Path(__file__).resolve().parents[2] / "qa" / "demo" / "calls" / "double_charge_refund.ogg"


def seed(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with app.app_context():
        team, users, _ = seed_team()
        people = {role.value: user.email for role, user in users.items()}
        db.session.add(
            SamplingPolicy(
                team=team,
                name="Weekly 10%",
                percentage=10,
                min_per_agent=2,
                max_per_agent=4,
                risk_share=0.5,
            )
        )
        db.session.add(
            TrainingModule(
                title="Empathy that sounds human",
                criterion_key="Empathy",
                content="## Name the feeling\nSay what you heard.",
            )
        )
        db.session.commit()
    return people


def test_call_to_training_journey(live_app, page: Page):
    """Lead, reviewer and agent walk the whole pipeline through the web pages."""
    app, base = live_app
    people = seed(app)
    page.set_default_timeout(60_000)

    # Lead uploads a stereo call for the agent; Whisper transcribes it, AutoQA scores it.
    sign_in(page, base, people["lead"])
    expect(page.get_by_role("heading", name="Team dashboard · Billing")).to_be_visible()
    page.locator("details.more summary").click()  # the lead tools' menu in the top bar
    page.get_by_role("link", name="Upload").click()
    page.get_by_label("Call recording").set_input_files(str(CALL))
    page.get_by_label("Agent", exact=True).select_option(label="Aisha Agent (Billing)")
    page.get_by_label("External id").fill("CALL-1001")
    from qa.models import utcnow

    page.get_by_label("Started at (UTC)").fill(utcnow().strftime("%Y-%m-%dT%H:%M"))
    # Inline transcription loads Whisper and MiniLM in the server on first use: minutes, not
    # seconds, when the 2 cores are shared with another test run.
    page.get_by_role("button", name="Upload and transcribe").click(timeout=240_000)
    expect(page.get_by_text("Recording transcribed and scored.")).to_be_visible()
    transcript = page.locator(".segments")
    expect(transcript).to_contain_text("charged twice")
    expect(page.locator(".seg.agent").first).to_be_visible()
    expect(page.locator(".seg.customer").first).to_be_visible()
    expect(page.locator(".autoqa")).to_contain_text("Empathy:")
    expect(page.locator(".autoqa")).to_contain_text("Resolution:")
    # clicking a segment seeks the audio player
    page.locator(".seg[data-start]").nth(2).click()
    start = float(page.locator(".seg[data-start]").nth(2).get_attribute("data-start"))
    assert abs(page.evaluate("document.getElementById('player').currentTime") - start) < 1.0

    # The weekly sample picks it and assigns the reviewer.
    page.get_by_role("link", name="Dashboard").click()
    from qa.services.sampling import week_of

    page.get_by_label("ISO week").fill(week_of(utcnow()))
    page.get_by_role("button", name="Draw sample").click()
    expect(page.get_by_text("1 interactions sampled, 1 assigned")).to_be_visible()
    sign_out(page)

    # Reviewer scores it on the scorecard.
    sign_in(page, base, people["reviewer"])
    queue = page.locator("#assigned")
    expect(queue).to_contain_text("CALL-1001")
    queue.get_by_role("button", name="Review").click()
    expect(page.locator(".suggest").first).to_contain_text("AutoQA suggests")
    answers = {
        "Greeting and verification": "Yes",
        "Empathy": "5",
        "Tone and professionalism": "4",
        "Resolution": "Yes",
        "Accurate information": "Yes",
        "Data protection": "N/A",
        "Next steps and closing": "2",
    }
    for criterion, choice in answers.items():
        page.locator(f'fieldset[data-criterion="{criterion}"]').get_by_label(
            choice, exact=True
        ).check()
    page.get_by_label("Comment on Next steps and closing").fill("Say when the refund will arrive.")
    page.get_by_role("button", name="Submit review").click()
    # (0-1 yes=100 x1, empathy 100 x2, tone 75 x1, resolution 100 x3, accurate 100 x2, closing 50 x1) / 10
    expect(page.get_by_text("Review submitted: score 92.")).to_be_visible()
    sign_out(page)

    # Agent reads the feedback and acknowledges it.
    sign_in(page, base, people["agent"])
    expect(page.get_by_role("heading", name="My feedback")).to_be_visible()
    page.locator("#feedback").get_by_role("link", name="CALL-1001").click()
    expect(page.locator(".answers")).to_contain_text("Say when the refund will arrive.")
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("Feedback acknowledged.")).to_be_visible()
    sign_out(page)

    # Lead opens the review and assigns training from it.
    sign_in(page, base, people["lead"])
    page.goto(f"{base}/interactions/")
    page.get_by_role("link", name="CALL-1001").click()
    page.get_by_role("link", name="Rita Reviewer").click()
    page.locator("#assign-training").get_by_role("button", name="Assign to Aisha Agent").click()
    expect(page.get_by_text("Assigned “Empathy that sounds human” to Aisha Agent.")).to_be_visible()
    sign_out(page)

    # Agent completes the training.
    sign_in(page, base, people["agent"])
    page.get_by_role("link", name="My training").click()
    page.get_by_role("link", name="Empathy that sounds human").click()
    expect(page.get_by_role("heading", name="Name the feeling")).to_be_visible()
    page.get_by_role("button", name="Mark as completed").click()
    expect(page.get_by_text("Training completed.")).to_be_visible()
    expect(page.locator("#assignments")).to_contain_text("completed")
