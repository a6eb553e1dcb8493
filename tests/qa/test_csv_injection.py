"""CSV exports neutralise cells a spreadsheet would run as a formula (issue 19, item 9)."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest

from qa.coaching import services
from qa.coaching.models import CoachingSession, TrainingModule
from qa.dashboard.charts import to_csv
from qa.extensions import db
from qa.models import utcnow
from qa.services.reviews import AnswerInput, save_answers, start_review
from tests.conftest import make_interaction


@pytest.mark.parametrize(
    "cell, written",
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-3", "'-3"),  # text that looks like a number stays text
        ("plain", "plain"),
        ("a=1", "a=1"),
        ("", ""),
    ],
)
def test_text_cells_that_start_a_formula_are_quoted(cell, written):
    """A text cell starting with =, +, -, @, tab or carriage return gets a leading quote."""
    [row] = list(csv.reader(io.StringIO(to_csv(["x"], [[cell]]), newline="")))[1:]
    assert row == [written]


def test_numbers_stay_numbers():
    """Genuine numeric values, negative ones included, are written as numbers, unquoted."""
    text = to_csv(["int", "float", "none"], [[-3, -2.5, None]])
    assert text.splitlines()[1] == "-3,-2.5,"


def test_every_export_neutralises_user_text(login, world):
    """Module titles, criterion keys, action items and interaction ids are quoted in the exports."""
    agent, lead = world["agent_red"], world["lead_red"]
    module = TrainingModule(title="\t=HYPERLINK(1)", criterion_key="\r=1+1", content="x")
    db.session.add(module)
    db.session.flush()
    services.assign(module, [agent], lead)
    db.session.add(
        CoachingSession(
            lead=lead,
            agent=agent,
            scheduled_at=utcnow(),
            criteria=["@SUM(1)"],
            example_review_ids=[],
            action_items=[{"text": "=cmd|' /C calc'!A0", "owner": "agent", "due": None}],
        )
    )
    interaction = make_interaction(agent, started_at=utcnow() - timedelta(hours=2))
    interaction.external_id = "-2+3"
    version = world["scorecard"].current
    review = start_review(interaction, world["reviewer"], version)
    answers = {c.id: AnswerInput(value=c.scale_max, comment="+call me") for c in version.criteria}
    save_answers(review, answers, None, submit=True, actor=world["reviewer"])
    db.session.commit()
    c = login(lead)
    today = datetime.now().date()
    q = f"team={agent.team_id}&start={today - timedelta(days=7)}&end={today + timedelta(days=1)}"

    def rows(kind: str) -> list[list[str]]:
        text = c.get(f"/dashboard/export/{kind}.csv?{q}").get_data(as_text=True)
        return list(csv.reader(io.StringIO(text, newline="")))[1:]

    [training] = rows("training")
    assert training[1:3] == ["'\t=HYPERLINK(1)", "'\r=1+1"]
    [session] = rows("sessions")
    assert session[5] == "'@SUM(1)" and session[6].startswith("'=cmd")
    assert {r[1] for r in rows("reviews")} == {"'-2+3"}
    answer_rows = rows("answers")
    assert answer_rows and {r[1] for r in answer_rows} == {"'-2+3"}
    assert {r[7] for r in answer_rows} == {"'+call me"}
