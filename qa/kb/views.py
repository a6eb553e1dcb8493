"""Knowledge-base pages: the list and search, an article and its history, writing and
translating, and the KB-gap report."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..access import led_team_ids, roles_required
from ..coaching.services import render_markdown
from ..extensions import db
from ..models import Role, Team, utcnow
from . import bp, services
from .forms import ArticleForm
from .fulltext import LANGUAGES
from .models import ArticleStatus, KbArticle

Page = str | tuple[str, int] | Response


def _readable_or_404(number: int) -> KbArticle:
    article = services.get_article(number)
    if article is None or not services.can_read(current_user, article):
        abort(404)
    return article


def _language(article: KbArticle) -> str:
    """The translation to show: ?lang=, else the reader's interface language, else the first."""
    wanted = request.args.get("lang") or str(get_locale() or "")
    translation = article.translation(wanted)
    return translation.language if translation else wanted


@bp.route("/")
@login_required
def index():
    """Articles the user may read, or the ranked hits of a full-text search (?q=)."""
    q = request.args.get("q", "").strip()[:200]
    language = request.args.get("lang") if request.args.get("lang") in LANGUAGES else None
    topic = request.args.get("topic") or None
    hits = services.search(q, current_user, language=language) if q else None
    found = (
        None
        if q
        else services.articles(services.readable(current_user), language=language, topic=topic)
    )
    return render_template(
        "kb/index.html",
        q=q,
        hits=hits,
        articles=found,
        language=language,
        topic=topic,
        languages=list(LANGUAGES),
        topics=services.topics(),
        can_create=services.can_create(current_user),
        today=utcnow().date(),
    )


@bp.route("/<int:number>")
@login_required
def show(number: int):
    """An article in one language, with its other translations and its owner and review date."""
    article = _readable_or_404(number)
    translation = article.translation(_language(article))
    if translation is None:
        abort(404)
    return render_template(
        "kb/show.html",
        article=article,
        t=translation,
        html=render_markdown(translation.body),
        editable=services.can_edit(current_user, article),
        missing=[c for c in LANGUAGES if c not in {x.language for x in article.translations}],
        today=utcnow().date(),
    )


@bp.route("/<int:number>/history")
@login_required
def history(number: int):
    """Every version of one translation of an article, newest first."""
    article = _readable_or_404(number)
    translation = article.translation(_language(article))
    if translation is None:
        abort(404)
    return render_template("kb/history.html", article=article, t=translation)


# --- writing -------------------------------------------------------------------------------


def _article_form(article: KbArticle | None, language: str) -> ArticleForm:
    form = ArticleForm()
    teams = services.editable_teams(current_user)
    whole = [(0, _("Whole organisation"))] if current_user.role == Role.ADMIN else []
    form.team.choices = whole + [(t.id, t.name) for t in teams]
    form.owner.choices = [(u.id, u.name) for u in services.owner_candidates()]
    if request.method == "GET":
        form.language.data = language
        form.owner.data = article.owner_id if article else current_user.id
        if article is not None:
            form.team.data = article.team_id or 0
            form.topic.data, form.tags.data = article.topic, ", ".join(article.tags)
            form.status.data, form.review_by.data = article.status.value, article.review_by
            translation = next((t for t in article.translations if t.language == language), None)
            if translation is not None:
                form.title.data, form.body.data = translation.title, translation.body
        else:
            form.review_by.data = utcnow().date() + timedelta(days=180)
    return form


def _input(form: ArticleForm) -> services.ArticleInput:
    return services.ArticleInput(
        language=form.language.data,
        title=form.title.data or "",
        body=form.body.data or "",
        team_id=form.team.data or None,
        owner_id=form.owner.data,
        topic=form.topic.data,
        tags=services.parse_tags(form.tags.data),
        status=ArticleStatus(form.status.data),
        review_by=form.review_by.data,
    )


def _save(article: KbArticle | None) -> Page:
    language = request.args.get("lang", "en")
    language = language if language in LANGUAGES else "en"
    form = _article_form(article, language)
    page = lambda code: (render_template("kb/form.html", form=form, article=article), code)  # noqa: E731
    if request.method == "GET":
        return page(200)
    if not form.validate_on_submit():
        flash("; ".join(f"{form[k].label.text}: {v[0]}" for k, v in form.errors.items()), "error")
        return page(400)
    try:
        saved = services.save_article(article, current_user, _input(form))
    except services.KbError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return page(400)
    db.session.commit()
    flash(_("%(number)s saved.", number=saved.number), "info")
    return redirect(url_for(".show", number=saved.id, lang=form.language.data))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.LEAD, Role.ADMIN)
def new():
    """Write a new article (admins and the leads of a team)."""
    if not services.can_create(current_user):
        abort(403, _("Only a lead of a team or an admin writes articles."))
    return _save(None)


@bp.route("/<int:number>/edit", methods=["GET", "POST"])
@roles_required(Role.LEAD, Role.ADMIN)
def edit(number: int):
    """Edit an article, or write its translation in ?lang= (each change is a new version)."""
    article = _readable_or_404(number)
    if not services.can_edit(current_user, article):
        abort(403, _("Only the article's team leads and admins edit it."))
    return _save(article)


# --- the KB-gap report ---------------------------------------------------------------------


@bp.route("/gaps")
@roles_required(Role.LEAD, Role.ADMIN)
def gaps():
    """Topics with many escalations or low resolution and no linked article, and stale articles
    linked from recent failing reviews, over the lead's teams (an admin's: every team)."""
    days = request.args.get("days", 90, type=int) or 90
    days = max(7, min(days, 365))
    teams = (
        led_team_ids(current_user)
        if current_user.role == Role.LEAD
        else list(db.session.scalars(select(Team.id)))
    )
    since = utcnow() - timedelta(days=days)
    failing = float(current_app.config.get("COACHING_WEAK_THRESHOLD", 70))
    return render_template(
        "kb/gaps.html",
        days=days,
        failing=failing,
        gaps=services.topic_gaps(teams, since),
        stale=services.stale_articles(teams, since, utcnow().date(), failing),
        thresholds=services.GapThresholds(),
    )
