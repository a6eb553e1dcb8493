"""Knowledge base, a feature area of the app: articles (Markdown, versioned, one translation per
language, an owner and a review-by date) that reviewers link from comments ("KB-142"),
training modules and coaching sessions reference, and agents read; full-text search with the
database's own engine; and the KB-gap report for leads.

Like coaching it has its own blueprint (`bp`, pages under /kb), models, services and templates;
the `kb_links` template filter turns KB-n mentions into links wherever comments are shown.
"""

from flask import Blueprint

bp = Blueprint("kb", __name__, url_prefix="/kb", template_folder="templates")

from . import models, services, templating, views  # noqa: E402  (the views register on bp)

__all__ = ["bp", "models", "services", "templating", "views"]

# Review links are recorded by a session listener, started when the app registers the blueprint.
bp.record_once(lambda _state: services.register())
