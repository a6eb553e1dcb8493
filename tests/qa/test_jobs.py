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
