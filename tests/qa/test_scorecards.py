"""The scorecard builder: drafts, publishing new versions, validation and who may use it."""

from __future__ import annotations

import pytest

from qa.extensions import db
from qa.models import Channel, Criterion, Scorecard, ScorecardAssignment
from qa.services import scorecards as assigning
from qa.services.reviews import (
    ReviewError,
    draft_version,
    publish_version,
    save_draft,
    scorecard_for,
)
from tests.conftest import make_interaction, make_scorecard
from tests.qa.test_access import submitted_review


def _row(i: int, **kw) -> dict:  # type: ignore[no-untyped-def]
    base = {
        "section": "Soft skills",
        "name": f"C{i}",
        "description": "",
        "examples": "",
        "weight": "1",
        "scale": "yesno",
        "autoqa_key": "",
    }
    base.update(kw)
    return {f"criteria-{i}-{k}": v for k, v in base.items() if v is not None}


def test_builder_creates_and_publishes_a_scorecard(login, world):
    """A lead builds a scorecard with sections, scales, N/A, critical and AutoQA key, then publishes."""
    c = login(world["lead_red"])
    assert c.get("/scorecards").status_code == 200
    assert c.get("/scorecards/new").status_code == 200
    data = {"name": "Chat quality", "description": "For chats", "save": "1"}
    data |= _row(
        0,
        name="Empathy",
        scale="1-5",
        weight="2",
        autoqa_key="empathy",
        examples="I'm so sorry\nThat sounds stressful",
        allows_na="y",
    )
    data |= _row(1, section="Outcome", name="Resolved", critical="y", autoqa_key="resolution")
    data |= _row(2, name="")  # a blank row is ignored
    response = c.post("/scorecards/new", data)
    assert response.status_code == 302
    card = db.session.query(Scorecard).filter_by(name="Chat quality").one()
    assert card.current is None and draft_version(card) is not None
    del data["save"]
    data["publish"] = "1"
    assert c.post(f"/scorecards/{card.id}/edit", data).status_code == 302
    db.session.refresh(card)
    version = card.current
    assert version.number == 1 and [c_.name for c_ in version.criteria] == ["Empathy", "Resolved"]
    empathy, resolved = version.criteria
    assert (empathy.scale_min, empathy.scale_max, empathy.weight, empathy.allows_na) == (
        1,
        5,
        2.0,
        True,
    )
    assert (
        empathy.example_list == ["I'm so sorry", "That sounds stressful"]
        and empathy.autoqa_key == "empathy"
    )
    assert (
        resolved.critical
        and resolved.section == "Outcome"
        and (resolved.scale_min, resolved.scale_max) == (0, 1)
    )
    page = c.get(f"/scorecards/{card.id}/edit").get_data(as_text=True)
    assert "That sounds stressful" in page
    assert 'list="autoqa-keys"' in page and '<option value="resolution">' in page
    assert c.get(f"/scorecards/{card.id}/versions/1").status_code == 200
    assert c.get(f"/scorecards/{card.id}/versions/9").status_code == 404


def test_publishing_again_makes_a_new_version_and_keeps_old_reviews(login, world):
    """Editing the default scorecard publishes v2; a submitted review stays on v1."""
    review = submitted_review(world)
    card = world["scorecard"]
    c = login(world["admin"])
    page = c.get(f"/scorecards/{card.id}/edit").get_data(as_text=True)
    assert "Greeting and verification" in page
    data = {"name": card.name, "publish": "1"} | _row(0, name="Only one", scale="1-3")
    assert c.post(f"/scorecards/{card.id}/edit", data).status_code == 302
    db.session.refresh(card)
    assert card.current.number == 2 and len(card.current.criteria) == 1
    db.session.refresh(review)
    assert review.scorecard_version.number == 1 and len(review.scorecard_version.criteria) == 7
    assert login(world["reviewer"]).get(f"/reviews/{review.id}").status_code == 200


def test_builder_rejects_bad_input(login, world):
    """No criteria, a bad AutoQA key, a zero weight or a taken name answer 400 with a reason."""
    c = login(world["lead_red"])
    empty = c.post("/scorecards/new", {"name": "X", "publish": "1"} | _row(0, name=""))
    assert empty.status_code == 400 and "at least one criterion" in empty.get_data(as_text=True)
    bad_key = c.post(
        "/scorecards/new", {"name": "X", "publish": "1"} | _row(0, autoqa_key="Bad Key!")
    )
    assert bad_key.status_code == 400 and "AutoQA key" in bad_key.get_data(as_text=True)
    assert (
        c.post("/scorecards/new", {"name": "X", "publish": "1"} | _row(0, weight="0")).status_code
        == 400
    )
    assert (
        c.post("/scorecards/new", {"name": "X", "publish": "1"} | _row(0, scale="1-9")).status_code
        == 400
    )
    taken = c.post("/scorecards/new", {"name": world["scorecard"].name, "publish": "1"} | _row(0))
    assert taken.status_code == 400 and "Another scorecard" in taken.get_data(as_text=True)
    assert (
        c.post("/scorecards/new", {"name": "X", "publish": "1"} | _row(0), csrf=False).status_code
        == 400
    )
    assert db.session.query(Scorecard).filter_by(name="X").count() == 0


def test_add_row_and_roles(login, world):
    """'Add criterion' shows one more row; agents and reviewers cannot open the builder."""
    c = login(world["admin"])
    page = c.post("/scorecards/new", {"name": "Y", "add": "1"} | _row(0)).get_data(as_text=True)
    assert "criteria-1-name" in page
    for key in ("agent_red", "reviewer"):
        assert login(world[key]).get("/scorecards").status_code == 403
        assert login(world[key]).get("/scorecards/new").status_code == 403


def test_service_draft_then_publish(world):
    """save_draft keeps one unpublished version; publishing it without criteria uses the draft."""
    card = world["scorecard"]
    save_draft(card, [{"name": "A", "scale_min": 1, "scale_max": 5, "examples": "x"}])
    draft = save_draft(card, [{"name": "B"}])
    assert draft.published_at is None and [c.name for c in draft.criteria] == ["B"]
    assert card.current.number == 1
    published = publish_version(card)
    assert published.id == draft.id and card.current.number == 2
    with pytest.raises(ReviewError, match="no draft"):
        publish_version(card)
    with pytest.raises(ReviewError, match="scale max"):
        publish_version(card, [{"name": "bad", "scale_min": 3, "scale_max": 1}])
    with pytest.raises(ReviewError, match="unknown criterion fields"):
        publish_version(card, [{"name": "bad", "colour": "red"}])
    assert db.session.query(Criterion).filter_by(name="B").count() == 1


def test_most_specific_active_scorecard_is_picked(world):
    """team+channel beats channel beats team beats the general scorecard; drafts never win."""
    general = world["scorecard"]
    email, red, red_email = make_scorecard(), make_scorecard(), make_scorecard()
    unpublished = Scorecard(name="Never published")
    db.session.add(unpublished)
    db.session.flush()
    assigning.set_assignments(email, ["email"], [], actor=None)
    assigning.set_assignments(red, [], [world["red"].id], actor=None)
    assigning.set_assignments(red_email, ["email"], [world["red"].id], actor=None, combine=True)
    assigning.set_assignments(unpublished, ["chat"], [world["red"].id], actor=None, combine=True)
    red_mail = make_interaction(world["agent_red"], channel=Channel.EMAIL)
    blue_mail = make_interaction(world["agent_blue"], channel=Channel.EMAIL)
    red_chat = make_interaction(world["agent_red"], channel=Channel.CHAT)
    blue_call = make_interaction(world["agent_blue"], channel=Channel.CALL)
    assert assigning.pick_scorecard(red_mail) is red_email
    assert assigning.pick_scorecard(blue_mail) is email
    assert assigning.pick_scorecard(red_chat) is red
    assert assigning.pick_scorecard(blue_call) is general
    assert scorecard_for(red_mail, None) is red_email  # what starting a review uses
    assigning.set_assignments(red_email, [], [], actor=None)
    assert assigning.pick_scorecard(red_mail) is email
    with pytest.raises(assigning.AssignmentError):
        assigning.set_assignments(email, ["fax"], [], actor=None)


def test_builder_sets_the_assignment(login, world):
    """A lead sets channels and teams on the builder; the index says where each applies."""
    scorecard = world["scorecard"]
    lead = login(world["lead_red"])
    page = lead.get(f"/scorecards/{scorecard.id}/edit").get_data(as_text=True)
    assert "Applies to" in page
    resp = lead.post(
        f"/scorecards/{scorecard.id}/assign",
        data={"channels": ["email", "call"], "teams": [str(world["red"].id)], "assign": "1"},
    )
    assert resp.status_code == 302
    rows = db.session.scalars(
        db.select(ScorecardAssignment).where(ScorecardAssignment.scorecard_id == scorecard.id)
    ).all()
    assert {(a.channel, a.team_id) for a in rows} == {
        ("call", None),
        ("email", None),
        (None, world["red"].id),
    }
    index = lead.get("/scorecards").get_data(as_text=True)
    assert "email" in index and "Red" in index
    bad = lead.post(f"/scorecards/{scorecard.id}/assign", data={"channels": ["fax"]})
    assert bad.status_code == 400
    assert login(world["reviewer"]).post(f"/scorecards/{scorecard.id}/assign").status_code == 403


def test_a_lead_assigns_scorecards_only_for_the_teams_they_lead(login, world):
    """Scorecards are shared, but a Blue lead can neither name the Red team nor replace an
    assignment that includes it (403 with the reason); the Red lead's assignment stays."""
    scorecard = world["scorecard"]
    red = login(world["lead_red"])
    resp = red.post(
        f"/scorecards/{scorecard.id}/assign", data={"teams": [str(world["red"].id)], "assign": "1"}
    )
    assert resp.status_code == 302
    blue = login(world["lead_blue"])
    for teams in ([str(world["red"].id)], [str(world["blue"].id)], []):
        resp = blue.post(f"/scorecards/{scorecard.id}/assign", data={"teams": teams, "assign": "1"})
        assert resp.status_code == 403 and b"teams they lead" in resp.data, teams
    rows = db.session.scalars(
        db.select(ScorecardAssignment).where(ScorecardAssignment.scorecard_id == scorecard.id)
    ).all()
    assert {(a.channel, a.team_id) for a in rows} == {(None, world["red"].id)}
    admin = login(world["admin"])
    resp = admin.post(
        f"/scorecards/{scorecard.id}/assign", data={"teams": [str(world["blue"].id)], "assign": "1"}
    )
    assert resp.status_code == 302
