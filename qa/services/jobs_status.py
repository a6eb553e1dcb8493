"""Moved to `qa.jobs.status`; kept only while `qa/cli.py` (jobs status) and `qa/admin/views.py`
import it from here. Delete once they import `qa.jobs.status`."""

from ..jobs.status import JobsStatus, status

__all__ = ["JobsStatus", "status"]
