"""Training catalogue and quizzes, recommendations, coaching sessions, before/after effects, access."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest

from qa.coaching import services
from qa.coaching.models import (
    CoachingSession,
    SessionStatus,
    TrainingAssignment,
    TrainingModule,
    TrainingStatus,
)
from qa.extensions import db
from qa.models import Role, utcnow
from tests.conftest import make_user
from tests.qa.test_dashboard import PERIOD, fixture  # noqa: F401  (the hand-computed world)

QUIZ = "Q: First thing to say?\n- Policy number\n* Name the feeling\nQ: Then?\n* Say what you will do\n- Hang up"


def module(title="Empathy basics", key="empathy", quiz=None, pass_mark=100) -> TrainingModule:  # type: ignore[no-untyped-def]
    m = TrainingModule(
        title=title,
        criterion_key=key,
        content="## Name it\n<script>alert(1)</script>",
        quiz=services.parse_quiz(quiz) if quiz else [],
        pass_mark=pass_mark,
    )
    db.session.add(m)
    db.session.flush()
    return m


# --- quizzes and the catalogue ----------------------------------------------------------------


def test_parse_quiz_and_back():
    """The quiz text parses to questions with one right option, and prints back the same."""
    quiz = services.parse_quiz(QUIZ)
    assert quiz[0] == {
        "question": "First thing to say?",
        "options": ["Policy number", "Name the feeling"],
        "answer": 1,
    }
    assert services.parse_quiz(services.quiz_text(quiz)) == quiz


@pytest.mark.parametrize(
    "text, message",
    [
        ("- a\n* b", "line 1"),
        ("Q: x\n- a\n- b", "mark the right option"),
        ("Q: x\n* a\n* b", "one right option"),
        ("Q: x\n* a", "at least two options"),
        ("Q: x\nhello", "line 2"),
    ],
)
def test_parse_quiz_errors(text, message):
    """Malformed quizzes are refused with the line or question at fault."""
    with pytest.raises(services.TrainingError, match=message):
        services.parse_quiz(text)


def test_module_create_edit_and_safe_markdown(login, world):
    """A lead creates and edits a module; raw HTML in its Markdown is escaped; bad input is a 400."""
    c = login(world["lead_red"])
    data = {
        "title": "Owning it",
        "criterion_key": "Resolution",
        "content": "# Close the loop\n<b>x</b>",
        "quiz": QUIZ,
        "pass_mark": "50",
    }
    r = c.post("/training/modules/new", data)
    assert r.status_code == 302
    m = db.session.scalar(db.select(TrainingModule).where(TrainingModule.title == "Owning it"))
    assert m.criterion_key == "Resolution" and len(m.quiz) == 2 and m.pass_mark == 50
    page = c.get(f"/training/modules/{m.id}").get_data(as_text=True)
    assert (
        "<h1>Close the loop</h1>" in page
        and "&lt;b&gt;x&lt;/b&gt;" in page
        and "<b>x</b>" not in page
    )
    assert "Name the feeling" not in page  # quiz answers are not shown on the module page
    r = c.post(f"/training/modules/{m.id}/edit", {**data, "title": "Owning the fix", "quiz": ""})
    assert r.status_code == 302
    db.session.refresh(m)
    assert (m.title, m.quiz) == ("Owning the fix", [])
    assert c.post("/training/modules/new", {**data, "quiz": "Q: x\n- a"}).status_code == 400
    assert c.post("/training/modules/new", {**data, "title": "Owning the fix"}).status_code == 400
    assert login(world["agent_red"]).get("/training/modules/new").status_code == 403


def test_quiz_graded_on_the_server(login, world):
    """Wrong answers leave the training open (attempt counted); right ones complete it; gaps are a 400."""
    m = module(quiz=QUIZ)
    [a] = services.assign(m, [world["agent_red"]], world["lead_red"], due_date=date.today())
    db.session.commit()
    c = login(world["agent_red"])
    page = c.get(f"/training/assignments/{a.id}").get_data(as_text=True)
    assert 'name="q0"' in page and '"answer"' not in page
    assert c.post(f"/training/assignments/{a.id}", {"q0": "1"}).status_code == 400
    r = c.post(f"/training/assignments/{a.id}", {"q0": "0", "q1": "1"})
    assert r.status_code == 302
    db.session.refresh(a)
    assert (a.status, a.quiz_attempts, a.quiz_score) == (TrainingStatus.ASSIGNED, 1, 0.0)
    assert c.post(f"/training/assignments/{a.id}", {"q0": "7", "q1": "0"}).status_code == 400
    r = c.post(f"/training/assignments/{a.id}", {"q0": "1", "q1": "0"}, follow_redirects=True)
    assert "Training completed. Quiz score 100%." in r.get_data(as_text=True)
    db.session.refresh(a)
    assert (a.status, a.quiz_attempts, a.quiz_score) == (TrainingStatus.COMPLETED, 2, 100.0)


def test_pass_mark(world):
    """Half right passes a 50% pass mark and fails a 100% one."""
    assert services.grade_quiz(module("A", quiz=QUIZ, pass_mark=50), {0: 1, 1: 1}).passed
    assert not services.grade_quiz(module("B", quiz=QUIZ, pass_mark=100), {0: 1, 1: 1}).passed


def test_agents_only_see_their_own_training(login, world):
    """Another agent's assignment answers 404; a lead of another team too; overdue is flagged."""
    m = module()
    [a] = services.assign(m, [world["agent_red"]], world["lead_red"])
    a.due_date = date.today() - timedelta(days=2)
    db.session.commit()
    assert login(world["agent_red2"]).get(f"/training/assignments/{a.id}").status_code == 404
    assert login(world["lead_blue"]).get(f"/training/assignments/{a.id}").status_code == 404
    page = login(world["lead_red"]).get("/training/").get_data(as_text=True)
    assert "1 overdue" in page
    assert [x.id for x in services.overdue([world["red"].id])] == [a.id]
    assert services.overdue([world["blue"].id]) == []


def test_assign_from_dashboard_link_preselects(login, world):
    """?agent=&module= on the assign page preselects them; agents of other teams are dropped."""
    m = module()
    db.session.commit()
    c = login(world["lead_red"])
    page = c.get(
        f"/training/assign?agent={world['agent_red'].id}&agent={world['agent_blue'].id}&module={m.id}"
    )
    html = page.get_data(as_text=True)
    assert re.search(rf'<option selected value="{world["agent_red"].id}">', html)
    assert world["agent_blue"].name not in html
    r = c.post(
        "/training/assign",
        {"module": m.id, "agents": [world["agent_red"].id, world["agent_red2"].id]},
    )
    assert r.status_code == 302
    assert db.session.scalar(db.select(db.func.count(TrainingAssignment.id))) == 2


# --- recommendations ---------------------------------------------------------------------------


def test_recommendations_threshold_and_min_reviews(fixture):  # noqa: F811
    """Ann: Empathy (25, 50, 100, 100) = 68.8 and Resolution (0, 100, 100) = 66.7 are below 70 over 3+ reviews;
    Ben's Empathy 0 has one review only; the module linked by AutoQA key is proposed."""
    m = module("Empathy basics", key="empathy")
    recs = services.recommendations([fixture["red"].id], PERIOD, threshold=70, min_reviews=3)
    assert [(r.agent.name, r.criterion, r.score, r.reviews) for r in recs] == [
        ("Ann", "Resolution", 66.7, 3),
        ("Ann", "Empathy", 68.8, 4),
    ]
    assert recs[1].suggested == m and recs[0].suggested is None
    assert services.recommendations([fixture["red"].id], PERIOD, threshold=70, min_reviews=5) == []
    services.assign(m, [fixture["a"]], fixture["lead_red"])
    again = services.recommendations([fixture["red"].id], PERIOD, threshold=70, min_reviews=3)
    assert again[1].suggested is None and again[1].modules == [m]  # already assigned


def test_dashboard_proposes_training_and_session(login, fixture, app):  # noqa: F811
    """The dashboard's recommendations link to assigning the module and scheduling a session."""
    m = module("Empathy basics", key="Empathy")
    db.session.commit()
    page = (
        login(fixture["lead_red"])
        .get(f"/dashboard?team={fixture['red'].id}&start=2026-11-02&end=2026-11-15")
        .get_data(as_text=True)
    )
    section = page.split('id="recommendations"')[1].split("</section>")[0]
    assert f"/training/assign?agent={fixture['a'].id}&amp;module={m.id}" in section
    assert f"/training/sessions/new?agent={fixture['a'].id}&amp;criterion=Empathy" in section


# --- coaching sessions -------------------------------------------------------------------------


def test_session_agenda_prefilled_with_weak_criteria_and_examples(fixture):  # noqa: F811
    """The agenda lists the weak criteria and the 2-3 reviews where they scored lowest."""
    s = services.schedule_session(
        fixture["lead_red"], fixture["a"], datetime(2026, 11, 20, 10), PERIOD, threshold=70
    )
    assert s.criteria == ["Resolution", "Empathy"]  # 66.7 then 68.8
    # lowest points first (0 on Nov 2, 0 on Oct 30), most recent first on ties, then 50 on Nov 3
    assert s.example_review_ids == [fixture["r1"].id, fixture["r8"].id, fixture["r2"].id]
    assert f"(/reviews/{fixture['r1'].id})" in s.agenda and "## Focus" in s.agenda


def test_session_record_and_acknowledge(login, fixture):  # noqa: F811
    """The lead records notes and action items; the agent sees the summary and acknowledges it once done."""
    s = services.schedule_session(
        fixture["lead_red"],
        fixture["a"],
        datetime(2026, 11, 20, 10),
        PERIOD,
        threshold=70,
        criteria=["Empathy"],
    )
    db.session.commit()
    agent = login(fixture["a"])
    assert agent.post(f"/training/sessions/{s.id}/acknowledge").status_code == 303  # not done yet
    assert s.acknowledged_at is None
    lead = login(fixture["lead_red"])
    form = {
        "agenda": s.agenda,
        "notes": "Good talk. <i>x</i>",
        "status": "done",
        "follow_up_date": "2026-12-01",
        "action_items-0-text": "Name the feeling in the first reply",
        "action_items-0-owner": "agent",
        "action_items-0-due": "2026-11-27",
        "action_items-1-text": "",
        "action_items-1-owner": "lead",
    }
    assert (
        lead.post(f"/training/sessions/{s.id}", {**form, "action_items-0-due": "soon"}).status_code
        == 400
    )
    assert lead.post(f"/training/sessions/{s.id}", form).status_code == 302
    db.session.refresh(s)
    assert s.status == SessionStatus.DONE and s.follow_up_date == date(2026, 12, 1)
    assert s.action_items == [
        {
            "text": "Name the feeling in the first reply",
            "owner": "agent",
            "due": "2026-11-27",
            "done": False,
        }
    ]
    page = agent.get(f"/training/sessions/{s.id}").get_data(as_text=True)
    assert "Name the feeling in the first reply" in page and "&lt;i&gt;x&lt;/i&gt;" in page
    assert "Record the session" not in page
    assert agent.post(f"/training/sessions/{s.id}", form).status_code == 403
    assert agent.post(f"/training/sessions/{s.id}/acknowledge").status_code == 302
    db.session.refresh(s)
    assert s.acknowledged_at is not None


def test_session_form_filled_from_the_stored_session(login, fixture):  # noqa: F811
    """The lead's form shows the stored agenda, status, follow-up and action items, plus two empty rows."""
    s = services.schedule_session(
        fixture["lead_red"], fixture["a"], datetime(2026, 11, 20, 10), PERIOD, threshold=70
    )
    services.update_session(
        s,
        fixture["lead_red"],
        agenda="Talk about tone",
        notes=None,
        action_items=[
            {"text": "Shorter replies", "owner": "lead", "due": "2026-11-27", "done": True}
        ],
        follow_up_date=date(2026, 12, 1),
        status=SessionStatus.DONE,
    )
    db.session.commit()
    page = login(fixture["lead_red"]).get(f"/training/sessions/{s.id}").get_data(as_text=True)
    assert re.search(r'<textarea[^>]*name="agenda"[^>]*>\s*Talk about tone</textarea>', page)
    assert re.search(r'<option selected value="done">', page)
    assert 'name="follow_up_date" type="date" value="2026-12-01"' in page
    assert (
        'name="action_items-0-text" placeholder="Action" type="text" value="Shorter replies"'
        in page
    )
    assert re.search(r'name="action_items-0-due" type="date" value="2026-11-27"', page)
    assert re.search(r'checked id="action_items-0-done"', page)
    assert re.search(
        r'<select[^>]*name="action_items-0-owner"[^>]*><option value="agent">Agent</option><option selected value="lead">',
        page,
    )
    assert 'name="action_items-2-text"' in page and 'name="action_items-3-text"' not in page


def test_session_errors_are_session_errors(fixture):  # noqa: F811
    """Refused session actions raise CoachingSessionError, not the training error."""
    s = services.schedule_session(
        fixture["lead_red"], fixture["a"], datetime(2026, 11, 20, 10), PERIOD, threshold=70
    )
    with pytest.raises(services.CoachingSessionError, match="not ready"):
        services.acknowledge_session(s, fixture["a"])
    with pytest.raises(services.CoachingSessionError, match="someone else"):
        services.acknowledge_session(s, fixture["b"])
    with pytest.raises(services.CoachingSessionError, match="due date"):
        services.clean_action_items([{"text": "x", "due": "soon"}])
    with pytest.raises(services.CoachingSessionError, match="not an agent"):
        services.schedule_session(
            fixture["lead_red"], fixture["lead_blue"], datetime(2026, 11, 20), PERIOD, threshold=70
        )
    assert not issubclass(services.CoachingSessionError, services.TrainingError)


def test_sessions_are_private(login, fixture):  # noqa: F811
    """Another agent or another team's lead gets 404 for a session; agents cannot schedule."""
    s = services.schedule_session(
        fixture["lead_red"], fixture["a"], datetime(2026, 11, 20, 10), PERIOD, threshold=70
    )
    db.session.commit()
    assert login(fixture["b"]).get(f"/training/sessions/{s.id}").status_code == 404
    assert login(fixture["lead_blue"]).get(f"/training/sessions/{s.id}").status_code == 404
    assert login(fixture["a"]).get(f"/training/sessions/{s.id}").status_code == 200
    assert login(fixture["a"]).get("/training/sessions/new").status_code == 403
    other = login(fixture["lead_blue"])
    r = other.post(
        "/training/sessions/new", {"agent": fixture["a"].id, "scheduled_at": "2026-11-20T10:00"}
    )
    assert r.status_code == 400  # not one of their agents
    assert db.session.scalar(db.select(db.func.count(CoachingSession.id))) == 1


def test_schedule_through_the_page(login, fixture):  # noqa: F811
    """Scheduling from the page pre-fills the agenda and notifies the agent."""
    c = login(fixture["lead_red"])
    r = c.post(
        "/training/sessions/new",
        {"agent": fixture["a"].id, "scheduled_at": "2026-11-20T10:00", "criteria": ["Empathy"]},
    )
    assert r.status_code == 302
    s = db.session.scalar(db.select(CoachingSession))
    assert s.criteria == ["Empathy"] and "Empathy" in s.agenda


# --- effect of training ------------------------------------------------------------------------


def test_before_after_effect(fixture):  # noqa: F811
    """Ann completes Empathy on Nov 9: before = last 2 (50, 25), after = first 2 (100, 100);
    Ben completes on Nov 5: before (0), nothing after; per module the sides are pooled."""
    m = module("Empathy basics", key="Empathy")
    a, b = fixture["a"], fixture["b"]
    ta, tb = services.assign(m, [a, b], fixture["lead_red"])
    ta.status = tb.status = TrainingStatus.COMPLETED
    ta.completed_at, tb.completed_at = datetime(2026, 11, 9, 12), datetime(2026, 11, 5, 12)
    db.session.commit()
    effects, modules = services.training_effects([fixture["red"].id], 2)
    by_agent = {e.assignment.agent.name: e for e in effects}
    ann, ben = by_agent["Ann"], by_agent["Ben"]
    assert (ann.before.n, ann.before.mean, ann.after.n, ann.after.mean) == (2, 37.5, 2, 100.0)
    assert ann.before.ci == 158.9  # t(1) 12.71 * sd 17.68 / sqrt 2
    assert (ann.delta, ann.delta_ci) == (62.5, 158.9)
    assert (ben.before.n, ben.before.mean, ben.after.n, ben.delta) == (1, 0.0, 0, None)
    [me] = modules
    assert (me.assignments, me.before.n, me.before.mean, me.after.n, me.after.mean, me.delta) == (
        2,
        3,
        25.0,
        2,
        100.0,
        75.0,
    )
    wide, _ = services.training_effects([fixture["red"].id], 5, agent_id=a.id)
    assert (wide[0].before.n, wide[0].before.mean) == (
        3,
        25.0,
    )  # Oct 30 (0), Nov 2 (25), Nov 3 (50)
    assert services.training_effects([fixture["blue"].id], 2) == ([], [])


def test_effects_page_scoped(login, fixture):  # noqa: F811
    """The effects page lists the lead's teams only; agents may not open it."""
    m = module("Empathy basics", key="Empathy")
    [ta] = services.assign(m, [fixture["a"]], fixture["lead_red"])
    ta.status, ta.completed_at = TrainingStatus.COMPLETED, datetime(2026, 11, 9, 12)
    db.session.commit()
    assert "Empathy basics" in login(fixture["lead_red"]).get("/training/effects").get_data(
        as_text=True
    )
    assert "Ann" not in login(fixture["lead_blue"]).get("/training/effects").get_data(as_text=True)
    assert login(fixture["a"]).get("/training/effects").status_code == 403


def test_lead_cannot_assign_to_non_agents(world):
    """Only agents receive training."""
    with pytest.raises(services.TrainingError):
        services.assign(module(), [world["reviewer"]], world["lead_red"])
    assert utcnow()  # keeps the import honest
    make_user(Role.AGENT)
