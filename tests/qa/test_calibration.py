"""Krippendorff's alpha and Cohen's kappa against hand-computed values, calibration sessions
(blind, kept out of IQS and feedback), reviewer quality and AutoQA agreement."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from qa.demo.calibration import load_calibration
from qa.extensions import db
from qa.models import (
    AutoScore,
    CalibrationSession,
    CalibrationStatus,
    Notification,
    Review,
    ReviewStatus,
    Role,
    utcnow,
)
from qa.services import calibration as cal
from qa.services.autoqa import reviewer_labels
from qa.services.reviews import AnswerInput, ReviewError, save_answers
from tests.conftest import make_interaction, make_user
from tests.qa.test_access import submitted_review

N = None
# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C: four coders,
# twelve units, missing values. Published results: nominal .743, ordinal .815, interval .849.
KRIPPENDORFF_2011 = list(
    zip(
        [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
        [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
        strict=True,
    )
)


@pytest.mark.parametrize(
    "level, expected", [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)]
)
def test_alpha_matches_krippendorffs_published_example(level, expected):
    """The worked example with missing values gives the published alphas."""
    assert cal.krippendorff_alpha(KRIPPENDORFF_2011, level) == pytest.approx(expected, abs=5e-4)


def test_alpha_small_hand_computed_interval_and_ordinal():
    """Two coders, three units (1,1), (2,3), (3,3), by hand.

    Pairable values: 1,1,2,3,3,3 (n=6; n_1=2, n_2=1, n_3=3). Coincidences: o_11=2, o_23=o_32=1,
    o_33=2. Interval: observed = 2 x 1 = 2; expected = 2 x (2x1x1 + 2x3x4 + 1x3x1) = 58;
    alpha = 1 - 5 x 2 / 58 = 0.827586. Ordinal: d_12 = (2+1 - 1.5)^2 = 2.25, d_23 = (1+3 - 2)^2 = 4,
    d_13 = (2+1+3 - 2.5)^2 = 12.25; observed = 2 x 4 = 8; expected = 2 x (2x1x2.25 + 2x3x12.25 +
    1x3x4) = 180; alpha = 1 - 5 x 8 / 180 = 0.777778.
    """
    units = [(1, 1), (2, 3), (3, 3)]
    assert cal.krippendorff_alpha(units, "interval") == pytest.approx(1 - 10 / 58)
    assert cal.krippendorff_alpha(units, "ordinal") == pytest.approx(1 - 40 / 180)


def test_alpha_edge_cases():
    """Perfect agreement is 1; units with one value are left out; no variation is undefined."""
    assert cal.krippendorff_alpha([(1, 1), (5, 5), (3, N, 3)], "interval") == pytest.approx(1.0)
    assert cal.krippendorff_alpha([(1, 1), (5, 5), (3, N)], "ordinal") == pytest.approx(1.0)
    assert cal.krippendorff_alpha([(2, 2), (2, 2)]) is None
    assert cal.krippendorff_alpha([(1, N), (N, 2)]) is None
    assert cal.krippendorff_alpha([]) is None
    with pytest.raises(ValueError):
        cal.krippendorff_alpha([(1, 2), (2, 2)], "ratio")  # type: ignore[arg-type]


def test_cohens_kappa_hand_computed():
    """10 pairs, 7 agree; marginals A: 6 yes 4 no, B: 5 yes 5 no -> pe = .5, kappa = .4."""
    pairs = [(1, 1)] * 4 + [(0, 0)] * 3 + [(1, 0)] * 2 + [(0, 1)]
    assert cal.cohens_kappa(pairs) == pytest.approx(0.4)
    assert cal.cohens_kappa([]) is None
    assert cal.cohens_kappa([(1, 1), (1, 1)]) is None
    assert cal.cohens_kappa([(1, 0), (0, 1)]) == pytest.approx(-1.0)


def test_autoqa_answer_places_value_on_the_scale():
    """0-100 maps onto yes/no at 50 and onto 1-5 in quarters, halves rounding up."""
    from qa.models import Criterion

    yes_no, five = Criterion(scale_min=0, scale_max=1), Criterion(scale_min=1, scale_max=5)
    assert [cal.autoqa_answer(yes_no, v) for v in (0, 49.9, 50, 100)] == [0, 0, 1, 1]
    assert [cal.autoqa_answer(five, v) for v in (0, 12.4, 12.5, 60, 100)] == [1, 1, 2, 3, 5]


@pytest.fixture
def session(world):  # type: ignore[no-untyped-def]
    """A session with the red lead as reference and three reviewers on two red chats."""
    world["reviewer3"] = make_user(Role.REVIEWER)
    s = cal.create_session(
        "Week 47",
        world["lead_red"],
        world["scorecard"].current,
        [world["i_agent_red"], world["i_agent_red2"]],
        [world["reviewer"], world["reviewer2"], world["reviewer3"]],
        team_id=world["red"].id,
    )
    db.session.commit()
    return s


def _score(review: Review, delta: dict[str, int] | None = None) -> None:
    """Submit the review with top answers, lowering the named criteria by `delta`."""
    delta = delta or {}
    answers = {
        c.id: AnswerInput(c.scale_max - delta.get(c.name, 0))
        for c in review.scorecard_version.criteria
    }
    save_answers(review, answers, None, submit=True, actor=review.reviewer)


def _review(session, user, interaction) -> Review:  # type: ignore[no-untyped-def]
    return next(
        r
        for r in session.reviews
        if r.reviewer_id == user.id and r.interaction_id == interaction.id
    )


def test_session_creates_blind_drafts_and_notifies(world, session):
    """Every participant (lead included) gets a draft per interaction; reviewers are notified."""
    assert len(session.reviews) == 4 * 2
    assert all(r.status == ReviewStatus.DRAFT for r in session.reviews)
    assert [len(cal.todo_for(world[k])) for k in ("reviewer", "reviewer2", "lead_red")] == [2, 2, 2]
    from qa.models import Notification

    assert (
        db.session.query(Notification).filter_by(user_id=world["reviewer"].id).one().link
        == f"/calibration/{session.id}"
    )


def test_session_needs_two_reviewers_and_no_own_interactions(world):
    """Fewer than two reviewers, or someone scoring their own interaction, is refused."""
    version = world["scorecard"].current
    with pytest.raises(ReviewError, match="two reviewers"):
        cal.create_session(
            "x", world["lead_red"], version, [world["i_agent_red"]], [world["reviewer"]]
        )
    with pytest.raises(ReviewError, match="not a reviewer"):
        cal.create_session(
            "x",
            world["lead_red"],
            version,
            [world["i_agent_red"]],
            [world["reviewer"], world["agent_red"]],
        )
    own = make_interaction(world["reviewer2"], team=world["red"])
    with pytest.raises(ReviewError, match="own interaction"):
        cal.create_session(
            "x", world["lead_red"], version, [own], [world["reviewer"], world["reviewer2"]]
        )


def test_results_side_by_side_alpha_and_deviation(world, session):
    """On close the lead sees everyone's answers, alpha per criterion and each deviation."""
    red1, red2 = world["i_agent_red"], world["i_agent_red2"]
    for i in (red1, red2):
        _score(_review(session, world["lead_red"], i))
        _score(_review(session, world["reviewer"], i))  # agrees with the reference
        _score(_review(session, world["reviewer2"], i), {"Empathy": 2})  # 5 -> 3: 50 points off
    # reviewer3 leaves red2 as a draft with one answer: missing values elsewhere
    _score(_review(session, world["reviewer3"], red1), {"Empathy": 4})
    cal.close_session(session, world["lead_red"])
    db.session.commit()
    res = cal.results(session)
    empathy = next(c for c in res.criteria if c.name == "Empathy")
    greeting = next(c for c in res.criteria if c.name == "Greeting and verification")
    assert res.answers[red1.id][empathy.id] == {
        world["lead_red"].id: 5,
        world["reviewer"].id: 5,
        world["reviewer2"].id: 3,
        world["reviewer3"].id: 1,
    }
    assert res.alpha[greeting.id] is None  # everyone said yes: no variation, undefined
    # empathy units: (5,5,3,1) and (5,5,3): alpha by hand with the ordinal metric
    assert res.alpha[empathy.id] == pytest.approx(
        cal.krippendorff_alpha([(5, 5, 3, 1), (5, 5, 3, None)], "ordinal")
    )
    assert res.alpha[empathy.id] < 0.8
    dev = {d.reviewer.id: d for d in res.deviations}
    n = len(res.criteria)
    assert dev[world["reviewer"].id].criterion == 0 and dev[world["reviewer"].id].score == 0
    assert dev[world["reviewer2"].id].criterion == pytest.approx(round(2 * 50 / (2 * n), 2))
    assert dev[world["reviewer3"].id].compared == n
    assert dev[world["reviewer3"].id].criterion == pytest.approx(round(100 / n, 2))
    with pytest.raises(ReviewError, match="closed"):
        save_answers(
            _review(session, world["reviewer3"], red2),
            {},
            None,
            submit=False,
            actor=world["reviewer3"],
        )


def test_calibration_reviews_stay_out_of_iqs_and_feedback(login, world, session):
    """Submitted calibration reviews neither reach the agent nor count in the dashboard."""
    from qa.services.dashboard import team_overview

    before = team_overview([world["red"].id])
    for user in ("lead_red", "reviewer", "reviewer2"):
        _score(_review(session, world[user], world["i_agent_red"]), {"Empathy": 4})
    db.session.commit()
    review = _review(session, world["reviewer"], world["i_agent_red"])
    assert review.status == ReviewStatus.CALIBRATION and review.score is not None
    assert team_overview([world["red"].id]) == before
    agent = login(world["agent_red"])
    assert world["i_agent_red"].external_id not in agent.get("/feedback").get_data(as_text=True)
    assert agent.get(f"/reviews/{review.id}").status_code == 404
    from qa.models import Notification

    assert db.session.query(Notification).filter_by(user_id=world["agent_red"].id).count() == 0
    # a normal review of the same interaction by the same reviewer is a separate review
    normal = submitted_review(world)
    assert normal.id != review.id and normal.calibration_session_id is None


def test_calibration_pages_blind_for_reviewers_and_results_for_the_lead(login, world, session):
    """Reviewers see only their own reviews; other leads see nothing; the lead sees results."""
    rev = login(world["reviewer"])
    page = rev.get(f"/calibration/{session.id}").get_data(as_text=True)
    assert "Your reviews" in page and "Progress" not in page
    other = _review(session, world["reviewer2"], world["i_agent_red"])
    assert rev.get(f"/reviews/{other.id}").status_code == 404
    assert rev.get(f"/reviews/{other.id}/edit").status_code == 404
    assert rev.post(f"/calibration/{session.id}/close").status_code == 403
    assert login(world["lead_blue"]).get(f"/calibration/{session.id}").status_code == 404
    outsider = make_user(Role.REVIEWER)
    db.session.commit()
    assert login(outsider).get(f"/calibration/{session.id}").status_code == 404
    # the reviewer scores through the workspace
    mine = _review(session, world["reviewer"], world["i_agent_red"])
    data = {f"c_{c.id}": str(c.scale_max) for c in mine.scorecard_version.criteria}
    data["submit"] = "1"
    response = rev.post(f"/reviews/{mine.id}/edit", data)
    assert (
        response.status_code == 302 and f"/calibration/{session.id}" in response.headers["Location"]
    )
    # the lead scores the reference from the same workspace
    lead = login(world["lead_red"])
    ref = _review(session, world["lead_red"], world["i_agent_red"])
    assert lead.post(f"/reviews/{ref.id}/edit", data).status_code == 302
    assert "1 / 2" in lead.get(f"/calibration/{session.id}").get_data(as_text=True)
    assert lead.post(f"/calibration/{session.id}/close").status_code == 302
    assert lead.post(f"/calibration/{session.id}/close").status_code == 409
    db.session.refresh(session)
    assert session.status == CalibrationStatus.CLOSED
    results = lead.get(f"/calibration/{session.id}").get_data(as_text=True)
    assert "Krippendorff" in results and world["reviewer2"].name in results
    assert "Krippendorff" not in rev.get(f"/calibration/{session.id}").get_data(as_text=True)
    assert (
        lead.get("/calibration/").status_code == 200 and rev.get("/calibration/").status_code == 200
    )


def test_new_session_form(login, world):
    """A lead starts a session from the form; bad input is a 400 with the reason."""
    world["reviewer3"] = make_user(Role.REVIEWER)
    db.session.commit()
    lead = login(world["lead_red"])
    assert lead.get("/calibration/new").status_code == 200
    ids = [world["i_agent_red"].id]
    bad = lead.post(
        "/calibration/new",
        {"name": "W47", "interactions": ids, "reviewers": [world["reviewer"].id]},
    )
    assert bad.status_code == 400 and "two reviewers" in bad.get_data(as_text=True)
    other_team = lead.post(
        "/calibration/new",
        {
            "name": "W47",
            "interactions": [world["i_agent_blue"].id],
            "reviewers": [world["reviewer"].id, world["reviewer2"].id],
        },
    )
    assert other_team.status_code == 400
    ok = lead.post(
        "/calibration/new",
        {
            "name": "W47",
            "interactions": ids,
            "reviewers": [world["reviewer"].id, world["reviewer2"].id],
        },
    )
    assert ok.status_code == 302
    assert login(world["agent_red"]).get("/calibration/new").status_code == 403


def test_reviewer_quality_and_autoqa_agreement(login, world, session):
    """Review time and deviation per reviewer and week; AutoQA vs reviewer match rate and kappa."""
    for user in ("lead_red", "reviewer", "reviewer2"):
        _score(
            _review(session, world[user], world["i_agent_red"]),
            {"Empathy": 2} if user == "reviewer2" else None,
        )
    cal.close_session(session, world["lead_red"])
    for key in ("agent_red", "agent_red2", "agent_blue"):
        review = submitted_review(world, agent_key=key)
        review.duration_seconds = 90
    # AutoQA: empathy 100 on all three (reviewers said 5: match), resolution 0 on one (mismatch)
    for key, res in (("agent_red", 100), ("agent_red2", 100), ("agent_blue", 0)):
        db.session.add(
            AutoScore(
                interaction=world[f"i_{key}"], criterion="empathy", value=100, model_version="t"
            )
        )
        db.session.add(
            AutoScore(
                interaction=world[f"i_{key}"], criterion="resolution", value=res, model_version="t"
            )
        )
    db.session.commit()
    quality = cal.reviewer_quality([world["reviewer"], world["reviewer2"]])
    this_week = quality[world["reviewer"].id][-1]
    assert this_week.reviews == 4 and this_week.deviation == 0
    assert quality[world["reviewer2"].id][-1].deviation > 0
    agreement = {a.key: a for a in cal.autoqa_agreement()}
    assert agreement["empathy"].pairs == 3 and agreement["empathy"].rate == 1.0
    # pairs (1,1), (1,1), (0,1): po = 2/3, pe = (2x3 + 1x0)/9 = 2/3 -> kappa 0
    assert agreement["resolution"].matched == 2 and agreement["resolution"].kappa == pytest.approx(
        0.0
    )
    labels = reviewer_labels(autoqa_keys=True)
    assert labels[(world["i_agent_red"].id, "empathy")] == 1.0
    assert len(labels) == 6  # calibration reviews are not training labels
    page = login(world["lead_red"]).get("/calibration/quality").get_data(as_text=True)
    assert "AutoQA agreement" in page and world["reviewer"].name in page
    assert login(world["reviewer"]).get("/calibration/quality").status_code == 403


def test_review_seconds_prefers_the_measured_time_and_never_invents_zero():
    """Review time: the page's measurement, else submitted - started; None when implausible."""
    t0 = datetime(2026, 3, 2, 9, 0)
    assert cal.review_seconds(t0, t0 + timedelta(minutes=5), 120.0) == 120.0
    assert cal.review_seconds(t0, t0 + timedelta(minutes=5), 0.0004) == 300.0
    assert cal.review_seconds(t0, t0 + timedelta(seconds=0.001), 0.001) is None
    assert cal.review_seconds(t0 + timedelta(days=2), t0, None) is None  # back-dated submit
    assert cal.review_seconds(None, None, None) is None


def test_demo_calibration_session_is_closed_with_agreement(world):
    """The demo's seeding makes a closed session with a reference and measured review times."""
    for key in ("agent_red", "agent_red2"):
        make_interaction(world[key])
    version = world["scorecard"].current
    session = load_calibration(version, random.Random(3))
    assert session is not None and session.status == CalibrationStatus.CLOSED
    assert session.lead_id == world["lead_red"].id and len(session.interactions) == 3
    outcome = cal.results(session)
    assert outcome.alpha_overall is not None
    assert {d.reviewer.id for d in outcome.deviations if d.compared} == {
        world["reviewer"].id,
        world["reviewer2"].id,
    }
    quality = cal.reviewer_quality([world["reviewer"]])
    assert any(w.avg_seconds and w.avg_seconds >= 240 for w in quality[world["reviewer"].id])


def _open(world, mode: str, due_on=None):  # type: ignore[no-untyped-def]
    s = cal.create_session(
        f"Scheduled {mode}",
        world["lead_red"],
        world["scorecard"].current,
        [world["i_agent_red"]],
        [world["reviewer"], world["reviewer2"]],
        due_on=due_on,
        mode=mode,
    )
    db.session.commit()
    return s


def test_blind_session_hides_answers_until_own_submitted_or_closed(login, world):
    """Blind: a participant sees the side-by-side answers only after submitting their own."""
    s = _open(world, "blind")
    url = f"/calibration/{s.id}"
    rev, rev2 = login(world["reviewer"]), login(world["reviewer2"])
    assert "side-by-side" not in rev.get(url).get_data(as_text=True)
    _score(_review(s, world["reviewer2"], world["i_agent_red"]), {"Empathy": 1})
    db.session.commit()
    page = rev2.get(url).get_data(as_text=True)
    assert "side-by-side" in page and "Krippendorff" not in page
    assert "side-by-side" not in rev.get(url).get_data(as_text=True)
    assert "side-by-side" not in login(world["lead_red"]).get(url).get_data(as_text=True)
    cal.close_session(s, world["lead_red"])
    db.session.commit()
    assert "side-by-side" in rev.get(url).get_data(as_text=True)


def test_visible_session_shows_answers_as_they_come(login, world):
    """Visible: every participant and the lead see the answers before anyone submitted."""
    s = _open(world, "visible")
    for who in ("reviewer", "reviewer2", "lead_red"):
        page = login(world[who]).get(f"/calibration/{s.id}").get_data(as_text=True)
        assert "side-by-side" in page and "visible" in page
    outsider = make_user(Role.REVIEWER)
    assert not cal.can_see_answers(s, outsider, [], manages=False)


def test_due_date_notifies_and_flags_overdue(login, world):
    """The due date is in the notification; an open session past it is flagged on the index."""
    today = utcnow().date()
    s = _open(world, "blind", due_on=today + timedelta(days=2))
    note = db.session.query(Notification).filter_by(user_id=world["reviewer"].id).one()
    assert f"due {s.due_on:%d %b %Y}" in note.message
    assert not cal.is_overdue(s, today)
    assert cal.is_overdue(s, today + timedelta(days=3))
    index = login(world["lead_red"]).get("/calibration/").get_data(as_text=True)
    assert "overdue" not in index
    s.due_on = today - timedelta(days=1)
    db.session.commit()
    assert "overdue" in login(world["reviewer"]).get("/calibration/").get_data(as_text=True)
    cal.close_session(s, world["lead_red"])
    assert not cal.is_overdue(s, today + timedelta(days=3))
    with pytest.raises(ReviewError, match="past"):
        _open(world, "blind", due_on=today - timedelta(days=1))
    with pytest.raises(ReviewError, match="mode"):
        _open(world, "peek")


def test_new_session_form_takes_due_date_and_mode(login, world):
    """The lead's form stores the due date and mode."""
    lead = login(world["lead_red"])
    due = utcnow().date() + timedelta(days=5)
    response = lead.post(
        "/calibration/new",
        {
            "name": "Visible week",
            "interactions": [str(world["i_agent_red"].id)],
            "reviewers": [str(world["reviewer"].id), str(world["reviewer2"].id)],
            "due_on": due.isoformat(),
            "mode": "visible",
        },
    )
    assert response.status_code == 302
    made = db.session.scalars(
        db.select(CalibrationSession).where(CalibrationSession.name == "Visible week")
    ).one()
    assert made.due_on == due and made.mode == "visible"
