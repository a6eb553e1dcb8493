"""Tiers and escalations (issue 17): the tier dashboard's figures against hand-computed values,
the import's tier and escalation columns, and who may open the tier dashboard."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from qa.demo import DEMO_PASSWORD
from qa.extensions import db
from qa.models import (
    AuditEvent,
    Channel,
    Escalation,
    EscalationOutcome,
    Interaction,
    Role,
    Team,
    User,
)
from qa.services.dashboard_days import Period
from qa.services.escalations import parse_tier, record_escalation
from qa.services.ingest import IngestSettings, ingest_file, ingest_rows
from qa.services.tokens import create_token
from qa.tiers.services import tier_dashboard
from tests.conftest import Client, make_interaction, make_team, make_user

START = datetime(2026, 11, 3, 10)
PERIOD = Period(date(2026, 11, 2), date(2026, 11, 15))


def _chat(agent, *, at, customer, fcr, tier, channel=Channel.CHAT):  # type: ignore[no-untyped-def]
    i = make_interaction(agent, started_at=at, channel=channel)
    i.customer, i.resolved_first_contact, i.tier = customer, fcr, tier
    return i


@pytest.fixture
def tiers(app):  # type: ignore[no-untyped-def]
    """Red (N1, two agents) escalates three chats to Blue (N2): solved after 30 min, bounced
    back after 90 min, unnecessary after 10 min; customers come back within 7 days or not."""
    red, blue = make_team("Red"), make_team("Blue")
    red.tier, blue.tier = 1, 2
    a1, a2 = make_user(Role.AGENT, team=red, name="A1"), make_user(Role.AGENT, team=red, name="A2")
    b1 = make_user(Role.AGENT, team=blue, name="B1")
    lead = make_user(Role.LEAD, leads=[red])
    h = timedelta(hours=1)
    i1 = _chat(a1, at=START, customer="C1", fcr=True, tier=1)
    i2 = _chat(a1, at=START + h, customer="C2", fcr=False, tier=1)
    i3 = _chat(a1, at=START + 2 * h, customer="C3", fcr=None, tier=1)
    _chat(a1, at=START + timedelta(days=3), customer="C1", fcr=True, tier=1)  # i1 came back
    i5 = _chat(a2, at=START + 3 * h, customer="C4", fcr=False, tier=1)
    i6 = _chat(a2, at=START + 4 * h, customer="C5", fcr=True, tier=1)
    j1 = _chat(b1, at=START + h + timedelta(minutes=30), customer="C2", fcr=True, tier=2)
    j2 = _chat(b1, at=START + 2 * h + timedelta(minutes=90), customer="C3", fcr=False, tier=2)
    j3 = _chat(b1, at=START + 3 * h + timedelta(minutes=10), customer="C4", fcr=None, tier=2)
    # C5 again after 8 days (too late for i6); C3 by email two days after i3 (and after j2)
    _chat(b1, at=i6.started_at + timedelta(days=8), customer="C5", fcr=True, tier=2)
    _chat(b1, at=i3.started_at + timedelta(days=2), customer="C3", fcr=None, tier=2,
          channel=Channel.EMAIL)  # fmt: skip
    # outside the period: never counted
    _chat(a1, at=datetime(2026, 10, 1, 9), customer="C1", fcr=False, tier=1)
    for source, target, outcome in (
        (i2, j1, EscalationOutcome.SOLVED),
        (i3, j2, EscalationOutcome.BOUNCED),
        (i5, j3, EscalationOutcome.UNNECESSARY),
    ):
        record_escalation(source, target, reason="needs N2", outcome=outcome)
    db.session.commit()
    return {"red": red, "blue": blue, "a1": a1, "a2": a2, "b1": b1, "lead": lead, "i1": i1}


def test_figures_per_tier_match_hand_computed_values(tiers):
    """Per tier and in all: FCR, escalation rate, median time to escalate, bounced/unnecessary
    shares and re-contact (the escalation's own target is no re-contact) as computed by hand."""
    figures = tier_dashboard([tiers["red"].id, tiers["blue"].id], PERIOD)
    n1, n2 = figures.tiers
    assert (n1.label, n1.interactions, n1.fcr_known, n1.fcr) == ("N1", 6, 5, 60.0)
    assert (n1.escalated, n1.escalation_rate, n1.escalations) == (3, 50.0, 3)
    assert n1.median_minutes_to_escalate == 30.0  # 10, 30, 90
    assert (n1.bounced_share, n1.unnecessary_share) == (33.3, 33.3)
    assert (n1.customers_known, n1.recontacted, n1.recontact_rate) == (6, 2, 33.3)  # i1, i3
    assert (n2.label, n2.interactions, n2.fcr_known, n2.fcr) == ("N2", 5, 3, 66.7)
    assert (n2.escalation_rate, n2.median_minutes_to_escalate, n2.bounced_share) == (
        0.0,
        None,
        None,
    )
    assert (n2.recontacted, n2.recontact_rate) == (1, 20.0)  # j2: C3 wrote two days later
    total = figures.total
    assert (total.interactions, total.fcr, total.escalation_rate) == (11, 62.5, 27.3)
    assert total.recontact_rate == 27.3


def test_figures_per_agent_and_only_the_given_teams(tiers):
    """Per agent over Red only: Blue's interactions are left out; each agent's figures by hand."""
    figures = tier_dashboard([tiers["red"].id], PERIOD)
    assert [t.label for t in figures.tiers] == ["N1"]
    a1, a2 = figures.agents
    assert (a1.label, a1.tier, a1.interactions, a1.fcr) == ("A1", 1, 4, 66.7)
    assert (a1.escalation_rate, a1.median_minutes_to_escalate) == (50.0, 60.0)
    assert (a1.bounced_share, a1.unnecessary_share, a1.recontact_rate) == (50.0, 0.0, 50.0)
    assert (a2.label, a2.interactions, a2.fcr, a2.escalation_rate) == ("A2", 2, 50.0, 50.0)
    assert (a2.median_minutes_to_escalate, a2.unnecessary_share, a2.recontact_rate) == (
        10.0,
        100.0,
        0.0,
    )


def test_recording_an_escalation_sets_the_flag_and_the_time(tiers):
    """record_escalation keeps `escalated` in sync and measures from the interaction's start."""
    i1 = tiers["i1"]
    target = _chat(tiers["b1"], at=START + timedelta(minutes=45), customer="C1", fcr=True, tier=2)
    assert i1.escalated is False
    escalation = record_escalation(i1, target, reason="refund over limit")
    db.session.flush()
    assert i1.escalated is True
    assert (escalation.from_tier, escalation.to_tier) == (1, 2)
    assert escalation.seconds_to_escalate == 45 * 60


@pytest.mark.parametrize(
    ("value", "tier"), [("N1", 1), ("n3", 3), ("2", 2), (4, 4), ("", None), (None, None)]
)
def test_parse_tier_reads_the_import_spellings(app, value, tier):
    """Tiers are read from N1-N4, n1-n4 or 1-4; empty means unknown."""
    assert parse_tier(value) == tier


@pytest.mark.parametrize("value", ["N5", "0", "tier 1", True, "N"])
def test_parse_tier_refuses_other_values(app, value):
    """Anything but N1-N4 is refused with the column named."""
    with pytest.raises(ValueError, match="tier must be N1, N2, N3 or N4"):
        parse_tier(value)


def _row(ext, agent, **extra):  # type: ignore[no-untyped-def]
    return {
        "external_id": ext,
        "channel": "chat",
        "agent_email": agent.email,
        "started_at": "2026-11-03T10:00:00",
        "turns": [{"speaker": "customer", "text": "Hi"}, {"speaker": "agent", "text": "Hello"}],
        **extra,
    }


def test_import_links_escalations_and_reports_bad_values_with_their_line(tiers):
    """tier, escalated_to (further down the file), reason, time and outcome land; a bad tier or
    outcome refuses that row with its line; an unknown target is reported, the row kept; no
    tier given means the agent's team's."""
    a1, b1 = tiers["a1"], tiers["b1"]
    rows = [
        _row(
            "X-1",
            a1,
            escalated_to="X-2",
            escalation_reason="billing dispute",
            escalated_at="2026-11-03T10:20:00Z",
            escalation_outcome="bounced back",
            customer="C9",
        ),  # fmt: skip
        _row("X-2", b1, tier="N3", started_at="2026-11-03T10:25:00"),
        _row("X-3", a1, tier="N7"),
        _row("X-4", a1, escalated_to="X-2", escalation_outcome="maybe"),
        _row("X-5", a1, escalated_to="NOPE"),
        _row("X-6", a1, escalation_reason="no target"),
    ]
    settings = IngestSettings.from_config(current_app.config)
    report = ingest_rows(
        enumerate(rows, start=1), settings=settings, actor=None, default_source="t", process="none"
    )
    errors = dict(report.errors)
    assert sorted(errors) == [3, 4, 5, 6]
    assert "tier must be N1, N2, N3 or N4" in errors[3]
    assert "escalation_outcome must be" in errors[4]
    assert "'NOPE'" in errors[5] and "stored without its escalation" in errors[5]
    assert "need escalated_to" in errors[6]
    stored = {
        i.external_id: i
        for i in db.session.scalars(select(Interaction).where(Interaction.source == "t"))
    }
    assert sorted(stored) == ["X-1", "X-2", "X-5"]
    x1, x2 = stored["X-1"], stored["X-2"]
    assert (x1.tier, x2.tier, stored["X-5"].tier) == (1, 3, 1)
    assert (x1.escalated, x1.customer, stored["X-5"].escalated) == (True, "C9", False)
    escalation = db.session.scalar(
        select(Escalation).where(Escalation.from_interaction_id == x1.id)
    )
    assert escalation.to_interaction_id == x2.id
    assert (escalation.from_tier, escalation.to_tier) == (1, 3)
    assert escalation.outcome == EscalationOutcome.BOUNCED
    assert escalation.reason == "billing dispute"
    assert escalation.seconds_to_escalate == 20 * 60
    again = ingest_rows(
        enumerate(rows[:2], start=1), settings=settings, actor=None, default_source="t",
        process="none",
    )  # fmt: skip
    assert (again.duplicates, again.errors) == (2, [])
    assert len(db.session.scalars(select(Escalation)).all()) == 4  # the fixture's three and X-1


def test_agent_tier_overrides_the_team_tier_on_import(tiers):
    """An agent with their own tier files interactions in it when the row gives none."""
    a2 = tiers["a2"]
    a2.tier = 2
    db.session.commit()
    settings = IngestSettings.from_config(current_app.config)
    report = ingest_rows(
        enumerate([_row("Y-1", a2)]), settings=settings, actor=None, default_source="t",
        process="none",
    )  # fmt: skip
    assert report.ok
    assert db.session.get(Interaction, report.created[0]).tier == 2


def test_agents_and_reviewers_get_403(tiers, login):
    """The tier dashboard is for leads and admins: an agent or a reviewer is refused."""
    assert login(tiers["a1"]).get("/tiers/").status_code == 403
    assert login(make_user(Role.REVIEWER)).get("/tiers/").status_code == 403


def test_lead_sees_only_their_teams(tiers, login):
    """A lead's page counts their team only; another team's id answers 404, not its figures."""
    client = login(tiers["lead"])
    page = client.get("/tiers/?start=2026-11-02&end=2026-11-15")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-tier="1"' in html and 'data-tier="2"' not in html
    assert f'data-agent="{tiers["b1"].id}"' not in html
    assert f'data-agent="{tiers["a1"].id}"' in html
    assert client.get(f"/tiers/?team={tiers['blue'].id}").status_code == 404
    assert client.get("/tiers/?team=x").status_code == 400
    assert client.get("/tiers/?start=2026-13-01").status_code == 400


def test_admin_sees_every_tier(tiers, login):
    """An admin's page has both tiers and the blue agent."""
    html = login(make_user(Role.ADMIN)).get("/tiers/?start=2026-11-02&end=2026-11-15")
    text = html.get_data(as_text=True)
    assert 'data-tier="1"' in text and 'data-tier="2"' in text
    assert f'data-agent="{tiers["b1"].id}"' in text


def test_admin_sets_team_and_agent_tiers_audited(tiers, login):
    """The admin page's tier forms set a team's tier and an agent's own tier (or back to the
    team's), each audited; a lead may not, and a bad tier is a 400."""
    admin = login(make_user(Role.ADMIN))
    page = admin.get("/admin/users").get_data(as_text=True)
    assert f'action="/tiers/teams/{tiers["blue"].id}/tier"' in page
    assert f'action="/tiers/agents/{tiers["a1"].id}/tier"' in page
    blue, a1 = tiers["blue"].id, tiers["a1"].id
    assert admin.post(f"/tiers/teams/{blue}/tier", {"tier": "3"}).status_code == 302
    assert admin.post(f"/tiers/agents/{a1}/tier", {"tier": "4"}).status_code == 302
    assert (db.session.get(type(tiers["blue"]), blue).tier, tiers["a1"].tier) == (3, 4)
    assert admin.post(f"/tiers/agents/{a1}/tier", {"tier": "0"}).status_code == 302
    db.session.refresh(tiers["a1"])
    assert tiers["a1"].tier is None
    assert admin.post(f"/tiers/teams/{blue}/tier", {"tier": "9"}).status_code == 400
    lead_id = tiers["lead"].id
    assert admin.post(f"/tiers/agents/{lead_id}/tier", {"tier": "2"}).status_code == 400
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("team.tier_set") == 1 and actions.count("user.tier_set") == 2
    assert login(tiers["lead"]).post(f"/tiers/teams/{blue}/tier", {"tier": "1"}).status_code == 403


@pytest.mark.slow
def test_demo_gives_the_tier_dashboard_data(app):
    """After `flask demo load` the teams are N1 and N2, some interactions are escalated to the
    next tier (some bounced back), and the lead's tier dashboard shows them."""
    result = app.test_cli_runner().invoke(args=["demo", "load", "--no-calls"])
    assert result.exit_code == 0, result.output
    escalations = db.session.scalars(select(Escalation)).all()
    assert len(escalations) >= 5
    assert any(e.outcome == EscalationOutcome.BOUNCED for e in escalations)
    assert all(e.from_interaction.escalated for e in escalations)
    linked = [e for e in escalations if e.to_interaction is not None]
    assert linked and all(e.to_interaction.tier == 2 for e in linked)
    teams = {t.name: t for t in db.session.scalars(select(Team))}
    figures = tier_dashboard([t.id for t in teams.values()], Period(date(2000, 1, 1), date.today()))
    assert [t.label for t in figures.tiers] == ["N1", "N2"]
    n1 = figures.tiers[0]
    assert n1.escalations > 0 and n1.bounced_share is not None
    lead = db.session.scalar(select(User).where(User.email.like("lead.billing@%")))
    client = Client(app.test_client())
    assert client.login(lead.email, DEMO_PASSWORD).status_code == 302
    page = client.get("/tiers/").get_data(as_text=True)
    assert 'data-tier="1"' in page and "%" in page


def test_recontact_excludes_only_the_interactions_own_escalation(app):
    """A later interaction of the same customer counts as a re-contact even when it is the
    target of another interaction's escalation; only this interaction's own target is left out."""
    red, blue = make_team("Red"), make_team("Blue")
    agent, other = make_user(Role.AGENT, team=red), make_user(Role.AGENT, team=blue)
    _chat(agent, at=START, customer="X", fcr=True, tier=1)  # X comes back the next day
    elsewhere = _chat(agent, at=START + timedelta(hours=1), customer="Y", fcr=False, tier=1)
    target = _chat(other, at=START + timedelta(days=1), customer="X", fcr=True, tier=2)
    record_escalation(elsewhere, target, reason="wrong queue")
    db.session.commit()
    figures = tier_dashboard([red.id], PERIOD)
    [n1] = figures.tiers
    assert (n1.customers_known, n1.recontacted) == (2, 1)  # first came back; elsewhere did not


def test_file_import_reads_tier_and_escalation_columns(tiers, tmp_path):
    """`flask interactions import FILE` (ingest_file) stores tiers and escalations too; a bad
    outcome refuses that row with its line, as ingest_rows does; the file is read once."""
    a1, b1 = tiers["a1"], tiers["b1"]
    path = tmp_path / "tiers.csv"
    path.write_text(
        "external_id,channel,agent_email,started_at,transcript,tier,escalated_to,"
        "escalation_outcome\n"
        f"F-1,chat,{a1.email},2026-11-03T10:00:00,customer: hi,N1,F-2,unnecessary\n"
        f"F-2,chat,{b1.email},2026-11-03T10:30:00,agent: hello,N2,,\n"
        f"F-3,chat,{a1.email},2026-11-03T11:00:00,customer: hi,,F-2,perhaps\n"
    )
    report = ingest_file(
        path, settings=IngestSettings.from_config(current_app.config), process="none"
    )
    assert len(report.created) == 2
    assert [line for line, _ in report.errors] == [4]
    assert "escalation_outcome must be" in report.errors[0][1]
    assert db.session.scalar(select(Interaction).where(Interaction.external_id == "F-3")) is None
    f1 = db.session.scalar(select(Interaction).where(Interaction.external_id == "F-1"))
    escalation = db.session.scalar(
        select(Escalation).where(Escalation.from_interaction_id == f1.id)
    )
    assert (f1.tier, f1.escalated, escalation.outcome) == (1, True, EscalationOutcome.UNNECESSARY)
    assert escalation.seconds_to_escalate == 30 * 60


def test_cli_and_api_give_the_same_result_for_a_bad_tier(app, tiers, tmp_path):
    """One rule for a bad tier: the row is refused and reported (its line in the file, its
    index in the API batch), the good row beside it stored, by `flask interactions import` and
    by POST /api/v1/interactions alike (the CLI used to store the row without its tier)."""
    a1 = tiers["a1"]
    rows = {"cli": [_row("C-1", a1, tier="N2"), _row("C-2", a1, tier="N7")],
            "api": [_row("A-1", a1, tier="N2"), _row("A-2", a1, tier="N7")]}  # fmt: skip
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows["cli"]))
    result = app.test_cli_runner().invoke(args=["interactions", "import", str(path), "--no-process"])
    assert result.exit_code == 1
    assert "rows.jsonl:2: tier must be N1, N2, N3 or N4, got 'N7'" in result.output
    assert "imported 1, skipped 0 already imported, 1 bad row(s)" in result.output
    admin = make_user(Role.ADMIN)
    _, token = create_token(admin, "test", None)
    db.session.commit()
    response = app.test_client().post(
        "/api/v1/interactions", json={"interactions": rows["api"]},
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip
    assert response.status_code == 201
    assert [(e["index"], e["reason"]) for e in response.json["errors"]] == [
        (1, "tier must be N1, N2, N3 or N4, got 'N7'")
    ]
    ids = ["C-1", "C-2", "A-1", "A-2"]
    stored = db.session.execute(
        select(Interaction.external_id, Interaction.tier).where(Interaction.external_id.in_(ids))
    )
    assert dict(stored.all()) == {"C-1": 2, "A-1": 2}
