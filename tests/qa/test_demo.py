"""The demo workspace `make run` loads: every role finds content, and loading twice adds nothing."""

from __future__ import annotations

import pytest

from qa.coaching.models import TrainingModule
from qa.demo import DEMO_PASSWORD, demo_accounts
from qa.extensions import db
from qa.models import Dispute, Interaction, Review, ReviewStatus, Status, Team, User
from tests.conftest import Client

pytestmark = pytest.mark.slow


def test_demo_workspace_has_something_for_every_role(app):
    """Demo load (without calls) gives two teams, scored interactions, reviews, a dispute, quizzes."""
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load", "--no-calls"])
    assert result.exit_code == 0, result.output
    assert db.session.query(Team).count() == 2
    assert db.session.query(User).count() == 17
    interactions = db.session.query(Interaction).count()
    assert 250 <= interactions <= 400
    assert db.session.query(Interaction).filter_by(status=Status.SCORED).count() == interactions
    assert db.session.query(Review).filter_by(status=ReviewStatus.SUBMITTED).count() > 40
    assert db.session.query(Dispute).count() == 1
    # the demo's dispute went through the reviewer's rejection and the agent's escalation, on a
    # review that failed Resolution (what its reason is about)
    dispute = db.session.query(Dispute).one()
    assert dispute.status.value == "escalated" and dispute.answered_at and dispute.escalated_at
    failed = {a.criterion.name: a.value for a in dispute.review.answers}
    assert failed["Resolution"] == 0 and dispute.criteria
    assert all(m.quiz for m in db.session.query(TrainingModule))
    homes = {
        "admin": "Team dashboard",
        "lead": "Team dashboard",
        "reviewer": "My review queue",
        "agent": "My feedback",
    }
    for role, email in demo_accounts():
        c = Client(app.test_client())
        assert c.login(email, DEMO_PASSWORD).status_code == 302, email
        page = c.get("/", follow_redirects=True).get_data(as_text=True)
        assert homes[role] in page, (role, email)
    again = runner.invoke(args=["demo", "load", "--no-calls"])
    assert "already loaded" in again.output
    assert db.session.query(Interaction).count() == interactions
