"""Celery on a real Redis: an uploaded call is transcribed and scored by a worker process, and a
worker killed mid-job is replaced and the job completes exactly once."""

from __future__ import annotations

import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from qa import create_app
from qa.extensions import db
from qa.models import AutoScore, Interaction, Role, Segment, Status, Team, Transcript, User

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
CALL = ROOT / "qa" / "demo" / "calls" / "double_charge_refund.ogg"
REDIS = shutil.which("redis-server")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    if REDIS is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing: .ci/run installs Debian's redis-server")
        pytest.skip("redis-server not installed (apt-get install redis-server)")
    port = _free_port()
    proc = subprocess.Popen(
        [
            REDIS,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    break
        except OSError:
            time.sleep(0.05)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def setup(tmp_path: Path, redis_url: str, database_url: str):  # type: ignore[no-untyped-def]
    """An app on a database shared with the worker process (a SQLite file, or this test's
    PostgreSQL database), with a lead and an agent."""
    from flask_migrate import upgrade

    env = {
        "QA_DATABASE_URL": database_url,
        "QA_INSTANCE_PATH": str(tmp_path / "instance"),
        "QA_UPLOAD_FOLDER": str(tmp_path / "recordings"),
        "QA_SCORING_MODEL_DIR": str(tmp_path / "models"),
        "QA_CELERY_BROKER_URL": redis_url,
        "QA_CELERY_VISIBILITY_TIMEOUT": "3",
        "HF_HUB_OFFLINE": "1",
    }
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": env["QA_DATABASE_URL"],
            "UPLOAD_FOLDER": env["QA_UPLOAD_FOLDER"],
            "CELERY_BROKER_URL": redis_url,
            "CELERY_VISIBILITY_TIMEOUT": 3,
            "LOGIN_RATE_LIMIT": "1000 per minute",
        }
    )
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        team = Team(name="Billing")
        lead = User(email="lead@example.com", name="Lead", role=Role.LEAD, led_teams=[team])
        agent = User(email="agent@example.com", name="Agent", role=Role.AGENT, team=team)
        for user in (lead, agent):
            user.set_password("worker-password")
        db.session.add_all([team, lead, agent])
        db.session.commit()
        agent_id = agent.id
    yield app, env, agent_id
    with app.app_context():
        db.engine.dispose()


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "qa.worker",
            "worker",
            "-Q",
            "transcription,scoring",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def upload(app, agent_id: int, external_id: str) -> int:  # type: ignore[no-untyped-def]
    from tests.conftest import Client

    c = Client(app.test_client())
    with app.app_context():
        assert c.login("lead@example.com", "worker-password").status_code == 302
        response = c.post(
            "/interactions/upload",
            {
                "recording": (io.BytesIO(CALL.read_bytes()), CALL.name),
                "agent": str(agent_id),
                "external_id": external_id,
                "started_at": "2026-11-16T10:00",
                "agent_channel": "right",
            },
            content_type="multipart/form-data",
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return db.session.query(Interaction).filter_by(external_id=external_id).one().id


def wait_for(app, interaction_id: int, statuses: set[Status], timeout: float) -> Status:  # type: ignore[no-untyped-def]
    deadline = time.time() + timeout
    while time.time() < deadline:
        with app.app_context():
            status = db.session.get(Interaction, interaction_id).status
            db.session.remove()
        if status in statuses:
            return status
        time.sleep(0.05)
    raise AssertionError(f"interaction {interaction_id} still {status} after {timeout}s")


def counts(app, interaction_id: int) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    with app.app_context():
        transcripts = db.session.query(Transcript).filter_by(interaction_id=interaction_id).all()
        segments = (
            db.session.query(Segment)
            .filter(Segment.transcript_id.in_([t.id for t in transcripts]))
            .count()
        )
        scores = db.session.query(AutoScore).filter_by(interaction_id=interaction_id).count()
        return len(transcripts), segments, scores


def test_worker_transcribes_and_scores_an_upload(setup, tmp_path):
    """The upload is queued; a separate worker process transcribes and scores it."""
    app, env, agent_id = setup
    worker = start_worker(env, tmp_path / "worker.log")
    try:
        interaction_id = upload(app, agent_id, "Q-1")
        assert wait_for(app, interaction_id, {Status.SCORED, Status.FAILED}, 180) == Status.SCORED
        transcripts, segments, scores = counts(app, interaction_id)
        assert transcripts == 1 and segments > 3 and scores == 2
        with app.app_context():
            from qa.jobs.status import status

            report = status(app.extensions["celery"])
        assert report.mode == "celery" and report.queues == {"transcription": 0, "scoring": 0}
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_models_page_training_runs_on_the_worker(setup, tmp_path):
    """With a broker, the admin's "Train from reviews" is a Celery task: the worker process
    runs the real training and writes its outcome to the status the page polls (here it fails
    for want of reviewer labels, with that reason)."""
    import json

    from qa.jobs import training
    from tests.conftest import Client

    app, env, _ = setup
    training.state_path(app).unlink(missing_ok=True)
    worker = start_worker({**env, "QA_INSTANCE_PATH": app.instance_path}, tmp_path / "worker.log")
    try:
        with app.app_context():
            admin = User(email="admin@example.com", name="Admin", role=Role.ADMIN)
            admin.set_password("worker-password")
            db.session.add(admin)
            db.session.commit()
            c = Client(app.test_client())
            assert c.login("admin@example.com", "worker-password").status_code == 302
            assert c.post("/admin/models/train").status_code == 302
            state = json.loads(c.get("/admin/models/train/status").get_data(as_text=True))
        assert state["runs_on"] == "celery"
        deadline = time.time() + 120
        while training.read_state(app)["state"] in ("running", "idle") and time.time() < deadline:
            time.sleep(0.2)
        final = training.read_state(app)
        assert final["state"] == "failed", (final, (tmp_path / "worker.log").read_text())
        assert "label" in final["error"], final
        assert "qa.train_autoqa" in (tmp_path / "worker.log").read_text()
    finally:
        training.state_path(app).unlink(missing_ok=True)
        worker.terminate()
        worker.wait(timeout=30)


def test_killed_worker_job_completes_exactly_once(setup, tmp_path):
    """SIGKILL during transcription: the job is redelivered to a new worker and stored once."""
    app, env, agent_id = setup
    log = tmp_path / "worker.log"
    worker = start_worker(env, log)
    try:
        interaction_id = upload(app, agent_id, "Q-2")
        wait_for(app, interaction_id, {Status.TRANSCRIBING}, 120)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        assert counts(app, interaction_id) == (0, 0, 0)
        time.sleep(3.5)  # past the visibility timeout, so the new worker restores the unacked job
        worker = start_worker(env, log)
        assert (
            wait_for(app, interaction_id, {Status.SCORED, Status.FAILED}, 240) == Status.SCORED
        ), log.read_text()
        time.sleep(4)  # a duplicate delivery, if any, would land now
        transcripts, segments, scores = counts(app, interaction_id)
        assert transcripts == 1 and scores == 2
        with app.app_context():
            positions = [s.position for s in db.session.query(Segment)]
        assert sorted(positions) == list(range(segments))  # one copy of each segment
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_apps_created_one_after_another_register_the_tasks_once(tmp_path, monkeypatch):
    """Every create_app with a broker (each test, the worker) registers the two tasks on its own
    Celery app without DuplicateTaskNameWarning, and each task runs inside its own Flask app."""
    import warnings

    from celery.exceptions import DuplicateTaskNameWarning
    from flask import current_app

    from qa import jobs

    monkeypatch.setattr(jobs, "score_interactions", lambda ids: current_app._get_current_object())
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "SCORING_MODEL_DIR": str(tmp_path / "models"),
        "CELERY_BROKER_URL": "redis://127.0.0.1:1/0",  # never connected to: nothing is queued
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error", DuplicateTaskNameWarning)
        apps = [create_app(config) for _ in range(3)]
        for app in apps:
            tasks = app.extensions["celery"].tasks
            assert {"qa.transcribe_interaction", "qa.score_interactions"} <= set(tasks)
            assert tasks["qa.score_interactions"]([1]) is app
