"""Stored XSS: text from transcripts, comments, names and training content is escaped everywhere."""

from __future__ import annotations

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
    from coaching.models import TrainingModule

    module = TrainingModule(title="Safe", content=f"## Heading\n{PAYLOAD}")
    db.session.add(module)
    db.session.commit()
    html = login(world["agent_red"]).get(f"/training/modules/{module.id}").get_data(as_text=True)
    assert "<h2>Heading</h2>" in html
    assert "<script>alert" not in html and "<img src=x" not in html
