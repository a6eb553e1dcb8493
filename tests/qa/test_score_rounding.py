"""One rounding rule for review scores: the pages, the API, the flash and the audit agree."""

from __future__ import annotations

import re

from qa.extensions import db
from qa.models import AuditEvent
from tests.qa.test_access import submitted_review
from tests.qa.test_api import tokens  # noqa: F401  (fixture)


def test_api_and_pages_agree_on_a_half_score(client, world, login, tokens):  # noqa: F811
    """A 72.25 score reads 72.3 on the review page, the reviewer's queue and the interaction
    page, and the API's score is 72.3 too (score_exact keeps the stored 72.25); 72.5 stays
    72.5 everywhere (the old '%.0f' showed 72)."""
    review = submitted_review(world)
    for stored, shown in ((72.25, "72.3"), (72.5, "72.5")):
        review.score = stored
        db.session.commit()
        api = client.get(f"/api/v1/reviews/{review.id}", headers=tokens["agent_red"]).json
        assert api["score"] == float(shown) and api["score_exact"] == stored
        agent = login(world["agent_red"])
        page = agent.get(f"/reviews/{review.id}").get_data(as_text=True)
        assert re.search(rf'class="score [a-z]+">{re.escape(shown)}<', page), shown
        reviewer = login(world["reviewer"])
        for url in ("/queue", f"/interactions/{review.interaction_id}"):
            text = reviewer.get(url).get_data(as_text=True)
            assert f">{shown}</span>" in text, (url, shown)


def test_submit_flash_and_audit_use_the_rule(world, login):
    """A submit scoring 95.45 (empathy 4 of 5, the rest full marks) flashes "score 95.5" and the
    review.submitted audit records 95.5, as the pages show it (the old flash said 95)."""
    from qa.services.reviews import start_review

    version = world["scorecard"].current
    review = start_review(world["i_agent_red"], world["reviewer"], version)
    db.session.commit()
    data = {f"c_{c.id}": str(4 if c.name == "Empathy" else c.scale_max) for c in version.criteria}
    c = login(world["reviewer"])
    response = c.post(f"/reviews/{review.id}/edit", {**data, "submit": "1"})
    assert response.status_code == 302
    page = c.get(response.headers["Location"]).get_data(as_text=True)
    assert "Review submitted: score 95.5." in page
    db.session.expire_all()
    assert db.session.get(type(review), review.id).score == 95.45
    entry = db.session.query(AuditEvent).filter_by(action="review.submitted").one()
    assert entry.details["score"] == 95.5
