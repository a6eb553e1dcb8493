"""The "Escalation justified / correctly routed" criterion (issue 17): added from the scorecard
builder with the AutoQA key `escalation`, and its head learned from reviewers, whose features
are the conversation and the escalation's reason (the slow test uses the real MiniLM encoder)."""

from __future__ import annotations

import re

import pytest

from qa.extensions import db
from qa.models import AutoScore, Role, Scorecard
from qa.services import escalation_head
from qa.services import reviews as review_service
from qa.services.escalations import record_escalation
from qa.services.pipeline import score
from tests.conftest import make_interaction, make_team, make_user

JUSTIFIED = [
    "refund above the agent's approval limit",
    "line fault needs an engineer visit",
    "account locked by fraud checks, only N2 can unlock",
    "contract change needs a signed approval",
]
UNJUSTIFIED = [
    "password reset, the steps are in the knowledge base",
    "customer asked for the opening hours",
    "how to download an invoice from the portal",
    "change of email address the agent can do",
]
OPENERS = [
    "Hi, I have a problem with my account.",
    "Hello, I need some help please.",
    "Good morning, something is wrong on my side.",
    "Hey, can you sort this out for me?",
]


def _turns(n: int) -> list[tuple[str, str]]:
    return [
        ("customer", OPENERS[n % 4]),
        ("agent", "Thanks, let me look at this for you."),
        ("customer", "Okay, thank you."),
        ("agent", "I am passing this on to the next level now."),
    ]


def _scorecard(admin) -> Scorecard:  # type: ignore[no-untyped-def]
    spec = {k: v for k, v in escalation_head.CRITERION.items() if k != "scale"}
    scorecard = Scorecard(name="Escalations")
    db.session.add(scorecard)
    db.session.flush()
    review_service.publish_version(
        scorecard, [{**spec, "scale_min": 0, "scale_max": 1}], actor=admin
    )
    return scorecard


def seed_reviewed_escalations(count: int, admin, reviewer, agent, other) -> Scorecard:  # type: ignore[no-untyped-def]
    """`count` escalations of `agent`'s N1 chats to `other`'s N2 team, alike but for the reason,
    each answered by `reviewer` on the escalation criterion: justified for the reasons that
    need N2, not for the others (committed). The escalation scorecard is returned."""
    scorecard = _scorecard(admin)
    [criterion] = scorecard.current.criteria
    for n in range(count):
        justified = n % 2
        source = make_interaction(agent, turns=_turns(n // 2))
        target = make_interaction(other)
        source.tier, target.tier = 1, 2
        reason = (JUSTIFIED if justified else UNJUSTIFIED)[(n // 2) % 4]
        record_escalation(source, target, reason=reason)
        r = review_service.start_review(source, reviewer, scorecard.current)
        answers = {criterion.id: review_service.AnswerInput(justified)}
        review_service.save_answers(r, answers, None, submit=True, actor=reviewer)
    db.session.commit()
    return scorecard


def test_builder_adds_the_escalation_criterion(app, login):
    """ "Add escalation criterion" adds a row with the preset name, N/A allowed and the key."""
    admin = login(make_user(Role.ADMIN))
    page = admin.post(
        "/scorecards/new",
        {"name": "Tiered", "criteria-0-name": "Tone", "criteria-0-scale": "yesno",
         "criteria-0-weight": "1", "add_escalation": "1"},
    )  # fmt: skip
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'value="Escalation justified / correctly routed"' in html
    assert 'name="criteria-1-autoqa_key"' in html and 'value="escalation"' in html
    assert re.search(r'<input checked[^>]*name="criteria-1-allows_na"', html)


def test_conversation_ends_with_the_escalation_reason(app):
    """The head reads the dialogue, then one agent turn with the tiers and the reason; an
    interaction without an escalation is its dialogue alone."""
    red, blue = make_team("Red"), make_team("Blue")
    agent, other = make_user(Role.AGENT, team=red), make_user(Role.AGENT, team=blue)
    source, target = make_interaction(agent, turns=_turns(0)), make_interaction(other)
    source.tier, target.tier = 1, 2
    plain = make_interaction(agent, turns=_turns(1))
    record_escalation(source, target, reason="refund above the agent's approval limit")
    db.session.flush()
    assert escalation_head.conversation(source)[-1] == (
        "agent",
        "Escalated from N1 to N2: refund above the agent's approval limit.",
    )
    assert escalation_head.conversation(plain) == _turns(1)


@pytest.mark.slow
def test_head_learns_from_reviewers_and_scores_new_escalations(app):
    """Reviewers judge only by the reason (the dialogues are alike): the head trained with
    `--from-reviews --escalation-head` is activated on held-out answers and scores a new
    escalated interaction from its reason, with the reason as evidence; others get no score."""
    red, blue = make_team("Red"), make_team("Blue")
    red.tier, blue.tier = 1, 2
    admin, reviewer = make_user(Role.ADMIN), make_user(Role.REVIEWER)
    agent, other = make_user(Role.AGENT, team=red), make_user(Role.AGENT, team=blue)
    seed_reviewed_escalations(64, admin, reviewer, agent, other)
    result = app.test_cli_runner().invoke(
        args=["scoring", "train", "--from-reviews", "--escalation-head", "--min-labels", "30"]
    )
    assert result.exit_code == 0, result.output
    assert "escalation head (escalation): 64 labels" in result.output
    assert "\nactivated crit" in result.output, result.output  # the version names the criterion
    assert escalation_head.registry().active() is not None

    fresh = make_interaction(agent, turns=_turns(3))
    calm = make_interaction(agent, turns=_turns(2))
    target = make_interaction(other)
    fresh.tier, target.tier = 1, 2
    record_escalation(fresh, target, reason="refund above the agent's approval limit")
    db.session.commit()
    from qa.ml import get_scorer

    assert score([fresh.id, calm.id], get_scorer()) == 2
    row = db.session.query(AutoScore).filter_by(interaction_id=fresh.id, criterion="escalation")
    stored = row.one()
    assert stored.value > 50 and stored.label == "yes"
    assert any("approval limit" in e["text"] for e in stored.evidence if e["weight"] > 0)
    none = db.session.query(AutoScore).filter_by(interaction_id=calm.id, criterion="escalation")
    assert none.count() == 0


def test_models_page_shows_the_untrained_escalation_head(app, login):
    """The admin's models page has the escalation head's card: not trained, the criterion, and
    the reviewer answers it could learn from (2 of 40 needed; an N/A is no answer); training it
    takes an admin and the CSRF token."""
    red, blue = make_team("Red"), make_team("Blue")
    admin, reviewer, lead = make_user(Role.ADMIN), make_user(Role.REVIEWER), make_user(Role.LEAD)
    agent, other = make_user(Role.AGENT, team=red), make_user(Role.AGENT, team=blue)
    scorecard = _scorecard(admin)
    [criterion] = scorecard.current.criteria
    for n, value in enumerate([1, 0, None]):
        source, target = make_interaction(agent, turns=_turns(n)), make_interaction(other)
        record_escalation(source, target, reason=JUSTIFIED[n])
        r = review_service.start_review(source, reviewer, scorecard.current)
        answers = {criterion.id: review_service.AnswerInput(value, na=value is None)}
        review_service.save_answers(r, answers, None, submit=True, actor=reviewer)
    db.session.commit()
    state = escalation_head.state()
    assert (state["trained"], state["active"], state["labels_now"]) == (False, None, 2)
    client = login(admin)
    page = client.get("/admin/models").get_data(as_text=True)
    card = page[page.index('id="escalation-head"'):]
    assert re.search(r'id="escalation-trained">\s*Not trained', card)
    assert "2 (at least 40 needed)" in card and escalation_head.CRITERION["name"] in card
    assert 'id="escalation-versions"' not in card and "Train the escalation head" in card
    assert client.post("/admin/models/escalation/train", csrf=False).status_code == 400
    assert login(lead).post("/admin/models/escalation/train").status_code == 403
