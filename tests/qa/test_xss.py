"""Stored XSS: text from transcripts, comments, names and training content is escaped everywhere."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from qa.coaching.services import render_markdown
from qa.extensions import db
from qa.services.reviews import AnswerInput, save_answers, start_review
from tests.conftest import make_interaction

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_payloads_are_escaped_on_every_page(login, world):
    """A hostile transcript, agent name and review comment render as text, never as markup."""
    agent = world["agent_red"]
    agent.name = f"Eve {PAYLOAD}"
    interaction = make_interaction(
        agent, turns=[("customer", PAYLOAD), ("agent", f"fine {PAYLOAD}")]
    )
    interaction.queue = PAYLOAD
    version = world["scorecard"].current
    review = start_review(interaction, world["reviewer"], version)
    answers = {c.id: AnswerInput(value=c.scale_max, comment=PAYLOAD) for c in version.criteria}
    save_answers(review, answers, PAYLOAD, submit=True, actor=world["reviewer"])
    db.session.commit()
    pages = {
        "lead": (
            login(world["lead_red"]),
            [
                f"/interactions/{interaction.id}",
                "/interactions/",
                "/dashboard",
                f"/reviews/{review.id}",
            ],
        ),
        "agent": (
            login(agent),
            ["/feedback", f"/reviews/{review.id}", f"/interactions/{interaction.id}"],
        ),
        "admin": (login(world["admin"]), ["/admin/users", "/admin/audit"]),
    }
    for role, (client, urls) in pages.items():
        for url in urls:
            html = client.get(url).get_data(as_text=True)
            assert "<script>alert" not in html and "<img src=x" not in html, (role, url)
    detail = pages["lead"][0].get(f"/interactions/{interaction.id}").get_data(as_text=True)
    assert "&lt;script&gt;" in detail


def test_training_markdown_cannot_inject_html(login, world):
    """Module content is Markdown; raw HTML in it is shown as text."""
    from qa.coaching.models import TrainingModule

    module = TrainingModule(title="Safe", content=f"## Heading\n{PAYLOAD}")
    db.session.add(module)
    db.session.commit()
    html = login(world["agent_red"]).get(f"/training/modules/{module.id}").get_data(as_text=True)
    assert "<h2>Heading</h2>" in html
    assert "<script>alert" not in html and "<img src=x" not in html


HOSTILE_MARKDOWN = {
    "attribute": "Hello\n{: onmouseover=alert(1) }",
    "image": "![x](/i.png){: onerror=alert(1) }",
    "javascript": "[a](javascript:alert(1)) [c](JaVaScRiPt:alert(1))",
    "data": "[b](data:text/html;base64,PHNjcmlwdD4=) ![i](data:image/svg+xml;base64,PHN2Zz4=)",
    "style": "Hi\n{: style=background:red }",
    "heading": "## x {: #top .cls onclick=x }",
    "vbscript": "[v](vbscript:msgbox(1)) [f](file:///etc/passwd)",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_MARKDOWN))
def test_markdown_output_is_allow_listed(name):
    """attr_list handlers and styles are dropped, and only http, https, mailto and relative links stay."""
    html = str(render_markdown(HOSTILE_MARKDOWN[name])).lower()
    for bad in (
        "onmouseover",
        "onerror",
        "onclick",
        "style=",
        "javascript:",
        "data:",
        "vbscript:",
        "file:",
    ):
        assert bad not in html, (name, html)


def test_ordinary_markdown_still_renders():
    """Headings, lists, emphasis, tables, code, footnotes and safe links render as before."""
    text = (
        "# Title\n\n- one\n- *two* **three**\n\nThen:\n\n1. first\n\n| A | B |\n|---|:-:|\n| 1 | 2 |\n\n"
        "    indented code\n\n```\nfenced <b>\n```\n\n"
        "[review](/reviews/1) [site](https://example.org/a?b=1) [plain](http://example.org) "
        "[mail](mailto:qa@example.org) [anchor](#top) with a note[^1]\n\n[^1]: the note"
    )
    html = str(render_markdown(text))
    for part in (
        "<h1>Title</h1>",
        "<li><em>two</em> <strong>three</strong></li>",
        "<ol>\n<li>first</li>\n</ol>",
        "<th>A</th>",
        "<td>1</td>",
        "<pre><code>indented code\n</code></pre>",
        "<pre><code>fenced &amp;lt;b&amp;gt;\n</code></pre>",
        '<a href="/reviews/1">review</a>',
        '<a href="https://example.org/a?b=1">site</a>',
        '<a href="http://example.org">plain</a>',
        '<a href="mailto:qa@example.org">mail</a>',
        '<a href="#top">anchor</a>',
    ):
        assert part in html, (part, html)
    assert re.search(r'<td style="text-align: ?center;?">2</td>', html), html
    assert re.search(r'<sup id="fnref:1"><a [^>]*href="#fn:1"', html), html
    assert '<li id="fn:1">' in html


def test_session_agenda_and_notes_are_sanitised(login, world):
    """A session's agenda and notes with attr_list handlers and javascript: links render inert."""
    from qa.coaching.models import CoachingSession

    agent, lead = world["agent_red"], world["lead_red"]
    session = CoachingSession(
        lead=lead,
        agent=agent,
        scheduled_at=datetime(2026, 11, 20, 10),
        agenda="## Focus\n\nTalk it through\n{: onmouseover=alert(1) }\n\n[go](javascript:alert(2))",
        notes="![x](/i.png){: onerror=alert(3) }\n\n[ok](/reviews/1)",
        criteria=[],
        example_review_ids=[],
        action_items=[],
    )
    db.session.add(session)
    db.session.commit()
    html = login(agent).get(f"/training/sessions/{session.id}").get_data(as_text=True)
    assert "<h2>Focus</h2>" in html and "<p>Talk it through</p>" in html
    assert '<a href="/reviews/1">ok</a>' in html
    for bad in ("onmouseover", "onerror", "javascript:alert"):
        assert bad not in html, bad


def test_training_module_markdown_attributes_dropped(login, world):
    """A module's attr_list event handlers and data: links never reach the page."""
    from qa.coaching.models import TrainingModule

    module = TrainingModule(
        title="Attrs", content="Read me\n{: onmouseover=alert(1) }\n\n[x](data:text/html,hi)"
    )
    db.session.add(module)
    db.session.commit()
    html = login(world["agent_red"]).get(f"/training/modules/{module.id}").get_data(as_text=True)
    assert "Read me" in html
    assert "onmouseover" not in html and "data:text/html" not in html
