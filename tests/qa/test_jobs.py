"""Jobs status for admins: counts per pipeline status and failures with their reasons."""

from __future__ import annotations

from qa.extensions import db
from qa.models import Status
from tests.conftest import make_interaction


def test_jobs_page_and_cli_show_failures(app, login, world):
    """A failed interaction is listed with its reason on the admin page and by `flask jobs status`."""
    failed = make_interaction(world["agent_red"], status=Status.FAILED)
    failed.failure_reason = "audio is silent: no speech detected"
    db.session.commit()
    page = login(world["admin"]).get("/admin/jobs").get_data(as_text=True)
    assert "audio is silent" in page and "inline" in page
    assert login(world["lead_red"]).get("/admin/jobs").status_code == 403
    result = app.test_cli_runner().invoke(args=["jobs", "status"])
    assert result.exit_code == 0
    assert "failed       1" in result.output and "scored       3" in result.output
    assert f"failed {failed.id} ({failed.external_id}): audio is silent" in result.output


def test_beat_schedule_is_registered_on_the_celery_app(tmp_path):
    """With a broker, the Celery app carries the beat schedule (Monday's sample of last week, the
    nightly dashboard refresh) and both tasks, which run inside the Flask app."""
    from qa import create_app
    from qa.jobs import schedule

    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "SCORING_MODEL_DIR": str(tmp_path / "models"),
        "CELERY_BROKER_URL": "redis://127.0.0.1:1/0",  # never connected to: nothing is queued
    })
    celery = app.extensions["celery"]
    beat = celery.conf.beat_schedule
    assert beat["weekly-sample"]["task"] == schedule.TASK_NAME
    assert beat["weekly-sample"]["schedule"].day_of_week == {1}
    assert beat["nightly-dashboard-refresh"]["task"] == schedule.REFRESH_TASK_NAME
    assert beat["nightly-dashboard-refresh"]["schedule"].hour == {2}
    assert {schedule.TASK_NAME, schedule.REFRESH_TASK_NAME} <= set(celery.tasks)
    with app.app_context():
        db.create_all()
    assert celery.tasks[schedule.TASK_NAME]() == []  # no active policy yet
    assert celery.tasks[schedule.REFRESH_TASK_NAME](days=3)["stored"] == 0
