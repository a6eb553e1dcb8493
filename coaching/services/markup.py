"""Markdown to HTML for module content, session agendas and notes."""

from __future__ import annotations

import markdown
from markupsafe import Markup, escape

from ..models import TrainingModule


def render_content(module: TrainingModule) -> Markup:
    """Markdown to HTML with any raw HTML escaped first, so module text cannot inject markup."""
    return render_markdown(module.content)


def render_markdown(text: str | None) -> Markup:
    """Markdown to HTML, raw HTML escaped first (agendas, notes and module content)."""
    return Markup(markdown.markdown(str(escape(text or "")), extensions=["extra"]))
