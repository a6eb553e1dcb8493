"""Role and ownership rules, checked by opening other people's objects by URL."""

from __future__ import annotations

import pytest

from qa.extensions import db
from qa.models import Answer, Review, ReviewStatus, utcnow
from qa.services.reviews import AnswerInput, save_answers, start_review
from tests.conftest import make_interaction


def submitted_review(w, agent_key="agent_red", reviewer_key="reviewer") -> Review:
    interaction = w[f"i_{agent_key}"]
    version = w["scorecard"].current
    review = start_review(interaction, w[reviewer_key], version)
    answers = {c.id: AnswerInput(value=c.scale_max) for c in version.criteria}
    save_answers(review, answers, "good", submit=True, actor=w[reviewer_key])
    db.session.commit()
    return review


def test_anonymous_is_sent_to_login(client, world):
    """Every page asks an anonymous visitor to sign in."""
    for url in (
        "/",
        "/interactions/",
        f"/interactions/{world['i_agent_red'].id}",
        "/feedback",
        "/dashboard",
        "/training/",
        "/admin/users",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


@pytest.mark.parametrize(
    "role_key, allowed",
    [
        ("agent_red", {"i_agent_red"}),
        ("agent_blue", {"i_agent_blue"}),
        ("lead_red", {"i_agent_red", "i_agent_red2"}),
        ("lead_blue", {"i_agent_blue"}),
        ("admin", {"i_agent_red", "i_agent_red2", "i_agent_blue"}),
        ("reviewer", set()),
    ],
)
def test_interaction_visibility_by_url(login, world, role_key, allowed):
    """Each role opens exactly the interactions it may see; the others answer 404."""
    c = login(world[role_key])
    for key in ("i_agent_red", "i_agent_red2", "i_agent_blue"):
        response = c.get(f"/interactions/{world[key].id}")
        assert response.status_code == (200 if key in allowed else 404), (role_key, key)
        listing = c.get("/interactions/").get_data(as_text=True)
        assert (world[key].external_id in listing) == (key in allowed)


def test_reviewer_sees_what_they_reviewed(login, world):
    """A reviewer can open an interaction once they reviewed it, but not another reviewer's review."""
    review = submitted_review(world)
    c = login(world["reviewer"])
    assert c.get(f"/interactions/{world['i_agent_red'].id}").status_code == 200
    assert c.get(f"/reviews/{review.id}").status_code == 200
    other = login(world["reviewer2"])
    assert other.get(f"/reviews/{review.id}").status_code == 404
    assert other.get(f"/interactions/{world['i_agent_red'].id}").status_code == 404


def test_agent_sees_only_own_submitted_reviews(login, world):
    """An agent opens their own submitted review, not a colleague's, and not a draft."""
    review = submitted_review(world)
    assert login(world["agent_red"]).get(f"/reviews/{review.id}").status_code == 200
    assert login(world["agent_red2"]).get(f"/reviews/{review.id}").status_code == 404
    assert login(world["agent_blue"]).get(f"/reviews/{review.id}").status_code == 404
    draft = start_review(world["i_agent_red2"], world["reviewer"], world["scorecard"].current)
    db.session.commit()
    assert draft.status == ReviewStatus.DRAFT
    assert login(world["agent_red2"]).get(f"/reviews/{draft.id}").status_code == 404


def test_agent_cannot_dispute_or_acknowledge_someone_elses_review(login, world):
    """Guessing the dispute and acknowledge URLs of a colleague's review changes nothing."""
    review = submitted_review(world)
    c = login(world["agent_red2"])
    assert c.post(f"/reviews/{review.id}/dispute", {"reason": "not mine"}).status_code == 404
    assert c.post(f"/reviews/{review.id}/acknowledge").status_code == 404
    db.session.refresh(review)
    assert review.disputes == [] and review.acknowledged_at is None


def test_lead_cannot_open_other_teams_review_or_dispute(login, world):
    """A lead sees their team's reviews and disputes, not another team's."""
    review = submitted_review(world)
    blue = login(world["lead_blue"])
    assert blue.get(f"/reviews/{review.id}").status_code == 404
    agent = login(world["agent_red"])
    assert agent.post(f"/reviews/{review.id}/dispute", {"reason": "I fixed it"}).status_code == 302
    dispute = review.disputes[0]
    assert blue.get(f"/disputes/{dispute.id}").status_code == 404
    assert blue.post(f"/disputes/{dispute.id}", {"comment": "no"}).status_code == 404
    assert login(world["lead_red"]).get(f"/disputes/{dispute.id}").status_code == 200


@pytest.mark.parametrize(
    "url, roles_allowed",
    [
        ("/dashboard", {"lead_red", "admin"}),
        ("/interactions/upload", {"lead_red", "admin"}),
        ("/admin/users", {"admin"}),
        ("/queue", {"reviewer"}),
        ("/feedback", {"agent_red"}),
        ("/disputes", {"lead_red", "admin", "reviewer"}),
        ("/training/assign", {"lead_red", "admin"}),
    ],
)
def test_pages_by_role(login, world, url, roles_allowed):
    """Role-only pages answer 403 to the other roles."""
    for key in ("agent_red", "reviewer", "lead_red", "admin"):
        status = login(world[key]).get(url).status_code
        assert status == (200 if key in roles_allowed else 403), (url, key, status)


def test_lead_cannot_view_other_team_on_dashboard(login, world):
    """Asking the dashboard for a team the lead does not lead is refused."""
    c = login(world["lead_red"])
    assert c.get(f"/dashboard?team={world['red'].id}").status_code == 200
    assert c.get(f"/dashboard?team={world['blue'].id}").status_code == 404


def test_audio_of_other_agents_call_is_not_served(login, world):
    """The recording URL follows the interaction's visibility."""
    c = login(world["agent_red2"])
    assert c.get(f"/interactions/{world['i_agent_red'].id}/audio").status_code == 404


def test_reviewer_cannot_review_own_interaction(app, world):
    """Nobody reviews their own interaction."""
    from qa.services.reviews import ReviewError

    interaction = make_interaction(world["reviewer"], team=world["red"])
    with pytest.raises(ReviewError):
        start_review(interaction, world["reviewer"], world["scorecard"].current)


def test_submitted_review_cannot_be_edited(login, world):
    """Once submitted, the review form redirects and posted answers are ignored."""
    review = submitted_review(world)
    c = login(world["reviewer"])
    response = c.post(f"/reviews/{review.id}/edit", {"submit": "1"})
    assert response.status_code == 302
    assert db.session.query(Answer).filter_by(review_id=review.id).count() == len(
        world["scorecard"].current.criteria
    )
    assert review.submitted_at <= utcnow()
