"""The periodic jobs Celery beat runs (`celery -A qa.worker beat`): Monday's weekly sample of the
week that just ended (`flask sample run --last-week`), the nightly dashboard refresh (`flask
dashboard refresh`) and, every few minutes, the failed webhook deliveries due a retry (`flask
webhooks retry`). Both task bodies are plain functions that need only an app context, so cron
users can run the CLI commands instead and tests call them inline."""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab
from flask import current_app

from ..extensions import db
from ..services import dashboard_cache, sampling, webhooks
from ..services.kpis import sla_thresholds

TASK_NAME = "qa.run_weekly_sample"
REFRESH_TASK_NAME = "qa.refresh_dashboards"
REFRESH_DAYS = 400  # as `flask dashboard refresh`
WEBHOOK_RETRY_TASK_NAME = "qa.retry_webhooks"
WEBHOOK_RETRY_MINUTES = 5  # below the first backoff step (webhooks.BACKOFF_SECONDS)


def beat_schedule(hour: int = 2, minute: int = 0) -> dict[str, dict[str, Any]]:
    """The beat entries (UTC): the weekly sample on Mondays at hour:minute, the dashboard
    refresh every night half an hour later (after the sample, so its reviews are counted)."""
    return {
        "weekly-sample": {
            "task": TASK_NAME,
            "schedule": crontab(minute=minute, hour=hour, day_of_week="mon"),
            "kwargs": {"week": None},
        },
        "nightly-dashboard-refresh": {
            "task": REFRESH_TASK_NAME,
            "schedule": crontab(minute=(minute + 30) % 60, hour=(hour + (minute + 30) // 60) % 24),
            "kwargs": {"days": REFRESH_DAYS},
        },
        "webhook-retry": {
            "task": WEBHOOK_RETRY_TASK_NAME,
            "schedule": crontab(minute=f"*/{WEBHOOK_RETRY_MINUTES}"),
        },
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


def refresh_dashboards(days: int = REFRESH_DAYS) -> dict[str, int]:
    """Store the closed days' dashboard sums not stored yet; needs an app context."""
    return dashboard_cache.refresh(days, sla_thresholds(current_app.config))


def retry_webhooks() -> int:
    """Try the failed webhook deliveries whose backoff passed, once each, and store the
    outcome; how many got through. Needs an app context."""
    done = webhooks.retry_failed()
    db.session.commit()
    return done


__all__ = [
    "REFRESH_TASK_NAME",
    "TASK_NAME",
    "WEBHOOK_RETRY_TASK_NAME",
    "beat_schedule",
    "refresh_dashboards",
    "retry_webhooks",
    "run_weekly_sample",
]
