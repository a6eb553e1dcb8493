"""Support KPIs (CSAT, FCR, AHT, FRT, escalations, SLA per channel) against hand-computed values."""

from __future__ import annotations

from datetime import datetime

import pytest

from qa.extensions import db
from qa.models import Channel, Interaction, Role
from qa.services import kpis
from tests.conftest import make_interaction, make_team, make_user


@pytest.fixture
def team(app):  # type: ignore[no-untyped-def]
    """Eight interactions with known metadata (and one in another team that must not count)."""
    red, blue = make_team("Red"), make_team("Blue")
    agent, other = make_user(Role.AGENT, team=red), make_user(Role.AGENT, team=blue)
    rows = [
        # channel, csat, fcr, escalated, duration, frt, wait
        (Channel.CHAT, 5, True, False, 100, 30, None),
        (Channel.CHAT, 4, False, True, 200, 60, None),  # 60 s is not under 1 min
        (Channel.CHAT, 3, None, False, 300, None, None),  # not measured
        (Channel.EMAIL, None, True, False, 400, 3600, None),
        (Channel.EMAIL, 1, True, False, 500, 20000, None),
        (Channel.SOCIAL, 5, None, True, None, 100, None),
        (Channel.CALL, None, None, False, 600, 5, 100),
        (Channel.CALL, 2, False, False, 700, 5, 200),  # calls use the wait, not the response
    ]
    for channel, csat, fcr, escalated, duration, frt, wait in rows:
        i = make_interaction(
            agent,
            channel=channel,
            csat=csat,
            escalated=escalated,
            started_at=datetime(2026, 11, 3, 10),
        )
        i.resolved_first_contact, i.duration_seconds = fcr, duration
        i.first_response_seconds, i.wait_seconds = frt, wait
    make_interaction(other, channel=Channel.CHAT, csat=1, escalated=True)
    db.session.commit()
    return red


def test_kpis_hand_computed(team):
    """CSAT 3 of 6 rated, FCR 3 of 5 known, AHT mean of 7 durations, FRT mean of 7, 2 of 8 escalated."""
    k = kpis.compute([Interaction.team_id == team.id])
    assert k.interactions == 8
    assert (k.rated, k.csat) == (6, 50.0)
    assert (k.fcr_known, k.fcr) == (5, 60.0)
    assert k.aht_seconds == 400.0  # (100+200+300+400+500+600+700)/7
    assert k.frt_seconds == round((30 + 60 + 3600 + 20000 + 100 + 5 + 5) / 7, 1)
    assert k.escalation_rate == 25.0


def test_sla_per_channel_default_thresholds(team):
    """Chat < 60 s: 1 of 2 measured; email < 4 h: 1 of 2; social < 1 h: 1 of 1; call wait < 3 min: 1 of 2."""
    sla = {
        s.channel: (s.measured, s.met, s.compliance)
        for s in kpis.compute([Interaction.team_id == team.id]).sla
    }
    assert sla == {
        "chat": (2, 1, 50.0),
        "email": (2, 1, 50.0),
        "social": (1, 1, 100.0),
        "call": (2, 1, 50.0),
    }


def test_sla_thresholds_from_config(app, team):
    """QA_SLA_* settings move the thresholds."""
    app.config.update(SLA_CHAT_SECONDS=61, SLA_CALL_WAIT_SECONDS=300)
    thresholds = kpis.sla_thresholds(app.config)
    assert thresholds == {"chat": 61, "social": 3600, "email": 14400, "call": 300}
    sla = {s.channel: s.met for s in kpis.compute([Interaction.team_id == team.id], thresholds).sla}
    assert sla["chat"] == 2 and sla["call"] == 2


def test_empty_scope_gives_no_numbers(app):
    """No interactions: percentages are None, not zero or a division error."""
    k = kpis.compute([Interaction.team_id == -1])
    assert (k.interactions, k.csat, k.fcr, k.aht_seconds, k.escalation_rate) == (
        0,
        None,
        None,
        None,
        None,
    )
    assert all(s.compliance is None for s in k.sla)
