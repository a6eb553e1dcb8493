"""A long call being transcribed: its page shows how far Whisper has got and follows it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from qa.extensions import db
from qa.models import Channel, Interaction, Role, Status
from tests.browser.conftest import sign_in
from tests.conftest import make_interaction, make_team, make_user

pytestmark = [pytest.mark.browser]


def _set(app, interaction_id: int, **values) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        interaction = db.session.get(Interaction, interaction_id)
        for name, value in values.items():
            setattr(interaction, name, value)
        db.session.commit()


def test_progress_bar_follows_the_transcription(live_app, page: Page) -> None:
    """A lead opens a call while it is transcribed: a progress bar shows 42%; the page reloads
    itself and shows 90% when the worker has got there; once transcribed, the bar is gone."""
    app, base = live_app
    with app.app_context():
        team = make_team("Phones")
        lead = make_user(Role.LEAD, leads=[team])
        agent = make_user(Role.AGENT, team=team)
        call = make_interaction(agent, channel=Channel.CALL, status=Status.TRANSCRIBING, turns=[])
        call.transcription_progress = 0.42
        db.session.commit()
        call_id, lead_email = call.id, lead.email

    sign_in(page, base, lead_email)
    page.goto(f"{base}/interactions/{call_id}")
    bar = page.get_by_role("progressbar", name="Transcription progress")
    expect(bar).to_have_attribute("value", "42")
    expect(page.locator(".transcription-progress")).to_contain_text("42% transcribed")

    _set(app, call_id, transcription_progress=0.9)
    expect(page.locator(".transcription-progress")).to_contain_text("90% transcribed", timeout=15_000)

    _set(app, call_id, status=Status.TRANSCRIBED, transcription_progress=None)
    expect(page.locator(".status.transcribed")).to_be_visible(timeout=15_000)
    expect(page.locator(".transcription-progress")).to_have_count(0)
