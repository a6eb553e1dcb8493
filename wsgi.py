"""WSGI entry point and `flask` CLI target: `flask --app wsgi ...` (FLASK_APP=wsgi)."""

from qa import create_app

app = create_app()
