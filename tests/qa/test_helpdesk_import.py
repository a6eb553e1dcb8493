"""Helpdesk exports end to end into interactions (Zendesk, Freshdesk, Intercom): turns, notes,
tags, CSAT, channel; re-imports, bad records with their positions, unknown agents; the `tags`
import column, the tag filter and saved views, and the web import of a helpdesk export."""

from __future__ import annotations

import io
import json
from pathlib import Path

from sqlalchemy import select

from qa.extensions import db
from qa.models import AuditEvent, Channel, Interaction, Role, SavedView, Status
from qa.services import search
from qa.services.helpdesk import import_export, read_users
from qa.services.ingest import IngestSettings, ingest_rows
from tests.conftest import make_team, make_user

DATA = Path(__file__).resolve().parent.parent / "data" / "helpdesk"


def _agents(*emails: str, team=None):
    team = team or make_team()
    users = []
    for email in emails:
        user = make_user(Role.AGENT, team=team)
        user.email = email
        users.append(user)
    db.session.commit()
    return users


def _import(app, fmt: str, name: str, users: str | None = None, text: str | None = None, **kw):
    settings = IngestSettings.from_config(app.config)
    known = read_users((DATA / users).open()) if users else None
    stream = io.StringIO(text) if text is not None else (DATA / name).open()
    with stream:
        return import_export(stream, fmt, settings=settings, actor=None, users=known, **kw)


def _one(source: str, external_id: str) -> Interaction:
    return db.session.scalars(
        select(Interaction).where(
            Interaction.source == source, Interaction.external_id == external_id
        )
    ).one()


def test_zendesk_export_lands_as_turns_notes_and_tags(app):
    """A Zendesk export: requester comments are customer turns and agent replies agent turns,
    with signatures and quoted replies cut; the private comment is a note, not a turn; tags,
    CSAT ("good" = 5), channel, subject and first response are stored."""
    _agents("ana@acme.test", "bea@acme.test")
    report = _import(app, "zendesk", "zendesk_export.json", users="zendesk_users.json")
    assert len(report.created) == 2 and report.open_skipped == 1
    ticket = _one("zendesk", "1001")
    segments = [(s.speaker, s.text) for s in ticket.transcript.segments]
    assert segments == [
        ("customer", "Hello,\n\nI was charged twice this month."),
        ("agent", "I'm so sorry about that, Jane. I have refunded the duplicate charge."),
        ("customer", "Thank you, I can see the refund."),
    ]
    assert [(n.kind, n.author, n.text) for n in ticket.notes] == [
        ("private", "lee@acme.test", "Checked Stripe: duplicate capture, refund it.")
    ]
    assert ticket.tags == ["billing", "vip"]
    assert (ticket.csat, ticket.channel, ticket.subject) == (5, Channel.EMAIL, "Charged twice")
    assert ticket.first_response_seconds == 600 and ticket.agent.email == "ana@acme.test"
    french = _one("zendesk", "1002")
    assert french.transcript.segments[0].text == "Bonjour, ma commande n'est pas arrivée."
    assert french.status == Status.TRANSCRIBED  # stored, AutoQA left to the caller


def test_bad_records_and_unknown_agents_are_reported_with_positions(app):
    """Each bad ticket is reported with its ordinal in the export and its id; an agent who is
    not in Coachline is listed and never created; the good tickets land."""
    _agents("ana@acme.test", "bea@acme.test")
    report = _import(app, "zendesk", "zendesk_export.json", users="zendesk_users.json")
    reasons = dict(report.errors)
    assert sorted(reasons) == [4, 5, 6]
    assert reasons[4] == "ticket 1004: no created_at"
    assert reasons[5] == "ticket 1005: unknown agent zed@acme.test (not a Coachline agent)"
    assert "not a ticket" in reasons[6]
    assert report.unknown_agents == {"zed@acme.test": 1}
    assert (
        db.session.scalar(select(Interaction.id).where(Interaction.external_id == "1005")) is None
    )
    from qa.models import User

    assert db.session.scalar(select(User).where(User.email == "zed@acme.test")) is None


def test_reimport_changes_nothing_but_tags_and_a_later_csat(app):
    """Re-importing the same export creates nothing and counts the tickets as unchanged; a
    re-export where the tags and the CSAT changed updates only those (never the transcript),
    audited."""
    _agents("ana@acme.test", "bea@acme.test")
    _import(app, "zendesk", "zendesk_export.json", users="zendesk_users.json", process="none")
    again = _import(app, "zendesk", "zendesk_export.json", users="zendesk_users.json")
    assert again.created == [] and again.duplicates == 2 and again.updated == 0
    records = json.loads((DATA / "zendesk_export.json").read_text())
    records[1]["tags"] = ["livraison", "retard"]
    records[1]["satisfaction_rating"] = {"score": "bad"}
    records[1]["comments"][1]["body"] = "An edited reply that must not replace the stored one."
    changed = _import(app, "zendesk", "", users="zendesk_users.json", text=json.dumps(records))
    assert changed.created == [] and changed.updated == 1 and changed.duplicates == 1
    ticket = _one("zendesk", "1002")
    assert ticket.tags == ["livraison", "retard"] and ticket.csat == 1
    assert ticket.transcript.segments[1].text == "Bonjour Marc, elle sera livrée demain."
    assert db.session.query(Interaction).count() == 2
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "interactions.import_updated")
    ).one()
    assert event.details["updated"] == 1 and event.details["format"] == "zendesk"


def test_freshdesk_export_end_to_end(app):
    """Freshdesk: the HTML description is the customer's first turn (signature cut), incoming
    conversations customer turns, outgoing agent turns (list kept), the private note a note; the
    French quoted reply is cut; rating 103 is CSAT 5; agents matched by email in any case."""
    _agents("bea@acme.test")
    report = _import(app, "freshdesk", "freshdesk_export.json", users="freshdesk_agents.json")
    assert len(report.created) == 1 and report.open_skipped == 1 and report.errors == []
    ticket = _one("freshdesk", "31")
    assert [(s.speaker, s.text) for s in ticket.transcript.segments] == [
        ("customer", "Hi team,\nThe export button does nothing."),
        ("agent", "Hi Kim, sorry for the trouble! Please use the CSV link meanwhile:\n"
                  "1. Open Reports\n2. Choose Download CSV"),
        ("customer", "That works, thank you!"),
    ]  # fmt: skip
    assert [n.text for n in ticket.notes] == ["Reproduced on Chrome, filing a bug."]
    assert ticket.csat == 5 and ticket.tags == ["bug", "reports"]  # sorted


def test_intercom_export_end_to_end(app):
    """Intercom: a chat with customer and admin turns in time order, the bot message and the
    admin note as notes, tags from the tag list, the conversation rating as CSAT."""
    _agents("ana@acme.test")
    report = _import(app, "intercom", "intercom_export.json")
    assert len(report.created) == 1, report.errors
    chat = _one("intercom", "215")
    assert chat.channel == Channel.CHAT and chat.csat == 4 and chat.tags == ["crash", "ios"]
    assert [s.speaker for s in chat.transcript.segments] == ["customer", "agent", "customer"]
    assert [n.kind for n in chat.notes] == ["bot", "private"]


def test_streamed_in_batches_with_one_audit_event_each(app):
    """A JSON-lines export larger than a batch lands whole, one ingest (and audit event) per
    batch, and the progress callback sees the characters read grow."""
    (agent,) = _agents("ana@acme.test")
    lines = [
        json.dumps({"id": n, "status": "solved", "created_at": "2026-11-16T09:00:00Z",
                    "assignee": {"email": "ANA@acme.test"}, "requester_id": 1,
                    "via": {"channel": "chat"}, "tags": ["bulk"],
                    "comments": [{"author_id": 1, "body": f"Question {n}"},
                                 {"author_id": 2, "public": True, "body": "Answer"}]})
        for n in range(25)
    ]  # fmt: skip
    seen: list[int] = []
    report = _import(app, "zendesk", "", text="\n".join(lines), batch_size=10, process="none",
                     progress=lambda done, _: seen.append(done))  # fmt: skip
    assert len(report.created) == 25 and report.comments == 50
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "interactions.imported")
    ).all()
    assert len(events) == 3
    assert seen == sorted(seen) and seen[-1] > seen[0]
    assert {i.agent_id for i in db.session.scalars(select(Interaction))} == {agent.id}


def test_tags_column_in_jsonl_and_csv_rows(app):
    """ingest_rows stores a `tags` list (JSONL) and comma-separated text (CSV), lower-case and
    once each; a tag that is not text is that row's error."""
    (agent,) = _agents("ana@acme.test")
    base = {"channel": "chat", "agent_email": agent.email, "started_at": "2026-11-16T09:00:00",
            "turns": [{"speaker": "customer", "text": "hi"}]}  # fmt: skip
    rows = [
        (1, {**base, "external_id": "A", "tags": ["VIP", "billing", "vip"]}),
        (2, {**base, "external_id": "B", "tags": " refund , Billing ,,"}),
        (3, {**base, "external_id": "C", "tags": [{"no": 1}]}),
    ]
    report = ingest_rows(rows, settings=IngestSettings.from_config(app.config), actor=None,
                         process="none")  # fmt: skip
    assert report.errors == [(3, "each tag must be text")]
    assert _one("import", "A").tags == ["billing", "vip"]
    assert _one("import", "B").tags == ["billing", "refund"]


def test_tag_filter_saved_view_and_interaction_page(app, login):
    """The list filters by tag (any case), a saved view keeps the tag, and the interaction page
    shows the tags and the internal notes."""
    team = make_team()
    (agent,) = _agents("ana@acme.test", team=team)
    lead = make_user(Role.LEAD, leads=[team])
    db.session.commit()
    _import(app, "zendesk", "zendesk_incremental_page.json", process="none")
    _import(app, "zendesk", "zendesk_export.json", users="zendesk_users.json", process="none")
    client = login(lead)
    page = client.get("/interactions/?tag=Account").get_data(as_text=True)
    assert ">2001<" in page and ">1001<" not in page
    filters = search.parse_filters({"tag": "Account"})
    assert filters.tag == "account"
    response = client.post("/interactions/views", {"name": "Accounts", "tag": "account"})
    assert response.status_code == 302
    view = db.session.scalars(select(SavedView)).one()
    assert view.params == {"tag": "account"}
    detail = client.get(f"/interactions/{_one('zendesk', '1001').id}").get_data(as_text=True)
    assert 'href="/interactions/?tag=billing"' in detail
    assert "Checked Stripe: duplicate capture, refund it." in detail


def test_web_import_takes_a_zendesk_export(app, login):
    """The import page with the Zendesk format stores the export's tickets for a lead of the
    agents' team and lists the unknown agents."""
    team = make_team()
    _agents("ana@acme.test", team=team)
    lead = make_user(Role.LEAD, leads=[team])
    db.session.commit()
    client = login(lead)
    data = (DATA / "zendesk_incremental_page.json").read_bytes()
    response = client.post(
        "/interactions/import",
        {"format": "zendesk", "file": (io.BytesIO(data), "page.json")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "Imported 1" in page and "bea@acme.test (1)" in page
    assert _one("zendesk", "2001").tags == ["account"]


def test_cli_import_reports_positions_and_one_line_errors(app, tmp_path):
    """`flask helpdesk import zendesk FILE --users USERS` prints each bad ticket as
    FILE:POSITION: reason, the unknown agents and the counts, exits 1 when a ticket was bad;
    a missing or non-UTF-8 file is a one-line error."""
    _agents("ana@acme.test", "bea@acme.test")
    runner = app.test_cli_runner()
    args = ["helpdesk", "import", "zendesk", str(DATA / "zendesk_export.json"),
            "--users", str(DATA / "zendesk_users.json"), "--no-process"]  # fmt: skip
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert "zendesk_export.json:5: ticket 1005: unknown agent zed@acme.test" in result.output
    assert "unknown agents (create them, then import again): zed@acme.test (1)" in result.output
    assert "imported 2, updated 0, unchanged 0, open skipped 1, 3 bad" in result.output
    again = runner.invoke(args=args)
    assert "imported 0, updated 0, unchanged 2" in again.output
    binary = tmp_path / "latin1.json"
    binary.write_bytes('[{"id": 1, "subject": "caf\xe9"}]'.encode("latin-1"))
    for path, reason in ((tmp_path / "nope.json", "no such file"), (binary, "not UTF-8")):
        bad = runner.invoke(args=["helpdesk", "import", "zendesk", str(path)])
        assert bad.exit_code == 1 and reason in bad.output and "Traceback" not in bad.output
