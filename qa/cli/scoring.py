"""`flask scoring`: train, evaluate, list, activate and roll back AutoQA models and custom heads.

The scoring package is imported inside the commands: it loads torch and scikit-learn, which the
other commands (and the web app, which registers every command) do not need.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db
from ..ml import get_scorer, scoring_registry
from ..services import autoqa, escalation_head
from .common import one_line_errors

manager = AppGroup("scoring", help="AutoQA models: train, evaluate, versions, activate, rollback.")


@manager.command("train")
@click.argument("data", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--activate", is_flag=True, help="Make the new version the active one.")
@click.option(
    "--from-reviews",
    is_flag=True,
    help="Learn from reviewer answers: retrain on DATA plus reviewer labels, activate only "
    "when better than the active model on held-out reviewer labels.",
)
@click.option(
    "--min-labels",
    type=click.IntRange(min=1),
    help="Labels a head needs (default: QA_AUTOQA_MIN_LABELS).",
)
@click.option(
    "--holdout",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.25,
    show_default=True,
    help="Share of reviewer-labelled interactions held out (split by interaction id).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the split and fits.")
@click.option(
    "--reviewer-weight",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="How many corpus rows one reviewer label counts as.",
)
@click.option(
    "--criterion",
    "criterion_ids",
    type=int,
    multiple=True,
    help="With --from-reviews: train a custom head for this criterion id (repeatable).",
)
@click.option(
    "--all-criteria",
    is_flag=True,
    help="With --from-reviews: a custom head for every criterion without an AutoQA key that "
    "has enough labels.",
)
@click.option(
    "--escalation-head",
    "escalation",
    is_flag=True,
    help="With --from-reviews: the head of the AutoQA key 'escalation' (escalation justified / "
    "correctly routed), from the conversation and the escalation's reason.",
)
def scoring_train(
    data: Path | None,
    activate: bool,
    from_reviews: bool,
    min_labels: int | None,
    holdout: float,
    seed: int,
    reviewer_weight: int,
    criterion_ids: tuple[int, ...],
    all_criteria: bool,
    escalation: bool,
) -> None:
    """Train AutoQA on a labelled corpus (default: the project's own corpus) into the registry."""
    from scoring import ScoringError

    if (criterion_ids or all_criteria) and not from_reviews:
        raise click.ClickException("--criterion and --all-criteria need --from-reviews")
    if from_reviews and activate:
        raise click.ClickException(
            "--activate does not apply to --from-reviews: the held-out comparison decides"
        )
    data = data or autoqa.DEFAULT_CORPUS
    if from_reviews:
        needed = min_labels or autoqa.min_labels()
        if escalation:
            _train_escalation_head(needed, holdout, seed)
        elif criterion_ids or all_criteria:
            _train_custom_heads(list(criterion_ids), all_criteria, needed, holdout, seed)
        else:
            _train_from_reviews(data, needed, holdout, seed, reviewer_weight)
        return
    if not data.is_file():
        raise click.ClickException(f"no such file: {data}")
    with one_line_errors(ScoringError, ValueError):
        version = autoqa.train_version(
            scoring_registry(),
            data,
            encoder_path=current_app.config["ENCODER_PATH"],
            actor=None,
            activate=activate,
        )
    db.session.commit()
    click.echo(f"registered {version}" + (" (active)" if activate else ""))


def _train_from_reviews(
    data: Path, min_labels: int, holdout: float, seed: int, reviewer_weight: int
) -> None:
    from scoring import ScoringError
    from scoring.retrain import ACTIVATION_RULE, NotEnoughLabels, format_table

    if not data.is_file():
        raise click.ClickException(f"no such file: {data}")
    registry = scoring_registry()
    active = get_scorer()
    # The inner handler sees a NotEnoughLabels (a ScoringError) first: that refusal is audited,
    # so it is committed before the error is reported.
    with (
        one_line_errors(ScoringError, ValueError),
        one_line_errors(NotEnoughLabels, on_error=db.session.commit),
    ):
        result = autoqa.retrain_from_reviews(
            registry,
            active,
            data,
            actor=None,
            min_labels=min_labels,
            holdout=holdout,
            seed=seed,
            reviewer_weight=reviewer_weight,
        )
    db.session.commit()
    c = result.counts
    click.echo(
        "reviewer labels: "
        + ", ".join(
            f"{k} {v['total']} ({v['train']} train, {v['held_out']} held out)" for k, v in c.items()
        )
    )
    if result.carried:
        click.echo(
            f"carried over unchanged (fewer than {min_labels} labels): {', '.join(result.carried)}"
        )
    rows = []
    for key in result.retrained:
        rows.append((key, f"active {active.version}", result.comparison.active[key]))
        rows.append((key, f"candidate {result.model.version}", result.comparison.candidate[key]))
    click.echo(f"held-out reviewer labels ({holdout:.0%} of interactions by id, seed {seed}):")
    click.echo(format_table(rows))
    click.echo(f"rule: {ACTIVATION_RULE}")
    if result.activate:
        click.echo(f"activated {result.model.version}: {result.comparison.reason}")
    else:
        click.echo(
            f"registered {result.model.version}, not activated: {result.comparison.reason}; "
            f"{registry.active() or active.version} stays active"
        )


def _train_custom_heads(
    criterion_ids: list[int], all_criteria: bool, min_labels: int, holdout: float, seed: int
) -> None:
    from scoring import ScoringError
    from scoring.custom import CUSTOM_RULE
    from scoring.retrain import NotEnoughLabels, format_table

    criteria = autoqa.criteria_for_custom_heads(criterion_ids, all_criteria)
    missing = set(criterion_ids) - {c.id for c in criteria}
    if missing:
        raise click.ClickException(f"no criterion with id {', '.join(map(str, sorted(missing)))}")
    if not criteria:
        raise click.ClickException("no criterion has reviewer answers yet")
    encoder = get_scorer().encoder
    errors = []
    for criterion in criteria:
        try:
            result = autoqa.train_custom(
                criterion, encoder, actor=None, min_labels=min_labels, holdout=holdout, seed=seed
            )
        except (NotEnoughLabels, ScoringError, ValueError) as exc:
            db.session.commit()
            message = str(exc)
            if f"criterion {criterion.id}" not in message:  # name it once, not twice
                message = f"criterion {criterion.id} ({criterion.name}): {message}"
            errors.append(message)
            click.echo(message, err=True)
            continue
        db.session.commit()
        head = result.head
        click.echo(
            f"criterion {criterion.id} ({criterion.name}), key {head.key}: "
            f"{result.counts['total']} labels ({result.counts['train']} train, "
            f"{result.counts['held_out']} held out)"
        )
        rows = []
        if result.active is not None:
            rows.append(
                ("held-out", f"active {head.metadata['metrics']['active_version']}", result.active)
            )
        rows.append(("held-out", f"candidate {head.version}", result.candidate))
        click.echo(format_table(rows))
        state = "activated" if result.activate else "registered, not activated"
        click.echo(f"{state} {head.version}: {result.reason}")
    click.echo(f"rule: {CUSTOM_RULE}")
    if errors and len(errors) == len(criteria):
        raise click.ClickException(
            errors[0] if len(errors) == 1 else f"no head trained ({len(errors)} criteria refused)"
        )


def _train_escalation_head(min_labels: int, holdout: float, seed: int) -> None:
    from scoring import ScoringError
    from scoring.custom import CUSTOM_RULE
    from scoring.retrain import NotEnoughLabels

    with (
        one_line_errors(ScoringError, ValueError),
        one_line_errors(NotEnoughLabels, on_error=db.session.commit),
    ):
        result = escalation_head.train(
            get_scorer().encoder, actor=None, min_labels=min_labels, holdout=holdout, seed=seed
        )
    db.session.commit()
    auc = result.candidate.get("auc")
    click.echo(
        f"escalation head ({escalation_head.KEY}): {result.counts['total']} labels, held-out "
        f"AUC {auc if auc is None else round(auc, 3)}"
    )
    state = "activated" if result.activate else "registered, not activated"
    click.echo(f"{state} {result.head.version}: {result.reason}")
    click.echo(f"rule: {CUSTOM_RULE}")


@manager.command("evaluate")
@click.argument("data", required=False, type=click.Path(dir_okay=False, path_type=Path))
def scoring_evaluate(data: Path | None) -> None:
    """Metrics of the model in use on a labelled corpus JSONL."""
    from scoring import ScoringError
    from scoring.train import evaluate

    data = data or autoqa.DEFAULT_CORPUS
    if not data.is_file():
        raise click.ClickException(f"no such file: {data}")
    with one_line_errors(ScoringError, ValueError):
        scorer = get_scorer()
        click.echo(json.dumps(evaluate(scorer, data), indent=2))
    trained_on = scorer.metadata.get("training_data", {})
    if data.name == trained_on.get("file") or data.resolve() == autoqa.DEFAULT_CORPUS.resolve():
        # the shipped corpus trains every model (reviewer retraining adds to it): in-sample
        click.echo(
            f"note: {scorer.version} was trained on {data.name}, so these figures are in-sample "
            "and optimistic; its cross-validated figures are in its sidecar (flask scoring "
            "versions, the admin models page), and bench/autoqa.py measures it on outside data",
            err=True,
        )


@manager.command("versions")
def scoring_versions() -> None:
    """List registered versions; * marks the active one (none: the shipped default is used)."""
    rows = autoqa.versions(scoring_registry())
    if not rows:
        click.echo(
            f"no registered versions; using the shipped default {autoqa.shipped_default().get('version')}"
        )
    for row in rows:
        auc = row.get("metrics", {}).get("resolution", {}).get("auc")
        click.echo(
            f"{'*' if row['active'] else ' '} {row['version']}  {row.get('created', '')}  resolution AUC {auc}"
        )


@manager.command("heads")
def scoring_heads() -> None:
    """Custom criterion heads learned from reviewers: versions, held-out AUC; * marks active."""
    heads = autoqa.custom_heads()
    if not heads:
        click.echo(
            "no custom heads; train one with `flask scoring train --from-reviews --criterion ID`"
        )
    for head in heads:
        click.echo(f"criterion {head['criterion_id']} ({head['name']}), key {head['key']}")
        for row in head["versions"]:
            auc = row.get("metrics", {}).get("heldout", {}).get("auc")
            click.echo(
                f"  {'*' if row['active'] else ' '} {row['version']}  {row.get('created', '')}  "
                f"held-out AUC {auc}  labels {row.get('labels', {}).get('total')}"
            )


@manager.command("activate")
@click.argument("version")
@click.option("--criterion", "criterion_id", type=int, help="A custom head's criterion id.")
def scoring_activate(version: str, criterion_id: int | None) -> None:
    """Make a registered version the active one (of a custom head with --criterion)."""
    from scoring import ScoringError

    with one_line_errors(ScoringError):
        if criterion_id is not None:
            autoqa.activate_custom(criterion_id, version, None)
        else:
            autoqa.activate_version(scoring_registry(), version, None)
    db.session.commit()
    click.echo(f"active: {version}")


@manager.command("rollback")
@click.option("--criterion", "criterion_id", type=int, help="A custom head's criterion id.")
def scoring_rollback(criterion_id: int | None) -> None:
    """Re-activate the previously active version (of a custom head with --criterion)."""
    from scoring import ScoringError

    with one_line_errors(ScoringError):
        if criterion_id is not None:
            version = autoqa.rollback_custom(criterion_id, None)
            default = "none (the criterion has no learned head)"
        else:
            version = autoqa.rollback(scoring_registry(), None)
            default = f"none (shipped default {autoqa.shipped_default().get('version')})"
    db.session.commit()
    click.echo(f"active: {version or default}")
