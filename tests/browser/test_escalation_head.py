"""The escalation-justified AutoQA head on the admin's models page, in a real browser (issue
17): its state before training (the reviewer answers it could learn from), then a training
started from the page with the real MiniLM encoder, after which the page shows the trained,
active version with its training size, held-out metrics, languages and date."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from qa.models import Role
from qa.services import escalation_head
from tests.browser.conftest import seed_admin, sign_in
from tests.conftest import make_team, make_user
from tests.qa.test_tiers_escalation_head import seed_reviewed_escalations

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _seed_reviewed_escalations(count: int) -> None:
    """`count` N1 chats escalated to N2, alike but for the reason, each answered by a reviewer
    on the escalation criterion: justified for the reasons that need N2, not for the others."""
    red, blue = make_team("Red"), make_team("Blue")
    red.tier, blue.tier = 1, 2
    admin, reviewer = seed_admin(), make_user(Role.REVIEWER)
    agent, other = make_user(Role.AGENT, team=red), make_user(Role.AGENT, team=blue)
    seed_reviewed_escalations(count, admin, reviewer, agent, other)


def test_admin_sees_and_trains_the_escalation_head(live_app, page: Page):
    """64 reviewer answers: "Not trained" with "64 (at least 30 needed)"; the page's button
    trains it in the background, and after the reload the head is active, trained on 64
    answers (48 / 16), with a held-out AUC above 0.5, English, today's date; the button now
    says Retrain."""
    app, base = live_app
    app.config["AUTOQA_MIN_LABELS"] = 30
    with app.app_context():
        _seed_reviewed_escalations(64)

    sign_in(page, base, "admin@example.com")
    page.goto(f"{base}/admin/models")
    card = page.locator("#escalation-head")
    expect(card.get_by_role("heading", name="Escalation head")).to_be_visible()
    expect(card.locator("#escalation-trained")).to_have_text("Not trained")
    expect(card.locator("#escalation-labels")).to_have_text("64 (at least 30 needed)")
    expect(card).to_contain_text("Escalation justified / correctly routed")
    expect(card.locator("#escalation-versions")).to_have_count(0)
    card.get_by_role("button", name="Train the escalation head").click()
    expect(page.get_by_text("Training of the escalation head started")).to_be_visible()
    # admin.js polls the job and reloads the page when it ends (the encoder loads first)
    expect(card.locator("#escalation-trained")).to_contain_text(
        "Trained, active version crit", timeout=240_000
    )
    expect(page.locator("#train-text")).to_contain_text("escalation head activated")
    row = card.locator("#escalation-versions tbody tr")
    expect(row).to_have_count(1)
    cells = row.locator("td")
    expect(cells.nth(2)).to_have_text("64 (48 / 16)")
    auc = float(cells.nth(3).inner_text())
    assert 0.5 < auc <= 1.0
    expect(cells.nth(7)).to_contain_text("16 held-out reviewer answers")
    expect(cells.nth(8)).to_have_text("en")
    expect(cells.nth(1)).to_have_text(re.compile(r"^\d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC$"))
    expect(card.get_by_role("button", name="Retrain the escalation head")).to_be_visible()
    with app.app_context():
        assert escalation_head.registry().active() is not None
