"""Learning from reviewers: reviewer answers become labels; retrain, compare on held-out, activate
only when better; custom criterion heads score new interactions and show on the review page.

Real services, the real MiniLM encoder and the shipped model; small label sets so it stays fast.
The conversations follow rules the shipped model has never been taught (the team's reviewers
count a billing refund as "resolved" and a delivery complaint as not; "verification" means the
agent asked a security question), so whether a candidate learned them is decidable.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.extensions import db
from qa.models import AuditEvent, AutoScore, Interaction, Review, ReviewStatus, Scorecard
from qa.services import autoqa
from qa.services import reviews as review_service
from qa.services.calibration import create_session
from qa.services.pipeline import score
from scoring.retrain import is_held_out
from tests.conftest import ROOT, make_interaction
from tests.qa.test_dispute_flow import to_the_lead

pytestmark = pytest.mark.slow

BILLING = [
    "I was charged twice for my subscription this month.",
    "There is a refund missing from my last invoice.",
    "My card was billed for a plan I cancelled.",
    "The invoice shows a late fee I never agreed to.",
    "I paid my bill but the account still says overdue.",
    "You took the annual fee instead of the monthly one.",
    "My direct debit went out on the wrong date and cost me.",
    "The promo discount was not applied to my bill.",
]
DELIVERY = [
    "My parcel still hasn't arrived after two weeks.",
    "The courier left my package at the wrong address.",
    "The box arrived crushed and the lamp inside is broken.",
    "Tracking has said out for delivery for five days.",
    "Only half of my order was in the delivery.",
    "The driver never rang, he just left a missed-delivery card.",
    "My order was sent to my old flat.",
    "The delivery slot I booked was missed again.",
]
VERIFY = [
    "Before we go on, can you confirm your date of birth and postcode?",
    "For security, please tell me the first line of your address.",
    "Could you confirm the last four digits of the card on the account?",
    "I just need to verify you: what's your account PIN hint?",
]
NO_VERIFY = [
    "Thanks for getting in touch with us today.",
    "Hello, you're through to the support team.",
    "Good afternoon, thanks for your patience.",
    "Hi there, thanks for the message.",
]
MIDDLE = ["Let me look into that for you now.", "I'm checking the details on my side."]
CLOSE = ["Okay, thanks for looking.", "Alright, I'll wait to hear back."]


def conversation(n: int) -> tuple[list[tuple[str, str]], int, int]:
    """(turns, topic: 1 billing / 0 delivery, verified: 1 / 0) for the n-th test conversation."""
    topic, verified = n % 2, (n // 2) % 2
    opener = (BILLING if topic else DELIVERY)[(n // 4) % 8]
    greeting = (VERIFY if verified else NO_VERIFY)[(n // 8) % 4]
    turns = [
        ("customer", opener),
        ("agent", greeting),
        ("customer", "Sure, here you go."),
        ("agent", MIDDLE[(n // 32) % 2]),
        ("customer", CLOSE[(n // 16) % 2]),
    ]
    return turns, topic, verified


def small_scorecard(admin) -> Scorecard:  # type: ignore[no-untyped-def]
    """Resolution (AutoQA key), verification (yes/no, no key), tone (1-5): no empathy criterion,
    so the empathy head has no reviewer labels and is carried over."""
    scorecard = Scorecard(name="Learning test")
    db.session.add(scorecard)
    db.session.flush()
    review_service.publish_version(
        scorecard,
        [
            {"name": "Resolution", "scale_min": 0, "scale_max": 1, "autoqa_key": "resolution"},
            {"name": "Greeting and verification", "scale_min": 0, "scale_max": 1},
            {"name": "Tone", "scale_min": 1, "scale_max": 5, "allows_na": True},
        ],
        actor=admin,
    )
    return scorecard


def criteria(scorecard: Scorecard) -> dict[str, int]:
    return {c.name: c.id for c in scorecard.current.criteria}  # type: ignore[union-attr]


def review(interaction, reviewer, scorecard, resolution: int, verification: int):  # type: ignore[no-untyped-def]
    """Submit a review through the real service."""
    ids = criteria(scorecard)
    r = review_service.start_review(interaction, reviewer, scorecard.current)
    answers = {
        ids["Resolution"]: review_service.AnswerInput(resolution),
        ids["Greeting and verification"]: review_service.AnswerInput(verification),
        ids["Tone"]: review_service.AnswerInput(None, na=True),
    }
    review_service.save_answers(r, answers, None, submit=True, actor=reviewer)
    return r


def build(world, n: int, *, invert_training: bool = False, scorecard=None):  # type: ignore[no-untyped-def]
    """n interactions, each reviewed once: resolution = billing topic, verification = asked.

    With `invert_training` the resolution label of every interaction outside the held-out slice
    (default 25%, seed 0) is flipped: a candidate trained on it must get worse on held-out."""
    scorecard = scorecard or small_scorecard(world["admin"])
    made = []
    for k in range(n):
        turns, topic, verified = conversation(k)
        interaction = make_interaction(world["agent_red"], turns=turns)
        label = topic
        if invert_training and not is_held_out(interaction.id, 0.25, 0):
            label = 1 - topic
        review(interaction, world["reviewer"], scorecard, label, verified)
        made.append(interaction)
    db.session.commit()
    return scorecard, made


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """The first 16 conversations of the project corpus (the full one takes minutes to embed)."""
    lines = (ROOT / "data" / "autoqa" / "conversations.jsonl").read_text().splitlines()[:16]
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def run(app, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=["scoring", *args])


def test_too_few_labels_is_a_one_line_error(app, world, corpus):
    """Fewer reviewer labels than QA_AUTOQA_MIN_LABELS: exit 1, one line naming both counts."""
    build(world, 6)
    result = run(app, "train", "--from-reviews", str(corpus))
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert "resolution 6" in lines[0] and "at least 40" in lines[0]
    assert "Traceback" not in result.output
    assert db.session.query(AuditEvent).filter_by(action="autoqa.retrain_refused").count() == 1
    custom = run(app, "train", "--from-reviews", "--criterion", "999999")
    assert custom.exit_code == 1 and "no criterion with id 999999" in custom.output


def test_labels_skip_calibration_and_na_and_dispute_decision_wins(app, world):
    """Only submitted reviews count (calibration never), N/A is skipped, a changed dispute wins."""
    scorecard = small_scorecard(world["admin"])
    ids = criteria(scorecard)
    turns, _, _ = conversation(0)
    disputed = make_interaction(world["agent_red"], turns=turns)
    r = review(disputed, world["reviewer"], scorecard, resolution=0, verification=1)
    dispute = to_the_lead(
        review_service.open_dispute(r, world["agent_red"], "It was fixed", [ids["Resolution"]], 14)
    )
    review_service.resolve_dispute(
        dispute,
        world["lead_red"],
        new_score=None,
        comment="Agreed, it was resolved",
        answer_changes={ids["Resolution"]: review_service.AnswerInput(1)},
    )
    calibrated = make_interaction(world["agent_red"], turns=turns)
    session = create_session(
        "Cal",
        world["lead_red"],
        scorecard.current,
        [calibrated],
        [world["reviewer"], world["reviewer2"]],
    )
    for cal in session.reviews:
        if cal.reviewer_id == world["reviewer"].id:
            review_service.save_answers(
                cal,
                {
                    ids["Resolution"]: review_service.AnswerInput(1),
                    ids["Greeting and verification"]: review_service.AnswerInput(1),
                    ids["Tone"]: review_service.AnswerInput(5),
                },
                None,
                submit=True,
                actor=world["reviewer"],
            )
    db.session.commit()
    assert db.session.query(Review).filter_by(status=ReviewStatus.CALIBRATION).count() == 1
    labels = autoqa.reviewer_labels(
        autoqa_keys=True, criterion_ids=[ids["Tone"], ids["Greeting and verification"]]
    )
    assert labels == {
        (disputed.id, "resolution"): 1.0,
        (disputed.id, f"crit:{ids['Greeting and verification']}"): 1.0,
    }


def test_better_candidate_is_activated_and_rule_is_printed(app, world, corpus, login):
    """Labels that follow a rule the shipped model does not know: the candidate wins on held-out
    AUC for resolution and becomes active; empathy is carried over; all audited."""
    build(world, 64)
    result = run(app, "train", "--from-reviews", str(corpus))
    assert result.exit_code == 0, result.output
    out = result.output
    print(out)  # the side-by-side table, shown with -s
    assert "activated autoqa-" in out and "not activated" not in out, out
    assert "carried over unchanged (fewer than 40 labels): empathy" in out
    assert "AUC" in out and "candidate" in out and "active" in out and "rule:" in out
    registry = autoqa_registry(app)
    version = registry.active()
    assert version is not None
    sidecar = json.loads(
        (Path(app.config["SCORING_MODEL_DIR"]) / version / "model.json").read_text()
    )
    held = sidecar["heldout"]
    cand, act = held["candidate"]["resolution"], held["active"]["resolution"]
    assert cand["auc"] > act["auc"] and cand["auc"] >= 0.9, held
    assert {"auc", "f1", "accuracy", "ece", "n"} <= set(cand)
    assert sidecar["source"] == "reviews" and sidecar["carried_heads"] == ["empathy"]
    assert sidecar["training_data"]["reviewer_labels_sha256"]
    assert sidecar["decision"]["activate"] is True
    actions = {e.action for e in db.session.query(AuditEvent)}
    assert {"autoqa.trained_from_reviews", "autoqa.activated"} <= actions
    page = login(world["admin"]).get("/admin/models").get_data(as_text=True)
    assert version in page and "reviewers" in page
    # the page says what each row was measured on, with the active model's figure beside it
    assert (
        f"held-out reviewer labels: n={cand['n']} ({cand['positives']} resolved); "
        f"the model active then scored {act['auc']:.3f} on the same" in page
    )
    shipped_n = autoqa.shipped_default()["metrics"]["resolution"]["n"]
    assert f"cross-validation, n={shipped_n}" in page  # the shipped default
    print(
        f"held-out resolution AUC: candidate {cand['auc']} vs shipped {act['auc']} (n={cand['n']})"
    )


def test_worse_candidate_is_registered_but_not_activated(app, world, corpus):
    """Training labels contradict the held-out ones: the candidate is worse on held-out, so it is
    registered with its metrics and the shipped model stays in use."""
    build(world, 64, invert_training=True)
    result = run(app, "train", "--from-reviews", str(corpus), "--min-labels", "30")
    assert result.exit_code == 0, result.output
    assert "not activated" in result.output and "is not higher" in result.output, result.output
    registry = autoqa_registry(app)
    assert registry.active() is None
    [row] = registry.versions()
    held = row["heldout"]
    assert held["candidate"]["resolution"]["auc"] < held["active"]["resolution"]["auc"]
    assert row["decision"]["activate"] is False
    print(
        "held-out resolution AUC (inverted training labels): candidate "
        f"{held['candidate']['resolution']['auc']} vs shipped {held['active']['resolution']['auc']}"
    )


def autoqa_registry(app):  # type: ignore[no-untyped-def]
    from scoring import Registry

    return Registry(app.config["SCORING_MODEL_DIR"])


def test_custom_head_scores_new_interactions_and_shows_on_review_page(app, world, login):
    """A head for a criterion without AutoQA key: trained, activated, scores new interactions
    with exact sentence evidence, shows beside the criterion; admin can roll it back."""
    scorecard, _ = build(world, 64)  # a held-out slice with at least 5 of each class
    cid = criteria(scorecard)["Greeting and verification"]
    result = run(app, "train", "--from-reviews", "--criterion", str(cid), "--min-labels", "30")
    assert result.exit_code == 0, result.output
    assert f"activated crit{cid}-" in result.output, result.output
    [head] = autoqa.custom_heads()
    assert head["active"] and head["versions"][0]["metrics"]["heldout"]["auc"] >= 0.9

    # a new interaction, scored by the pipeline, gets a crit:<id> AutoScore with evidence
    turns = [
        ("customer", "My parcel never came and I need it for a birthday."),
        ("agent", "For security, please tell me the first line of your address."),
        ("customer", "12 Oak Road."),
        ("agent", "Thanks, I'll chase the courier now."),
    ]
    fresh = make_interaction(world["agent_red"], turns=turns)
    db.session.commit()
    from qa.ml import get_scorer

    assert score([fresh.id], get_scorer()) == 1
    row = (
        db.session.query(AutoScore)
        .filter_by(interaction_id=fresh.id, criterion=f"crit:{cid}")
        .one()
    )
    assert row.value > 50 and row.label == "yes" and row.model_version == head["active"]
    assert row.evidence and any("security" in e["text"] for e in row.evidence if e["weight"] > 0)
    # the interaction page names the criterion (not "Criterion <id>")
    detail = login(world["admin"]).get(f"/interactions/{fresh.id}").get_data(as_text=True)
    assert "Greeting and verification: <strong>" in detail and f"Criterion {cid}" not in detail

    # it shows next to the criterion on the review page, evidence linked to the transcript
    review_obj = review_service.start_review(fresh, world["reviewer"], scorecard.current)
    db.session.commit()
    page = login(world["reviewer"]).get(f"/reviews/{review_obj.id}/edit").get_data(as_text=True)
    assert f'data-key="crit:{cid}"' in page and "learned from reviewers" in page
    assert "first line of your address" in page.split(f'data-key="crit:{cid}"', 2)[-1]

    # once submitted, the feedback page names the criterion beside the custom suggestion
    ids = criteria(scorecard)
    review_service.save_answers(
        review_obj,
        {
            ids["Resolution"]: review_service.AnswerInput(0),
            ids["Greeting and verification"]: review_service.AnswerInput(1),
            ids["Tone"]: review_service.AnswerInput(4),
        },
        None,
        submit=True,
        actor=world["reviewer"],
    )
    db.session.commit()
    feedback = login(world["agent_red"]).get(f"/reviews/{review_obj.id}").get_data(as_text=True)
    assert "Greeting and verification:" in feedback and "learned from reviewers" in feedback

    # the admin models page lists it; rolling back its first version switches the head off
    admin = login(world["admin"])
    models_page = admin.get("/admin/models").get_data(as_text=True)
    assert "Custom heads learned from reviewers" in models_page and head["active"] in models_page
    assert "Roll back Greeting and verification" in models_page
    page = admin.post(
        "/admin/models/custom/activate", {"criterion": cid, "rollback": "1"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Greeting and verification has no learned head any more" in page
    assert autoqa.custom_registry(cid).active() is None
    assert "Roll back Greeting and verification" not in page  # nothing left to roll back

    # an agent cannot reach the model pages
    agent = login(world["agent_red"])
    assert agent.get("/admin/models").status_code in (403, 404)
    assert agent.post(
        "/admin/models/custom/activate", {"criterion": cid, "rollback": "1"}
    ).status_code in (403, 404)
    assert db.session.query(Interaction).count() >= 49


def test_admin_activates_a_registered_model_and_errors_are_flashed(app, login, world):
    """The models page's activate/rollback form: a registered version becomes active (audited);
    an unknown version or a rollback with nothing before is flashed, nothing changes."""
    from qa.ml import scoring_registry

    registry = scoring_registry()
    version = registry.register(ROOT / "scoring" / "default_model")
    admin = login(world["admin"])
    page = admin.post("/admin/models/activate", {"version": "autoqa-nope"}, follow_redirects=True)
    assert "unknown model version: autoqa-nope" in page.get_data(as_text=True)
    assert registry.active() is None
    page = admin.post("/admin/models/activate", {"version": version}, follow_redirects=True)
    assert f"Active AutoQA model: {version}. New scores use it" in page.get_data(as_text=True)
    assert registry.active() == version
    assert db.session.query(AuditEvent).filter(AuditEvent.action.like("autoqa.%")).count() == 1
    # rolling back the first activated version returns to the shipped default (audited)
    page = admin.post("/admin/models/activate", {"rollback": "1"}, follow_redirects=True)
    assert "Rolled back to the shipped default model" in page.get_data(as_text=True)
    assert registry.active() is None
    assert db.session.query(AuditEvent).filter(AuditEvent.action == "autoqa.rolled_back").count() == 1
    assert "Roll back to the previous version" not in page.get_data(as_text=True)
    page = admin.post("/admin/models/activate", {"rollback": "1"}, follow_redirects=True)
    assert "no version is active: nothing to roll back" in page.get_data(as_text=True)


def test_evaluate_prints_metrics_and_flags_the_training_corpus(app, corpus, tmp_path):  # type: ignore[no-untyped-def]
    """`flask scoring evaluate DATA`: metrics as JSON; on the corpus the model was trained on
    (same file name) a note says the figures are in-sample."""
    same = tmp_path / "conversations.jsonl"
    same.write_text(corpus.read_text())
    result = run(app, "evaluate", str(same))
    assert result.exit_code == 0, result.output
    assert '"auc"' in result.output and "in-sample and optimistic" in result.output
    result = run(app, "evaluate", str(corpus))  # corpus.jsonl: not the training file
    assert result.exit_code == 0, result.output
    assert '"auc"' in result.output and "in-sample" not in result.output
    result = run(app, "evaluate", str(tmp_path / "missing.jsonl"))
    assert result.exit_code != 0 and "no such file" in result.output


def test_evidence_marks_each_sentence_in_its_own_turn_escaped_and_signed() -> None:
    """Transcript marks: an evidence sentence is looked for only in the segments of its own turn
    (consecutive segments of a speaker form one turn), whitespace-insensitively; green up, red
    down, yellow when the scores disagree; overlaps merge; everything else is escaped."""
    from types import SimpleNamespace as NS

    from qa.templating import evidence_marks, evidence_spans, score_label

    segments = [NS(position=0, speaker="customer", text="Thanks!"),
                NS(position=1, speaker="agent", text="Thanks! Sorry <b>that</b>  happened."),
                NS(position=2, speaker="agent", text="It works now. Bye"),
                NS(position=3, speaker="customer", text="Thanks!")]
    scores = [
        NS(criterion="empathy", evidence=[{"turn": 1, "text": "Sorry <b>that</b> happened.", "weight": 1.5}]),
        NS(criterion="resolution", evidence=[
            {"turn": 2, "text": "Thanks!", "weight": 0.8},  # the customer's last turn, not seg 0/1
            {"turn": 1, "text": "It works now.", "weight": 2.0},  # in the turn's second segment
            {"turn": 1, "text": "Sorry <b>that</b> happened.", "weight": -0.3},
            {"turn": 7, "text": "Bye", "weight": 1.0}]),  # no such turn: ignored
        NS(criterion="crit:5", evidence=None),
    ]
    spans = evidence_spans(segments, scores)
    assert set(spans) == {1, 2, 3}
    assert str(evidence_marks(segments[1].text, spans[1])) == (
        'Thanks! <mark class="ev mixed" title="empathy +1.50 · resolution -0.30">Sorry '
        "&lt;b&gt;that&lt;/b&gt;  happened.</mark>")
    assert str(evidence_marks(segments[2].text, spans[2])) == (
        '<mark class="ev up" title="resolution +2.00">It works now.</mark> Bye')
    assert str(evidence_marks(segments[3].text, spans[3])) == (
        '<mark class="ev up" title="resolution +0.80">Thanks!</mark>')
    assert str(evidence_marks("<i>plain</i>", None)) == "&lt;i&gt;plain&lt;/i&gt;"
    assert [score_label(v) for v in (0, 0.3, 1, 33.4, 99, 99.6, 100)] == [
        "0", "<1", "1", "33", "99", ">99", "100"]
