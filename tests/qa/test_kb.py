"""Knowledge base: writing and versioning articles, who reads and edits, KB-n links from review
comments (recorded and rendered), references from training and coaching, and the KB-gap report."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from qa.coaching.models import CoachingSession, TrainingModule
from qa.extensions import db
from qa.kb import services as kb
from qa.kb.models import ArticleStatus, KbArticle, KbReviewLink
from qa.models import Answer, utcnow
from qa.services import reviews as review_service
from tests.conftest import make_interaction

PUBLISHED = ArticleStatus.PUBLISHED


def write(actor, *, team=None, title="Refund a double charge", body="Open billing, refund.",
          language="en", status=PUBLISHED, topic="billing", article=None, review_by=None):  # fmt: skip
    """Save an article as `actor` and commit."""
    saved = kb.save_article(
        article,
        actor,
        kb.ArticleInput(
            language=language,
            title=title,
            body=body,
            team_id=team.id if team else None,
            topic=topic,
            tags=["refunds"],
            status=status,
            review_by=review_by,
        ),  # fmt: skip
    )
    db.session.commit()
    return saved


def submitted_review(w, interaction, comments, overall=None, score_fail=False):
    """A submitted review of `interaction` by the reviewer, with criterion comments in order."""
    version = w["scorecard"].current
    review = review_service.start_review(interaction, w["reviewer"], version)
    answers = {}
    for n, criterion in enumerate(version.criteria):
        value = criterion.scale_min if score_fail else criterion.scale_max
        comment = comments[n] if n < len(comments) else None
        answers[criterion.id] = review_service.AnswerInput(value=value, comment=comment)
    review_service.save_answers(review, answers, overall, submit=True, actor=w["reviewer"])
    db.session.commit()
    return review


# --- articles and versions ------------------------------------------------------------------


def test_every_edit_is_a_new_version_and_a_translation_shares_the_number(world):
    """An edit of the body adds version 2 (author, body kept); a metadata-only edit adds none;
    a French translation is a second line of versions under the same KB number."""
    lead = world["lead_red"]
    article = write(lead, team=world["red"], body="First body.")
    write(world["admin"], team=world["red"], article=article, body="Second body.")
    write(lead, team=world["red"], article=article, body="Second body.", topic="refunds")
    write(lead, team=world["red"], article=article, language="fr", title="Rembourser",
          body="Ouvrir la facturation.", topic="refunds")  # fmt: skip
    english, french = article.translation("en"), article.translation("fr")
    assert [v.number for v in english.versions] == [2, 1]
    assert [(v.author_id, v.body) for v in english.versions] == [
        (world["admin"].id, "Second body."),
        (lead.id, "First body."),
    ]
    assert english.version == 2 and english.body == "Second body."
    assert [v.number for v in french.versions] == [1] and french.article_id == article.id
    assert article.topic == "refunds" and english.keywords == french.keywords == "refunds refunds"
    assert article.number == f"KB-{article.id}"


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("language", "xx", "unknown language"),
        ("title", " ", "needs a title"),
        ("body", "x" * 100_001, "at most"),
    ],
)
def test_bad_article_input_is_refused_with_a_reason(world, field, value, reason):
    """Unknown languages, empty titles and oversized bodies are refused, saying why."""
    given = {"language": "en", "title": "T", "body": "B", "team_id": world["red"].id}
    given[field] = value
    with pytest.raises(kb.KbError, match=reason):
        kb.save_article(None, world["lead_red"], kb.ArticleInput(**given))


def test_parse_tags_trims_lowercases_and_deduplicates():
    """Tags typed as a comma list come back trimmed, lower-case, each once, in order."""
    assert kb.parse_tags(" Refunds, billing;REFUNDS,, ") == ["refunds", "billing"]


# --- who reads and edits ----------------------------------------------------------------------


def test_agent_reads_published_articles_but_never_edits(world, login):
    """An agent opens a published article, gets 404 for a draft and 403 for the edit pages."""
    published = write(world["lead_red"], team=world["red"], title="Published one")
    draft = write(
        world["lead_red"], team=world["red"], title="Draft one", status=ArticleStatus.DRAFT
    )
    agent = login(world["agent_blue"])
    page = agent.get(f"/kb/{published.id}")
    assert page.status_code == 200 and "Published one" in page.get_data(as_text=True)
    assert agent.get(f"/kb/{draft.id}").status_code == 404
    assert agent.get(f"/kb/{published.id}/edit").status_code == 403
    assert agent.post(f"/kb/{published.id}/edit", {"title": "x", "body": "y"}).status_code == 403
    assert agent.get("/kb/new").status_code == 403
    listing = agent.get("/kb/").get_data(as_text=True)
    assert "Published one" in listing and "Draft one" not in listing


def test_another_teams_lead_cannot_edit(world, login):
    """The blue lead reads red's published article but may not edit it (403, nothing saved);
    an article filed under the whole organisation is for admins only."""
    article = write(world["lead_red"], team=world["red"], body="Red body.")
    blue = login(world["lead_blue"])
    assert blue.get(f"/kb/{article.id}").status_code == 200
    response = blue.post(
        f"/kb/{article.id}/edit",
        {"language": "en", "title": "Hijacked", "body": "Blue body.", "team": world["blue"].id,
         "owner": world["lead_blue"].id, "status": "published"},
    )  # fmt: skip
    assert response.status_code == 403
    db.session.expire_all()
    assert article.translation("en").body == "Red body."
    assert not kb.can_edit(world["lead_blue"], article)
    org_wide = write(world["admin"], team=None)
    assert not kb.can_edit(world["lead_red"], org_wide) and kb.can_edit(world["admin"], org_wide)
    with pytest.raises(kb.KbError, match="team"):
        write(world["lead_blue"], team=world["red"])


def test_lead_writes_an_article_through_the_form(world, login):
    """A lead saves the form (with its CSRF token) and lands on KB-n; a post without the token
    is refused; the body's raw HTML is escaped."""
    lead = login(world["lead_red"])
    assert lead.get("/kb/new").status_code == 200
    form = {"language": "en", "title": "Reset a password", "team": world["red"].id,
            "owner": world["lead_red"].id, "status": "published", "topic": "accounts",
            "tags": "Login, passwords", "body": "Use **reset**. <script>alert(1)</script>"}  # fmt: skip
    assert lead.post("/kb/new", form, csrf=False).status_code == 400
    response = lead.post("/kb/new", form)
    assert response.status_code == 302
    article = db.session.scalars(select(KbArticle)).one()
    assert response.headers["Location"].startswith(f"/kb/{article.id}")
    assert article.tags == ["login", "passwords"] and article.owner_id == world["lead_red"].id
    html = lead.get(f"/kb/{article.id}").get_data(as_text=True)
    assert "<strong>reset</strong>" in html and "<script>alert" not in html
    history = lead.get(f"/kb/{article.id}/history").get_data(as_text=True)
    assert "Version 1" in history


def test_gap_report_is_for_leads_and_admins_only(world, login):
    """Agents and reviewers get 403 on the KB-gap report; a lead gets the page."""
    assert login(world["agent_red"]).get("/kb/gaps").status_code == 403
    assert login(world["reviewer"]).get("/kb/gaps").status_code == 403
    assert login(world["lead_red"]).get("/kb/gaps").status_code == 200


# --- links from reviews -----------------------------------------------------------------------


def test_mentions_in_review_comments_are_recorded_and_kept_in_sync(world):
    """KB-n in a criterion comment links the review to the article (with the criterion), a
    thread message adds another, unknown numbers are ignored, and an edit that drops a mention
    drops the link."""
    first, second = write(world["lead_red"], team=world["red"]), write(world["admin"])
    review = submitted_review(
        world, world["i_agent_red"], [f"The answer was in kb-{first.id}; see KB-99999."]
    )
    links = db.session.scalars(
        select(KbReviewLink).where(KbReviewLink.review_id == review.id)
    ).all()
    assert [(link.article_id, link.criterion_id) for link in links] == [
        (first.id, world["scorecard"].current.criteria[0].id)
    ]
    review_service.add_comment(review, world["reviewer"], f"Also KB-{second.id}.")
    db.session.commit()
    linked = lambda: set(db.session.scalars(  # noqa: E731
        select(KbReviewLink.article_id).where(KbReviewLink.review_id == review.id)
    ))  # fmt: skip
    assert linked() == {first.id, second.id}
    answer = db.session.scalars(select(Answer).where(Answer.review_id == review.id)).first()
    answer.comment = "No article after all."
    db.session.commit()
    assert linked() == {second.id}
    assert kb.mentions("KB-3, kb-3 and KB-12x KB-4") == [3, 4]


def test_agent_sees_the_mention_as_a_link_in_feedback_and_the_review(world, login):
    """The agent's feedback page and the review page render KB-n as a link to the article and
    still escape the rest of the comment."""
    article = write(world["lead_red"], team=world["red"])
    review = submitted_review(
        world, world["i_agent_red"], [f"See KB-{article.id} <b>now</b>"], overall=f"KB-{article.id}"
    )
    agent = login(world["agent_red"])
    link = f'<a class="kb-link" href="/kb/{article.id}">KB-{article.id}</a>'
    feedback = agent.get("/feedback").get_data(as_text=True)
    assert link in feedback and "&lt;b&gt;now&lt;/b&gt;" in feedback
    page = agent.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert page.count(link) >= 2
    assert agent.get(f"/kb/{article.id}").status_code == 200


# --- training modules and coaching sessions --------------------------------------------------


def test_modules_and_sessions_reference_articles_agents_can_read(world, login):
    """A lead picks articles on the module form and the session form; the agent sees the
    published ones on the module, their assignment and the session, never a draft."""
    published = write(world["lead_red"], team=world["red"], title="Empathy phrases")
    draft = write(
        world["lead_red"], team=world["red"], title="Secret draft", status=ArticleStatus.DRAFT
    )
    lead = login(world["lead_red"])
    response = lead.post(
        "/training/modules/new",
        {"title": "Empathy 101", "content": "Be kind.", "pass_mark": 80, "criterion_key": "",
         "kb_articles": [published.id, draft.id, 424242]},
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    module = db.session.scalars(select(TrainingModule)).one()
    assert [a.id for a in kb.module_articles(module.id)] == [published.id, draft.id]
    session = CoachingSession(lead_id=world["lead_red"].id, agent_id=world["agent_red"].id,
                              scheduled_at=utcnow() + timedelta(days=1))  # fmt: skip
    db.session.add(session)
    db.session.commit()
    form = {"agenda": "Talk", "notes": "", "status": "planned", "action_items-0-owner": "agent",
            "kb_articles": [published.id]}  # fmt: skip
    response = lead.post(f"/training/sessions/{session.id}", form)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert [a.id for a in kb.session_articles(session.id)] == [published.id]
    agent = login(world["agent_red"])
    for url in (f"/training/modules/{module.id}", f"/training/sessions/{session.id}"):
        html = agent.get(url).get_data(as_text=True)
        assert "Empathy phrases" in html and "Secret draft" not in html, url


# --- the KB-gap report --------------------------------------------------------------------------


def _interactions(agent, queue, n, *, escalated=0, resolved=None):
    made = []
    for i in range(n):
        interaction = make_interaction(agent, escalated=i < escalated)
        interaction.queue = queue
        interaction.resolved_first_contact = None if resolved is None else i < resolved
        made.append(interaction)
    db.session.commit()
    return made


def test_topic_gaps_need_escalations_or_low_resolution_and_no_linked_article(world):
    """Escalation-heavy and badly resolved queues of the lead's teams are gaps until a
    review of one of their interactions links an article; healthy queues and other teams'
    queues never show."""
    red, blue = world["agent_red"], world["agent_blue"]
    billing = _interactions(red, "billing", 6, escalated=3, resolved=5)
    _interactions(red, "delivery", 6, escalated=0, resolved=2)
    _interactions(red, "healthy", 6, escalated=0, resolved=6)
    _interactions(blue, "blue-only", 6, escalated=6)
    write(world["admin"], topic="delivery")
    since = utcnow() - timedelta(days=30)
    gaps = kb.topic_gaps([world["red"].id], since)
    assert [(g.topic, g.interactions, g.escalations, g.articles_on_topic) for g in gaps] == [
        ("billing", 6, 3, 0),
        ("delivery", 6, 0, 1),
    ]
    assert gaps[1].resolution_rate == pytest.approx(2 / 6)
    article = write(world["lead_red"], team=world["red"])
    submitted_review(world, billing[0], [f"KB-{article.id}"])
    assert [g.topic for g in kb.topic_gaps([world["red"].id], since)] == ["delivery"]


def test_stale_articles_linked_from_recent_failing_reviews(world, login):
    """An article past its review date linked from a failing review shows as stale; a current
    article, a passing review and another team's review do not; the page lists it."""
    today = utcnow().date()
    stale = write(world["lead_red"], team=world["red"], title="Old refunds",
                  review_by=today - timedelta(days=1))  # fmt: skip
    fresh = write(world["lead_red"], team=world["red"], review_by=today + timedelta(days=30))
    also_stale = write(world["admin"], review_by=today - timedelta(days=5))
    submitted_review(world, world["i_agent_red"], [f"KB-{stale.id} KB-{fresh.id}"], score_fail=True)
    submitted_review(world, world["i_agent_red2"], [f"KB-{also_stale.id}"])  # passing
    submitted_review(world, world["i_agent_blue"], [f"KB-{also_stale.id}"], score_fail=True)
    since = utcnow() - timedelta(days=30)
    found = kb.stale_articles([world["red"].id], since, today, 70)
    assert [(s.article.id, s.failing_reviews) for s in found] == [(stale.id, 1)]
    page = login(world["lead_red"]).get("/kb/gaps").get_data(as_text=True)
    assert "Old refunds" in page


def test_bad_input_gets_a_4xx_with_a_reason(world, login):
    """An unknown KB number is a 404, an unknown language or team on the form a 400 with the
    reason, and the search box's text is escaped on the page."""
    lead = login(world["lead_red"])
    assert lead.get("/kb/424242").status_code == 404
    assert lead.get("/kb/424242/history").status_code == 404
    form = {"language": "xx", "title": "T", "body": "B", "team": world["red"].id,
            "owner": world["lead_red"].id, "status": "published"}  # fmt: skip
    response = lead.post("/kb/new", form)
    assert response.status_code == 400 and "Not a valid choice" in response.get_data(as_text=True)
    response = lead.post("/kb/new", {**form, "language": "en", "team": world["blue"].id})
    assert response.status_code == 400 and "Not a valid choice" in response.get_data(as_text=True)
    response = lead.post("/kb/new", {**form, "language": "en", "owner": world["agent_red"].id})
    assert response.status_code == 400
    page = lead.get("/kb/?q=<script>x</script>").get_data(as_text=True)
    assert "<script>x" not in page and "&lt;script&gt;x" in page
