"""The demo workspace `make run` loads: every role finds content, and loading twice adds nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from qa.coaching.models import TrainingAssignment, TrainingModule
from qa.demo import DEMO_PASSWORD, demo_accounts
from qa.extensions import db
from qa.kb.models import KbArticle, KbReviewLink
from qa.kb.services import module_articles
from qa.models import (
    Dispute,
    Interaction,
    Review,
    ReviewStatus,
    Scorecard,
    ScorecardVersion,
    Status,
    Team,
    User,
)
from qa.services import scorecards as assigning
from tests.conftest import Client

pytestmark = pytest.mark.slow


def test_demo_workspace_has_something_for_every_role(app):
    """Demo load (without calls) gives two English teams and a French one, scored interactions,
    reviews, a dispute, quizzes; the French chats are scored by the shipped French model; the
    French team has a lead who reads Coachline in French, its own French scorecard with two
    reviews, and a French training module assigned to one of its agents."""
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load", "--no-calls"])
    assert result.exit_code == 0, result.output
    assert db.session.query(Team).count() == 3
    assert db.session.query(User).count() == 20
    interactions = db.session.query(Interaction).count()
    assert 250 <= interactions <= 400
    assert db.session.query(Interaction).filter_by(status=Status.SCORED).count() == interactions
    assert db.session.query(Review).filter_by(status=ReviewStatus.SUBMITTED).count() > 40
    assert db.session.query(Dispute).count() == 1
    french = db.session.query(Interaction).join(Team).filter(Team.language == "fr").all()
    assert len(french) == 5
    assert {(i.language, i.autoqa_skipped, len(i.auto_scores)) for i in french} == {("fr", None, 2)}
    # the demo's dispute went through the reviewer's rejection and the agent's escalation, on a
    # review that failed Resolution (what its reason is about)
    dispute = db.session.query(Dispute).one()
    assert dispute.status.value == "escalated" and dispute.answered_at and dispute.escalated_at
    failed = {a.criterion.name: a.value for a in dispute.review.answers}
    assert failed["Resolution"] == 0 and dispute.criteria
    assert all(m.quiz for m in db.session.query(TrainingModule))
    french_team = db.session.query(Team).filter_by(language="fr").one()
    card = db.session.query(Scorecard).filter_by(language="fr").one()
    assert [(a.team_id, a.channel) for a in assigning.assignments_of(card)] == [(french_team.id, None)]
    assert {r.interaction.team_id for r in db.session.query(Review).join(ScorecardVersion)
            .filter(ScorecardVersion.scorecard_id == card.id)} == {french_team.id}  # fmt: skip
    assert db.session.query(Review).join(ScorecardVersion).filter(
        ScorecardVersion.scorecard_id == card.id).count() == 2  # fmt: skip
    [module] = db.session.query(TrainingModule).filter_by(language="fr").all()
    assert [a.agent.team_id for a in db.session.query(TrainingAssignment).filter_by(module=module)] == [
        french_team.id]  # fmt: skip
    assert db.session.query(TrainingModule).filter_by(language="en").count() >= 3
    homes = {
        "admin": "Team dashboard",
        "lead": "Team dashboard",
        "reviewer": "My review queue",
        "agent": "My feedback",
    }
    french_homes = {"lead": "Tableau de bord"}
    for role, email in demo_accounts():
        c = Client(app.test_client())
        assert c.login(email, DEMO_PASSWORD).status_code == 302, email
        page = c.get("/", follow_redirects=True).get_data(as_text=True)
        locale = db.session.scalar(select(User.locale).where(User.email == email))
        assert (french_homes if locale == "fr" else homes)[role] in page, (role, email)
    again = runner.invoke(args=["demo", "load", "--no-calls"])
    assert "already loaded" in again.output
    assert db.session.query(Interaction).count() == interactions


def test_demo_knowledge_base_is_linked_from_feedback_and_training(app):
    """The demo writes articles (one in English and French), links them from review comments
    (recorded) and the empathy module, and the agent of a linked review sees the link."""
    result = app.test_cli_runner().invoke(args=["demo", "load", "--no-calls"])
    assert result.exit_code == 0, result.output
    articles = db.session.scalars(select(KbArticle)).all()
    assert len(articles) >= 4 and any(len(a.translations) == 2 for a in articles)
    link = db.session.scalars(select(KbReviewLink)).first()
    assert link is not None
    module = db.session.scalars(
        select(TrainingModule).where(TrainingModule.criterion_key == "Empathy")
    ).one()
    assert module_articles(module.id)
    review = db.session.get(Review, link.review_id)
    agent = Client(app.test_client())
    assert agent.login(review.interaction.agent.email, DEMO_PASSWORD).status_code == 302
    page = agent.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert f'href="/kb/{link.article_id}"' in page
