"""A lead imports chats from a file in Chromium: the report, then the scored chat with evidence."""

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


def test_lead_imports_a_chat_file_and_opens_the_scored_chat(live_app, page: Page, tmp_path: Path):
    """A lead imports a file: the good chat is scored with evidence, a bad row reported by line."""
    app, base = live_app
    with app.app_context():
        team = make_team("Cards")
        lead = make_user(Role.LEAD, leads=[team], name="Lee Lead")
        agent = make_user(Role.AGENT, team=team, name="Ada Agent")
        db.session.commit()
        lead_email, agent_email = lead.email, agent.email
    rows = [
        {"external_id": "IMP-1", "channel": "chat", "agent_email": agent_email,
         "started_at": "2026-11-16T09:30:00",
         "turns": [{"speaker": "customer", "text": "My card was declined at the pharmacy."},
                   {"speaker": "agent", "text": "Oh no, I'm so sorry, that's awful at a pharmacy. "
                                                "I've lifted the block and it works now."},
                   {"speaker": "customer", "text": "It went through this time, thank you!"}]},
        {"external_id": "IMP-2", "channel": "fax", "agent_email": agent_email,
         "started_at": "2026-11-16T09:30:00", "turns": []},
    ]
    file = tmp_path / "chats.jsonl"
    file.write_text("\n".join(json.dumps(r) for r in rows) + "\n")

    page.set_default_timeout(20_000)
    sign_in(page, base, lead_email)
    page.locator("details.more summary").click()  # the lead tools' menu in the top bar
    page.get_by_role("link", name="Upload").click()
    page.get_by_role("link", name="import a JSONL or CSV file").click()
    page.get_by_label("Chats and emails (.jsonl or .csv)").set_input_files(str(file))
    page.get_by_role("button", name="Import and score").click()
    report = page.locator(".import-report")
    expect(report).to_contain_text("Imported 1")
    expect(report).to_contain_text("1 bad row")
    expect(report.locator(".errors li")).to_have_text(
        ["line 2: channel must be call, chat, email or social, got 'fax'"])
    report.get_by_role("link", name="Interactions").click()
    page.get_by_role("link", name="IMP-1").click()
    autoqa = page.locator("section.autoqa")
    expect(autoqa).to_contain_text("Empathy:")
    expect(autoqa).to_contain_text("Resolution:")
    # the evidence sentence is marked in the transcript
    expect(page.locator(".segments mark.ev").first).to_be_visible()
