"""The AutoQA training job of the models page: started by a POST that answers at once, its
progress in a JSON status, one at a time, and a failure's reason kept."""

from __future__ import annotations

import threading
import time

import pytest

from qa.jobs import training


@pytest.fixture(autouse=True)
def fresh_state(app):  # type: ignore[no-untyped-def]
    """Each test starts with no training state (the instance folder outlives one test)."""
    training.state_path(app).unlink(missing_ok=True)
    yield
    training.state_path(app).unlink(missing_ok=True)


def _wait_until(app, state: str) -> dict:  # type: ignore[no-untyped-def]
    """Poll the job's state until it is `state` (5 s at most)."""
    for _ in range(100):
        current = training.read_state(app)
        if current["state"] == state:
            return current
        time.sleep(0.05)
    pytest.fail(f"the job never became {state}: {training.read_state(app)}")


def test_job_reports_progress_refuses_a_second_and_finishes(app):
    """While a training runs the status says running with its step; a second start is refused;
    once done the status holds the summary and 100%."""
    release = threading.Event()

    def runner(actor_id, progress):  # type: ignore[no-untyped-def]
        progress("training on the reviewers' labels", 30)
        release.wait(5)
        return "registered autoqa-test"

    assert training.read_state(app) == {"state": "idle"}
    assert training.start(app, None, runner)
    running = _wait_until(app, "running")
    for _ in range(100):
        if training.read_state(app)["percent"] == 30:
            break
        time.sleep(0.05)
    assert training.read_state(app)["step"] == "training on the reviewers' labels"
    assert running["started_at"]
    assert not training.start(app, None, runner)
    release.set()
    done = _wait_until(app, "done")
    assert (done["percent"], done["message"]) == (100, "registered autoqa-test")


def test_failure_keeps_its_reason(app):
    """A training that raises ends as failed with the exception's message."""

    def runner(actor_id, progress):  # type: ignore[no-untyped-def]
        raise ValueError("not enough reviewer labels: empathy 3 of 40")

    assert training.start(app, None, runner)
    failed = _wait_until(app, "failed")
    assert failed["error"] == "not enough reviewer labels: empathy 3 of 40"


def test_train_endpoint_needs_an_admin_and_csrf_and_status_is_json(app, login, world, monkeypatch):
    """Only an admin starts a training (with CSRF); the POST returns at once; the status is JSON."""
    started = []
    monkeypatch.setattr(
        training, "retrain", lambda actor_id, progress: started.append(actor_id) or "ok"
    )
    admin = login(world["admin"])
    assert admin.post("/admin/models/train", csrf=False).status_code == 400
    assert login(world["lead_red"]).post("/admin/models/train").status_code == 403
    response = admin.post("/admin/models/train")
    assert response.status_code == 302 and response.headers["Location"].endswith("#training")
    _wait_until(app, "done")
    assert started == [world["admin"].id]
    status = admin.get("/admin/models/train/status")
    assert status.is_json and status.get_json()["message"] == "ok"
    assert login(world["reviewer"]).get("/admin/models/train/status").status_code == 403


class _Broker:
    """Stands in for the Celery app: records the tasks sent (or refuses them, like a broker
    that is down)."""

    def __init__(self, down: bool = False) -> None:
        self.sent: list[tuple[str, list]] = []
        self.down = down

    def send_task(self, name: str, args: list) -> None:
        if self.down:
            raise ConnectionError("Error 111 connecting to localhost:6379")
        self.sent.append((name, args))


def test_with_a_broker_the_training_is_a_celery_task(app, monkeypatch):
    """With a broker the real training is sent as qa.train_autoqa (no thread runs it), the
    state says running on celery; a broker that is down ends the job as failed with the reason;
    without a broker, or with an explicit runner (tests), a thread runs it."""
    assert training.runs_on(app) == "thread"
    broker = _Broker()
    monkeypatch.setitem(app.extensions, "celery", broker)
    assert training.runs_on(app) == "celery"
    assert training.runs_on(app, lambda a, p: "x") == "thread"
    monkeypatch.setattr(training, "retrain", lambda actor_id, progress: pytest.fail("ran inline"))
    assert training.start(app, 7)
    assert broker.sent == [(training.TASK_NAME, [7])]
    state = training.read_state(app)
    assert (state["state"], state["runs_on"], state["step"]) == ("running", "celery", "queued")
    assert not training.start(app, 7) and len(broker.sent) == 1  # one at a time
    training.state_path(app).unlink()
    monkeypatch.setitem(app.extensions, "celery", _Broker(down=True))
    assert training.start(app, 7)
    failed = training.read_state(app)
    assert failed["state"] == "failed" and "could not queue the training" in failed["error"]


def test_the_task_body_reports_progress_like_the_thread(app, monkeypatch):
    """run_task (what the worker runs) writes the same steps, percent and outcome."""
    seen = []

    def retrain(actor_id, progress):  # type: ignore[no-untyped-def]
        progress("training on the reviewers' labels", 30)
        seen.append(training.read_state(app)["percent"])
        return f"registered for {actor_id}"

    monkeypatch.setattr(training, "retrain", retrain)
    assert training.run_task(app, 3) == "done"
    done = training.read_state(app)
    assert seen == [30] and (done["percent"], done["message"]) == (100, "registered for 3")
