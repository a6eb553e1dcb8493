"""The KB-gap report for leads: where an article is missing, and which articles are stale.

Topics are interaction queues (`Interaction.queue`, what every import and the API carry
today; no category or tag exists on interactions yet, nor an escalation reason). A topic is a
gap when, over the window, it had enough interactions, a high escalation rate (the
`escalated` flag) or a low first-contact resolution rate (`resolved_first_contact`, from the
helpdesk's metadata, not AutoQA), and no submitted review of its interactions links an
article. A stale article is one past its review-by date that submitted reviews scoring below
the failing mark linked to within the window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Integer, case, cast, func, select

from ...extensions import db
from ...models import Interaction, Review, ReviewStatus
from ..models import ArticleStatus, KbArticle, KbReviewLink


@dataclass(frozen=True)
class TopicGap:
    topic: str
    interactions: int
    escalations: int
    escalation_rate: float  # 0..1
    resolution_rate: float | None  # 0..1 over interactions with a known outcome
    articles_on_topic: int  # published articles filed under the topic, linked or not


@dataclass(frozen=True)
class StaleArticle:
    article: KbArticle
    failing_reviews: int
    last_linked: datetime | None


@dataclass(frozen=True)
class GapThresholds:
    min_interactions: int = 5
    escalation_rate: float = 0.2  # at or above: a gap candidate
    resolution_rate: float = 0.6  # at or below: a gap candidate


def _topic_stats(team_ids: Sequence[int], since: datetime) -> list[tuple[str, int, int, int, int]]:
    """(queue, interactions, escalated, resolved, with a known outcome) per queue."""
    known = Interaction.resolved_first_contact.is_not(None)
    return [
        tuple(row)  # type: ignore[misc]
        for row in db.session.execute(
            select(
                Interaction.queue,
                func.count(Interaction.id),
                func.sum(cast(Interaction.escalated, Integer)),
                func.sum(case((Interaction.resolved_first_contact.is_(True), 1), else_=0)),
                func.sum(case((known, 1), else_=0)),
            )
            .where(
                Interaction.team_id.in_(list(team_ids)),
                Interaction.started_at >= since,
                Interaction.queue.is_not(None),
            )
            .group_by(Interaction.queue)
        )
    ]


def _linked_topics(team_ids: Sequence[int], since: datetime) -> set[str]:
    """Queues whose interactions have a submitted review linking an article."""
    return set(
        db.session.scalars(
            select(Interaction.queue)
            .join(Review, Review.interaction_id == Interaction.id)
            .join(KbReviewLink, KbReviewLink.review_id == Review.id)
            .where(
                Interaction.team_id.in_(list(team_ids)),
                Interaction.started_at >= since,
                Review.status == ReviewStatus.SUBMITTED,
            )
            .distinct()
        )
    )


def topic_gaps(
    team_ids: Sequence[int], since: datetime, thresholds: GapThresholds | None = None
) -> list[TopicGap]:
    """Topics of these teams' interactions since `since` that need an article, worst first."""
    limits = thresholds or GapThresholds()
    linked = _linked_topics(team_ids, since)
    on_topic = dict(
        db.session.execute(
            select(KbArticle.topic, func.count(KbArticle.id))
            .where(KbArticle.status == ArticleStatus.PUBLISHED, KbArticle.topic.is_not(None))
            .group_by(KbArticle.topic)
        ).all()
    )
    gaps = []
    for topic, total, escalated, resolved, known in _topic_stats(team_ids, since):
        escalation = (escalated or 0) / total
        resolution = resolved / known if known else None
        weak = escalation >= limits.escalation_rate or (
            resolution is not None and resolution <= limits.resolution_rate
        )
        if total >= limits.min_interactions and weak and topic not in linked:
            gaps.append(
                TopicGap(
                    topic, total, escalated or 0, escalation, resolution, on_topic.get(topic, 0)
                )
            )
    return sorted(gaps, key=lambda g: (-g.escalations, g.resolution_rate or 0.0, g.topic))


def stale_articles(
    team_ids: Sequence[int], since: datetime, today: date, failing_below: float
) -> list[StaleArticle]:
    """Articles past their review-by date linked from these teams' submitted reviews since
    `since` that scored below `failing_below`, most linked first."""
    rows = db.session.execute(
        select(
            KbReviewLink.article_id,
            func.count(func.distinct(Review.id)),
            func.max(Review.submitted_at),
        )
        .join(Review, Review.id == KbReviewLink.review_id)
        .join(Interaction, Interaction.id == Review.interaction_id)
        .join(KbArticle, KbArticle.id == KbReviewLink.article_id)
        .where(
            Interaction.team_id.in_(list(team_ids)),
            Review.status == ReviewStatus.SUBMITTED,
            Review.submitted_at >= since,
            Review.score < failing_below,
            KbArticle.review_by < today,
        )
        .group_by(KbReviewLink.article_id)
    ).all()
    found = {
        a.id: a
        for a in db.session.scalars(select(KbArticle).where(KbArticle.id.in_([r[0] for r in rows])))
    }
    stale = [StaleArticle(found[r[0]], r[1], r[2]) for r in rows]
    return sorted(stale, key=lambda s: (-s.failing_reviews, s.article.id))
