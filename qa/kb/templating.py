"""The `kb_links` template filter: "KB-142" in a comment becomes a link to the article."""

from __future__ import annotations

from flask import url_for
from markupsafe import Markup, escape

from . import bp
from .services.links import MENTION


@bp.app_template_filter("kb_links")
def kb_links(text: str | None) -> Markup:
    """The text escaped, each KB-n mention a link to article n (the page checks who may read it)."""

    def link(match) -> str:  # type: ignore[no-untyped-def]
        number = int(match.group(1))
        href = url_for("kb.show", number=number)
        return f'<a class="kb-link" href="{href}">KB-{number}</a>'

    return Markup(MENTION.sub(link, str(escape(text or ""))))
