"""Importing interactions from CSV and JSONL: validation with line numbers, idempotence, redaction."""

from __future__ import annotations

import json

import pytest

from qa.extensions import db
from qa.models import Interaction, Status
from qa.services.interactions import AudioLimits, IngestError, import_file

LIMITS = AudioLimits(10 * 1024 * 1024, 3600)


def run(path, tmp_path):
    return import_file(path, limits=LIMITS, upload_folder=str(tmp_path / "rec"))


def csv_file(tmp_path, world, rows: list[str]):
    header = "external_id,channel,agent_email,started_at,queue,csat,escalated,transcript"
    path = tmp_path / "batch.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def test_csv_import_reports_bad_rows_and_keeps_good_ones(tmp_path, world):
    """Bad rows are reported with their line and reason; the good rows land."""
    agent = world["agent_red"].email
    path = csv_file(
        tmp_path,
        world,
        [
            f'C-1,chat,{agent},2026-11-16T09:30:00,billing,5,false,"customer: hi\nagent: hello, fixed it"',
            f'C-2,fax,{agent},2026-11-16T09:30:00,billing,5,false,"customer: hi"',
            'C-3,chat,nobody@example.com,2026-11-16T09:30:00,billing,,false,"customer: hi"',
            f'C-4,email,{agent},yesterday,billing,,false,"customer: hi"',
            f'C-5,chat,{agent},2026-11-16T10:00:00Z,billing,9,false,"customer: hi"',
            f'C-6,chat,{agent},2026-11-16T10:00:00+01:00,,,yes,"customer: card 4111 1111 1111 1111 please\nagent: done"',
        ],
    )
    report = run(path, tmp_path)
    assert len(report.created) == 2
    reasons = dict(report.errors)
    assert set(reasons) == {4, 5, 6, 7}
    assert "channel must be" in reasons[4]
    assert "unknown agent" in reasons[5]
    assert "ISO 8601" in reasons[6]
    assert "csat must be between 1 and 5" in reasons[7]
    c6 = db.session.query(Interaction).filter_by(external_id="C-6").one()
    assert c6.started_at.hour == 9  # converted to UTC
    assert c6.escalated is True
    assert c6.status == Status.TRANSCRIBED
    assert "4111" not in c6.transcript.segments[0].text
    assert "[CARD]" in c6.transcript.segments[0].text
    assert c6.transcript.redactions.get("card") == 1 or sum(c6.transcript.redactions.values()) == 1


def test_reimport_creates_no_duplicates(tmp_path, world):
    """Importing the same file twice adds nothing the second time."""
    agent = world["agent_blue"].email
    path = tmp_path / "batch.jsonl"
    lines = [
        {
            "external_id": f"J-{n}",
            "channel": "email",
            "agent_email": agent,
            "started_at": "2026-11-17T08:00:00",
            "turns": [
                {"speaker": "customer", "text": "Where is my order?"},
                {"speaker": "agent", "text": "It ships today, tracking is in your inbox."},
            ],
        }
        for n in range(3)
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\nnot json\n")
    first = run(path, tmp_path)
    assert len(first.created) == 3 and first.errors == [(4, "invalid JSON (Expecting value)")]
    second = run(path, tmp_path)
    assert second.created == [] and second.duplicates == 3
    assert db.session.query(Interaction).filter(Interaction.external_id.like("J-%")).count() == 3


def test_jsonl_turn_validation(tmp_path, world):
    """Turns need a known speaker and text."""
    agent = world["agent_blue"].email
    path = tmp_path / "bad.jsonl"
    path.write_text(
        json.dumps(
            {
                "external_id": "X",
                "channel": "chat",
                "agent_email": agent,
                "started_at": "2026-11-17T08:00:00",
                "turns": [{"speaker": "bot", "text": "hi"}],
            }
        )
        + "\n"
    )
    report = run(path, tmp_path)
    assert report.created == []
    assert "speaker must be agent or customer" in report.errors[0][1]


def test_unsupported_and_missing_files(tmp_path, world):
    """A wrong file type or a missing file is one clear error."""
    (tmp_path / "x.xlsx").write_bytes(b"PK")
    with pytest.raises(IngestError, match="use .csv or .jsonl"):
        run(tmp_path / "x.xlsx", tmp_path)
    with pytest.raises(IngestError, match="no such file"):
        run(tmp_path / "missing.csv", tmp_path)
    (tmp_path / "cols.csv").write_text("id,channel\n1,chat\n")
    with pytest.raises(IngestError, match="missing column"):
        run(tmp_path / "cols.csv", tmp_path)


def test_cli_import_prints_one_line_errors(app, world, tmp_path):
    """`flask interactions import` reports bad rows as file:line: reason and exits 1, no traceback."""
    agent = world["agent_red"].email
    path = csv_file(tmp_path, world, [f'K-1,chat,{agent},nope,,,,"customer: hi"'])
    result = app.test_cli_runner().invoke(
        args=["interactions", "import", str(path), "--no-process"]
    )
    assert result.exit_code == 1
    assert "batch.csv:2: started_at is not an ISO 8601 date-time" in result.output
    assert "Traceback" not in result.output
    missing = app.test_cli_runner().invoke(
        args=["interactions", "import", str(tmp_path / "nope.csv")]
    )
    assert missing.exit_code == 1 and "Error: no such file" in missing.output


def _post_file(client, content: bytes, name: str):  # type: ignore[no-untyped-def]
    import io

    return client.post(
        "/interactions/import",
        {"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_web_import_stores_and_scores_chats_and_reports_bad_lines(login, world):
    """A lead imports a JSONL file on the web: good chats are stored and scored by AutoQA, a bad
    line and a row for another team's agent are reported by line; importing again skips them."""
    from qa.models import AuditEvent, AutoScore

    def line(external_id: str, agent_email: str, **extra) -> str:  # type: ignore[no-untyped-def]
        return json.dumps({
            "external_id": external_id, "channel": "chat", "agent_email": agent_email,
            "started_at": "2026-11-16T09:30:00",
            "turns": [{"speaker": "customer", "text": "My card was declined twice today."},
                      {"speaker": "agent", "text": "I'm so sorry, that's stressful. I've removed "
                                                   "the block, it works now."},
                      {"speaker": "customer", "text": "It went through, thanks!"}], **extra})

    content = "\n".join([
        line("W-1", world["agent_red"].email),
        "{not json",
        line("W-2", world["agent_blue"].email),  # Blue: not led by this lead
        line("W-3", world["agent_red2"].email),
    ]).encode()
    lead = login(world["lead_red"])
    response = _post_file(lead, content, "chats.jsonl")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "Imported 2" in page and "2 bad rows" in page
    assert "line 2: invalid JSON" in page and "line 3:" in page and "not in a team you lead" in page
    stored = db.session.query(Interaction).filter(Interaction.external_id.in_(["W-1", "W-3"])).all()
    assert len(stored) == 2 and {i.status for i in stored} == {Status.SCORED}
    scores = db.session.query(AutoScore).filter(AutoScore.interaction_id.in_([i.id for i in stored]))
    assert {s.criterion for s in scores} >= {"empathy", "resolution"}
    assert db.session.query(AuditEvent).filter_by(action="interactions.imported").count() == 1
    # again: nothing new, said so
    page = _post_file(lead, content, "chats.jsonl").get_data(as_text=True)
    assert "Imported 0" in page and "2 already imported" in page


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (b"external_id,channel\n", "x.pdf", "unsupported file type .pdf"),
        (b"\xff\xfe\x00bad", "x.jsonl", "is not UTF-8 text"),
        (b"external_id,channel\nA,chat\n", "x.csv", "missing column(s)"),
        (b"{}\n" * 1001, "big.jsonl", "big.jsonl has 1001 rows; the web import takes at most 1000"),
    ],
)
def test_web_import_refuses_bad_files_with_a_reason(login, world, content, name, reason):
    """A wrong type, non-UTF-8, incomplete or oversized file is a 400 with the reason, no rows."""
    response = _post_file(login(world["lead_red"]), content, name)
    assert response.status_code == 400
    assert reason in response.get_data(as_text=True)
    assert db.session.query(Interaction).filter(Interaction.external_id == "A").count() == 0


def test_web_import_is_for_leads_and_admins(login, world):
    """Agents get a 403 on the import page and its upload; admins can open it."""
    agent = login(world["agent_red"])
    assert agent.get("/interactions/import").status_code == 403
    assert _post_file(agent, b"{}", "x.jsonl").status_code == 403
    assert login(world["admin"]).get("/interactions/import").status_code == 200


def test_web_import_refuses_other_teams_agents_and_odd_values_by_line(login, world):
    """A lead cannot file another team's agent under their own team, and a value of the wrong
    type is a reported line, not a crash; the good row still lands."""
    red = world["agent_red"].team.name
    good = {"external_id": "T-1", "channel": "chat", "agent_email": world["agent_red"].email,
            "started_at": "2026-11-16T09:30:00",
            "turns": [{"speaker": "customer", "text": "hi"}, {"speaker": "agent", "text": "hello"}]}
    rows = [good,
            {**good, "external_id": "T-2", "agent_email": world["agent_blue"].email, "team": red},
            {**good, "external_id": "T-3", "team": 5},
            {**good, "external_id": "T-4", "turns": "not a list"}]
    content = "\n".join(json.dumps(r) for r in rows).encode()
    page = _post_file(login(world["lead_red"]), content, "mixed.jsonl").get_data(as_text=True)
    assert "Imported 1" in page and "3 bad rows" in page, page
    assert f"line 2: {world['agent_blue'].email} is not in a team you lead" in page
    assert "line 3: unknown team" in page and "line 4:" in page
    assert {i.external_id for i in db.session.query(Interaction).filter(
        Interaction.external_id.in_(["T-1", "T-2", "T-3", "T-4"]))} == {"T-1"}


def test_an_unreadable_csv_refuses_the_whole_file(tmp_path, world, monkeypatch):
    """csv.Error (here a cell over a lowered field limit) refuses the file with its line before
    anything is stored: never the rows before it without those after it."""
    import csv

    agent = world["agent_red"].email
    path = csv_file(tmp_path, world, [
        f'Q-1,chat,{agent},2026-11-16T09:30:00,billing,5,false,"customer: hi\nagent: hello"',
        f'Q-2,chat,{agent},2026-11-16T09:30:00,billing,5,false,"customer: {"x" * 300}"',
        f'Q-3,chat,{agent},2026-11-16T09:30:00,billing,5,false,"customer: hi"',
    ])
    old = csv.field_size_limit(200)
    try:
        with pytest.raises(IngestError, match="batch.csv:3: unreadable CSV.*nothing was imported"):
            run(path, tmp_path)
    finally:
        csv.field_size_limit(old)
    assert db.session.query(Interaction).filter(Interaction.external_id.like("Q-%")).count() == 0


# --- Hardening (issue 19): every path reports a bad row and stores every good one ------------


def jsonl_file(tmp_path, rows: list[dict], name: str = "batch.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def good_row(world, external_id: str, **extra) -> dict:
    return {"external_id": external_id, "channel": "chat", "agent_email": world["agent_red"].email,
            "started_at": "2026-11-16T09:30:00",
            "turns": [{"speaker": "customer", "text": "hi"}, {"speaker": "agent", "text": "hello"}],
            **extra}


def stored(*external_ids: str) -> set[str]:
    return {i.external_id for i in db.session.query(Interaction).filter(
        Interaction.external_id.in_(external_ids))}


OUT_OF_RANGE = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"]


def test_out_of_range_started_at_is_a_row_error_in_a_file_import(tmp_path, world):
    """A started_at that leaves datetime's range in UTC is that row's error; the rows before and
    after it land."""
    rows = [good_row(world, "O-1"), good_row(world, "O-2", started_at=OUT_OF_RANGE[0]),
            good_row(world, "O-3", started_at=OUT_OF_RANGE[1]), good_row(world, "O-4")]
    report = run(jsonl_file(tmp_path, rows), tmp_path)
    assert [line for line, _ in report.errors] == [2, 3]
    assert all("started_at is out of range in UTC" in reason for _, reason in report.errors)
    assert stored("O-1", "O-2", "O-3", "O-4") == {"O-1", "O-4"}


def test_cli_reports_an_out_of_range_date_by_line_and_keeps_the_good_rows(app, world, tmp_path):
    """`flask interactions import` prints file:line for an out-of-range started_at, no traceback,
    and stores the good rows around it."""
    rows = [good_row(world, "OC-1"), good_row(world, "OC-2", started_at=OUT_OF_RANGE[0]),
            good_row(world, "OC-3")]
    result = app.test_cli_runner().invoke(
        args=["interactions", "import", str(jsonl_file(tmp_path, rows)), "--no-process"]
    )
    assert result.exit_code == 1, result.output
    assert "batch.jsonl:2: started_at is out of range in UTC" in result.output
    assert "Traceback" not in result.output
    assert stored("OC-1", "OC-2", "OC-3") == {"OC-1", "OC-3"}


def test_web_import_reports_an_out_of_range_date_by_line(login, world):
    """The web import answers the page (not a 500) with the bad line; the good row lands."""
    content = "\n".join(json.dumps(r) for r in [
        good_row(world, "OW-1", started_at=OUT_OF_RANGE[0]), good_row(world, "OW-2")]).encode()
    response = _post_file(login(world["lead_red"]), content, "dates.jsonl")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "line 1: started_at is out of range in UTC" in page
    assert stored("OW-1", "OW-2") == {"OW-2"}


def test_a_20_mb_csv_cell_is_that_rows_error_and_later_rows_land(tmp_path, world):
    """A CSV cell over 16 MB is reported for its row; the reader goes on and the rows after it
    are stored."""
    agent = world["agent_red"].email
    path = csv_file(tmp_path, world, [
        f'B-1,chat,{agent},2026-11-16T09:30:00,billing,5,false,"customer: hi"',
        f'B-2,chat,{agent},2026-11-16T09:30:00,billing,5,false,"customer: {"x" * (20 * 1024 * 1024)}"',
        f'B-3,chat,{agent},2026-11-16T09:30:00,billing,5,false,"customer: hi"',
    ])
    report = run(path, tmp_path)
    assert [(line, "larger than 16 MB" in reason) for line, reason in report.errors] == [(3, True)]
    assert stored("B-1", "B-2", "B-3") == {"B-1", "B-3"}


@pytest.mark.parametrize("value", [1e999, -1e999, float("nan"), "inf", "NaN", "-Infinity", "1e999"])
@pytest.mark.parametrize("key", ["duration_seconds", "wait_seconds", "first_response_seconds", "csat"])
def test_non_finite_numbers_are_a_row_error(tmp_path, world, key, value):
    """Infinity and NaN (JSON 1e999/NaN, or as text) in any number column are refused, never
    stored; the good row beside them lands."""
    rows = [good_row(world, "N-1", **{key: value}), good_row(world, "N-2")]
    report = run(jsonl_file(tmp_path, rows), tmp_path)
    [(line, reason)] = report.errors
    assert line == 1 and key in reason and ("finite" in reason or "between" in reason), reason
    assert stored("N-1", "N-2") == {"N-2"}


def test_a_number_too_large_for_a_float_is_a_row_error(tmp_path, world):
    """A JSON integer with 400 digits is a row error, not an OverflowError."""
    path = tmp_path / "big.jsonl"
    path.write_text(json.dumps(good_row(world, "N-3"))[:-1] + ', "duration_seconds": 1' + "0" * 400
                    + "}\n" + json.dumps(good_row(world, "N-4")) + "\n")
    report = run(path, tmp_path)
    assert [line for line, _ in report.errors] == [1] and "duration_seconds" in report.errors[0][1]
    assert stored("N-3", "N-4") == {"N-4"}


@pytest.mark.parametrize(
    ("external_id", "reason"),
    [("x" * 121, "external_id is longer than 120 characters"),
     ({"id": 1}, "external_id must be text, got dict"),
     (["a"], "external_id must be text, got list"),
     (True, "external_id must be text, got bool"),
     (1.5, "external_id must be text, got float")],
)
def test_over_long_and_wrongly_typed_external_ids_are_refused(tmp_path, world, external_id, reason):
    """An external_id over the column's 120 characters is refused (not cut to fit), and so is one
    that is not text or a whole number (not stored as its repr)."""
    rows = [good_row(world, "E-1"), {**good_row(world, ""), "external_id": external_id}]
    report = run(jsonl_file(tmp_path, rows), tmp_path)
    assert report.errors == [(2, reason)]
    assert report.created and db.session.query(Interaction).filter(
        Interaction.external_id.like("x%")).count() == 0
    assert not db.session.query(Interaction).filter(Interaction.external_id.like("%{%")).count()


def test_an_external_id_of_120_characters_and_a_number_are_accepted(tmp_path, world):
    """The column's full length and a whole-number id still import."""
    rows = [good_row(world, "y" * 120), {**good_row(world, ""), "external_id": 4711}]
    report = run(jsonl_file(tmp_path, rows), tmp_path)
    assert report.ok and stored("y" * 120, "4711") == {"y" * 120, "4711"}


def test_cli_csv_import_refuses_nul_characters_by_line(app, world, tmp_path):
    """A NUL in any CSV cell is that line's error in `flask interactions import` (PostgreSQL text
    cannot hold one); the other rows land."""
    agent = world["agent_red"].email
    path = csv_file(tmp_path, world, [
        f'Z-1,chat,{agent},2026-11-16T09:30:00,billing,5,false,"customer: hi"',
        f'Z-2,chat,{agent},2026-11-16T09:30:00,billing,5,false,"customer: h\x00i"',
        f'Z-3\x00,chat,{agent},2026-11-16T09:30:00,billing,5,false,"customer: hi"',
        f'Z-4,chat,{agent},2026-11-16T09:30:00,bill\x00ing,5,false,"customer: hi"',
        f'Z-5,chat,{agent},2026-11-16T09:30:00,billing,5,false,"customer: hi"',
    ])
    result = app.test_cli_runner().invoke(args=["interactions", "import", str(path), "--no-process"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    for line, column in [(3, "transcript"), (4, "external_id"), (5, "queue")]:
        assert f"batch.csv:{line}: {column} must not contain NUL characters" in result.output
    assert stored("Z-1", "Z-2", "Z-3", "Z-4", "Z-5") == {"Z-1", "Z-5"}
    assert db.session.query(Interaction).filter(Interaction.external_id.like("Z-%")).count() == 2


def test_web_import_refuses_nul_characters_and_lone_surrogates_by_line(login, world):
    """JSONL escapes can carry a NUL or a lone surrogate into any string, a turn's text too: the
    line is reported, the good row lands."""
    content = "\n".join([
        json.dumps(good_row(world, "U-1", subject="a\x00b")),
        json.dumps(good_row(world, "U-2", turns=[{"speaker": "agent", "text": "x\ud800"}])),
        json.dumps(good_row(world, "U-3")),
    ]).encode()
    page = _post_file(login(world["lead_red"]), content, "odd.jsonl").get_data(as_text=True)
    assert "line 1: subject must not contain NUL characters" in page, page
    assert "line 2: turns is not valid Unicode text" in page
    assert stored("U-1", "U-2", "U-3") == {"U-3"}


def test_a_jsonl_line_nested_too_deeply_is_that_lines_error(tmp_path, world):
    """A line nested deeper than the JSON parser can go (RecursionError) is reported as invalid
    JSON, and a row nested as deep as it can parse is an ordinary bad row; the good rows land."""
    path = tmp_path / "deep.jsonl"
    deep = good_row(world, "D-2", turns=[[[[]]]])
    deep["subject"] = json.loads("[" * 900 + "]" * 900)
    path.write_text("\n".join([
        json.dumps(good_row(world, "D-1")),
        '{"turns": ' + "[" * 100_000 + "]" * 100_000 + "}",
        json.dumps(deep),
        json.dumps(good_row(world, "D-3")),
    ]) + "\n")
    report = run(path, tmp_path)
    assert report.errors[0] == (2, "invalid JSON (nested too deeply)")
    assert [line for line, _ in report.errors] == [2, 3]
    assert stored("D-1", "D-2", "D-3") == {"D-1", "D-3"}
