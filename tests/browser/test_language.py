"""Chats in Chromium: a French chat imported next to an English one is scored too (the shipped
model knows English and French), and a German one says "not scored: language de" in the list
and on its page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from qa.extensions import db
from qa.models import Role
from tests.browser.conftest import sign_in
from tests.conftest import make_team, make_user

pytestmark = [pytest.mark.browser]


def test_french_chat_scored_german_chat_not(live_app, page: Page, tmp_path: Path):
    """A lead imports a French, an English and a German chat: the French and English ones show
    their scores, the German one is not scored and says why."""
    app, base = live_app
    with app.app_context():
        team = make_team("Service Client")
        lead = make_user(Role.LEAD, leads=[team], name="Léa Lead")
        agent = make_user(Role.AGENT, team=team, name="Camille Agent")
        db.session.commit()
        lead_email, agent_email = lead.email, agent.email
    rows = [
        {"external_id": "FR-1", "channel": "chat", "agent_email": agent_email,
         "started_at": "2026-11-16T09:30:00",
         "turns": [{"speaker": "customer", "text": "bjr, jai tjrs pas reçu mon colis, c normal ?"},
                   {"speaker": "agent", "text": "Bonjour, je suis désolée pour ce retard, je "
                                                "comprends tout à fait. Il arrive jeudi."},
                   {"speaker": "customer", "text": "ok merci bcp, bonne journée"}]},
        {"external_id": "EN-1", "channel": "chat", "agent_email": agent_email,
         "started_at": "2026-11-16T09:40:00",
         "turns": [{"speaker": "customer", "text": "My parcel has not arrived yet."},
                   {"speaker": "agent", "text": "I am sorry about the wait, it arrives Thursday."}]},
        {"external_id": "DE-1", "channel": "chat", "agent_email": agent_email,
         "started_at": "2026-11-16T09:50:00", "language": "de",
         "turns": [{"speaker": "customer", "text": "Mein Paket ist noch nicht angekommen."},
                   {"speaker": "agent", "text": "Das tut mir leid, es kommt am Donnerstag."}]},
    ]  # fmt: skip
    file = tmp_path / "chats.jsonl"
    file.write_text("\n".join(json.dumps(r) for r in rows) + "\n")

    page.set_default_timeout(90_000)  # the import scores inline: the encoder loads first
    sign_in(page, base, lead_email)
    page.goto(f"{base}/interactions/import")
    page.get_by_label("Chats and emails (.jsonl or .csv)").set_input_files(str(file))
    page.get_by_role("button", name="Import and score").click()
    expect(page.locator(".import-report")).to_contain_text("Imported 3")
    page.goto(f"{base}/interactions/")
    for scored in ("FR-1", "EN-1"):
        scored_row = page.locator("tr", has=page.get_by_role("link", name=scored))
        expect(scored_row.locator("td.empathy")).to_contain_text("Empathy")
        expect(scored_row.locator(".autoqa-skipped")).to_have_count(0)
    german_row = page.locator("tr", has=page.get_by_role("link", name="DE-1"))
    expect(german_row.locator(".autoqa-skipped")).to_have_text("not scored: language de")
    page.get_by_role("link", name="FR-1").click()
    expect(page.locator("section.autoqa")).to_contain_text("Empathy")
    expect(page.locator(".meta dd.language")).to_contain_text("fr")
    page.goto(f"{base}/interactions/")
    page.get_by_role("link", name="DE-1").click()
    expect(page.locator("section.autoqa")).to_contain_text("not scored: language de")
    expect(page.locator("section.autoqa")).not_to_contain_text("Empathy:")
    expect(page.locator(".meta dd.language")).to_contain_text("de")
