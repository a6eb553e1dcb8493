"""Plain-text email through the configured SMTP server (QA_SMTP_*): notification copies and
invitations. Off unless SMTP_HOST is set; a failing server is logged, never raised."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app, has_app_context

log = logging.getLogger(__name__)


def configured() -> bool:
    """Whether email is switched on (an SMTP host is set)."""
    return has_app_context() and bool(current_app.config.get("SMTP_HOST"))


def absolute(path: str) -> str:
    """A link for an email: BASE_URL + path (the path alone when BASE_URL is unset)."""
    return (current_app.config.get("BASE_URL") or "").rstrip("/") + path


def send(to: str, subject: str, body: str) -> bool:
    """Send one plain-text email; False if the server refused it or could not be reached."""
    cfg = current_app.config
    msg = EmailMessage()
    msg["From"] = cfg.get("SMTP_FROM") or "coachline@localhost"
    msg["To"] = to
    msg["Subject"] = f"[Coachline] {subject}"
    msg.set_content(body)
    try:
        with smtplib.SMTP(cfg["SMTP_HOST"], int(cfg.get("SMTP_PORT") or 25), timeout=10) as smtp:
            if cfg.get("SMTP_STARTTLS"):
                smtp.starttls()
            if cfg.get("SMTP_USER"):
                smtp.login(cfg["SMTP_USER"], cfg.get("SMTP_PASSWORD") or "")
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException):
        log.warning("could not send email to %s", to, exc_info=True)
        return False
    return True
