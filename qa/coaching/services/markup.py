"""Markdown to HTML for module content, session agendas and notes."""

from __future__ import annotations

import re

import markdown
import nh3
from markupsafe import Markup, escape

from ..models import TrainingModule

# What Markdown's "extra" writes, and nothing else: attr_list's `{: onclick=… }` and its ids,
# classes and styles are dropped, as is any link or image whose scheme is not below.
TAGS = {
    "a", "abbr", "br", "code", "dd", "del", "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "img", "li", "ol", "p", "pre", "strong", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title"},
    "li": {"id"},
    "sup": {"id"},
    "td": {"style"},
    "th": {"style"},
}
STYLES = {"text-align"}  # the tables extension aligns columns with an inline style
URL_SCHEMES = {"http", "https", "mailto"}  # and relative URLs, which carry no scheme
FOOTNOTE_ID = re.compile(r"fn(ref\d*)?:[\w-]+")  # ids the footnotes extension links to


def _footnote_ids_only(tag: str, attribute: str, value: str) -> str | None:
    """Keep an id only when it is a footnote's, so attr_list cannot name elements at will."""
    if attribute == "id" and not FOOTNOTE_ID.fullmatch(value):
        return None
    return value


def render_content(module: TrainingModule) -> Markup:
    """Module content as safe HTML (see render_markdown)."""
    return render_markdown(module.content)


def render_markdown(text: str | None) -> Markup:
    """Markdown to HTML, raw HTML escaped first, the output allow-listed (agendas, notes and
    module content): only Markdown's own tags, no event handlers, only http(s), mailto and
    relative links."""
    html = markdown.markdown(str(escape(text or "")), extensions=["extra"])
    return Markup(
        nh3.clean(
            html,
            tags=TAGS,
            attributes=ATTRIBUTES,
            attribute_filter=_footnote_ids_only,
            url_schemes=URL_SCHEMES,
            filter_style_properties=STYLES,
            link_rel=None,
        )
    )
