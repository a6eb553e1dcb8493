"""The demo's knowledge base: a handful of articles (one with a French translation, one past
its review date), linked from review comments and from a training module, so a newcomer finds
KB-n links in an agent's feedback and a KB-gap report with something in it."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from ..coaching.models import TrainingModule
from ..extensions import db
from ..kb.models import ArticleStatus, KbArticle
from ..kb.services import ArticleInput, save_article, set_module_articles
from ..models import Answer, Criterion, Interaction, Review, ReviewStatus, Team, User, utcnow

PUBLISHED = ArticleStatus.PUBLISHED

ARTICLES = [
    # (team name or None, topic, tags, days until review, title, body, French title and body)
    (
        "Billing & Accounts", "billing", ["refunds", "double charge"], 120,
        "Refund a double charge",
        "## When\nThe customer sees the same payment twice on their statement.\n\n"
        "## Steps\n1. Find both payments in **Billing → Payments** (same amount, same day).\n"
        "2. Refund the *second* one; the refund shows within 3-5 working days.\n"
        "3. Tell the customer the date to expect it, and that nothing else is needed.\n",
        ("Rembourser un double prélèvement",
         "## Quand\nLe client voit deux fois le même paiement sur son relevé.\n\n"
         "## Étapes\n1. Retrouver les deux paiements dans **Facturation → Paiements**.\n"
         "2. Rembourser le *second* ; le remboursement apparaît sous 3 à 5 jours ouvrés.\n"
         "3. Donner au client la date attendue.\n"),
    ),
    (
        None, None, ["empathy", "tone"], 365,
        "Acknowledge the customer's situation first",
        "Name what happened and how it affects them before the process: *\"being charged "
        "twice right before rent is stressful — let's fix it now\"*. Then say what you will do.\n",
        None,
    ),
    (
        "Billing & Accounts", "accounts", ["login", "password"], -30,
        "Reset a customer's password",
        "Send the reset link from **Accounts → Security**; never read or type a password for "
        "the customer. The link expires after 30 minutes.\n",
        None,
    ),
    (
        "Tech Support", "delivery", ["parcel", "tracking"], 90,
        "Track a late delivery",
        "Open the carrier's tracking from the order page. After 5 working days without a scan, "
        "open a carrier claim and offer a replacement or a refund.\n",
        None,
    ),
]  # fmt: skip


def _lead_of(team: Team | None, admin: User) -> User:
    return team.leads[0] if team is not None and team.leads else admin


def _write(admin: User) -> list[KbArticle]:
    written = []
    today = utcnow().date()
    for team_name, topic, tags, days, title, body, french in ARTICLES:
        team = db.session.scalar(select(Team).where(Team.name == team_name)) if team_name else None
        author = _lead_of(team, admin)
        given = ArticleInput(
            language="en", title=title, body=body, team_id=team.id if team else None,
            owner_id=author.id, topic=topic, tags=tags, status=PUBLISHED,
            review_by=today + timedelta(days=days),
        )  # fmt: skip
        article = save_article(None, author, given)
        if french is not None:
            fr = replace(given, language="fr", title=french[0], body=french[1])
            save_article(article, author, fr)
        written.append(article)
    return written


def _mention(queue: str, criterion: str, note: str, *, failing: bool) -> None:
    """Append `note` to the criterion comment of the latest submitted review in `queue`."""
    query = (
        select(Answer)
        .join(Review, Review.id == Answer.review_id)
        .join(Interaction, Interaction.id == Review.interaction_id)
        .join(Criterion, Criterion.id == Answer.criterion_id)
        .where(
            Review.status == ReviewStatus.SUBMITTED,
            Interaction.queue == queue,
            Criterion.name == criterion,
        )
        .order_by(Review.submitted_at.desc())
    )
    if failing:
        query = query.where(Review.score < 70)
    answer = db.session.scalars(query).first()
    if answer is not None:
        answer.comment = f"{answer.comment} {note}" if answer.comment else note


def load_kb(admin: User) -> None:
    """Write the demo articles, mention them in review comments and reference one from the
    empathy training module (committed)."""
    refund, empathy, password, _ = _write(admin)
    _mention("billing", "Resolution", f"The answer was in {refund.number}.", failing=False)
    _mention("billing", "Empathy", f"See {empathy.number} for phrases.", failing=True)
    _mention("accounts", "Accurate information", f"Follow {password.number}.", failing=True)
    module = db.session.scalars(
        select(TrainingModule).where(TrainingModule.criterion_key == "Empathy")
    ).first()
    if module is not None:
        set_module_articles(module.id, [empathy.id], admin)
    db.session.commit()
