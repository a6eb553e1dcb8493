"""Typed SQLAlchemy 2.0 models: people, interactions and their pipeline, reviews and sampling."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db


def utcnow() -> datetime:
    """Naive UTC timestamps: SQLite has no time zones, so every datetime is stored as UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


class Role(enum.StrEnum):
    ADMIN = "admin"
    LEAD = "lead"
    REVIEWER = "reviewer"
    AGENT = "agent"


class Channel(enum.StrEnum):
    CALL = "call"
    CHAT = "chat"
    EMAIL = "email"
    SOCIAL = "social"


class Status(enum.StrEnum):
    """Where an interaction is in the pipeline."""

    PENDING = "pending"  # stored, waiting for transcription
    TRANSCRIBING = "transcribing"
    TRANSCRIBED = "transcribed"  # text available, not yet scored
    SCORED = "scored"
    FAILED = "failed"  # see failure_reason; retryable


def str_enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(
        cls, name=name, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
    )


team_leads = Table(
    "team_leads",
    db.metadata,
    Column("team_id", ForeignKey("team.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class Team(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    tier: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # 1-4: N1-N4
    # ISO 639-1: a team working in another language than English gets the multilingual Whisper
    language: Mapped[str] = mapped_column(String(2), default="en", server_default="en")

    members: Mapped[list[User]] = relationship(back_populates="team", foreign_keys="User.team_id")
    leads: Mapped[list[User]] = relationship(secondary=team_leads, back_populates="led_teams")

    def __repr__(self) -> str:
        return f"<Team {self.name}>"


class User(UserMixin, db.Model):
    __table_args__ = (
        # One Coachline user per identity at a provider (OpenID Connect: iss + sub).
        Index("uq_user_oidc_issuer_subject", "oidc_issuer", "oidc_subject", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    weekly_capacity: Mapped[int] = mapped_column(Integer, default=40)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Part of every session and remember-me cookie (get_id); bumping it ends them all, server-side
    # (sign-out, password change, role change, deactivation).
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Off: the password form refuses this user, who signs in through single sign-on (issue 17).
    password_login: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    tier: Mapped[int | None] = mapped_column(Integer)  # agents: N1-N4; None = the team's tier
    # The interface language the user chose ("en", "fr"); none: the browser's Accept-Language.
    locale: Mapped[str | None] = mapped_column(String(8))
    # The identity at the single sign-on provider, stored on the first SSO sign-in: later
    # sign-ins match it before the email, so a changed address at the provider is the same user.
    oidc_issuer: Mapped[str | None] = mapped_column(String(255))
    oidc_subject: Mapped[str | None] = mapped_column(String(255))

    team: Mapped[Team | None] = relationship(back_populates="members", foreign_keys=[team_id])
    led_teams: Mapped[list[Team]] = relationship(secondary=team_leads, back_populates="leads")

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """The session identity, "id:version": a cookie made before the last bump no longer loads."""
        return f"{self.id}:{self.session_version or 0}"

    def end_sessions(self) -> None:
        """Invalidate every session and remember-me cookie of this user."""
        self.session_version = (self.session_version or 0) + 1

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class SsoSettings(db.Model):
    """The admin's single sign-on choices (one row): which email domains an unknown user may be
    provisioned from on their first sign-in, and with which role."""

    __tablename__ = "sso_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    allowed_domains: Mapped[str] = mapped_column(Text, default="")  # space-separated, lowercase
    default_role: Mapped[Role] = mapped_column(str_enum(Role, "role"), default=Role.AGENT)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class LoginAttempt(db.Model):
    """One sign-in (or password-change) attempt, kept for the rate-limit window. Counted in the
    database so every worker process sees the same numbers, per account and per address."""

    __table_args__ = (
        Index("ix_login_attempt_email_created", "email", "created_at"),
        Index("ix_login_attempt_address_created", "address", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255))  # as typed (normalised), known user or not
    address: Mapped[str] = mapped_column(String(64))
    # pending (password not yet checked) | failed | succeeded | refused (over the limit, unchecked)
    outcome: Mapped[str] = mapped_column(String(12), default="pending")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class Interaction(db.Model):
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_interaction_source_external_id"),
        # Covers the weekly draw (team, week, agent and the risk signals) without touching the
        # table: halved the draw over 1M interactions (bench/sampler.py, docs/sampler.md).
        Index(
            "ix_interaction_team_started",
            "team_id",
            "started_at",
            "agent_id",
            "status",
            "csat",
            "escalated",
            "duration_seconds",
            "channel",
        ),
        # `id` lets the agent's feedback page and dashboard join from the index alone
        Index("ix_interaction_agent_started", "agent_id", "started_at", "id"),
        # the tier dashboard's re-contact lookup: the same customer's next interactions
        Index("ix_interaction_customer_started", "customer", "started_at"),
        # the tier dashboard's scan of a team's period, from the index alone
        Index(
            "ix_interaction_team_started_tier",
            "team_id",
            "started_at",
            "tier",
            "agent_id",
            "resolved_first_contact",
            "escalated",
            "customer",
            "id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(60), default="default")
    external_id: Mapped[str] = mapped_column(String(120))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "channel"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    # active history: a move to another team or day clears the old day's dashboard sums too
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), active_history=True)
    queue: Mapped[str | None] = mapped_column(String(120))
    subject: Mapped[str | None] = mapped_column(String(255))
    started_at: Mapped[datetime] = mapped_column(DateTime, active_history=True)
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    wait_seconds: Mapped[float | None] = mapped_column(Float)
    first_response_seconds: Mapped[float | None] = mapped_column(Float)
    csat: Mapped[int | None] = mapped_column(Integer)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    resolved_first_contact: Mapped[bool | None] = mapped_column(Boolean)
    tier: Mapped[int | None] = mapped_column(Integer)  # N1-N4 that handled it (qa/tiers)
    customer: Mapped[str | None] = mapped_column(String(120))  # the customer's id at the source
    status: Mapped[Status] = mapped_column(
        str_enum(Status, "status"), default=Status.PENDING, index=True
    )
    failure_reason: Mapped[str | None] = mapped_column(Text)
    # Share of the recording transcribed so far (0-1) while status is transcribing, else None.
    transcription_progress: Mapped[float | None] = mapped_column(Float)
    # ISO 639-1 code, None = unknown; language_source: whisper, import or detected (from text)
    language: Mapped[str | None] = mapped_column(String(2))
    language_source: Mapped[str | None] = mapped_column(String(10))
    # why AutoQA gave no score, e.g. "language fr" (not among the active model's languages)
    autoqa_skipped: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    agent: Mapped[User] = relationship(foreign_keys=[agent_id])
    team: Mapped[Team] = relationship()
    recording: Mapped[Recording | None] = relationship(back_populates="interaction", uselist=False)
    transcript: Mapped[Transcript | None] = relationship(
        back_populates="interaction", uselist=False, cascade="all, delete-orphan"
    )
    auto_scores: Mapped[list[AutoScore]] = relationship(
        back_populates="interaction", cascade="all, delete-orphan"
    )
    reviews: Mapped[list[Review]] = relationship(back_populates="interaction")
    # helpdesk tags and internal notes (issue 17, qa/services/tags.py)
    tag_rows: Mapped[list[InteractionTag]] = relationship(
        cascade="all, delete-orphan", order_by="InteractionTag.name"
    )
    tags: AssociationProxy[list[str]] = association_proxy(
        "tag_rows", "name", creator=lambda name: InteractionTag(name=name)
    )
    notes: Mapped[list[InteractionNote]] = relationship(
        cascade="all, delete-orphan", order_by="InteractionNote.position"
    )
    # how the call sounded (issue 16, qa/services/call_analytics.py); None for text channels
    analysis: Mapped[CallAnalysis | None] = relationship(
        uselist=False, cascade="all, delete-orphan", passive_deletes=True
    )

    def auto_score(self, criterion: str) -> AutoScore | None:
        return next((s for s in self.auto_scores if s.criterion == criterion), None)

    @property
    def autoqa_status(self) -> str:
        """AutoQA's state: "not_scored" (see autoqa_skipped), "scored" or "pending"."""
        if self.autoqa_skipped:
            return "not_scored"
        return "scored" if self.auto_scores else "pending"


class Recording(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[int] = mapped_column(ForeignKey("interaction.id"), unique=True)
    path: Mapped[str] = mapped_column(String(500))
    original_name: Mapped[str | None] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    channels: Mapped[int] = mapped_column(Integer)
    sample_rate: Mapped[int | None] = mapped_column(Integer)
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    format: Mapped[str | None] = mapped_column(String(40))
    agent_channel: Mapped[str] = mapped_column(String(10), default="right")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    interaction: Mapped[Interaction] = relationship(back_populates="recording")


class Transcript(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[int] = mapped_column(ForeignKey("interaction.id"), unique=True)
    language: Mapped[str | None] = mapped_column(String(12))
    language_probability: Mapped[float | None] = mapped_column(Float)
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    model: Mapped[str | None] = mapped_column(String(120))
    redactions: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # what diarization of a mono call did, or why its speakers stayed "unknown"
    diarization_note: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    interaction: Mapped[Interaction] = relationship(back_populates="transcript")
    segments: Mapped[list[Segment]] = relationship(
        back_populates="transcript", order_by="Segment.position", cascade="all, delete-orphan"
    )


class Segment(db.Model):
    __table_args__ = (Index("ix_segment_transcript_position", "transcript_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    transcript_id: Mapped[int] = mapped_column(ForeignKey("transcript.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str] = mapped_column(String(20))  # agent | customer | unknown
    start: Mapped[float | None] = mapped_column(Float)  # seconds; None for text channels
    end: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    speaker_confidence: Mapped[float | None] = mapped_column(Float)  # diarized speakers, 0-1

    transcript: Mapped[Transcript] = relationship(back_populates="segments")


class AutoScore(db.Model):
    """An AutoQA answer for one criterion key; kept apart from human answers (AQS beside IQS)."""

    __table_args__ = (
        UniqueConstraint("interaction_id", "criterion", name="uq_autoscore_interaction_criterion"),
        # covering index for the dashboard's AQS (no table lookups): see docs/coaching.md
        Index("ix_autoscore_interaction_criterion_value", "interaction_id", "criterion", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[int] = mapped_column(ForeignKey("interaction.id", ondelete="CASCADE"))
    criterion: Mapped[str] = mapped_column(String(60))  # empathy | resolution | custom key
    value: Mapped[float] = mapped_column(Float)  # 0-100 for every key
    label: Mapped[str | None] = mapped_column(String(40))
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    model_version: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Uncertainty (issue 20, scoring/conformal.py; none when the model has no calibration):
    # the calibrated probability (0-100) of the label the score gives, the labels the split
    # conformal set at `coverage_level` (0-1) cannot rule out, and whether that set is not a
    # single label (the score is "uncertain"; the sampler's uncertain-AutoQA signal reads it).
    confidence: Mapped[float | None] = mapped_column(Float)
    prediction_set: Mapped[list[str] | None] = mapped_column(JSON)
    coverage_level: Mapped[float | None] = mapped_column(Float)
    uncertain: Mapped[bool | None] = mapped_column(Boolean)

    interaction: Mapped[Interaction] = relationship(back_populates="auto_scores")


class Scorecard(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # ISO 639-1, the language its criteria are written in (qa/languages.py): assigning it to a
    # team that works in another language is warned about (migration 0018)
    language: Mapped[str] = mapped_column(String(2), default="en", server_default="en")
    versions: Mapped[list[ScorecardVersion]] = relationship(
        back_populates="scorecard", order_by="ScorecardVersion.number"
    )

    @property
    def current(self) -> ScorecardVersion | None:
        published = [v for v in self.versions if v.published_at is not None]
        return published[-1] if published else None


class ScorecardVersion(db.Model):
    __table_args__ = (
        UniqueConstraint("scorecard_id", "number", name="uq_scorecard_version_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecard.id"))
    number: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    scorecard: Mapped[Scorecard] = relationship(back_populates="versions")
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="version", order_by="Criterion.position", cascade="all, delete-orphan"
    )


class Criterion(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("scorecard_version.id"))
    position: Mapped[int] = mapped_column(Integer)
    section: Mapped[str] = mapped_column(String(120), default="General")
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    scale_min: Mapped[int] = mapped_column(Integer, default=0)
    scale_max: Mapped[int] = mapped_column(Integer, default=1)
    allows_na: Mapped[bool] = mapped_column(Boolean, default=False)
    critical: Mapped[bool] = mapped_column(Boolean, default=False)
    autoqa_key: Mapped[str | None] = mapped_column(String(60))
    examples: Mapped[str | None] = mapped_column(Text)  # one example per line

    version: Mapped[ScorecardVersion] = relationship(back_populates="criteria")

    @property
    def example_list(self) -> list[str]:
        return [line.strip() for line in (self.examples or "").splitlines() if line.strip()]


class ReviewStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    # A submitted calibration review: its own status so that every query on SUBMITTED (IQS,
    # the agent's feedback, sampling) leaves calibration out without knowing about it.
    CALIBRATION = "calibration"


# Partial unique indexes against parallel requests (migration 0005): one draft per reviewer and
# interaction outside calibration (what "start review" opens), one open dispute per review.
_ONE_DRAFT = "status = 'draft' AND calibration_session_id IS NULL"
_ONE_OPEN = "status IN ('open', 'answered', 'escalated')"  # a dispute still under way (0016)


class Review(db.Model):
    __table_args__ = (
        Index("ix_review_reviewer_status", "reviewer_id", "status"),
        Index(
            "uq_review_draft",
            "interaction_id",
            "reviewer_id",
            unique=True,
            sqlite_where=text(_ONE_DRAFT),
            postgresql_where=text(_ONE_DRAFT),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[int] = mapped_column(ForeignKey("interaction.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    scorecard_version_id: Mapped[int] = mapped_column(ForeignKey("scorecard_version.id"))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignment.id"))
    status: Mapped[ReviewStatus] = mapped_column(
        str_enum(ReviewStatus, "review_status"), default=ReviewStatus.DRAFT
    )
    score: Mapped[float | None] = mapped_column(Float)
    comment: Mapped[str | None] = mapped_column(Text)
    # transcript segment position the overall comment is anchored to
    comment_segment_position: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime)
    calibration_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("calibration_session.id"), index=True
    )
    duration_seconds: Mapped[float | None] = mapped_column(Float)  # time spent scoring

    interaction: Mapped[Interaction] = relationship(back_populates="reviews")
    reviewer: Mapped[User] = relationship()
    scorecard_version: Mapped[ScorecardVersion] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="review", cascade="all, delete-orphan"
    )
    disputes: Mapped[list[Dispute]] = relationship(
        back_populates="review", order_by="Dispute.created_at"
    )
    calibration_session: Mapped[CalibrationSession | None] = relationship(back_populates="reviews")


class Answer(db.Model):
    __table_args__ = (
        UniqueConstraint("review_id", "criterion_id", name="uq_answer_review_criterion"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id"))
    value: Mapped[int | None] = mapped_column(Integer)  # None with na=True
    na: Mapped[bool] = mapped_column(Boolean, default=False)
    comment: Mapped[str | None] = mapped_column(Text)
    segment_position: Mapped[int | None] = mapped_column(Integer)  # comment anchored to a segment

    review: Mapped[Review] = relationship(back_populates="answers")
    criterion: Mapped[Criterion] = relationship()


class SamplingPolicy(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    percentage: Mapped[float] = mapped_column(Float, default=5.0)
    min_per_agent: Mapped[int] = mapped_column(Integer, default=2)
    max_per_agent: Mapped[int] = mapped_column(Integer, default=10)
    risk_share: Mapped[float] = mapped_column(Float, default=0.5)  # 0..1 of each agent's quota
    # Weights of the risk signals in the risk score; 0 switches a signal off.
    risk_weight_autoqa: Mapped[float] = mapped_column(Float, default=1.0)
    risk_weight_csat: Mapped[float] = mapped_column(Float, default=1.0)
    risk_weight_escalated: Mapped[float] = mapped_column(Float, default=0.8)
    risk_weight_handle_time: Mapped[float] = mapped_column(Float, default=0.5)
    # call analytics (issue 16): a call whose longest silence lasts at least dead_air_seconds
    risk_weight_dead_air: Mapped[float] = mapped_column(Float, default=0.5, server_default="0")
    # issue 20: AutoQA scores the model is least sure of (conformal set of both labels, or a
    # low calibrated confidence), so reviewers label what `train --from-reviews` learns most from
    risk_weight_uncertain: Mapped[float] = mapped_column(Float, default=0.5, server_default="0")
    dead_air_seconds: Mapped[float] = mapped_column(Float, default=30.0, server_default="30")
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty = all
    min_duration_seconds: Mapped[float | None] = mapped_column(Float)
    min_turns: Mapped[int | None] = mapped_column(Integer)
    exclude_own_team: Mapped[bool] = mapped_column(Boolean, default=False)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    # qa/tiers: only one tier's interactions (None: every tier), and extra shares (0..1) of the
    # week's escalated and bounced-back interactions added on top of the quota
    tier: Mapped[int | None] = mapped_column(Integer)
    escalated_share: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    bounced_share: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    scorecard_id: Mapped[int | None] = mapped_column(ForeignKey("scorecard.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    team: Mapped[Team] = relationship()
    scorecard: Mapped[Scorecard | None] = relationship()


class Sample(db.Model):
    __table_args__ = (
        UniqueConstraint("policy_id", "interaction_id", name="uq_sample_policy_interaction"),
        Index("ix_sample_policy_week", "policy_id", "week"),
        # the draw skips interactions sampled by any policy; reviewer load is counted per week
        Index("ix_sample_interaction", "interaction_id"),
        Index("ix_sample_week", "week"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("sampling_policy.id"))
    week: Mapped[str] = mapped_column(String(10))  # ISO week, e.g. 2026-W47
    interaction_id: Mapped[int] = mapped_column(ForeignKey("interaction.id"))
    stratum: Mapped[str] = mapped_column(String(20))  # random | risk
    risk_reason: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    policy: Mapped[SamplingPolicy] = relationship()
    interaction: Mapped[Interaction] = relationship()
    assignment: Mapped[Assignment | None] = relationship(back_populates="sample", uselist=False)


class AssignmentStatus(enum.StrEnum):
    ASSIGNED = "assigned"
    DONE = "done"
    REPLACED = "replaced"


class Assignment(db.Model):
    __table_args__ = (Index("ix_assignment_reviewer_status", "reviewer_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("sample.id"), unique=True)
    interaction_id: Mapped[int] = mapped_column(ForeignKey("interaction.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    status: Mapped[AssignmentStatus] = mapped_column(
        str_enum(AssignmentStatus, "assignment_status"), default=AssignmentStatus.ASSIGNED
    )
    replaced_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    sample: Mapped[Sample] = relationship(back_populates="assignment")
    interaction: Mapped[Interaction] = relationship()
    reviewer: Mapped[User] = relationship()


class DisputeStatus(enum.StrEnum):
    # the steps (docs/reviews.md): the agent opens, the review's reviewer answers first
    OPEN = "open"  # waiting for the reviewer's answer
    ADJUSTED = "adjusted"  # the reviewer accepted and adjusted the score (final)
    ANSWERED = "answered"  # the reviewer rejected it with a reason; the agent may escalate
    ACCEPTED = "accepted"  # the agent accepted the reviewer's answer, or let it lapse (final)
    ESCALATED = "escalated"  # with the team's lead (or an arbitrator) to decide
    UPHELD = "upheld"  # the lead kept the score (final)
    CHANGED = "changed"  # the lead overturned it (final)


class Dispute(db.Model):
    __table_args__ = (
        Index(
            "uq_dispute_open",
            "review_id",
            unique=True,
            sqlite_where=text(_ONE_OPEN),
            postgresql_where=text(_ONE_OPEN),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"), index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(Text)
    criteria: Mapped[list[int]] = mapped_column(JSON, default=list)  # disputed criterion ids
    status: Mapped[DisputeStatus] = mapped_column(
        str_enum(DisputeStatus, "dispute_status"), default=DisputeStatus.OPEN
    )
    resolver_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    arbitrator_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # per-criterion changes made by the decision: {criterion_id: {"before": v, "after": v}}
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    resolution_comment: Mapped[str | None] = mapped_column(Text)
    score_before: Mapped[float | None] = mapped_column(Float)
    score_after: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    # the reviewer's answer (accept or reject), then the agent's escalation (migration 0016)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    answer_comment: Mapped[str | None] = mapped_column(Text)
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime)
    escalation_note: Mapped[str | None] = mapped_column(Text)

    review: Mapped[Review] = relationship(back_populates="disputes")
    agent: Mapped[User] = relationship(foreign_keys=[agent_id])
    resolver: Mapped[User | None] = relationship(foreign_keys=[resolver_id])
    arbitrator: Mapped[User | None] = relationship(foreign_keys=[arbitrator_id])


calibration_interactions = Table(
    "calibration_interactions",
    db.metadata,
    Column(
        "session_id", ForeignKey("calibration_session.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("interaction_id", ForeignKey("interaction.id", ondelete="CASCADE"), primary_key=True),
)

calibration_reviewers = Table(
    "calibration_reviewers",
    db.metadata,
    Column(
        "session_id", ForeignKey("calibration_session.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class CalibrationStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class CalibrationSession(db.Model):
    """Several reviewers score the same interactions blind; the lead's review is the reference."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    lead_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    scorecard_version_id: Mapped[int] = mapped_column(ForeignKey("scorecard_version.id"))
    status: Mapped[CalibrationStatus] = mapped_column(
        str_enum(CalibrationStatus, "calibration_status"), default=CalibrationStatus.OPEN
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    due_on: Mapped[date | None] = mapped_column(Date)  # overdue when still open after it
    # blind: a participant sees the others' answers once the session is closed or they
    # submitted their own; visible: from the start
    mode: Mapped[str] = mapped_column(String(10), default="blind", server_default="blind")

    lead: Mapped[User] = relationship(foreign_keys=[lead_id])
    team: Mapped[Team | None] = relationship()
    scorecard_version: Mapped[ScorecardVersion] = relationship()
    interactions: Mapped[list[Interaction]] = relationship(
        secondary=calibration_interactions, order_by="Interaction.id"
    )
    reviewers: Mapped[list[User]] = relationship(
        secondary=calibration_reviewers, order_by="User.name"
    )
    reviews: Mapped[list[Review]] = relationship(back_populates="calibration_session")


class AuditEvent(db.Model):
    __table_args__ = (Index("ix_audit_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    actor: Mapped[User | None] = relationship()


class ApiToken(db.Model):
    """A personal API token: only its SHA-256 is stored; it acts with its user's role and scope."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(12))  # shown in lists so a token can be recognised
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()


class Notification(db.Model):
    """In-app message to one user (new feedback, dispute decided, training assigned)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    message: Mapped[str] = mapped_column(String(255))
    link: Mapped[str | None] = mapped_column(String(255))
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class DashboardDay(db.Model):
    """The dashboard's sums of one team's closed day, per agent (services/dashboard_cache.py).

    `payload` is JSON of {agent id: Cell} computed under `spec` (AutoQA keys, SLA thresholds);
    a change to the day's interactions, AutoQA scores, reviews, answers or disputes clears it
    and bumps `generation`, so a fill computed from older data is never stored.
    """

    __tablename__ = "dashboard_day"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=1)
    spec: Mapped[str | None] = mapped_column(String(40))
    payload: Mapped[str | None] = mapped_column(Text)


class ReviewComment(db.Model):
    """One message in a review's thread: the agent and the reviewer talk it over, the team's
    lead reads along and may post."""

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    author: Mapped[User] = relationship()


__all__ = [
    "ApiToken",
    "AuditEvent",
    "Answer",
    "Assignment",
    "AssignmentStatus",
    "AutoScore",
    "CalibrationSession",
    "CalibrationStatus",
    "Channel",
    "Criterion",
    "DashboardDay",
    "Dispute",
    "DisputeStatus",
    "Interaction",
    "Notification",
    "Recording",
    "Review",
    "ReviewComment",
    "ReviewStatus",
    "Role",
    "Sample",
    "SamplingPolicy",
    "Scorecard",
    "ScorecardVersion",
    "Segment",
    "Status",
    "Team",
    "Transcript",
    "User",
    "utcnow",
]


class ScorecardAssignment(db.Model):
    """Where a scorecard applies: a channel, a team, or a team on one channel. A review starts
    with the most specific one (qa.services.scorecards.pick_scorecard)."""

    __table_args__ = (
        UniqueConstraint("scorecard_id", "channel", "team_id", name="uq_scorecard_assignment"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecard.id"), index=True)
    channel: Mapped[str | None] = mapped_column(String(20))  # a Channel value; None: any
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))  # None: any team

    scorecard: Mapped[Scorecard] = relationship()
    team: Mapped[Team | None] = relationship()


class Webhook(db.Model):
    """An outgoing webhook: notifications of the chosen kinds are POSTed to `url` as JSON,
    signed with HMAC-SHA256 of the secret (qa.services.webhooks)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(200))
    events: Mapped[str] = mapped_column(String(200))  # comma-separated notification kinds
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class WebhookDelivery(db.Model):
    """One event sent (or to send) to one webhook, with its attempts and the last failure."""

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhook.id"), index=True)
    event: Mapped[str] = mapped_column(String(60))
    payload: Mapped[str] = mapped_column(Text)  # the exact JSON body that is signed
    status: Mapped[str] = mapped_column(String(12), default="pending")  # delivered, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)
    attempted_at: Mapped[datetime | None] = mapped_column(DateTime)  # last try (backoff, 0016)

    webhook: Mapped[Webhook] = relationship()


class SavedView(db.Model):
    """A user's named filter of /interactions/ (issue 18): the query string, kept as a dict."""

    __tablename__ = "saved_view"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_saved_view_user_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    params: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


__all__.append("SavedView")


class InteractionTag(db.Model):
    """A helpdesk tag (or an imported `tags` value) on an interaction, lower-case (issue 17)."""

    __tablename__ = "interaction_tag"
    __table_args__ = (Index("ix_interaction_tag_name", "name", "interaction_id"),)

    interaction_id: Mapped[int] = mapped_column(
        ForeignKey("interaction.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(80), primary_key=True)


class InteractionNote(db.Model):
    """What the helpdesk holds beside the conversation and the customer never saw: an internal
    note (private comment) or a bot message. Kept, shown on the interaction page, never scored."""

    __tablename__ = "interaction_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[int] = mapped_column(
        ForeignKey("interaction.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(12))  # private | bot
    author: Mapped[str | None] = mapped_column(String(255))  # email, when the export gives one
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime | None] = mapped_column(DateTime)  # in the helpdesk, UTC


class ImportSource(db.Model):
    """A pull connector's state (issue 17): the cursor of the helpdesk's incremental export,
    stored after each page so that a run that stops mid-way resumes where it was."""

    __tablename__ = "import_source"
    __table_args__ = (UniqueConstraint("kind", "name", name="uq_import_source_kind_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # zendesk
    name: Mapped[str] = mapped_column(String(120))  # the subdomain (or base URL)
    cursor: Mapped[str | None] = mapped_column(Text)  # after_cursor of the last stored page
    start_time: Mapped[int | None] = mapped_column(Integer)  # Unix time of the first run
    status: Mapped[str] = mapped_column(String(12), default="idle")  # running | done | failed
    last_error: Mapped[str | None] = mapped_column(String(500))
    pages: Mapped[int] = mapped_column(Integer, default=0)
    tickets: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


__all__ += ["ImportSource", "InteractionNote", "InteractionTag"]
class EscalationOutcome(enum.StrEnum):
    """What the next tier did with an escalation."""

    SOLVED = "solved"  # solved there: the escalation was needed
    BOUNCED = "bounced_back"  # sent back to the tier it came from
    UNNECESSARY = "unnecessary"  # solved with a KB answer the first tier had


class Escalation(db.Model):
    """An interaction escalated to another tier's interaction (qa/tiers). The interaction's
    `escalated` flag is kept true while an escalation from it exists."""

    id: Mapped[int] = mapped_column(primary_key=True)
    from_interaction_id: Mapped[int] = mapped_column(
        ForeignKey("interaction.id", ondelete="CASCADE"), unique=True
    )
    to_interaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("interaction.id", ondelete="SET NULL"), index=True
    )
    from_tier: Mapped[int | None] = mapped_column(Integer)
    to_tier: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime)
    seconds_to_escalate: Mapped[float | None] = mapped_column(Float)  # from the start
    outcome: Mapped[EscalationOutcome | None] = mapped_column(
        str_enum(EscalationOutcome, "escalation_outcome")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    from_interaction: Mapped[Interaction] = relationship(foreign_keys=[from_interaction_id])
    to_interaction: Mapped[Interaction | None] = relationship(foreign_keys=[to_interaction_id])


__all__ += ["Escalation", "EscalationOutcome"]


class CallAnalysis(db.Model):
    """Call analytics of one call (issue 16): `transcription.call_analytics` over its timed
    transcript segments. The key figures are columns, so the dashboards, the sampler and the
    scorecard keys read them in SQL; `figures` holds the whole result (timeline, thresholds).
    `fingerprint` names the segments' speakers and times it was computed from: a transcript
    that changes since (a speaker swap) is recomputed (qa/services/call_analytics.py)."""

    __tablename__ = "call_analytics"

    interaction_id: Mapped[int] = mapped_column(
        ForeignKey("interaction.id", ondelete="CASCADE"), primary_key=True
    )
    speakers: Mapped[str] = mapped_column(String(12))  # labelled | partial | unknown
    note: Mapped[str | None] = mapped_column(String(255))  # why figures are missing
    duration_seconds: Mapped[float] = mapped_column(Float)
    speech_seconds: Mapped[float] = mapped_column(Float)
    talk_ratio: Mapped[float | None] = mapped_column(Float)  # agent share of agent + customer
    agent_talk_seconds: Mapped[float | None] = mapped_column(Float)
    customer_talk_seconds: Mapped[float | None] = mapped_column(Float)
    dead_air_seconds: Mapped[float] = mapped_column(Float)
    dead_air_ratio: Mapped[float | None] = mapped_column(Float)
    longest_silence_seconds: Mapped[float] = mapped_column(Float)  # 0 without any silence
    long_silences: Mapped[int] = mapped_column(Integer)
    overtalk_count: Mapped[int | None] = mapped_column(Integer)
    overtalk_seconds: Mapped[float | None] = mapped_column(Float)
    agent_interruptions: Mapped[int | None] = mapped_column(Integer)
    customer_interruptions: Mapped[int | None] = mapped_column(Integer)
    holds: Mapped[int] = mapped_column(Integer)
    hold_seconds: Mapped[float] = mapped_column(Float)
    agent_wpm: Mapped[float | None] = mapped_column(Float)
    customer_wpm: Mapped[float | None] = mapped_column(Float)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    fingerprint: Mapped[str] = mapped_column(String(40))
    computed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


__all__ += ["CallAnalysis"]


class VoiceProfile(db.Model):
    """An agent's voice profile (issue 16): the mean CAM++ speaker embedding of their speech on
    earlier calls, used to tell them from the customer on mono calls. Biometric data (GDPR
    art. 9): stored only after the agent's opt-in, deleted with the row on request or when
    consent is withdrawn (docs/privacy.md)."""

    __tablename__ = "voice_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    embedding: Mapped[list[float]] = mapped_column(JSON)  # normalised, `dims` floats
    dims: Mapped[int] = mapped_column(Integer)
    model: Mapped[str] = mapped_column(String(120))
    n_segments: Mapped[int] = mapped_column(Integer)
    n_calls: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    consent_at: Mapped[datetime] = mapped_column(DateTime)
    # who recorded the consent: the agent themself, or an admin with the agent's recorded consent
    consent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    consent_note: Mapped[str | None] = mapped_column(String(255))  # where that consent is kept

    user: Mapped[User] = relationship(foreign_keys=[user_id])

__all__ += ["VoiceProfile"]
