"""Celery entry point: `celery -A qa.worker worker -Q transcription,scoring` runs the jobs,
`celery -A qa.worker beat` the periodic ones (`qa.jobs.schedule`)."""

from . import create_app

flask_app = create_app()
celery = flask_app.extensions.get("celery")
if celery is None:
    raise SystemExit("QA_CELERY_BROKER_URL is not set: jobs run inline, no worker is needed")
