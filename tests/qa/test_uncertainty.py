"""AutoQA uncertainty in the app (issue 20): stored per AutoScore by the pipeline, shown on the
review and interaction pages (in French too), and drawn by the sampler's uncertain-AutoQA
signal; French percent typography (issue 15)."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import select

from qa.extensions import db
from qa.formats import format_percent, format_score_percent
from qa.models import AutoScore, Role, Sample, SamplingPolicy
from qa.services import sampling
from qa.services.pipeline import _score_with
from qa.services.reviews import start_review
from qa.services.sampling.policies import validate_policy_values
from scoring import Prediction
from scoring import conformal as cf
from tests.conftest import make_interaction, make_team, make_user

MONDAY = datetime(2026, 11, 9, 9)
WEEK = "2026-W46"
NBSP = "\u00a0"


def _score(interaction, key, value, *, confidence, uncertain, label=None):
    row = AutoScore(interaction=interaction, criterion=key, value=value, label=label,
                    model_version="t", evidence=[], confidence=confidence,
                    coverage_level=0.9, uncertain=uncertain,
                    prediction_set=["unresolved", "resolved"] if uncertain else
                    (["resolved"] if value >= 50 else ["unresolved"]))  # fmt: skip
    db.session.add(row)
    return row


class _Scorer:
    """A stand-in model: fixed predictions and a calibration in its metadata."""

    languages = ("en",)
    encoder = None

    def __init__(self, predictions, calibration):
        self.predictions = predictions
        self.metadata = {"version": "fake-1", "conformal": calibration.to_dict()}

    def predict(self, conversations):
        return self.predictions[: len(conversations)]


def test_pipeline_stores_confidence_and_conformal_set(app):
    """A model with a calibration gives each built-in AutoScore its calibrated confidence and
    conformal set: p = 0.52 is uncertain at 90 %, p = 0.97 is not; a model without one clears it."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    p = np.clip(np.where(y == 1, 0.7, 0.3) + rng.normal(0, 0.2, 400), 0.01, 0.99)
    calibration = cf.fit({"empathy": (p, y), "resolution": (p, y)}, model_version="fake-1")
    agent = make_user(Role.AGENT, team=make_team())
    a, b = make_interaction(agent), make_interaction(agent)
    db.session.commit()
    preds = [Prediction(52.0, (), 0.52, "resolved", (), "fake-1"),
             Prediction(97.0, (), 0.97, "resolved", (), "fake-1")]
    turns = [("customer", "hi"), ("agent", "hello")]
    assert _score_with(_Scorer(preds, calibration), [(a, turns), (b, turns)]) == 2
    ra, rb = a.auto_score("resolution"), b.auto_score("resolution")
    expected = calibration.assess("resolution", 0.52)
    assert ra.uncertain is True and ra.prediction_set == ["unresolved", "resolved"]
    assert ra.confidence == pytest.approx(100 * expected.confidence, abs=0.01)
    assert ra.coverage_level == 0.9
    assert rb.uncertain is False and rb.prediction_set == ["resolved"]
    assert rb.confidence > ra.confidence
    assert a.auto_score("empathy").prediction_set == ["not empathetic", "empathetic"]
    bare = _Scorer(preds, calibration)
    bare.metadata = {"version": "fake-1"}
    _score_with(bare, [(a, turns)])
    assert a.auto_score("resolution").confidence is None
    assert a.auto_score("resolution").uncertain is None


def test_review_and_interaction_pages_show_the_badge(login, world):
    """The review page shows the uncertain badge and the calibrated confidence beside the
    suggestion, the interaction page too; in French: "incertain" and "62 %" (non-breaking space)."""
    interaction = world["i_agent_red"]
    _score(interaction, "resolution", 55.0, confidence=62.0, uncertain=True, label="resolved")
    _score(interaction, "empathy", 91.0, confidence=94.0, uncertain=False)
    review = start_review(interaction, world["reviewer"], world["scorecard"].current)
    db.session.commit()
    reviewer = login(world["reviewer"])
    page = reviewer.get(f"/reviews/{review.id}/edit").get_data(as_text=True)
    assert 'class="tag uncertain">uncertain<' in page
    assert "confidence 62%" in page and "confidence 94%" in page
    assert page.count('data-uncertain="1"') == 1
    detail = reviewer.get(f"/interactions/{interaction.id}").get_data(as_text=True)
    assert 'class="tag uncertain"' in detail and "confidence 62%" in detail
    world["reviewer"].locale = "fr"
    db.session.commit()
    page = reviewer.get(f"/reviews/{review.id}/edit").get_data(as_text=True)
    assert 'class="tag uncertain">incertain<' in page
    assert f"confiance 62{NBSP}%" in page
    assert f"55{NBSP}%" in reviewer.get(f"/interactions/{interaction.id}").get_data(as_text=True)


def test_sampler_draws_the_uncertain_ones(login, app):
    """With only the uncertain-AutoQA weight, the risk picks are the uncertain score first, then
    the least confident; the reason is "uncertain AutoQA" and the preview page shows it."""
    team = make_team()
    make_user(Role.REVIEWER)
    lead = make_user(Role.LEAD, leads=[team])
    agent = make_user(Role.AGENT, team=team)
    interactions = [make_interaction(agent, started_at=MONDAY + timedelta(minutes=k))
                    for k in range(10)]  # fmt: skip
    for k, interaction in enumerate(interactions):
        _score(interaction, "resolution", 90.0, confidence=99.0 - k, uncertain=False)
    unsure, shaky = interactions[6], interactions[2]
    unsure.auto_scores[0].uncertain = True
    shaky.auto_scores[0].confidence = 55.0
    db.session.commit()
    weights = dict(risk_weight_autoqa=0, risk_weight_csat=0, risk_weight_escalated=0,
                   risk_weight_handle_time=0, risk_weight_dead_air=0)  # fmt: skip
    policy = sampling.save_policy(None, team.id, dict(
        name="unsure", percentage=20, min_per_agent=2, max_per_agent=2, risk_share=1.0,
        risk_weight_uncertain=1.0, **weights), actor=None)  # fmt: skip
    db.session.commit()
    page = login(lead).get(f"/sampling/policies/{policy.id}?week={WEEK}").get_data(as_text=True)
    assert "uncertain AutoQA ×2" in page and 'id="policy-uncertain"' in page
    report = sampling.draw(policy, WEEK)
    assert report.added_risk == 2
    picks = db.session.scalars(select(Sample).where(Sample.policy_id == policy.id)).all()
    assert {s.interaction_id for s in picks} == {unsure.id, shaky.id}
    assert {s.risk_reason for s in picks} == {"uncertain AutoQA"}
    off = sampling.save_policy(None, team.id, dict(
        name="off", percentage=20, min_per_agent=2, max_per_agent=2, risk_share=0.0, seed=5,
        risk_weight_uncertain=0.0, **weights), actor=None)  # fmt: skip
    assert sampling.preview(off, WEEK).added_risk == 0


def test_policy_form_validates_the_uncertain_weight(login, world):
    """The policy form refuses a negative or too large weight; the service refuses a negative
    one; a weight of 1 is saved and shown again in the form."""
    lead = login(world["lead_red"])
    form = {"team": str(world["red"].id), "name": "u", "percentage": "5", "min_per_agent": "1",
            "max_per_agent": "3", "risk_share": "50", "risk_weight_autoqa": "0",
            "risk_weight_csat": "0", "risk_weight_escalated": "0", "risk_weight_handle_time": "0",
            "risk_weight_dead_air": "0", "dead_air_seconds": "30", "seed": "0", "active": "y",
            "tier": "0", "escalated_share": "0", "bounced_share": "0"}  # fmt: skip
    bad = lead.post("/sampling/policies/new", {**form, "risk_weight_uncertain": "-1"})
    assert bad.status_code == 400 and "between 0 and 10" in bad.get_data(as_text=True)
    assert lead.post("/sampling/policies/new", {**form, "risk_weight_uncertain": "11"}).status_code == 400
    good = lead.post("/sampling/policies/new", {**form, "risk_weight_uncertain": "1"})
    assert good.status_code == 302
    saved = db.session.scalars(select(SamplingPolicy).where(
        SamplingPolicy.name == "u")).one()  # fmt: skip
    assert saved.risk_weight_uncertain == 1.0
    edit = lead.get(f"/sampling/policies/{saved.id}/edit").get_data(as_text=True)
    assert 'name="risk_weight_uncertain"' in edit and 'value="1.0"' in edit
    with pytest.raises(sampling.SamplingError):
        validate_policy_values({"risk_weight_uncertain": -0.5})


def test_french_percent_typography(app):
    """Percents go through Babel: "62.5%" in English, "62,5 %" (non-breaking space) in French,
    "0,0 %" for zero with one decimal; AutoQA probabilities keep ">99" and "<1"."""
    from flask_babel import force_locale

    with app.test_request_context():
        assert format_percent(0.625, 1) == "62.5%"
        assert format_score_percent(99.6) == ">99%"
        with force_locale("fr"):
            assert format_percent(0.625, 1) == f"62,5{NBSP}%"
            assert format_percent(0.0, 1) == f"0,0{NBSP}%"
            assert format_percent(0.62) == f"62{NBSP}%"
            assert format_score_percent(0.3) == f"<1{NBSP}%"
            assert format_percent(None) == "–"
