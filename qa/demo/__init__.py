"""The demo workspace: two teams, a dozen agents, a scorecard, six weeks of interactions,
real call recordings transcribed by Whisper, sampled weeks with reviews, a dispute and training."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from ..coaching import services as coaching
from ..extensions import db
from ..models import (
    Assignment,
    AssignmentStatus,
    Channel,
    Interaction,
    Notification,
    Review,
    ReviewStatus,
    Role,
    Sample,
    SamplingPolicy,
    Scorecard,
    Team,
    User,
    utcnow,
)
from ..services import audit, sampling
from ..services import disputes as dispute_steps
from ..services import reviews as review_service
from ..services.ingest import IngestSettings, ingest_recording, ingest_rows
from ..services.users import create_user
from .calibration import load_calibration
from .dialogues import SCENARIOS, conversation
from .french import AGENTS as FRENCH_AGENTS
from .french import LEAD as FRENCH_LEAD
from .french import email as french_email
from .french import load_french
from .kb import load_kb
from .tiers import load_tiers

DEMO_PASSWORD = "coachline-demo"
DOMAIN = "coachline-demo.com"
CALLS = Path(__file__).resolve().parent / "calls"

TEAMS = {
    "Billing & Accounts": [
        "Aisha Khan",
        "Ben Carter",
        "Chloe Dubois",
        "Diego Alvarez",
        "Emma Larsen",
        "Farid Haddad",
    ],
    "Tech Support": [
        "Grace Liu",
        "Hugo Martin",
        "Ines Costa",
        "Jonas Weber",
        "Kemi Adebayo",
        "Liam O'Brien",
    ],
}
QUEUES = {
    "Billing & Accounts": ("billing", "accounts", "banking", "utilities", "insurance"),
    "Tech Support": ("technical", "saas", "delivery", "returns", "travel"),
}

SCORECARD = [
    {
        "section": "Opening",
        "name": "Greeting and verification",
        "scale_min": 0,
        "scale_max": 1,
        "weight": 1,
        "description": "Greets the customer and verifies identity before discussing the account.",
    },
    {
        "section": "Soft skills",
        "name": "Empathy",
        "scale_min": 1,
        "scale_max": 5,
        "weight": 2,
        "autoqa_key": "empathy",
        "description": "Acknowledges the customer's feelings or situation in a personal, warm way.",
    },
    {
        "section": "Soft skills",
        "name": "Tone and professionalism",
        "scale_min": 1,
        "scale_max": 5,
        "weight": 1,
        "description": "Clear, polite, no blame; adapts to the customer.",
    },
    {
        "section": "Outcome",
        "name": "Resolution",
        "scale_min": 0,
        "scale_max": 1,
        "weight": 3,
        "autoqa_key": "resolution",
        "description": "The problem is fixed or the requested action completed and confirmed by the end.",
    },
    {
        "section": "Outcome",
        "name": "Accurate information",
        "scale_min": 0,
        "scale_max": 1,
        "weight": 2,
        "critical": True,
        "description": "Nothing wrong or misleading was said. Failing this fails the review.",
    },
    {
        "section": "Compliance",
        "name": "Data protection",
        "scale_min": 0,
        "scale_max": 1,
        "weight": 1,
        "critical": True,
        "allows_na": True,
        "description": "No card numbers or personal data repeated or requested unsafely.",
    },
    {
        "section": "Closing",
        "name": "Next steps and closing",
        "scale_min": 1,
        "scale_max": 3,
        "weight": 1,
        "allows_na": True,
        "description": "Summarises what happens next and checks nothing else is needed.",
    },
]

MODULES = [
    (
        "Empathy that sounds human",
        "Empathy",
        '## Why it matters\nCustomers remember how you made them feel. A scripted *"sorry for the inconvenience"* '
        'is not empathy.\n\n## Practise\n1. Name the situation: *"being double charged right before rent is stressful"*.\n'
        "2. Say what you will do next.\n3. Keep it short and personal.\n",
    ),
    (
        "Owning the resolution",
        "Resolution",
        "## Close the loop\nA ticket raised is not a problem solved. Before ending, confirm the fix *with* the customer.\n\n"
        '- Check what you can do yourself before escalating.\n- Give a reference and a time.\n- Ask: *"Can you check it works now?"*\n',
    ),
    (
        "Verifying identity safely",
        "Data protection",
        "## The rule\nNever ask for or repeat a full card number. Verify with the last four digits, date of birth or "
        "a one-time code.\n",
    ),
    (
        "Clear next steps",
        "Next steps and closing",
        "## End every contact with\n- what you did,\n- what happens next and when,\n- whether anything else is needed.\n",
    ),
]

# Short quizzes in the editor's format (Q: question, - wrong, * right), graded on the server.
QUIZZES = {
    "Empathy that sounds human": """
Q: Which reply shows empathy?
- Sorry for the inconvenience. What is your account number?
* Being double charged right before rent is stressful; let me fix it now.
- Please calm down, I am trying to help.
Q: What comes right after naming the customer's situation?
* What you will do next
- The company's refund policy
""",
    "Owning the resolution": """
Q: A ticket was raised with another team. Is the problem resolved?
- Yes, the ticket number proves it
* No, not until the fix is done and confirmed
Q: What do you do before ending the contact?
* Ask the customer to check that it works now
- Thank them for their patience
""",
    "Verifying identity safely": """
Q: How do you verify a card holder?
- Ask for the full card number
* Ask for the last four digits and the date of birth
""",
    "Clear next steps": """
Q: A good closing says...
* what you did, what happens next and when, and whether anything else is needed
- goodbye
""",
}


def demo_accounts() -> list[tuple[str, str]]:
    accounts = [
        ("admin", f"admin@{DOMAIN}"),
        ("lead", f"lead.billing@{DOMAIN}"),
        ("lead", f"lead.tech@{DOMAIN}"),
        ("reviewer", f"reviewer.one@{DOMAIN}"),
        ("reviewer", f"reviewer.two@{DOMAIN}"),
    ]
    accounts += [("agent", _email(name)) for names in TEAMS.values() for name in names[:2]]
    accounts.append(("agent", french_email(FRENCH_AGENTS[0], DOMAIN)))
    accounts.append(("lead", french_email(FRENCH_LEAD, DOMAIN)))
    return accounts


def _email(name: str) -> str:
    return name.lower().replace("'", "").replace(" ", ".") + f"@{DOMAIN}"


def load_demo(*, calls: bool = True, echo: Callable[[str], object] = print, seed: int = 7) -> None:
    """Create the demo workspace; the caller checks it is not loaded yet."""
    rng = random.Random(seed)
    admin = create_user(f"admin@{DOMAIN}", "Ada Admin", DEMO_PASSWORD, Role.ADMIN)
    teams = {name: Team(name=name) for name in TEAMS}
    db.session.add_all(teams.values())
    create_user(
        f"lead.billing@{DOMAIN}",
        "Lena Lead",
        DEMO_PASSWORD,
        Role.LEAD,
        leads=[teams["Billing & Accounts"]],
    )
    create_user(
        f"lead.tech@{DOMAIN}", "Tom Lead", DEMO_PASSWORD, Role.LEAD, leads=[teams["Tech Support"]]
    )
    create_user(f"reviewer.one@{DOMAIN}", "Rita Reviewer", DEMO_PASSWORD, Role.REVIEWER)
    create_user(f"reviewer.two@{DOMAIN}", "Raj Reviewer", DEMO_PASSWORD, Role.REVIEWER)
    agents: list[tuple[User, float, float]] = []
    for team_name, names in TEAMS.items():
        for name in names:
            agent = create_user(
                _email(name), name, DEMO_PASSWORD, Role.AGENT, team=teams[team_name]
            )
            # Each agent has a habit: how often they show empathy and how often they resolve.
            agents.append((agent, rng.uniform(0.3, 0.95), rng.uniform(0.45, 0.95)))

    scorecard = Scorecard(
        name="Support quality", description="Default scorecard for chat, email and calls."
    )
    db.session.add(scorecard)
    db.session.flush()
    version = review_service.publish_version(scorecard, SCORECARD, actor=admin)
    for team in teams.values():
        db.session.add(
            SamplingPolicy(
                team=team,
                name="Weekly 10%",
                percentage=10,
                min_per_agent=2,
                max_per_agent=4,
                risk_share=0.5,
                seed=2026,
                scorecard_id=scorecard.id,
            )
        )
    for title, criterion, content in MODULES:
        coaching.save_module(
            None,
            admin,
            title=title,
            content=content,
            criterion_key=criterion,
            quiz=QUIZZES[title],
            pass_mark=80,
        )
    db.session.commit()
    echo("created teams, users, scorecard, sampling policies and training modules")

    settings = IngestSettings.from_config(current_app.config)
    rows, outcomes = _text_interactions(agents, rng)
    echo(
        f"creating {len(rows)} chat/email/social interactions over six weeks; scoring them with AutoQA"
    )
    report = ingest_rows(
        enumerate(rows), settings=settings, actor=None, default_source="demo", process="inline"
    )
    if not report.ok or len(report.created) != len(rows):
        raise RuntimeError(f"demo interactions refused: {report.errors[:3]}")
    truth = dict(zip(report.created, outcomes, strict=True))
    if calls:
        _calls(agents, settings, echo)
    _reviews(version, truth, rng, admin)
    load_calibration(version, rng)
    load_kb(admin)
    load_french(settings, password=DEMO_PASSWORD, domain=DOMAIN, calls=calls, echo=echo)
    echo("sampled past weeks, reviewed most of them, opened a dispute and assigned training")
    load_tiers(echo=echo)  # qa/tiers: N1/N2 teams, customers, escalations


def _text_interactions(
    agents: list[tuple[User, float, float]], rng: random.Random
) -> tuple[list[dict[str, Any]], list[tuple[bool, bool]]]:
    """Six weeks of chats, emails and social messages per agent as import rows, each with what
    really happened in it (empathetic, resolved), which the reviews then follow."""
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    rows: list[dict[str, Any]] = []
    outcomes: list[tuple[bool, bool]] = []
    for agent, p_empathy, p_resolve in agents:
        team_name = agent.team.name  # type: ignore[union-attr]
        scenarios = [s for s in SCENARIOS if s.queue in QUEUES[team_name]]
        for n in range(rng.randint(22, 30)):
            scenario = rng.choice(scenarios)
            empathetic = rng.random() < p_empathy
            resolved = rng.random() < p_resolve
            channel = rng.choices(
                [Channel.CHAT, Channel.EMAIL, Channel.SOCIAL], weights=[60, 35, 5]
            )[0]
            started = now - timedelta(days=rng.uniform(0.2, 41), hours=rng.randint(0, 8))
            first_response = {
                Channel.CHAT: rng.uniform(8, 95),
                Channel.EMAIL: rng.uniform(600, 6 * 3600),
                Channel.SOCIAL: rng.uniform(300, 5400),
            }[channel]
            csat = None
            if rng.random() < 0.6:
                base = 4.3 if resolved else 2.2
                csat = max(1, min(5, round(rng.gauss(base + (0.4 if empathetic else -0.3), 0.8))))
            rows.append(
                {
                    "external_id": f"{channel.value[:2].upper()}-{agent.id:02d}{n:03d}",
                    "channel": channel.value,
                    "agent_email": agent.email,
                    "team": team_name,
                    "queue": scenario.queue,
                    "subject": scenario.subject,
                    "started_at": started,
                    "duration_seconds": rng.uniform(240, 1500),
                    "wait_seconds": rng.uniform(5, 120) if channel == Channel.CHAT else None,
                    "first_response_seconds": first_response,
                    "csat": csat,
                    "escalated": (not resolved and rng.random() < 0.25),
                    "resolved_first_contact": resolved,
                    "turns": [
                        {"speaker": speaker, "text": text}
                        for speaker, text in conversation(
                            scenario,
                            agent.name.split()[0],
                            empathetic=empathetic,
                            resolved=resolved,
                            rng=rng,
                        )
                    ],
                }
            )
            outcomes.append((empathetic, resolved))
    return rows, outcomes


def _calls(
    agents: list[tuple[User, float, float]],
    settings: IngestSettings,
    echo: Callable[[str], object],
) -> None:
    """The demo call recordings, each transcribed by Whisper and scored before the next."""
    for n, sidecar in enumerate(sorted(CALLS.glob("*.json"))):
        meta = json.loads(sidecar.read_text())
        audio = next((p for p in CALLS.glob(f"{sidecar.stem}.*") if p.suffix != ".json"), None)
        if audio is None:
            continue
        agent = agents[(n * 5) % len(agents)][0]
        row = {
            "external_id": f"CA-{agent.id:02d}{n:03d}",  # CA- beside CH-/EM-/SO-
            "agent_email": agent.email,
            "queue": meta.get("queue", "phone"),
            "subject": meta.get("subject"),
            "started_at": call_start(n),
            "wait_seconds": 30 + 20 * n,
        }
        echo(f"transcribing demo call {audio.name} with Whisper")
        with audio.open("rb") as handle:
            ingest_recording(
                row,
                handle,
                audio.name,
                settings=settings,
                actor=None,
                source="demo",
                agent_channel=meta.get("agent_channel", "right"),
                process="inline",
            )


def call_start(n: int) -> datetime:
    """When demo call n started: in the first minutes of last week, whose sample stays in the
    reviewers' queues (oldest first), so a reviewer's queue starts with the calls."""
    monday, _ = sampling.parse_week(sampling.last_week(utcnow().date()))
    return monday + timedelta(minutes=1 + 3 * n)


def assign_calls(week: str, admin: User) -> int:
    """Put every call not sampled yet into the week's sample of its team's policy, assigned to
    the reviewers in turn: the demo shows every journey, calls first. The number assigned."""
    reviewers = list(
        db.session.scalars(select(User).where(User.role == Role.REVIEWER).order_by(User.id))
    )
    sampled = select(Sample.interaction_id)
    calls = db.session.scalars(
        select(Interaction)
        .where(Interaction.channel == Channel.CALL, Interaction.id.not_in(sampled))
        .order_by(Interaction.started_at)
    ).all()
    policies = {p.team_id: p for p in db.session.scalars(select(SamplingPolicy))}
    count = 0
    for call in calls:
        policy = policies.get(call.team_id)
        if policy is None or not reviewers:
            continue
        sample = Sample(
            policy=policy, week=week, interaction=call, stratum="risk",
            risk_reason="demo: every call is reviewed",
        )  # fmt: skip
        reviewer = reviewers[count % len(reviewers)]
        db.session.add_all([sample, Assignment(sample=sample, interaction=call, reviewer=reviewer)])
        count += 1
    db.session.flush()
    audit.record(admin, "sampling.demo_calls_assigned", None, week=week, count=count)
    return count


def _answer(
    criterion_name: str, empathetic: bool, resolved: bool, rng: random.Random
) -> tuple[int | None, bool]:
    """A reviewer's plausible answer given what really happened in the conversation."""
    if criterion_name == "Empathy":
        return (rng.choice([4, 5]) if empathetic else rng.choice([1, 2, 3])), False
    if criterion_name == "Resolution":
        return (1 if resolved else 0), False
    if criterion_name == "Tone and professionalism":
        return (rng.choice([4, 5]) if empathetic else rng.choice([3, 4])), False
    if criterion_name == "Accurate information":
        return (0 if rng.random() < 0.04 else 1), False
    if criterion_name == "Data protection":
        return (None, True) if rng.random() < 0.5 else (1, False)
    if criterion_name == "Next steps and closing":
        return (3 if resolved else rng.choice([1, 2])), False
    return (1 if rng.random() < 0.9 else 0), False


def _reviews(version, truth: dict[int, tuple[bool, bool]], rng: random.Random, admin: User) -> None:  # type: ignore[no-untyped-def]
    today = utcnow().date()
    weeks = [sampling.week_of(today - timedelta(days=7 * k)) for k in range(5, 0, -1)]
    for policy in db.session.scalars(select(SamplingPolicy)):
        for week in weeks:
            sampling.draw(policy, week, actor=admin)
    assign_calls(weeks[-1], admin)
    reviewed_weeks = set(weeks[:-1])  # last week's sample stays in the reviewers' queues
    assignments = db.session.scalars(
        select(Assignment).where(Assignment.status == AssignmentStatus.ASSIGNED)
    ).all()
    for assignment in assignments:
        if assignment.sample.week not in reviewed_weeks or assignment.interaction_id not in truth:
            continue
        empathetic, resolved = truth[assignment.interaction_id]
        review = review_service.start_review(assignment.interaction, assignment.reviewer, version)
        answers = {}
        for criterion in version.criteria:
            value, na = _answer(criterion.name, empathetic, resolved, rng)
            comment = None
            if criterion.name == "Empathy" and not empathetic:
                comment = "Acknowledge how the customer feels before jumping to the process."
            if criterion.name == "Resolution" and not resolved:
                comment = (
                    "The customer left without a fix; check what you could do before escalating."
                )
            answers[criterion.id] = review_service.AnswerInput(value=value, na=na, comment=comment)
        review_service.save_answers(
            review,
            answers,
            "Thanks for this one." if resolved else None,
            submit=True,
            actor=assignment.reviewer,
        )
        review.submitted_at = assignment.interaction.started_at + timedelta(days=2)
        if assignment.sample.week == weeks[-2]:
            # the latest reviewed week was reviewed in the last days: still open to dispute
            review.submitted_at = utcnow() - timedelta(days=rng.uniform(0.5, 5))
        if rng.random() < 0.6:
            review.acknowledged_at = review.submitted_at + timedelta(hours=5)
        _date_notes(f"/reviews/{review.id}", review.submitted_at)
    db.session.commit()
    _dispute_and_training(admin)


def _dispute_and_training(admin: User) -> None:
    # the dispute says resolution should not be a fail: a review that failed it
    recent = next(
        (
            r
            for r in db.session.scalars(
                select(Review)
                .where(Review.status == ReviewStatus.SUBMITTED, Review.score < 70)
                .order_by(Review.submitted_at.desc())
            )
            if any(a.criterion.name == "Resolution" and a.value == 0 for a in r.answers)
        ),
        None,
    )
    if recent is None:
        return
    resolution = [a.criterion_id for a in recent.answers if a.criterion.name == "Resolution"]
    recent.submitted_at = utcnow() - timedelta(days=1)
    recent.acknowledged_at = None
    agent = recent.interaction.agent
    _date_notes(f"/reviews/{recent.id}", recent.submitted_at)
    dispute = review_service.open_dispute(
        recent,
        agent,
        "The customer's issue needed the billing team; I could not refund it "
        "myself, so I don't think resolution should be a fail.",
        resolution,
        window_days=7,
    )
    dispute.created_at = recent.submitted_at + timedelta(hours=3)
    _date_notes(f"/disputes/{dispute.id}", dispute.created_at)
    # the dispute went through its first two steps: the reviewer rejected it and the agent
    # escalated it, so the lead has one to decide and the review page shows the timeline
    dispute_steps.answer(
        dispute, recent.reviewer, accept=False,
        comment="The chat ended without a refund or a hand-over to billing.",
    )  # fmt: skip
    dispute.answered_at = dispute.created_at + timedelta(hours=2)
    _date_notes(f"/reviews/{recent.id}#disputes", dispute.answered_at)
    dispute_steps.escalate(dispute, agent, "Billing was copied in the internal note.", 3)
    dispute.escalated_at = dispute.answered_at + timedelta(hours=1)
    db.session.flush()
    db.session.execute(
        update(Notification)
        .where(
            Notification.link == f"/disputes/{dispute.id}",
            Notification.user_id != recent.reviewer_id,
        )
        .values(created_at=dispute.escalated_at)
    )
    module = next(iter(coaching.modules_for_criterion("Empathy")), None)
    weak = db.session.scalars(
        select(Review).where(Review.status == ReviewStatus.SUBMITTED, Review.score < 60)
    ).all()
    for review in weak[:3]:
        if review.interaction.agent_id != agent.id and module is not None:
            coaching.assign(
                module,
                [review.interaction.agent],
                review.interaction.team.leads[0],
                due_date=utcnow().date() + timedelta(days=7),
                review=review,
            )
    db.session.commit()


def _date_notes(link: str, when: datetime) -> None:
    """Notifications the demo created about an event it back-dated carry the event's date,
    not the load time."""
    db.session.flush()
    db.session.execute(
        update(Notification).where(Notification.link == link).values(created_at=when)
    )
