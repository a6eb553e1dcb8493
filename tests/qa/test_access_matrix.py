"""Access matrix: every route that takes an object id, opened (GET) and posted to (POST) with the
ids of another team's objects by each outsider role, must refuse. The owners' side must get 200
on the same GET URLs, which proves the ids are real. A new id route fails this test until it is
added to OBJECTS, so no route escapes the matrix."""

from __future__ import annotations

from datetime import timedelta

import pytest

from qa.coaching.models import CoachingSession, TrainingAssignment, TrainingModule
from qa.extensions import db
from qa.kb.services import ArticleInput, save_article
from qa.models import (
    Assignment,
    Dispute,
    Role,
    Sample,
    SamplingPolicy,
    SavedView,
    Webhook,
    utcnow,
)
from qa.services.calibration import create_session
from qa.services.tokens import create_token
from tests.conftest import make_user
from tests.qa.test_access import submitted_review

# Global catalogue pages that every signed-in user (or every lead/admin) may read.
SHARED = {
    "coaching.module",
    "scorecards.edit",
    "scorecards.version",
    "scorecards.assign",  # shared too, but a lead names only their teams (test_scorecards)
    "coaching.edit_module",
}


@pytest.fixture
def red_objects(world):
    """One object of each kind belonging to the Red team, keyed by URL parameter and endpoint."""
    review = submitted_review(world)
    dispute = Dispute(review=review, agent=world["agent_red"], reason="no", criteria=[])
    policy = SamplingPolicy(team=world["red"], name="Red weekly", percentage=10)
    db.session.add_all([dispute, policy])
    db.session.flush()
    sample = Sample(
        policy=policy, week="2026-W46", interaction_id=world["i_agent_red2"].id, stratum="random"
    )
    db.session.add(sample)
    db.session.flush()
    assignment = Assignment(
        sample=sample, interaction_id=sample.interaction_id, reviewer_id=world["reviewer"].id
    )
    module = TrainingModule(title="Red module", content="x")
    db.session.add_all([assignment, module])
    db.session.flush()
    training = TrainingAssignment(
        module=module, agent=world["agent_red"], assigned_by=world["lead_red"]
    )
    coaching = CoachingSession(
        lead=world["lead_red"], agent=world["agent_red"], scheduled_at=utcnow() + timedelta(days=1)
    )
    db.session.add_all([training, coaching])
    db.session.flush()
    calibration = create_session(
        "Red calibration",
        world["lead_red"],
        world["scorecard"].current,
        [world["i_agent_red"]],
        [world["reviewer"], make_user(Role.REVIEWER)],
        team_id=world["red"].id,
    )
    token, _ = create_token(world["lead_red"], "red export", None)
    view = SavedView(user_id=world["lead_red"].id, name="Red view", params={})
    webhook = Webhook(url="https://hooks.example.com/x", secret="s" * 16, events="review")
    db.session.add_all([view, webhook])
    article = save_article(None, world["lead_red"], ArticleInput("en", "Red draft", "x", world["red"].id))
    db.session.commit()
    interaction_id = world["i_agent_red"].id
    return {
        "interaction_id": interaction_id,
        "review_id": review.id,
        "dispute_id": dispute.id,
        "policy_id": policy.id,
        "assignment_id": assignment.id,
        "module_id": module.id,
        "agent_id": world["agent_red"].id,
        "user_id": world["agent_red"].id,  # (admin pages: every other role is an outsider)
        "token_id": token.id,
        "scorecard_id": world["scorecard"].id,
        "number": 1,
        "view_id": view.id,
        "webhook_id": webhook.id,  # an admin's: every other role gets 403
        "team_id": world["red"].id,  # the admin's tier forms (qa/tiers): others get 403
        # the same parameter name means different objects on different pages
        ("coaching.assignment", "assignment_id"): training.id,
        ("coaching.session", "session_id"): coaching.id,
        ("coaching.acknowledge_session", "session_id"): coaching.id,
        ("calibration.show", "session_id"): calibration.id,
        ("calibration.close", "session_id"): calibration.id,
        # a Red draft: outsiders may not read it (a published one every user reads)
        **{(f"kb.{page}", "number"): article.id for page in ("show", "history", "edit")},
    }


def id_routes(app):
    for rule in app.url_map.iter_rules():
        ints = [
            name
            for name, conv in rule._converters.items()
            if type(conv).__name__ in {"BoundedInt", "IntegerConverter"}
        ]
        if ints and not rule.rule.startswith("/api/"):
            yield rule, ints


def url_for_rule(rule, names, objects) -> str:
    values = {}
    for name in names:
        key = (rule.endpoint, name) if (rule.endpoint, name) in objects else name
        assert key in objects, f"{rule.rule}: add an object for <{name}> to the access matrix"
        values[name] = objects[key]
    for name in rule.arguments - set(names):
        values[name] = "x"
    return rule.build(values)[1]


def test_every_id_route_refuses_outsiders(app, login, world, red_objects):
    """Blue agent, Blue lead and an uninvolved reviewer get 403/404 on every Red object, GET and POST."""
    outsiders = {
        "agent_blue": login(world["agent_blue"]),
        "lead_blue": login(world["lead_blue"]),
        "reviewer2": login(world["reviewer2"]),
    }
    checked = 0
    for rule, names in id_routes(app):
        if rule.endpoint in SHARED:
            continue
        url = url_for_rule(rule, names, red_objects)
        for who, client in outsiders.items():
            for method in sorted(rule.methods & {"GET", "POST"}):
                response = (
                    client.get(url)
                    if method == "GET"
                    else client.post(url, {"reason": "x", "comment": "x"})
                )
                assert response.status_code in {403, 404}, (who, method, url, response.status_code)
                checked += 1
    assert checked > 60


def test_owners_reach_the_same_urls(app, login, world, red_objects):
    """The Red lead (or the admin) opens every GET route above, so the ids in the matrix are real."""
    lead, admin = login(world["lead_red"]), login(world["admin"])
    agent_only = {"coaching.assignment", "reviews.feedback"}
    for rule, names in id_routes(app):
        # (audio: these chats have no recording; edit: only the reviewer, covered in test_access)
        if "GET" not in rule.methods or rule.endpoint in {"reviews.edit", "interactions.audio"}:
            continue
        url = url_for_rule(rule, names, red_objects)
        client = login(world["agent_red"]) if rule.endpoint in agent_only else lead
        status = client.get(url).status_code
        if status != 200:
            status = admin.get(url).status_code
        assert status in {200, 302}, (url, status)
