"""The knowledge base in Chromium: a lead writes an article, a reviewer links it from a
criterion comment ("KB-n"), and the agent opens it from their feedback."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from qa.extensions import db
from qa.kb.models import KbReviewLink
from qa.models import Review
from tests.browser.conftest import sign_in, sign_out
from tests.browser.test_reviews import KEYS, draft_first_chat, seed

pytestmark = [pytest.mark.browser]


def test_lead_writes_reviewer_links_agent_reads(live_app, page: Page):
    """Lead: new article, published; reviewer: "KB-n" in the Empathy comment of a review;
    agent: the comment on /feedback is a link that opens the article."""
    app, base = live_app
    people = seed(app)
    page.set_default_timeout(15_000)
    chat_id, chat_ext = people["chats"][0]
    draft_first_chat(app, people)

    sign_in(page, base, people["lead"][1])
    page.get_by_role("link", name="Knowledge base").click()
    page.get_by_role("link", name="New article").click()
    page.get_by_label("Title").fill("Refund a double charge")
    page.get_by_label("Body (Markdown)").fill("Refund the **duplicate** payment in billing.")
    page.get_by_label("Topic").fill("billing")
    page.get_by_label("Status").select_option("published")
    page.get_by_role("button", name="Save article").click()
    expect(page.get_by_role("heading", name="Refund a double charge")).to_be_visible()
    number = int(re.search(r"/kb/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    expect(page.locator("#kb-body strong")).to_have_text("duplicate")
    sign_out(page)

    sign_in(page, base, people["r1"][1])
    page.get_by_role("link", name="My queue").click()
    page.locator("#drafts").get_by_role("link", name=chat_ext).click()
    expect(page.locator("#review-form")).to_be_visible()
    page.locator('fieldset[data-criterion="Empathy"]').focus()
    page.keyboard.press("c")
    page.keyboard.type(f"The answer was in KB-{number}.")
    page.keyboard.press("Escape")
    page.locator('fieldset[data-criterion="Greeting and verification"]').focus()
    for key in KEYS:
        page.keyboard.press(key)
    page.keyboard.press("Control+Enter")
    expect(page.get_by_text("Review submitted")).to_be_visible()
    sign_out(page)
    with app.app_context():
        review = db.session.query(Review).filter_by(interaction_id=chat_id).one()
        links = db.session.query(KbReviewLink).filter_by(review_id=review.id).all()
        assert [link.article_id for link in links] == [number]

    sign_in(page, base, people["agent"][1])
    page.goto(f"{base}/feedback")
    link = page.locator("#feedback").get_by_role("link", name=f"KB-{number}")
    expect(link).to_be_visible()
    link.click()
    expect(page).to_have_url(f"{base}/kb/{number}")
    expect(page.get_by_role("heading", name="Refund a double charge")).to_be_visible()
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
