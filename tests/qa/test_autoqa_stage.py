"""The AutoQA card says which cascade stage produced each built-in score (issue 20): "first
pass" for the static first pass, "full model" for the MiniLM model, in English and French."""

from __future__ import annotations

from qa.extensions import db
from qa.models import AutoScore
from qa.templating import FIRST_PASS_PREFIX, autoqa_stage
from tests.conftest import make_interaction


def _scored(world, empathy_version: str, resolution_version: str):  # type: ignore[no-untyped-def]
    interaction = make_interaction(
        world["agent_red"], turns=[("customer", "It broke."), ("agent", "I'm sorry, fixed.")]
    )
    for key, value, version in (
        ("empathy", 70.0, empathy_version),
        ("resolution", 40.0, resolution_version),
    ):
        db.session.add(
            AutoScore(
                interaction=interaction,
                criterion=key,
                value=value,
                model_version=version,
                evidence=[{"turn": 1, "speaker": "agent", "text": "I'm sorry, fixed.", "weight": 0.4}],
            )
        )
    db.session.commit()
    return interaction


def test_prefix_matches_the_scoring_package() -> None:
    """The web app's copy of the first-pass version prefix is scoring.cascade's."""
    from scoring.cascade import FIRST_PASS_PREFIX as SCORING_PREFIX
    from scoring.cascade import stage_of

    assert FIRST_PASS_PREFIX == SCORING_PREFIX
    for version in ("autoqa-fp-20261204-abcd1234", "autoqa-20261123-80099c7c", ""):
        assert autoqa_stage(version) == stage_of(version)


def test_card_shows_first_pass_and_full_model(login, world):
    """A first-pass empathy score and a full-model resolution score are labelled as such."""
    interaction = _scored(world, "autoqa-fp-20261204-abcd1234", "autoqa-20261123-80099c7c")
    page = login(world["lead_red"]).get(f"/interactions/{interaction.id}").get_data(as_text=True)
    empathy = page.split('data-key="empathy"', 1)[1].split('data-key="resolution"', 1)[0]
    resolution = page.split('data-key="resolution"', 1)[1]
    assert 'data-stage="first_pass"' in empathy and ">first pass<" in empathy
    assert 'data-stage="full"' in resolution and ">full model<" in resolution
    assert 'data-stage="first_pass"' not in resolution


def test_card_stage_is_translated(login, world):
    """A lead who chose French reads "première passe" and "modèle complet"."""
    interaction = _scored(world, "autoqa-fp-20261204-abcd1234", "autoqa-20261123-80099c7c")
    world["lead_red"].locale = "fr"
    db.session.commit()
    page = login(world["lead_red"]).get(f"/interactions/{interaction.id}").get_data(as_text=True)
    assert ">première passe<" in page and ">modèle complet<" in page


def test_app_scores_with_the_full_model_unless_the_cascade_is_switched_on(app):
    """The shipped default is the full model (the cascade is slower on it, docs/autoqa.md);
    QA_AUTOQA_CASCADE=1 scores with the cascade, whose band was fitted for that full model."""
    from qa.ml import get_scorer
    from scoring.cascade import CascadeModel

    app.config["AUTOQA_CASCADE"] = False
    full = get_scorer()
    assert not isinstance(full, CascadeModel)
    app.config["AUTOQA_CASCADE"] = True
    cascade = get_scorer()
    assert isinstance(cascade, CascadeModel)
    assert cascade.version == full.version  # the cascade answers for the full model it wraps
