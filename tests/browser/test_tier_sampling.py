"""Sampling per tier in a real browser (issue 17): the lead sets a policy's tier and its shares
of escalated and bounced-back interactions on the edit page, sees the form's errors for values
that are not percentages, and reads the shares and what they add in the sampler's preview."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from qa.extensions import db
from qa.models import EscalationOutcome, Role, SamplingPolicy, Team
from qa.services import sampling
from qa.services.escalations import record_escalation
from tests.browser.conftest import seed_team, sign_in
from tests.conftest import make_interaction, make_user

pytestmark = [pytest.mark.browser]


def test_lead_sets_tier_shares_and_reads_them_in_the_preview(live_app, page: Page):
    """Billing (N1) had 12 chats last week, 6 escalated to Experts, 2 of those sent back. The
    lead's policy has a quota of 0: 150 and 12.5 as shares are refused in the form, which
    keeps the other values; N1 with 50% escalated and 100% bounced back is saved, and the
    preview adds 2 bounced back and 1 escalated (ceil(0.5 x 6) = 3, the 2 bounced count)."""
    app, base = live_app
    with app.app_context():
        billing, people, _ = seed_team()
        billing.tier = 1
        experts = Team(name="Experts", tier=2)
        db.session.add(experts)
        db.session.flush()
        expert = make_user(Role.AGENT, team=experts, name="Eve Expert")
        monday, _ = sampling.parse_week(sampling.last_week())
        for k in range(12):
            chat = make_interaction(people[Role.AGENT], started_at=monday + timedelta(hours=k + 9))
            chat.tier = 1
            if k % 2 == 0:
                target = make_interaction(expert, started_at=chat.started_at + timedelta(minutes=5))
                outcome = EscalationOutcome.BOUNCED if k in (2, 8) else EscalationOutcome.SOLVED
                record_escalation(chat, target, outcome=outcome, to_tier=2)
        policy = sampling.save_policy(
            None,
            billing.id,
            {"name": "Weekly", "percentage": 1, "min_per_agent": 0, "max_per_agent": 0,
             "risk_share": 0.0},
            actor=None,
        )  # fmt: skip
        db.session.commit()
        policy_id = policy.id

    sign_in(page, base, "lead@example.com")
    page.goto(f"{base}/sampling/policies/{policy_id}")
    expect(page.locator("#policy-tiers")).to_have_text("every tier")
    expect(page.locator("#preview-extras")).to_have_count(0)
    page.get_by_role("link", name="Edit policy").click()
    tiers = page.locator("#tier-sampling")
    tiers.get_by_label("Tier").select_option("N1")
    tiers.get_by_label("At least this share of the escalated interactions (%)").fill("150")
    tiers.get_by_label("At least this share of the bounced-back interactions (%)").fill("12.5")
    page.get_by_role("button", name="Save policy").click()
    escalated = tiers.locator(".field", has=page.locator("#escalated_share"))
    bounced = tiers.locator(".field", has=page.locator("#bounced_share"))
    expect(escalated.locator(".error")).to_have_text(["A share is a percentage from 0 to 100."])
    expect(bounced.locator(".error")).to_have_text(["A whole percentage, such as 20."])
    expect(tiers.get_by_label("Tier")).to_have_value("1")  # what was typed stays
    with app.app_context():
        assert db.session.get(SamplingPolicy, policy_id).escalated_share == 0

    tiers.get_by_label("At least this share of the escalated interactions (%)").fill("50")
    tiers.get_by_label("At least this share of the bounced-back interactions (%)").fill("100")
    page.get_by_role("button", name="Save policy").click()
    expect(page.get_by_text("Saved sampling policy Weekly.")).to_be_visible()
    expect(page.locator("#policy-tiers")).to_have_text(
        "tier N1, at least 50% of the escalated, at least 100% of the bounced back"
    )
    extras = page.locator("#preview-extras")
    expect(extras.locator("tbody tr")).to_have_count(2)
    expect(extras.locator("tbody tr").nth(0)).to_have_text("Escalated50%1")
    expect(extras.locator("tbody tr").nth(1)).to_have_text("Bounced back100%2")
    with app.app_context():
        saved = db.session.get(SamplingPolicy, policy_id)
        assert (saved.tier, saved.escalated_share, saved.bounced_share) == (1, 0.5, 1.0)
