"""Dashboard aggregates against a hand-computed fixture, the period, charts/CSV and permissions."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from qa.dashboard import charts
from qa.extensions import db
from qa.models import (
    Answer,
    AuditEvent,
    AutoScore,
    Criterion,
    Dispute,
    DisputeStatus,
    Review,
    ReviewStatus,
    Role,
    Scorecard,
    ScorecardVersion,
)
from qa.services import dashboard
from tests.conftest import make_interaction, make_team, make_user

PERIOD = dashboard.Period(date(2026, 11, 2), date(2026, 11, 15))  # ISO weeks 45 and 46


def scorecard() -> tuple[Criterion, Criterion]:
    """Two criteria: Empathy 1-5 (AutoQA key empathy) and Resolution 0-1 (key resolution)."""
    card = Scorecard(name="Two criteria")
    version = ScorecardVersion(scorecard=card, number=1, published_at=datetime(2026, 1, 1))
    empathy = Criterion(position=0, name="Empathy", scale_min=1, scale_max=5, autoqa_key="empathy")
    resolution = Criterion(
        position=1,
        name="Resolution",
        scale_min=0,
        scale_max=1,
        autoqa_key="resolution",
        allows_na=True,
    )
    version.criteria += [empathy, resolution]
    db.session.add(card)
    db.session.flush()
    return empathy, resolution


def reviewed(agent, reviewer, when, score, answers, auto=None):  # type: ignore[no-untyped-def]
    """An interaction at `when`, with a submitted review (score and answers) and AutoQA values."""
    interaction = make_interaction(agent, started_at=when)
    for key, value in (auto or {}).items():
        db.session.add(
            AutoScore(interaction=interaction, criterion=key, value=value, model_version="t")
        )
    if score is None:
        return interaction, None
    criteria = answers.pop("_criteria")
    review = Review(
        interaction=interaction,
        reviewer=reviewer,
        scorecard_version=criteria[0].version,
        status=ReviewStatus.SUBMITTED,
        score=score,
        submitted_at=when,
    )
    for criterion, value in zip(criteria, answers["values"], strict=True):
        review.answers.append(Answer(criterion=criterion, value=value, na=value is None))
    db.session.add(review)
    db.session.flush()
    return interaction, review


@pytest.fixture
def fixture(app):  # type: ignore[no-untyped-def]
    """Hand-computed world: see the expected numbers in each test."""
    red, blue = make_team("Red"), make_team("Blue")
    lead_red = make_user(Role.LEAD, leads=[red])
    lead_blue = make_user(Role.LEAD, leads=[blue])
    reviewer = make_user(Role.REVIEWER)
    a = make_user(Role.AGENT, team=red, name="Ann")
    b = make_user(Role.AGENT, team=red, name="Ben")
    c = make_user(Role.AGENT, team=blue, name="Cat")
    crit = list(scorecard())

    def r(agent, day, score, values, auto=None):  # type: ignore[no-untyped-def]
        return reviewed(agent, reviewer, day, score, {"_criteria": crit, "values": values}, auto)

    w = {
        "red": red,
        "blue": blue,
        "lead_red": lead_red,
        "lead_blue": lead_blue,
        "a": a,
        "b": b,
        "c": c,
    }
    w["i1"], w["r1"] = r(a, datetime(2026, 11, 2, 9), 50, [2, 0], {"empathy": 80, "resolution": 60})
    w["i2"], w["r2"] = r(a, datetime(2026, 11, 3, 9), 70, [3, 1], {"empathy": 50})
    w["i3"], w["r3"] = r(
        a, datetime(2026, 11, 10, 9), 90, [5, 1], {"empathy": 90, "resolution": 100}
    )
    w["i4"], w["r4"] = r(a, datetime(2026, 11, 11, 9), 100, [5, None])
    w["i5"], w["r5"] = r(b, datetime(2026, 11, 4, 9), 40, [1, 1])
    w["i6"], _ = r(b, datetime(2026, 11, 12, 9), None, [], {"resolution": 40})
    w["i7"], w["r7"] = r(c, datetime(2026, 11, 3, 9), 0, [1, 0], {"empathy": 0})  # other team
    w["i8"], w["r8"] = r(a, datetime(2026, 10, 30, 9), 10, [1, 0])  # before the period
    db.session.add_all(
        [
            Dispute(review=w["r1"], agent=a, reason="x", status=DisputeStatus.OPEN),
            Dispute(review=w["r3"], agent=a, reason="y", status=DisputeStatus.CHANGED),
            Dispute(review=w["r7"], agent=c, reason="z", status=DisputeStatus.OPEN),
        ]
    )
    db.session.commit()
    return w


def test_weekly_iqs_aqs_by_week(fixture):
    """W45: 3 interactions, IQS (50+70+40)/3, AQS mean of (70, 50); W46: IQS 95, AQS (95+40)/2."""
    o = dashboard.overview([fixture["red"].id], PERIOD)
    assert [(w.week, w.interactions, w.reviews, w.iqs, w.aqs) for w in o.weeks] == [
        ("2026-W45", 3, 3, 53.3, 60.0),
        ("2026-W46", 3, 2, 95.0, 67.5),
    ]
    assert (o.interactions, o.reviews, o.iqs, o.aqs) == (6, 5, 70.0, 63.8)


def test_agent_rows_ci_and_trend(fixture):
    """Ann: IQS 77.5, t(3) CI 3.18*sd/sqrt(4) = 35.3, first half 60 -> second 95 (up); Ben: one review."""
    rows = {r.agent.name: r for r in dashboard.overview([fixture["red"].id], PERIOD).agents}
    assert set(rows) == {"Ann", "Ben"}
    ann, ben = rows["Ann"], rows["Ben"]
    assert (ann.interactions, ann.reviews, ann.iqs, ann.aqs, ann.ci) == (4, 4, 77.5, 71.7, 35.3)
    assert (ann.delta, ann.trend, ann.arrow) == (35.0, 1, "▲")
    assert (ben.interactions, ben.reviews, ben.iqs, ben.aqs, ben.ci, ben.trend) == (
        2,
        1,
        40.0,
        40.0,
        None,
        0,
    )


def test_criteria_weakest_first_with_autoqa(fixture):
    """Empathy (25, 50, 100, 100, 0) = 55 before Resolution (0, 100, 100, 100; N/A left out) = 75."""
    rows = dashboard.overview([fixture["red"].id], PERIOD).criteria
    assert [(c.name, c.answers, c.score, c.aqs) for c in rows] == [
        ("Empathy", 5, 55.0, 73.3),
        ("Resolution", 4, 75.0, 66.7),
    ]


def test_distribution_and_disputes(fixture):
    """Scores 50, 70, 90, 100, 40 fall in their 10-point bins; one open, one decided dispute."""
    o = dashboard.overview([fixture["red"].id], PERIOD)
    assert {b.label: b.reviews for b in o.distribution if b.reviews} == {
        "40-49": 1,
        "50-59": 1,
        "70-79": 1,
        "90-100": 2,
    }
    assert (o.open_disputes, o.decided_disputes) == (1, 1)


def test_agent_scope(fixture):
    """The agent dashboard only counts that agent's interactions."""
    o = dashboard.overview([fixture["red"].id], PERIOD, agent_id=fixture["b"].id)
    assert (o.interactions, o.reviews, o.iqs) == (2, 1, 40.0)
    assert [(c.name, c.score) for c in o.criteria] == [("Empathy", 0.0), ("Resolution", 100.0)]


def test_ci_matches_textbook():
    """ci95 from count, sum and sum of squares equals t * s / sqrt(n)."""
    values = [50, 70, 90, 100]
    assert dashboard.ci95(4, sum(values), sum(v * v for v in values)) == 35.3
    assert dashboard.ci95(1, 50, 2500) is None
    big = [60, 80] * 50
    assert dashboard.ci95(100, sum(big), sum(v * v for v in big)) == 2.0  # 1.96 * 10.05 / 10


def test_parse_period():
    """Empty dates default to six ISO weeks; bad or reversed dates are refused."""
    p = dashboard.parse_period(None, None, today=date(2026, 11, 18))
    assert (p.start, p.end) == (date(2026, 10, 12), date(2026, 11, 18))
    assert len(p.weeks()) == 6
    with pytest.raises(dashboard.DashboardError):
        dashboard.parse_period("2026-13-01", None)
    with pytest.raises(dashboard.DashboardError):
        dashboard.parse_period("2026-11-10", "2026-11-01")


def test_dashboard_page_charts_and_csv(login, fixture):
    """The page shows SVG charts without style attributes, and each chart downloads as CSV."""
    c = login(fixture["lead_red"])
    q = f"team={fixture['red'].id}&start=2026-11-02&end=2026-11-15"
    page = c.get(f"/dashboard?{q}").get_data(as_text=True)
    assert page.count("<svg") == 5 and "style=" not in page.split("<main>")[1]
    assert "Ann" in page and "35.3" in page and "▲" in page
    csv = c.get(f"/dashboard/chart/weekly.csv?{q}")
    assert csv.mimetype == "text/csv"
    assert csv.get_data(as_text=True).splitlines() == [
        "week,interactions,reviews,iqs,aqs",
        "2026-W45,3,3,53.3,60.0",
        "2026-W46,3,2,95.0,67.5",
    ]
    agent_csv = c.get(
        f"/dashboard/chart/criteria.csv?agent={fixture['b'].id}&start=2026-11-02&end=2026-11-15"
    )
    assert "Empathy,1,0.0" in agent_csv.get_data(as_text=True)
    for name in ("criteria", "distribution", "agents", "sla", "kpis"):
        assert c.get(f"/dashboard/chart/{name}.csv?{q}").status_code == 200
    assert c.get(f"/dashboard/chart/nope.csv?{q}").status_code == 404
    assert c.get("/dashboard?start=yesterday").status_code == 400


def test_agent_dashboard_and_report(login, fixture):
    """A lead opens an agent's dashboard and the printable report of their team's agent."""
    c = login(fixture["lead_red"])
    page = c.get(f"/dashboard/agents/{fixture['a'].id}?start=2026-11-02&end=2026-11-15")
    assert page.status_code == 200 and "Ann" in page.get_data(as_text=True)
    report = c.get(f"/dashboard/agents/{fixture['a'].id}/report?start=2026-11-02&end=2026-11-15")
    assert report.status_code == 200 and "Quality report · Ann" in report.get_data(as_text=True)


def test_leads_only_see_their_teams(login, fixture):
    """Another team's agent, charts and exports answer 404; agents and reviewers get 403."""
    c = login(fixture["lead_blue"])
    a, red = fixture["a"].id, fixture["red"].id
    for url in (
        f"/dashboard/agents/{a}",
        f"/dashboard/agents/{a}/report",
        f"/dashboard/chart/weekly.csv?agent={a}",
        f"/dashboard/chart/weekly.csv?team={red}",
        f"/dashboard/export/reviews.csv?team={red}",
    ):
        assert c.get(url).status_code == 404, url
    blue_page = c.get("/dashboard?start=2026-11-02&end=2026-11-15").get_data(as_text=True)
    assert "Cat" in blue_page and "Ann" not in blue_page
    agent = login(fixture["a"])
    assert agent.get(f"/dashboard/agents/{a}").status_code == 403
    assert agent.get(f"/dashboard/export/reviews.csv?team={red}").status_code == 403


def test_exports_are_scoped_and_audited(login, fixture):
    """Exports contain only the team's rows in the period, and each is recorded in the audit log."""
    c = login(fixture["lead_red"])
    q = f"team={fixture['red'].id}&start=2026-11-02&end=2026-11-15"
    reviews = c.get(f"/dashboard/export/reviews.csv?{q}").get_data(as_text=True).splitlines()
    assert len(reviews) == 1 + 5 and all(fixture["c"].email not in line for line in reviews)
    answers = c.get(f"/dashboard/export/answers.csv?{q}").get_data(as_text=True).splitlines()
    assert len(answers) == 1 + 10
    for kind in ("training", "sessions"):
        assert c.get(f"/dashboard/export/{kind}.csv?{q}").status_code == 200
    events = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action.like("export.%"))
    ).all()
    assert sorted(e.action for e in events) == [
        "export.answers",
        "export.reviews",
        "export.sessions",
        "export.training",
    ]
    assert events[0].details["rows"] == 5 and events[0].actor_id == fixture["lead_red"].id


def test_heatmap_cells_and_csv(login, fixture):
    """The agent x criterion heatmap holds each agent's mean per criterion (hand-computed) with its
    answers, as SVG cells and as CSV; the other team's agent is not in it."""
    c = login(fixture["lead_red"])
    q = f"team={fixture['red'].id}&start=2026-11-02&end=2026-11-15"
    rows = c.get(f"/dashboard/chart/heatmap.csv?{q}").get_data(as_text=True).splitlines()
    assert rows[0] == "agent,criterion,answers,score"
    assert sorted(rows[1:]) == [
        "Ann,Empathy,4,68.8",
        "Ann,Resolution,3,66.7",
        "Ben,Empathy,1,0.0",
        "Ben,Resolution,1,100.0",
    ]
    page = c.get(f"/dashboard?{q}").get_data(as_text=True)
    heat = page.split('id="heatmap"')[1].split("</svg>")[0]
    assert heat.count('<g class="cell">') == 4 and "Cat" not in heat
    assert "Ann · Empathy: 68.8 (4 answers)" in heat


def test_bar_chart_ticks_follow_the_scale():
    """A count chart's y ticks are spread over the plot with the scale's values, and a long
    label wraps whole into a <title>."""
    svg = str(charts.bar_chart("t", ["Next steps and ownership", "b"], [3, 1], y_title="Reviews"))
    ys = re.findall(r'<text x="34" y="([\d.]+)" text-anchor="end"[^>]*>(\d+)</text>', svg)
    assert [v for _, v in ys] == ["0", "1", "2", "3", "4"]
    assert len({y for y, _ in ys}) == 5 and all(14 <= float(y) <= 182 for y, _ in ys)
    assert "<title>Next steps and ownership</title>" in svg and "…" not in svg
