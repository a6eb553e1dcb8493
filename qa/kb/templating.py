"""Template helpers: the `kb_links` filter ("KB-142" in a comment becomes a link to the
article) and `kb_references` (the articles a training module or coaching session references)."""

from __future__ import annotations

from flask import url_for
from flask_login import current_user
from markupsafe import Markup, escape

from . import bp
from .models import KbArticle
from .services.links import MENTION, module_articles, session_articles


@bp.app_template_filter("kb_links")
def kb_links(text: str | None) -> Markup:
    """The text escaped, each KB-n mention a link to article n (the page checks who may read it)."""

    def link(match) -> str:  # type: ignore[no-untyped-def]
        number = int(match.group(1))
        href = url_for("kb.show", number=number)
        return f'<a class="kb-link" href="{href}">KB-{number}</a>'

    return Markup(MENTION.sub(link, str(escape(text or ""))))


@bp.app_template_global("kb_references")
def kb_references(kind: str, owner_id: int) -> list[KbArticle]:
    """The articles a training module (`kind` "module") or coaching session ("session")
    references that the signed-in user may read."""
    if kind == "module":
        return module_articles(owner_id, current_user)
    return session_articles(owner_id, current_user)
