"""Knowledge-base workflows: `articles` (write, translate, version), `access` (who reads and
edits), `links` (KB-n mentions in review comments, references from training and coaching),
`search` (the database's full-text search) and `gaps` (the KB-gap report for leads).

Services take model objects, ids and plain values; they never touch the request, session or
flash, and leave the commit to the caller.
"""

from .access import can_create, can_edit, can_read, editable_teams, owner_candidates, readable
from .articles import ArticleInput, articles, get_article, parse_tags, save_article, topics
from .errors import KbError
from .gaps import GapThresholds, StaleArticle, TopicGap, stale_articles, topic_gaps
from .links import (
    mentions,
    module_articles,
    reference_choices,
    register,
    review_articles,
    session_articles,
    set_module_articles,
    set_session_articles,
)
from .search import Hit, search

__all__ = [
    "ArticleInput",
    "GapThresholds",
    "Hit",
    "KbError",
    "StaleArticle",
    "TopicGap",
    "articles",
    "can_create",
    "can_edit",
    "can_read",
    "editable_teams",
    "get_article",
    "mentions",
    "module_articles",
    "owner_candidates",
    "parse_tags",
    "readable",
    "reference_choices",
    "register",
    "review_articles",
    "save_article",
    "search",
    "session_articles",
    "set_module_articles",
    "set_session_articles",
    "stale_articles",
    "topic_gaps",
    "topics",
]
