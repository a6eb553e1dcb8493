"""The reviewer's journey in Chromium (issue 18): the transcript panel lines up, the review form
explains its keys, scale anchors and AutoQA suggestions, a submit leads to the next item in the
queue, /queue shows the week's pacing, and /interactions/ labels its AutoQA columns."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from qa.extensions import db
from qa.models import (
    Assignment,
    Review,
    ReviewStatus,
    Role,
    Sample,
    SamplingPolicy,
    Scorecard,
    User,
)
from qa.services.reviews import start_review
from tests.browser.conftest import sign_in
from tests.browser.test_reviews import add_autoqa_scores
from tests.conftest import make_interaction, make_scorecard, make_team, make_user

pytestmark = [pytest.mark.browser]

SHOTS = Path("/tmp/reviewer-shots")

TURNS = [
    ("customer", "Hi, I was charged twice for my subscription this month."),
    ("agent", "Hello, thanks for reaching out. Can I have your account email?"),
    ("customer", "It's sam@example.invalid."),
    ("agent", "Thanks Sam. I'm so sorry, being double charged is really stressful."),
    ("customer", "Can you refund one of them?"),
    ("agent", "Yes, I've refunded the duplicate charge just now."),
]


def seed(app) -> dict:  # type: ignore[no-untyped-def]
    """A reviewer with a draft on one scored chat and two sampled chats assigned this week."""
    with app.app_context():
        team = make_team("Billing")
        agent = make_user(Role.AGENT, team=team, name="Aisha Agent")
        reviewer = make_user(Role.REVIEWER, name="Rita Reviewer")
        reviewer.weekly_capacity = 12
        make_scorecard()
        chats = []
        for n in range(3):
            chat = make_interaction(agent, turns=TURNS)
            chat.external_id = f"CH-{n + 1:03d}"
            add_autoqa_scores(chat, empathy=85 - 40 * n, resolution=90 - 40 * n)
            chats.append(chat)
        policy = SamplingPolicy(team=team, name="Weekly")
        db.session.add(policy)
        db.session.flush()
        for chat in chats[1:]:
            sample = Sample(policy=policy, week="2026-W01", interaction=chat, stratum="random")
            db.session.add(sample)
            db.session.flush()
            db.session.add(Assignment(sample=sample, interaction=chat, reviewer=reviewer))
        version = db.session.query(Scorecard).one().current
        review = start_review(chats[0], reviewer, version)
        db.session.commit()
        return {
            "reviewer": reviewer.email,
            "review": review.id,
            "chats": [(c.id, c.external_id) for c in chats],
        }


def _shot(page: Page, name: str) -> None:
    """Keep a screenshot of the page for a human look."""
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _lefts(page: Page, selector: str) -> list[float]:
    """The left edge of the text column (.txt) of every transcript line matching `selector`."""
    return page.eval_on_selector_all(
        selector, "els => els.map(e => e.querySelector('.txt').getBoundingClientRect().left)"
    )


def test_transcript_lines_share_one_indent_and_show_no_stray_brackets(live_app, page: Page):
    """Agent, customer and evidence lines start their text at the same x; nothing draws or
    writes a "{" beside a highlighted line (defect 2), on the interaction and review pages."""
    app, base = live_app
    data = seed(app)
    sign_in(page, base, data["reviewer"])
    chat_id = data["chats"][0][0]
    for url in (f"{base}/interactions/{chat_id}", f"{base}/reviews/{data['review']}/edit"):
        page.goto(url)
        expect(page.locator("#seg-3.evidence")).to_be_visible()
        lefts = _lefts(page, ".segments .seg.agent") + _lefts(page, ".segments .seg.customer")
        assert len(lefts) == len(TURNS) and max(lefts) - min(lefts) < 0.5, lefts
        box = page.eval_on_selector_all(
            ".segments .seg", "els => els.map(e => e.getBoundingClientRect().left)"
        )
        assert max(box) - min(box) < 0.5, box
        # the highlight is a straight left edge, not an inset shadow on rounded corners
        style = page.eval_on_selector(
            "#seg-3",
            "e => { const s = getComputedStyle(e); return [s.boxShadow, s.borderTopLeftRadius,"
            " s.borderLeftWidth, s.paddingLeft]; }",
        )
        plain = page.eval_on_selector(
            "#seg-2", "e => { const s = getComputedStyle(e); return s.paddingLeft; }"
        )
        assert style[0] == "none" and style[1] == "0px" and style[2] == "3px", style
        assert style[3] == plain
        assert "{" not in page.locator(".segments").inner_text()
    _shot(page, "transcript")


def test_review_form_keys_anchors_and_accepted_suggestions(live_app, page: Page):
    """Each criterion says its own keys, scale radios carry anchor words, AutoQA suggestions
    are given in the criterion's scale with an "Accept suggestion" that only pre-fills (6)."""
    app, base = live_app
    data = seed(app)
    sign_in(page, base, data["reviewer"])
    page.goto(f"{base}/reviews/{data['review']}/edit")
    expect(page.locator("#keys-help")).not_to_contain_text("1 yes, 0 no)")
    greeting = page.locator('fieldset[data-criterion="Greeting and verification"]')
    expect(greeting.locator(".keyhint")).to_have_text("Keys: 1 Yes · 0 No")
    empathy = page.locator('fieldset[data-criterion="Empathy"]')
    expect(empathy.locator(".keyhint")).to_contain_text("Keys: 1–5 the score")
    expect(empathy.locator(".opt", has_text="1")).to_contain_text("Not at all")
    expect(empathy.locator(".opt", has_text="5")).to_contain_text("Fully")
    expect(empathy.locator(".opt", has_text="3")).to_contain_text("Partly")
    # the radio's name stays the number; the anchor word is its description
    expect(empathy.get_by_label("3", exact=True)).to_have_attribute(
        "aria-describedby", re.compile("-w$")
    )
    # 85/100 → 5 on the 1-5 scale, with the mapping said
    expect(empathy.locator(".suggest")).to_contain_text("AutoQA suggests: 85/100")
    expect(empathy.locator(".suggest .mapped")).to_have_text("5 (Fully)")
    expect(empathy.locator(".suggest")).to_contain_text("80–100 of 100 maps to 5")
    resolution = page.locator('fieldset[data-criterion="Resolution"]')
    expect(resolution.locator(".suggest .mapped")).to_have_text("Yes")
    expect(resolution.locator(".suggest")).to_contain_text("confidence 90%")
    empathy.get_by_role("button", name="Accept suggestion").click()
    expect(empathy.locator('input[type=radio][value="5"]')).to_be_checked()
    resolution.focus()
    page.keyboard.press("s")  # the key accepts too
    expect(resolution.locator('input[type=radio][value="1"]')).to_be_checked()
    _shot(page, "review-form")
    with app.app_context():  # nothing was submitted or saved
        review = db.session.get(Review, data["review"])
        assert review is not None and review.status == ReviewStatus.DRAFT and not review.answers


def test_submit_goes_to_next_in_queue_and_queue_shows_pacing(live_app, page: Page):
    """After a submit the reviewer lands on the next assigned item with a flash naming what was
    saved and its score; /queue shows done vs quota this week."""
    app, base = live_app
    data = seed(app)
    sign_in(page, base, data["reviewer"])
    page.goto(f"{base}/queue")
    pacing = page.locator("#pacing")
    expect(pacing).to_contain_text("0 of 2 done")
    expect(pacing).to_contain_text("capacity 12 a week")
    _shot(page, "queue-before")
    page.goto(f"{base}/reviews/{data['review']}/edit")
    page.locator('fieldset[data-criterion="Greeting and verification"]').focus()
    for key in ["1", "5", "4", "1", "1", "n", "2"]:
        page.keyboard.press(key)
    page.keyboard.press("Control+Enter")
    first, second = data["chats"][0][1], data["chats"][1][1]
    expect(page.locator(".flash")).to_contain_text(
        f"Review submitted: score 92.5. Saved {first} (Aisha Agent). Next in your queue: {second}."
    )
    expect(page.locator("h1")).to_contain_text(second)
    assert re.search(r"/reviews/\d+/edit$", page.url)
    page.goto(f"{base}/queue")
    expect(page.locator("#pacing")).to_contain_text("1 of 2 done")
    with app.app_context():
        reviewer = db.session.query(User).filter_by(email=data["reviewer"]).one()
        drafts = db.session.query(Review).filter_by(reviewer_id=reviewer.id, status="draft")
        assert [r.interaction.external_id for r in drafts] == [second]


def test_interaction_list_labels_autoqa_columns(live_app, page: Page):
    """/interactions/ says "Empathy n/100" and "Resolved n%" with a legend (defect 7)."""
    app, base = live_app
    data = seed(app)
    sign_in(page, base, data["reviewer"])
    page.goto(f"{base}/interactions/")
    row = page.locator("tr", has=page.get_by_role("link", name=data["chats"][0][1]))
    expect(row.locator("td.empathy")).to_have_text("Empathy 85/100")
    expect(row.locator("td.resolution")).to_have_text("Resolved 90%")
    expect(page.locator("#metric-legend")).to_contain_text("probability that the problem")
    expect(page.locator("th abbr[title]").first).to_be_visible()
    _shot(page, "interactions")


def test_reviewer_finds_saves_a_view_and_adds_to_queue(live_app, page: Page):
    """On /interactions/ a reviewer filters by keyword and AutoQA empathy, saves the filter as a
    view, reopens and deletes it, and adds a found conversation to their queue."""
    app, base = live_app
    data = seed(app)
    sign_in(page, base, data["reviewer"])
    page.goto(f"{base}/interactions/")
    page.get_by_label("Keyword in transcript").fill("REFUND")
    page.get_by_label("AutoQA empathy below (0–100)").fill("40")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)  # CH-002 (empathy 45) and CH-003 (5): only CH-003 is below 40
    expect(rows.first).to_contain_text("Empathy 5/100")
    page.get_by_label("Save these filters as").fill("Cold refunds")
    page.get_by_role("button", name="Save view").click()
    expect(page.locator(".flash")).to_contain_text("View “Cold refunds” saved.")
    page.goto(f"{base}/interactions/")
    expect(page.locator("tbody tr")).to_have_count(3)
    page.locator("#saved-views").get_by_role("link", name="Cold refunds").click()
    expect(page.get_by_label("Keyword in transcript")).to_have_value("REFUND")
    expect(page.locator("tbody tr")).to_have_count(1)
    page.locator("tbody tr").first.get_by_role("button", name="Add to my queue").click()
    expect(page.locator(".flash")).to_contain_text("added to your queue")
    expect(page.locator("tbody tr").first).to_contain_text("in your queue")
    _shot(page, "interactions-search")
    page.get_by_role("button", name="Delete view Cold refunds").click()
    expect(page.locator("#saved-views")).to_have_count(0)
    page.goto(f"{base}/queue")
    expect(page.locator("#drafts")).to_contain_text(data["chats"][2][1])
