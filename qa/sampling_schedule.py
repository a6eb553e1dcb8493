"""The weekly sampling job for Celery beat, and the task body it runs (also callable inline).

Celery is wired in later; this module only states the schedule entry and the function, so the
Celery app can do `app.conf.beat_schedule.update(beat_schedule())` and register
`run_weekly_sample` as a task. Cron users run `flask sample run --last-week` instead.
"""

from __future__ import annotations

from typing import Any

from .services import sampling

TASK_NAME = "qa.sampling_schedule.run_weekly_sample"


def beat_schedule(hour: int = 2, minute: int = 0) -> dict[str, dict[str, Any]]:
    """The beat entry: every Monday at hour:minute (UTC), sample the week that just ended."""
    from celery.schedules import crontab  # only needed when beat is configured

    return {
        "weekly-sample": {
            "task": TASK_NAME,
            "schedule": crontab(minute=minute, hour=hour, day_of_week="mon"),
            "kwargs": {"week": None},
        }
    }


def run_weekly_sample(week: str | None = None) -> list[dict[str, Any]]:
    """Draw and assign every active policy for `week` (default: last ISO week); needs an app context."""
    week = week or sampling.last_week()
    summary = []
    for policy in sampling.active_policies():
        report = sampling.draw(policy, week)
        summary.append(
            {
                "policy_id": policy.id,
                "week": week,
                "sampled": report.added,
                "risk": report.added_risk,
                "random": report.added_random,
                "assigned": report.assigned,
                "unassigned": report.unassigned,
            }
        )
    return summary


__all__ = ["TASK_NAME", "beat_schedule", "run_weekly_sample"]
