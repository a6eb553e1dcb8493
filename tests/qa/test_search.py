"""Finding conversations to review (issue 18): filters and keyword search on /interactions/,
inside the access rule, paginated; saved views per user; "add to my queue" for a reviewer."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from qa.access import interaction_filter
from qa.extensions import db
from qa.models import (
    Assignment,
    AutoScore,
    Channel,
    Interaction,
    Review,
    ReviewStatus,
    Sample,
    SamplingPolicy,
    SavedView,
    utcnow,
)
from qa.services import search
from tests.conftest import make_interaction


def _ids(user, **args) -> list[str]:  # type: ignore[no-untyped-def]
    """External ids of the seeded (S-) interactions `user` finds with these filters."""
    query = search.apply(
        select(Interaction).where(interaction_filter(user)), search.parse_filters(args)
    )
    found = db.session.scalars(query.order_by(Interaction.external_id))
    return [i.external_id for i in found if i.external_id.startswith("S-")]


def _seed(world) -> None:  # type: ignore[no-untyped-def]
    """Three more Red interactions with distinct text, AutoQA, CSAT, channel and day."""
    now = utcnow()
    rows = [
        ("S-1", Channel.CHAT, "My 100% refund_code never came", 20, 10, 1, now - timedelta(days=2)),
        ("S-2", Channel.EMAIL, "The parcel arrived damaged", 70, 80, 5, now - timedelta(days=9)),
        ("S-3", Channel.CHAT, "Thanks, the REFUND arrived", 90, 95, 4, now - timedelta(days=1)),
    ]
    for ext, channel, text, empathy, resolution, csat, started in rows:
        i = make_interaction(
            world["agent_red"], channel=channel, csat=csat, started_at=started,
            turns=[("customer", text), ("agent", "Let me check.")],
        )  # fmt: skip
        i.external_id = ext
        db.session.add_all(
            [
                AutoScore(interaction=i, criterion="empathy", value=empathy, model_version="t"),
                AutoScore(
                    interaction=i, criterion="resolution", value=resolution, model_version="t"
                ),
            ]
        )
    db.session.commit()


def test_filters_narrow_by_keyword_autoqa_csat_channel_agent_and_dates(world):
    """Each filter narrows the list; the keyword is case-insensitive with LIKE wildcards literal."""
    _seed(world)
    lead = world["lead_red"]
    assert _ids(lead, q="refund") == ["S-1", "S-3"]
    assert _ids(lead, q="100%") == ["S-1"] and _ids(lead, q="1_0") == []
    assert _ids(lead, q="refund_code") == ["S-1"]
    assert _ids(lead, empathy_below="50") == ["S-1"]
    assert _ids(lead, resolution_below="90") == ["S-1", "S-2"]
    assert _ids(lead, csat_max="4") == ["S-1", "S-3"]
    assert _ids(lead, channel="email") == ["S-2"]
    day = (utcnow() - timedelta(days=3)).date().isoformat()
    assert _ids(lead, date_from=day, q="arrived") == ["S-3"]
    assert _ids(lead, date_to=day, q="arrived") == ["S-2"]
    assert _ids(lead, agent=str(world["agent_red2"].id)) == []
    assert _ids(lead, agent=str(world["agent_red"].id)) == ["S-1", "S-2", "S-3"]
    assert _ids(lead, team=str(world["blue"].id)) == []  # not theirs: the access rule holds


def test_filters_that_do_not_parse_are_dropped():
    """Bad values are ignored, never an error; params() keeps only what is set."""
    f = search.parse_filters(
        {"channel": "fax", "csat_max": "abc", "empathy_below": "500", "date_from": "2026-13-01",
         "agent": "1; drop", "q": "  refund ", "status": "scored"}
    )  # fmt: skip
    assert f.params() == {"q": "refund", "status": "scored"}


def test_reviewer_finds_only_what_the_access_rule_lets_them_see(world):
    """A reviewer searching sees their assigned interactions only, never the others."""
    _seed(world)
    reviewer = world["reviewer"]
    assert _ids(reviewer, q="refund") == []
    target = db.session.scalar(select(Interaction).where(Interaction.external_id == "S-3"))
    policy = SamplingPolicy(team=world["red"], name="Weekly")
    sample = Sample(policy=policy, week="2026-W01", interaction=target, stratum="random")
    db.session.add_all(
        [policy, sample, Assignment(sample=sample, interaction=target, reviewer=reviewer)]
    )
    db.session.commit()
    assert _ids(reviewer, q="refund") == ["S-3"]


def test_index_filters_server_side_and_pages_keep_the_filters(world, login, app):
    """/interactions/?q=… shows the matches only, and the pager links carry the filters."""
    _seed(world)
    for n in range(55):
        make_interaction(world["agent_red"], turns=[("customer", f"Zebra crossing {n}")])
    db.session.commit()
    page = login(world["lead_red"]).get("/interactions/?q=zebra&channel=chat")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "(55)" in html and "S-3" not in html
    assert 'href="/interactions/?page=2&amp;q=zebra&amp;channel=chat">older' in html


def test_saved_views_are_per_user_and_deletable(world, login):
    """A user saves the current filters under a name, sees it listed, and deletes it; another
    user can neither see nor delete it."""
    lead = login(world["lead_red"])
    lead.get("/interactions/")
    response = lead.post(
        "/interactions/views", {"name": "Low empathy", "empathy_below": "40", "q": "refund"}
    )
    assert response.status_code == 302 and "empathy_below=40" in response.headers["Location"]
    view = db.session.scalar(select(SavedView))
    assert view is not None and view.params == {"q": "refund", "empathy_below": "40"}
    assert "Low empathy" in lead.get("/interactions/").get_data(as_text=True)
    other = login(world["lead_blue"])
    assert "Low empathy" not in other.get("/interactions/").get_data(as_text=True)
    assert other.post(f"/interactions/views/{view.id}/delete").status_code == 404
    lead.get("/interactions/")
    assert lead.post(f"/interactions/views/{view.id}/delete").status_code == 302
    assert db.session.scalar(select(SavedView)) is None
    assert lead.post("/interactions/views", {"name": "  "}).status_code == 302
    assert db.session.scalar(select(SavedView)) is None


def test_add_to_my_queue_opens_a_draft_for_a_visible_interaction_only(world, login):
    """A reviewer adds an assigned interaction to their queue as a draft (twice is one draft);
    an interaction they may not see is a 404, and other roles are refused."""
    reviewer = world["reviewer"]
    target = world["i_agent_red"]
    policy = SamplingPolicy(team=world["red"], name="Weekly")
    sample = Sample(policy=policy, week="2026-W01", interaction=target, stratum="random")
    db.session.add_all(
        [policy, sample, Assignment(sample=sample, interaction=target, reviewer=reviewer)]
    )
    db.session.commit()
    c = login(reviewer)
    assert "Add to my queue" in c.get("/interactions/").get_data(as_text=True)
    for _ in range(2):
        response = c.post(f"/interactions/{target.id}/queue", {"back": "/interactions/?q=x"})
        assert response.status_code == 302 and response.headers["Location"] == "/interactions/?q=x"
    drafts = db.session.scalars(select(Review).where(Review.reviewer_id == reviewer.id)).all()
    assert [(r.interaction_id, r.status) for r in drafts] == [(target.id, ReviewStatus.DRAFT)]
    assert "in your queue" in c.get("/interactions/").get_data(as_text=True)
    assert c.post(f"/interactions/{world['i_agent_blue'].id}/queue").status_code == 404
    evil = c.post(f"/interactions/{target.id}/queue", {"back": "https://evil.example/"})
    assert evil.headers["Location"] == "/interactions/"
    lead = login(world["lead_red"])
    lead.get("/interactions/")
    assert lead.post(f"/interactions/{target.id}/queue").status_code == 403
