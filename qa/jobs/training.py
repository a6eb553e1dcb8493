"""Training AutoQA from the reviewers' answers (`flask scoring train --from-reviews`) as a job
started from the models page: the request that starts it answers at once, and its progress is a
small JSON file in the instance folder that the page polls. With a Celery broker configured the
job is the Celery task qa.train_autoqa (a worker sharing the instance folder, as it shares the
recordings folder, writes the same progress); otherwise a background thread of the web process
runs it. One training at a time; a failure keeps its reason."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

from ..extensions import db
from ..ml import get_scorer, scoring_registry
from ..models import User, utcnow
from ..services import autoqa, escalation_head

STATE_FILE = "training-job.json"
HOLDOUT, SEED, REVIEWER_WEIGHT = 0.25, 0, 3  # the CLI's defaults

Progress = Callable[[str, int], None]
Runner = Callable[[int | None, Progress], str]

_lock = threading.Lock()


def state_path(app: Flask) -> Path:
    return Path(app.instance_path) / STATE_FILE


def read_state(app: Flask) -> dict[str, Any]:
    """The last training job's state: idle, running (with step and percent), done or failed."""
    try:
        return dict(json.loads(state_path(app).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {"state": "idle"}


def _write(app: Flask, **fields: Any) -> None:
    """Merge `fields` into the state file, atomically (a poll never reads half a file)."""
    path = state_path(app)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {**read_state(app), **fields, "updated_at": utcnow().isoformat()}
    tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(state), encoding="utf-8")
    tmp.replace(path)


def retrain(actor_id: int | None, progress: Progress) -> str:
    """What `flask scoring train --from-reviews` does, reporting its steps; the summary."""
    progress("loading the active model", 10)
    registry, active = scoring_registry(), get_scorer()
    progress("training on the reviewers' labels and comparing on held-out ones", 30)
    actor = db.session.get(User, actor_id) if actor_id else None
    result = autoqa.retrain_from_reviews(
        registry,
        active,
        autoqa.DEFAULT_CORPUS,
        actor=actor,
        min_labels=autoqa.min_labels(),
        holdout=HOLDOUT,
        seed=SEED,
        reviewer_weight=REVIEWER_WEIGHT,
    )
    db.session.commit()
    return f"registered {result.model.version}: {result.comparison.reason}"


def retrain_escalation(actor_id: int | None, progress: Progress) -> str:
    """What `flask scoring train --from-reviews --escalation-head` does (issue 17), reporting
    its steps; the summary. Started from the models page, it always runs in a thread."""
    progress("loading the encoder", 10)
    encoder = get_scorer().encoder
    progress("training the escalation head on the reviewers' answers", 30)
    actor = db.session.get(User, actor_id) if actor_id else None
    result = escalation_head.train(
        encoder, actor=actor, min_labels=autoqa.min_labels(), holdout=HOLDOUT, seed=SEED
    )
    db.session.commit()
    done = "activated" if result.activate else "registered, not activated"
    return f"escalation head {done} {result.head.version}: {result.reason}"


TASK_NAME = "qa.train_autoqa"


def runs_on(app: Flask, runner: Runner | None = None) -> str:
    """Where a training started now runs: "celery" when a broker is configured (and the real
    retrain is asked for), else "thread"."""
    return "celery" if runner is None and app.extensions.get("celery") is not None else "thread"


def start(app: Flask, actor_id: int | None, runner: Runner | None = None) -> bool:
    """Start a training in the background (a Celery task or a thread, `runs_on`); False when
    one is already running."""
    where = runs_on(app, runner)
    with _lock:
        if read_state(app).get("state") == "running":
            return False
        _write(
            app,
            state="running",
            step="queued",
            percent=0,
            started_at=utcnow().isoformat(),
            finished_at=None,
            message=None,
            error=None,
            runs_on=where,
        )
    if where == "celery":
        try:
            app.extensions["celery"].send_task(TASK_NAME, args=[actor_id])
        except Exception as exc:  # broker down: say so on the page rather than spin forever
            _write(app, state="failed", error=f"could not queue the training: {exc}",
                   finished_at=utcnow().isoformat())  # fmt: skip
        return True
    thread = threading.Thread(target=run, args=(app, actor_id, runner or retrain), daemon=True)
    thread.start()
    return True


def run_task(app: Flask, actor_id: int | None) -> str:
    """The Celery task's body: the real training with the same progress and outcome as the
    thread; the final state."""
    run(app, actor_id, retrain)
    return str(read_state(app).get("state"))


def run(app: Flask, actor_id: int | None, runner: Runner) -> None:
    """The job's body, inside an app context: progress as it goes, then done or failed."""
    with app.app_context():
        try:
            message = runner(actor_id, lambda step, pct: _write(app, step=step, percent=pct))
        except Exception as exc:  # the page shows the reason; the job must not die silently
            db.session.rollback()
            _write(
                app,
                state="failed",
                error=str(exc) or type(exc).__name__,
                finished_at=utcnow().isoformat(),
            )
        else:
            _write(
                app,
                state="done",
                percent=100,
                step="finished",
                message=message,
                finished_at=utcnow().isoformat(),
            )
        finally:
            db.session.remove()
