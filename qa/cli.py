"""`flask` command groups: users, interactions, transcribe, score, sample, scoring, demo (redash cli/ style).

Every command reports bad input as one line (click.ClickException), never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from . import jobs
from .extensions import db
from .models import Interaction, Role, Status, Team
from .services import sampling
from .services import users as user_service
from .services.interactions import AudioLimits, IngestError, import_file

users_cli = AppGroup("users", help="Create and list users.")
interactions_cli = AppGroup("interactions", help="Import interactions.")
sample_cli = AppGroup("sample", help="Weekly sampling for review.")
demo_cli = AppGroup("demo", help="The demo workspace.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", default="")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--team", "team_name", help="Team the agent or reviewer belongs to (created if new).")
@click.option(
    "--leads", "led", multiple=True, help="Team a lead leads (repeatable; created if new)."
)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user(
    email: str, name: str, role: str, team_name: str | None, led: tuple[str, ...], password: str
) -> None:
    """Create a user with a hashed password."""
    try:
        team = user_service.get_or_create_team(team_name) if team_name else None
        leads = [user_service.get_or_create_team(t) for t in led]
        user = user_service.create_user(email, name, password, role, team=team, leads=leads)
    except user_service.UserError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"created {user.role.value} {user.email}")


@users_cli.command("list")
def list_users() -> None:
    """List users with role and team."""
    from .models import User

    for user in db.session.scalars(select(User).order_by(User.role, User.email)):
        team = user.team.name if user.team else "-"
        click.echo(f"{user.role.value:9} {user.email:35} {team}")


def _limits() -> AudioLimits:
    return AudioLimits(
        current_app.config["MAX_CONTENT_LENGTH"], current_app.config["MAX_AUDIO_SECONDS"]
    )


@interactions_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--no-process", is_flag=True, help="Store only; transcribe and score later.")
def import_cmd(file: Path, no_process: bool) -> None:
    """Import interactions from CSV or JSONL (see README for the columns)."""
    try:
        report = import_file(
            file,
            limits=_limits(),
            upload_folder=current_app.config["UPLOAD_FOLDER"],
            redact=current_app.config["REDACT_PII"],
        )
    except IngestError as exc:
        raise click.ClickException(str(exc)) from None
    for line, reason in report.errors:
        click.echo(f"{file.name}:{line}: {reason}", err=True)
    click.echo(
        f"imported {len(report.created)}, skipped {report.duplicates} already imported, "
        f"{len(report.errors)} bad row(s)"
    )
    if report.created and not no_process:
        _process(report.created)
    if report.errors:
        raise SystemExit(1)


def _process(ids: list[int]) -> None:
    """Transcribe calls and score everything among `ids`, with a progress bar."""
    rows = db.session.execute(
        select(Interaction.id, Interaction.status).where(Interaction.id.in_(ids))
    ).all()
    calls = [
        i for i, status in rows if status in (Status.PENDING, Status.TRANSCRIBING, Status.FAILED)
    ]
    texts = [i for i, status in rows if status == Status.TRANSCRIBED]
    if calls:
        with click.progressbar(calls, label="transcribing") as bar:
            for interaction_id in bar:
                jobs.transcribe_interaction(interaction_id)
    if texts:
        with click.progressbar(length=len(texts), label="scoring") as bar:
            for start in range(0, len(texts), 64):
                jobs.score_interactions(texts[start : start + 64])
                bar.update(len(texts[start : start + 64]))
    failed = db.session.scalars(
        select(Interaction).where(Interaction.id.in_(ids), Interaction.status == Status.FAILED)
    ).all()
    for interaction in failed:
        click.echo(
            f"interaction {interaction.id} ({interaction.external_id}) failed: {interaction.failure_reason}",
            err=True,
        )


@click.command("transcribe")
@click.argument("ids", nargs=-1, type=int)
@click.option("--pending", is_flag=True, help="Every call waiting for transcription.")
@click.option("--retry-failed", is_flag=True, help="Every failed interaction.")
def transcribe_cmd(ids: tuple[int, ...], pending: bool, retry_failed: bool) -> None:
    """Transcribe calls (then score them): by id, --pending or --retry-failed."""
    chosen = list(ids)
    if pending:
        chosen += db.session.scalars(
            select(Interaction.id).where(Interaction.status == Status.PENDING)
        ).all()
    if retry_failed:
        chosen += db.session.scalars(
            select(Interaction.id).where(Interaction.status == Status.FAILED)
        ).all()
    if not chosen:
        raise click.ClickException(
            "nothing to do: give interaction ids, --pending or --retry-failed"
        )
    missing = set(chosen) - set(
        db.session.scalars(select(Interaction.id).where(Interaction.id.in_(chosen)))
    )
    if missing:
        raise click.ClickException(f"no interaction with id {', '.join(map(str, sorted(missing)))}")
    _process(sorted(set(chosen)))


@click.command("score")
@click.argument("ids", nargs=-1, type=int)
@click.option("--pending", is_flag=True, help="Every interaction with text that is not scored yet.")
@click.option("--all", "rescore", is_flag=True, help="Re-score every interaction with text.")
def score_cmd(ids: tuple[int, ...], pending: bool, rescore: bool) -> None:
    """Run AutoQA on interactions: by id, --pending or --all."""
    query = select(Interaction.id)
    if rescore:
        chosen = db.session.scalars(
            query.where(Interaction.status.in_([Status.TRANSCRIBED, Status.SCORED]))
        ).all()
    elif pending:
        chosen = db.session.scalars(query.where(Interaction.status == Status.TRANSCRIBED)).all()
    else:
        chosen = list(ids)
    if not chosen:
        raise click.ClickException("nothing to score: give interaction ids, --pending or --all")
    done = 0
    with click.progressbar(length=len(chosen), label="scoring") as bar:
        for start in range(0, len(chosen), 64):
            done += jobs.score_interactions(list(chosen[start : start + 64]))
            bar.update(len(chosen[start : start + 64]))
    click.echo(f"scored {done} of {len(chosen)}")


@sample_cli.command("run")
@click.option("--week", help="ISO week, e.g. 2026-W47.")
@click.option("--last-week", is_flag=True, help="The previous ISO week (for cron).")
@click.option(
    "--policy", "policy_id", type=int, help="Only this policy (default: every active one)."
)
@click.option("--dry-run", is_flag=True, help="Show what would be sampled, change nothing.")
def sample_run(week: str | None, last_week: bool, policy_id: int | None, dry_run: bool) -> None:
    """Draw the weekly sample per policy and assign reviewers."""
    if bool(week) == last_week:
        raise click.ClickException("give exactly one of --week 2026-W47 or --last-week")
    week = sampling.last_week() if last_week else week
    assert week is not None
    policies = sampling.active_policies()
    if policy_id is not None:
        policies = [p for p in policies if p.id == policy_id]
        if not policies:
            raise click.ClickException(f"no active sampling policy with id {policy_id}")
    if not policies:
        raise click.ClickException("no active sampling policy: create one first")
    for policy in policies:
        try:
            report = sampling.draw(policy, week, dry_run=dry_run)
        except sampling.SamplingError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(
            f"{policy.team.name} / {policy.name} {week}: {report.added} sampled"
            + ("" if dry_run else f", {report.assigned} assigned, {report.unassigned} unassigned")
        )
        for agent in report.agents:
            click.echo(
                f"  agent {agent.agent_id}: volume {agent.volume}, quota {agent.quota}, "
                f"had {agent.already}, +{agent.added_risk} risk, +{agent.added_random} random"
            )


@sample_cli.command("policies")
def sample_policies() -> None:
    """List sampling policies with their settings."""
    from .models import SamplingPolicy

    for p in db.session.scalars(select(SamplingPolicy).order_by(SamplingPolicy.id)):
        click.echo(
            f"{p.id:4} {p.team.name} / {p.name}: {p.percentage:g}% min {p.min_per_agent} "
            f"max {p.max_per_agent}, risk {p.risk_share:.0%}, channels "
            f"{','.join(p.channels) if p.channels else 'all'}, seed {p.seed}"
            + ("" if p.active else " (inactive)")
        )


@sample_cli.command("policy")
@click.option("--id", "policy_id", type=int, help="Update this policy (default: create one).")
@click.option("--team", "team_name", help="Team name (required to create).")
@click.option("--name")
@click.option("--percentage", type=float)
@click.option("--min-per-agent", type=int)
@click.option("--max-per-agent", type=int)
@click.option("--risk-share", type=float, help="0..1 of each agent's quota.")
@click.option("--weight-autoqa", type=float)
@click.option("--weight-csat", type=float)
@click.option("--weight-escalated", type=float)
@click.option("--weight-handle-time", type=float)
@click.option("--channels", help="Comma-separated (call,chat,email,social); empty for all.")
@click.option("--min-duration", type=float, help="Minimum duration in seconds.")
@click.option("--min-turns", type=int)
@click.option("--exclude-own-team/--allow-own-team", default=None)
@click.option("--seed", type=int)
@click.option("--active/--inactive", default=None)
def sample_policy(policy_id: int | None, team_name: str | None, **options: object) -> None:
    """Create or update a team's sampling policy."""
    from .models import SamplingPolicy

    renames = {
        "weight_autoqa": "risk_weight_autoqa",
        "weight_csat": "risk_weight_csat",
        "weight_escalated": "risk_weight_escalated",
        "weight_handle_time": "risk_weight_handle_time",
        "min_duration": "min_duration_seconds",
    }
    values = {renames.get(k, k): v for k, v in options.items() if v is not None}
    if "channels" in values:
        values["channels"] = [c.strip() for c in str(values["channels"]).split(",") if c.strip()]
    policy = None
    if policy_id is not None:
        policy = db.session.get(SamplingPolicy, policy_id)
        if policy is None:
            raise click.ClickException(f"no sampling policy with id {policy_id}")
    team_id = policy.team_id if policy else None
    if team_name:
        team = db.session.scalar(select(Team).where(Team.name == team_name))
        if team is None:
            raise click.ClickException(f"no team named {team_name!r}")
        team_id = team.id
    if team_id is None:
        raise click.ClickException("give --team to create a policy (or --id to update one)")
    try:
        policy = sampling.save_policy(policy, team_id, values, actor=None)
    except sampling.SamplingError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(
        f"{'updated' if policy_id else 'created'} sampling policy {policy.id} ({policy.name})"
    )


@sample_cli.command("coverage")
@click.option("--week", help="ISO week, e.g. 2026-W47.")
@click.option("--last-week", is_flag=True, help="The previous ISO week.")
@click.option("--policy", "policy_id", type=int, required=True)
def sample_coverage(week: str | None, last_week: bool, policy_id: int) -> None:
    """Per agent: volume, sampled, reviewed, quality score and its 95% margin of error."""
    from .models import SamplingPolicy

    if bool(week) == last_week:
        raise click.ClickException("give exactly one of --week 2026-W47 or --last-week")
    week = sampling.last_week() if last_week else week
    assert week is not None
    policy = db.session.get(SamplingPolicy, policy_id)
    if policy is None:
        raise click.ClickException(f"no sampling policy with id {policy_id}")
    try:
        rows = sampling.coverage(policy, week)
    except sampling.SamplingError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{policy.team.name} / {policy.name} {week}")
    for row in rows:
        score = "-" if row.score is None else f"{row.score:.1f}"
        click.echo(
            f"  {row.name}: volume {row.volume}, sampled {row.sampled}, reviewed {row.reviewed}, "
            f"score {score}, {row.verdict}"
        )


@demo_cli.command("load")
@click.option("--no-calls", is_flag=True, help="Skip transcribing the demo call recordings.")
def demo_load(no_calls: bool) -> None:
    """Load the demo workspace once (teams, users, scorecard, interactions, calls)."""
    from .demo import load_demo

    if db.session.scalar(select(func.count(Team.id))):
        click.echo("demo workspace already loaded")
        return
    load_demo(calls=not no_calls, echo=click.echo)


@demo_cli.command("logins")
def demo_logins() -> None:
    """Print the demo logins."""
    from .demo import DEMO_PASSWORD, demo_accounts

    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for role, email in demo_accounts():
        click.echo(f"  {role:9} {email}")


scoring_cli = AppGroup(
    "scoring", help="AutoQA models: train, evaluate, versions, activate, rollback."
)


def _registry():  # type: ignore[no-untyped-def]
    from .ml import scoring_registry

    return scoring_registry()


@scoring_cli.command("train")
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
) -> None:
    """Train AutoQA on a labelled corpus (default: the project's own corpus) into the registry."""
    from scoring import ScoringError

    from .services import autoqa

    if (criterion_ids or all_criteria) and not from_reviews:
        raise click.ClickException("--criterion and --all-criteria need --from-reviews")
    if from_reviews and activate:
        raise click.ClickException(
            "--activate does not apply to --from-reviews: the held-out comparison decides"
        )
    data = data or autoqa.DEFAULT_CORPUS
    if from_reviews:
        needed = min_labels or autoqa.min_labels()
        if criterion_ids or all_criteria:
            _train_custom_heads(list(criterion_ids), all_criteria, needed, holdout, seed)
        else:
            _train_from_reviews(data, needed, holdout, seed, reviewer_weight)
        return
    if not data.is_file():
        raise click.ClickException(f"no such file: {data}")
    try:
        version = autoqa.train_version(
            _registry(),
            data,
            encoder_path=current_app.config["ENCODER_PATH"],
            actor=None,
            activate=activate,
        )
    except (ScoringError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"registered {version}" + (" (active)" if activate else ""))


def _train_from_reviews(
    data: Path, min_labels: int, holdout: float, seed: int, reviewer_weight: int
) -> None:
    from scoring import ScoringError
    from scoring.retrain import ACTIVATION_RULE, NotEnoughLabels, format_table

    from .ml import get_scorer
    from .services import autoqa

    if not data.is_file():
        raise click.ClickException(f"no such file: {data}")
    registry = _registry()
    active = get_scorer()
    try:
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
    except NotEnoughLabels as exc:
        db.session.commit()  # the refusal is audited
        raise click.ClickException(str(exc)) from None
    except (ScoringError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
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

    from .ml import get_scorer
    from .services import autoqa

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


@scoring_cli.command("evaluate")
@click.argument("data", required=False, type=click.Path(dir_okay=False, path_type=Path))
def scoring_evaluate(data: Path | None) -> None:
    """Metrics of the model in use on a labelled corpus JSONL."""
    import json

    from scoring import ScoringError
    from scoring.train import evaluate

    from .ml import get_scorer
    from .services import autoqa

    data = data or autoqa.DEFAULT_CORPUS
    if not data.is_file():
        raise click.ClickException(f"no such file: {data}")
    try:
        scorer = get_scorer()
        click.echo(json.dumps(evaluate(scorer, data), indent=2))
    except (ScoringError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    trained_on = scorer.metadata.get("training_data", {})
    if data.name == trained_on.get("file") or data.resolve() == autoqa.DEFAULT_CORPUS.resolve():
        # the shipped corpus trains every model (reviewer retraining adds to it): in-sample
        click.echo(
            f"note: {scorer.version} was trained on {data.name}, so these figures are in-sample "
            "and optimistic; its cross-validated figures are in its sidecar (flask scoring "
            "versions, the admin models page), and bench/autoqa.py measures it on outside data",
            err=True,
        )


@scoring_cli.command("versions")
def scoring_versions() -> None:
    """List registered versions; * marks the active one (none: the shipped default is used)."""
    from .services import autoqa

    rows = autoqa.versions(_registry())
    if not rows:
        click.echo(
            f"no registered versions; using the shipped default {autoqa.shipped_default().get('version')}"
        )
    for row in rows:
        auc = row.get("metrics", {}).get("resolution", {}).get("auc")
        click.echo(
            f"{'*' if row['active'] else ' '} {row['version']}  {row.get('created', '')}  resolution AUC {auc}"
        )


@scoring_cli.command("heads")
def scoring_heads() -> None:
    """Custom criterion heads learned from reviewers: versions, held-out AUC; * marks active."""
    from .services import autoqa

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


@scoring_cli.command("activate")
@click.argument("version")
@click.option("--criterion", "criterion_id", type=int, help="A custom head's criterion id.")
def scoring_activate(version: str, criterion_id: int | None) -> None:
    """Make a registered version the active one (of a custom head with --criterion)."""
    from scoring import ScoringError

    from .services import autoqa

    try:
        if criterion_id is not None:
            autoqa.activate_custom(criterion_id, version, None)
        else:
            autoqa.activate_version(_registry(), version, None)
    except ScoringError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"active: {version}")


@scoring_cli.command("rollback")
@click.option("--criterion", "criterion_id", type=int, help="A custom head's criterion id.")
def scoring_rollback(criterion_id: int | None) -> None:
    """Re-activate the previously active version (of a custom head with --criterion)."""
    from scoring import ScoringError

    from .services import autoqa

    try:
        if criterion_id is not None:
            version = autoqa.rollback_custom(criterion_id, None)
            default = "none (the criterion has no learned head)"
        else:
            version = autoqa.rollback(_registry(), None)
            default = f"none (shipped default {autoqa.shipped_default().get('version')})"
    except ScoringError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"active: {version or default}")


jobs_cli = AppGroup("jobs", help="The transcription and scoring pipeline.")


@jobs_cli.command("status")
def jobs_status_cmd() -> None:
    """Interactions per pipeline status, queue lengths (with Celery) and recent failures."""
    from .services.jobs_status import status

    report = status(current_app.extensions.get("celery"), failures=20)
    click.echo(f"mode: {report.mode}")
    for name, count in report.by_status.items():
        click.echo(f"  {name:12} {count}")
    for name, length in report.queues.items():
        click.echo(f"  queue {name}: {length}")
    for interaction in report.failures:
        click.echo(
            f"failed {interaction.id} ({interaction.external_id}): {interaction.failure_reason}"
        )


backup_cli = AppGroup("backup", help="Back up and restore the database, recordings and models.")


def _backup_paths() -> dict[str, str]:
    c = current_app.config
    return {
        "database_url": c["SQLALCHEMY_DATABASE_URI"],
        "upload_folder": c["UPLOAD_FOLDER"],
        "model_dir": c["SCORING_MODEL_DIR"],
    }


@backup_cli.command("create")
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
def backup_create(target: Path) -> None:
    """Write a backup folder under TARGET (safe while the app runs)."""
    from .services import backup

    try:
        out = backup.create(target, **_backup_paths())
    except (backup.BackupError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(str(out))


@backup_cli.command("restore")
@click.argument("source", type=click.Path(file_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def backup_restore(source: Path, yes: bool) -> None:
    """Replace the database, recordings and models with a backup (stop the app first)."""
    from .services import backup

    if not yes:
        click.confirm(
            "This replaces the current database, recordings and models. Continue?", abort=True
        )
    try:
        manifest = backup.restore(source, **_backup_paths())
    except (backup.BackupError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"restored backup of {manifest['created']} ({manifest['database']})")


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="api", help="What the token is for.")
def create_token(email: str, name: str) -> None:
    """Create an API token for a user; it is printed once and stored only as a hash."""
    from .models import User
    from .services import tokens

    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no user with email {email}")
    _, raw = tokens.create_token(user, name, None)
    db.session.commit()
    click.echo(raw)


dashboard_cli = AppGroup("dashboard", help="The lead dashboards' stored daily sums.")


@dashboard_cli.command("refresh")
@click.option("--days", default=400, show_default=True, help="How far back to fill.")
def dashboard_refresh(days: int) -> None:
    """Store the closed days' sums of every team that aren't stored yet (run it nightly, or
    after a bulk import; the first dashboard that needs a day fills it otherwise)."""
    import time

    from .services import dashboard_cache
    from .services.kpis import sla_thresholds

    started = time.perf_counter()
    try:
        done = dashboard_cache.refresh(days, sla_thresholds(current_app.config))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    seconds = time.perf_counter() - started
    click.echo(f"{done['stored']} team-days stored for {done['teams']} teams in {seconds:.1f} s")


def register_cli(app: Flask) -> None:
    for command in (
        dashboard_cli,
        jobs_cli,
        backup_cli,
        users_cli,
        interactions_cli,
        sample_cli,
        demo_cli,
        scoring_cli,
        transcribe_cmd,
        score_cmd,
    ):
        app.cli.add_command(command)
