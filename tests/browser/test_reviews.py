"""Review journeys in Chromium: a reviewer scores a chat with the keyboard, the agent disputes,
the lead decides, and a calibration session with three reviewers and the lead's reference."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from qa.extensions import db
from qa.models import AutoScore, Dispute, DisputeStatus, Interaction, Review, ReviewStatus, Role
from tests.browser.conftest import sign_in, sign_out
from tests.conftest import make_interaction, make_scorecard, make_team, make_user

pytestmark = [pytest.mark.browser]

TURNS = [
    ("customer" if k % 2 == 0 else "agent", text)
    for k, text in enumerate(
        [
            "Hi, I was charged twice for my subscription this month.",
            "Hello, thanks for reaching out. Can I have your account email?",
            "It's sam@example.invalid.",
            "Thanks Sam. I'm so sorry, being double charged is really stressful.",
            "It is, money is tight right now.",
            "I completely understand. I can see both charges on the 3rd.",
            "Can you refund one of them?",
            "Yes, I've refunded the duplicate charge just now.",
            "How long will it take?",
            "It usually shows within 3-5 business days.",
            "OK. Will this happen again?",
            "No, I've fixed the billing date so it won't repeat.",
            "Great, thanks.",
            "Is there anything else I can help with?",
            "No that's all.",
            "You're welcome. Have a lovely day, Sam.",
            "You too.",
            "I'll also send a confirmation email now.",
            "Got it, thanks!",
            "Take care.",
        ]
    )
]


def add_autoqa_scores(interaction: Interaction, *, empathy: float, resolution: float) -> None:
    """AutoQA empathy (with evidence on turn 3) and resolution for an interaction."""
    db.session.add_all(
        [
            AutoScore(
                interaction=interaction,
                criterion="empathy",
                value=empathy,
                model_version="t",
                evidence=[
                    {
                        "turn": 3,
                        "speaker": "agent",
                        "text": "being double charged is really stressful",
                        "weight": 0.8,
                    }
                ],
            ),
            AutoScore(
                interaction=interaction,
                criterion="resolution",
                value=resolution,
                label="resolved",
                model_version="t",
                evidence=[],
            ),
        ]
    )


def seed(app) -> dict:  # type: ignore[no-untyped-def]
    """A team with a lead and an agent, three reviewers, the demo scorecard, two scored chats."""
    with app.app_context():
        team = make_team("Billing")
        people = {
            "lead": make_user(Role.LEAD, leads=[team], name="Lena Lead"),
            "agent": make_user(Role.AGENT, team=team, name="Aisha Agent"),
            "r1": make_user(Role.REVIEWER, name="Rita One"),
            "r2": make_user(Role.REVIEWER, name="Rob Two"),
            "r3": make_user(Role.REVIEWER, name="Ray Three"),
        }
        make_scorecard()
        chats = []
        for n in range(2):
            interaction = make_interaction(people["agent"], turns=TURNS)
            interaction.external_id = f"CHAT-{n + 1}"
            add_autoqa_scores(interaction, empathy=85, resolution=90)
            chats.append(interaction)
        db.session.commit()
        out = {k: (u.id, u.email) for k, u in people.items()}
        out["chats"] = [(i.id, i.external_id) for i in chats]
        return out


# Greeting yes, Empathy 5, Tone 4, Resolution yes, Accurate yes, Data protection N/A, Closing 2/3
KEYS = ["1", "5", "4", "1", "1", "n", "2"]


def draft_first_chat(app, people: dict) -> None:  # type: ignore[no-untyped-def]
    """Reviewer r1's draft review of the first seeded chat, as if picked from its page."""
    from qa.models import Scorecard, User
    from qa.services.reviews import start_review

    with app.app_context():
        start_review(
            db.session.get(Interaction, people["chats"][0][0]),
            db.session.get(User, people["r1"][0]),
            db.session.query(Scorecard).one().current,
        )
        db.session.commit()


def score_with_keyboard(page: Page, keys: list[str] = KEYS) -> None:
    """Answer every criterion from the keyboard and submit with Ctrl+Enter."""
    expect(page.locator("#review-form")).to_be_visible()
    page.keyboard.press("j")
    expect(page.locator("fieldset.criterion.active")).to_have_attribute(
        "data-criterion", "Greeting and verification"
    )
    for key in keys:
        page.keyboard.press(key)
    page.keyboard.press("Control+Enter")


def test_reviewer_scores_with_keyboard_then_agent_disputes_and_lead_decides(live_app, page: Page):
    """Reviewer: keyboard scoring with evidence and an anchored comment; agent: dispute, which
    the reviewer rejects and the agent escalates; lead: change one answer, score recomputed;
    agent sees the decision."""
    app, base = live_app
    people = seed(app)
    page.set_default_timeout(15_000)
    chat_id, chat_ext = people["chats"][0]
    draft_first_chat(app, people)  # the reviewer picked the chat from its page earlier

    sign_in(page, base, people["r1"][1])
    page.get_by_role("link", name="My queue").click()
    page.locator("#drafts").get_by_role("link", name=chat_ext).click()
    started = time.monotonic()
    # evidence for the focused criterion is highlighted in the transcript
    empathy = page.locator('fieldset[data-criterion="Empathy"]')
    expect(empathy.locator(".suggest")).to_contain_text("AutoQA suggests: 85")
    # the evidence sentence itself is marked in its segment, green (it pushed empathy up)
    mark = page.locator("#seg-3 mark.ev.up")
    expect(mark).to_have_text("being double charged is really stressful")
    expect(mark).to_have_attribute("title", "empathy +0.80")
    expect(page.locator(".segments mark.ev")).to_have_count(1)
    empathy.locator("a.ev-link").click()
    expect(page.locator("#seg-3")).to_have_class(re.compile(r"\bselected\b"))
    empathy.focus()
    expect(page.locator("#seg-3")).to_have_class(re.compile(r"\bev-focus\b"))
    # anchor a comment on Empathy to the selected segment with "a", type it with "c"
    page.keyboard.press("a")
    expect(empathy.locator("input.segno")).to_have_value("4")
    page.keyboard.press("c")
    page.keyboard.type("Lovely acknowledgement here.")
    page.keyboard.press("Escape")
    # the overall comment is anchored the same way: select a segment, "a", then "c" to type
    overall = page.locator('fieldset[data-criterion="Overall comment"]')
    page.locator("#seg-1").click()
    overall.focus()
    page.keyboard.press("a")
    expect(overall.locator("input.segno")).to_have_value("2")
    page.keyboard.press("c")
    page.keyboard.type("Clear refund explanation overall.")
    page.keyboard.press("Escape")
    page.locator('fieldset[data-criterion="Greeting and verification"]').focus()
    for key in KEYS:
        page.keyboard.press(key)
    page.keyboard.press("Control+Enter")
    expect(page.get_by_text("Review submitted: score 92.5.")).to_be_visible()  # one decimal
    assert time.monotonic() - started < 120
    sign_out(page)
    with app.app_context():
        review = db.session.query(Review).filter_by(interaction_id=chat_id).one()
        assert review.status == ReviewStatus.SUBMITTED and review.duration_seconds > 0
        review_id = review.id

    sign_in(page, base, people["agent"][1])
    feedback = page.locator("#feedback")
    expect(feedback).to_contain_text("Lovely acknowledgement here.")
    feedback.get_by_role("link", name=chat_ext).click()
    expect(page.locator(".answers")).to_contain_text("at #4")
    expect(page.locator("p.comment")).to_contain_text("Clear refund explanation overall. at #2")
    form = page.locator("#dispute-form")
    form.get_by_label("Next steps and closing").check()
    form.get_by_label("Why do you disagree?").fill("I did explain the refund timeline.")
    form.get_by_role("button", name="Open dispute").click()
    expect(page.get_by_text("Dispute opened. The reviewer answers first.")).to_be_visible()
    sign_out(page)
    with app.app_context():
        # the reviewer rejects and the agent escalates (both steps in the browser:
        # tests/browser/test_disputes.py), so the lead decides
        from qa.services import disputes as steps

        dispute = db.session.query(Dispute).one()
        steps.answer(dispute, dispute.review.reviewer, accept=False, comment="It stands.")
        steps.escalate(dispute, dispute.agent, "", 3)
        db.session.commit()

    sign_in(page, base, people["lead"][1])
    page.get_by_role("link", name="Disputes").click()
    page.locator("#disputes").get_by_role("link", name="Decide").click()
    decide = page.locator("#decide-form")
    expect(decide.locator("fieldset.disputed")).to_have_attribute(
        "data-criterion", "Next steps and closing"
    )
    decide.locator('fieldset[data-criterion="Next steps and closing"]').get_by_label(
        "3", exact=True
    ).check()
    decide.get_by_label("Decision comment").fill("Agreed: the timeline was given.")
    decide.get_by_role("button", name="Decide").click()
    expect(page.get_by_text("Dispute changed.")).to_be_visible()
    sign_out(page)

    sign_in(page, base, people["agent"][1])
    page.goto(f"{base}/reviews/{review_id}")
    expect(page.locator("#disputes")).to_contain_text("Agreed: the timeline was given.")
    expect(page.locator(".bigscore")).to_have_text("Score 97.5")  # one decimal, as the audit
    with app.app_context():
        dispute = db.session.query(Dispute).one()
        assert dispute.status == DisputeStatus.CHANGED and dispute.score_after == 97.5


def test_calibration_with_three_reviewers(live_app, page: Page):
    """The lead starts a session, three reviewers score blind, the lead scores the reference,
    closes it and sees answers side by side, alpha and each reviewer's deviation."""
    app, base = live_app
    people = seed(app)
    page.set_default_timeout(15_000)
    chat_ext = people["chats"][0][1]

    sign_in(page, base, people["lead"][1])
    page.get_by_role("link", name="Calibration").click()
    page.get_by_role("link", name="New session").click()
    page.get_by_label("Session name").fill("Week 47 calibration")
    page.get_by_label("Interactions").select_option(label=f"{chat_ext} · chat · Aisha Agent")
    page.get_by_label("Reviewers").select_option(
        label=["Rita One (reviewer)", "Rob Two (reviewer)", "Ray Three (reviewer)"]
    )
    page.get_by_role("button", name="Start calibration").click()
    expect(page.get_by_text("Calibration “Week 47 calibration” started.")).to_be_visible()
    page.locator("#my-reviews").get_by_role("link", name=chat_ext).click()
    score_with_keyboard(page)
    expect(page.get_by_text("Calibration review submitted.")).to_be_visible()
    sign_out(page)

    # Empathy differs: Rita agrees with the lead, Rob says 3, Ray says 1
    for key, empathy in (("r1", "5"), ("r2", "3"), ("r3", "1")):
        sign_in(page, base, people[key][1])
        page.get_by_role("link", name="My queue").click()
        page.locator("#calibration-todo").get_by_role("link", name=chat_ext).click()
        score_with_keyboard(page, ["1", empathy, "4", "1", "1", "n", "2"])
        expect(page.get_by_text("Calibration review submitted.")).to_be_visible()
        expect(page.locator("#my-reviews")).to_contain_text("done")
        expect(page.locator("#agreement")).to_have_count(0)  # blind: no one else's answers
        sign_out(page)

    sign_in(page, base, people["lead"][1])
    page.get_by_role("link", name="Calibration").click()
    page.get_by_role("link", name="Week 47 calibration").click()
    expect(page.locator("#progress")).to_contain_text("Ray Three")
    page.get_by_role("button", name="Close and see results").click()
    expect(page.locator("#agreement")).to_contain_text("Krippendorff")
    deviation = page.locator("#deviation")
    expect(deviation.locator("tr", has_text="Rita One")).to_contain_text("0.0")
    # Rob: empathy 50 points off on 1 of 6 answered criteria -> 8.3; Ray: 100/6 -> 16.7
    expect(deviation.locator("tr", has_text="Rob Two")).to_contain_text("8.3")
    expect(deviation.locator("tr", has_text="Ray Three")).to_contain_text("16.7")
    row = page.locator(".side-by-side tr", has_text="Empathy")
    expect(row.locator("td.differs")).to_have_count(2)
    # calibration never reaches the agent
    with app.app_context():
        assert db.session.query(Review).filter_by(status=ReviewStatus.SUBMITTED).count() == 0
