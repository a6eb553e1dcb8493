"""Training modules, their assignments to agents, and coaching sessions."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import Review, User, str_enum, utcnow


class TrainingStatus(enum.StrEnum):
    ASSIGNED = "assigned"
    COMPLETED = "completed"


class SessionStatus(enum.StrEnum):
    PLANNED = "planned"
    DONE = "done"
    CANCELLED = "cancelled"


class TrainingModule(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), unique=True)
    content: Mapped[str] = mapped_column(Text)  # Markdown
    criterion_key: Mapped[str | None] = mapped_column(String(120))  # criterion name or AutoQA key
    # [{"question": str, "options": [str, ...], "answer": index of the right option}]
    quiz: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    pass_mark: Mapped[int] = mapped_column(Integer, default=80)  # percent of quiz answers right
    # ISO 639-1, the language it is written in (qa/languages.py; migration 0018)
    language: Mapped[str] = mapped_column(String(2), default="en", server_default="en")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime, onupdate=utcnow)


class TrainingAssignment(db.Model):
    __table_args__ = (Index("ix_training_assignment_agent_status", "agent_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("training_module.id"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    review_id: Mapped[int | None] = mapped_column(ForeignKey("review.id"))
    note: Mapped[str | None] = mapped_column(Text)
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[TrainingStatus] = mapped_column(
        str_enum(TrainingStatus, "training_status"),
        default=TrainingStatus.ASSIGNED,
    )
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    quiz_score: Mapped[float | None] = mapped_column(Float)  # best graded attempt, percent
    quiz_attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    module: Mapped[TrainingModule] = relationship()
    agent: Mapped[User] = relationship(foreign_keys=[agent_id])
    assigned_by: Mapped[User] = relationship(foreign_keys=[assigned_by_id])
    review: Mapped[Review | None] = relationship()

    @property
    def overdue(self) -> bool:
        return (
            self.status == TrainingStatus.ASSIGNED
            and self.due_date is not None
            and self.due_date < utcnow().date()
        )


class CoachingSession(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    scheduled_at: Mapped[datetime] = mapped_column(DateTime)
    agenda: Mapped[str | None] = mapped_column(Text)
    criteria: Mapped[list[str]] = mapped_column(JSON, default=list)  # weak criteria discussed
    example_review_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    action_items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    follow_up_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[SessionStatus] = mapped_column(
        str_enum(SessionStatus, "session_status"),
        default=SessionStatus.PLANNED,
    )
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    lead: Mapped[User] = relationship(foreign_keys=[lead_id])
    agent: Mapped[User] = relationship(foreign_keys=[agent_id])
