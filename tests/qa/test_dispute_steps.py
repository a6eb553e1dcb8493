"""Comment threads on a review: the agent and the reviewer talk it over, the team's lead
reads and posts, each comment notifies the other party, others cannot post."""

from __future__ import annotations

from qa.extensions import db
from qa.models import Notification, ReviewComment
from tests.qa.test_access import submitted_review


def notes_of(user_id: int) -> list[str]:
    """The messages of a user's notifications."""
    return [n.message for n in db.session.query(Notification).filter_by(user_id=user_id)]


def test_comment_thread_notifies_the_other_party(login, world):
    """The agent's comment notifies the reviewer, the reviewer's the agent, the lead's both;
    the thread shows on the review page in order."""
    review = submitted_review(world)
    agent, reviewer, lead = world["agent_red"], world["reviewer"], world["lead_red"]
    before_agent = len(notes_of(agent.id))
    url = f"/reviews/{review.id}/comments"
    assert login(agent).post(url, {"body": "Why a fail on resolution?"}).status_code == 302
    assert any("commented" in m for m in notes_of(reviewer.id))
    assert login(reviewer).post(url, {"body": "No fix was confirmed."}).status_code == 302
    assert len(notes_of(agent.id)) == before_agent + 1
    assert login(lead).post(url, {"body": "Let's talk on Friday."}).status_code == 302
    assert len(notes_of(agent.id)) == before_agent + 2
    page = login(agent).get(f"/reviews/{review.id}").get_data(as_text=True)
    first, second, third = (
        page.index("Why a fail on resolution?"),
        page.index("No fix was confirmed."),
        page.index("Let&#39;s talk on Friday."),
    )
    assert first < second < third
    assert db.session.query(ReviewComment).count() == 3


def test_only_people_who_see_the_review_may_comment(login, world):
    """Another agent, another team's lead and another reviewer get 404; an empty comment is
    refused and stores nothing."""
    review = submitted_review(world)
    url = f"/reviews/{review.id}/comments"
    for key in ("agent_red2", "lead_blue", "reviewer2"):
        assert login(world[key]).post(url, {"body": "hello"}).status_code == 404, key
    response = login(world["agent_red"]).post(url, {"body": "   "})
    assert response.status_code == 302
    assert db.session.query(ReviewComment).count() == 0
