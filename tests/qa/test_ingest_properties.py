"""Property-based probe of every ingest path (issue 19): arbitrary rows mixed with good ones never
give a 500 or a traceback, and never lose a good row of the same file — a path either reports
each bad row and stores every good one, or refuses the whole file and stores nothing.

The paths: the service (`import_rows`, `import_file`), the CLI (`flask interactions import`),
the web import (`/interactions/import`) and the API (`POST /api/v1/interactions`). Scoring is
replaced by a recorder here: what is probed is storing, and the pipeline has its own tests.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from typing import Any

import pytest
from flask import current_app
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from qa.extensions import db
from qa.models import Interaction
from qa.services.ingest import IngestSettings
from qa.services.interactions import IMPORT_COLUMNS, IngestError, import_file, import_rows
from qa.services.tokens import create_token

PROBE = settings(
    max_examples=50,
    deadline=None,
    database=None,  # no .hypothesis folder in the repository
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
COLUMNS = sorted(IMPORT_COLUMNS)
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)  # encodable as UTF-8
ODD_TEXT = st.one_of(
    TEXT,
    st.sampled_from(
        [
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-14:00",
            "1e999",
            "NaN",
            "-inf",
            "x" * 121,
            "a\x00b",
            "call",
            "chat",
            "agent: hi",
            "true",
            "",
        ]
    ),
)
JSON_VALUE = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        ODD_TEXT,
        st.text(max_size=5),  # may hold lone surrogates, as JSON escapes can
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["speaker", "text"]), inner)
    ),
    max_leaves=8,
)
# A good row with up to three columns replaced by arbitrary values: such a row passes the other
# checks and reaches the one for the odd value (a row of arbitrary columns stops at the first).
ODD_JSON = st.sampled_from(
    [
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
        1e999,
        -1e999,
        float("nan"),
        10**400,
        "x" * 121,
        {"id": 1},
        ["a"],
        True,
        "a\x00b",
        "\ud800",
    ]
)
JSON_CHANGES = st.dictionaries(
    st.sampled_from(COLUMNS), st.one_of(ODD_JSON, JSON_VALUE), min_size=1, max_size=3
)
CSV_CHANGES = st.dictionaries(st.sampled_from(COLUMNS), ODD_TEXT, min_size=1, max_size=3)
JSON_ROW = st.dictionaries(st.sampled_from(COLUMNS), JSON_VALUE, max_size=len(COLUMNS))
CSV_ROW = st.fixed_dictionaries({}, optional=dict.fromkeys(COLUMNS, ODD_TEXT))


@pytest.fixture
def no_scoring(monkeypatch):
    """Record what would be transcribed or scored instead of loading the models."""
    from qa import jobs

    seen: list[int] = []
    monkeypatch.setattr(jobs, "process_interactions", lambda ids, inline=False: seen.extend(ids))
    monkeypatch.setattr(jobs, "score_interactions", lambda ids, batch_size=64: len(seen))
    return seen


def good_rows(world: dict[str, Any], n: int) -> list[dict[str, Any]]:
    """n valid chats with ids unique to this example."""
    tag = uuid.uuid4().hex[:12]
    return [
        {
            "external_id": f"{tag}-{i}",
            "channel": "chat",
            "agent_email": world["agent_red"].email,
            "started_at": "2026-11-16T09:30:00",
            "turns": [{"speaker": "customer", "text": "hi"}, {"speaker": "agent", "text": "hello"}],
        }
        for i in range(n)
    ]


def mixed(
    world: dict[str, Any], changes: st.SearchStrategy[Any], other: st.SearchStrategy[Any] = JSON_ROW
) -> st.SearchStrategy[Any]:
    """Good rows, good rows with odd values and wholly arbitrary rows (`other`) shuffled
    together, with the good ones' external ids."""

    @st.composite
    def case(draw: st.DrawFn) -> tuple[list[Any], list[str]]:
        good = good_rows(world, draw(st.integers(1, 3)))
        odd = [{**row, **draw(changes)} for row in good_rows(world, draw(st.integers(1, 4)))]
        arbitrary = draw(st.lists(other, max_size=2))
        rows = draw(st.permutations([*good, *odd, *arbitrary]))
        return list(rows), [r["external_id"] for r in good]

    return case()


def stored(external_ids: list[str]) -> set[str]:
    db.session.rollback()  # read what was committed, not what a request left in the session
    query = select(Interaction.external_id).where(Interaction.external_id.in_(external_ids))
    return set(db.session.scalars(query))


def jsonl(rows: list[dict[str, Any]]) -> bytes:
    return "\n".join(json.dumps(r) for r in rows).encode()


def csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for row in rows:
        cells = {k: v for k, v in row.items() if k in COLUMNS}
        turns = cells.pop("turns", None)
        if isinstance(turns, list) and "transcript" not in cells:  # as 'speaker: text' lines
            cells["transcript"] = "\n".join(f"{t['speaker']}: {t['text']}" for t in turns)
        elif turns is not None:
            cells["turns"] = turns  # a text 'turns' cell: that row's error
        writer.writerow(cells)
    return out.getvalue().encode()


def test_import_rows_never_raises_and_keeps_every_good_row(world, tmp_path):
    """The service: arbitrary JSON rows are each stored or reported, and every good row lands."""
    limits = IngestSettings.from_config(current_app.config).limits

    @PROBE
    @given(data=st.data())
    def probe(data: st.DataObject) -> None:
        rows, good = data.draw(mixed(world, JSON_CHANGES))
        report = import_rows(enumerate(rows), limits=limits, upload_folder=str(tmp_path))
        db.session.commit()
        assert len(report.created) + report.duplicates + len(report.errors) == len(rows)
        assert stored(good) == set(good)

    probe()


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_file_import_keeps_every_good_row_or_refuses_the_file(world, tmp_path, suffix):
    """`import_file`: a CSV or JSONL file of arbitrary rows either stores every good row or is
    refused whole (IngestError) with none stored."""
    limits = IngestSettings.from_config(current_app.config).limits
    changes = JSON_CHANGES if suffix == ".jsonl" else CSV_CHANGES
    other = JSON_ROW if suffix == ".jsonl" else CSV_ROW
    encode = jsonl if suffix == ".jsonl" else csv_bytes

    @PROBE
    @given(data=st.data())
    def probe(data: st.DataObject) -> None:
        rows, good = data.draw(mixed(world, changes, other))
        path = tmp_path / f"probe{suffix}"
        path.write_bytes(encode(rows))
        try:
            import_file(path, limits=limits, upload_folder=str(tmp_path / "rec"))
        except IngestError:
            assert stored(good) == set()
        else:
            assert stored(good) == set(good)

    probe()


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_cli_import_never_shows_a_traceback_or_loses_a_good_row(app, world, tmp_path, suffix):
    """`flask interactions import`: exit 0 or 1 with one-line errors, never a traceback; the good
    rows land unless the whole file is refused."""
    changes = JSON_CHANGES if suffix == ".jsonl" else CSV_CHANGES
    other = JSON_ROW if suffix == ".jsonl" else CSV_ROW
    encode = jsonl if suffix == ".jsonl" else csv_bytes
    runner = app.test_cli_runner()

    @PROBE
    @given(data=st.data())
    def probe(data: st.DataObject) -> None:
        rows, good = data.draw(mixed(world, changes, other))
        path = tmp_path / f"probe{suffix}"
        path.write_bytes(encode(rows))
        result = runner.invoke(args=["interactions", "import", str(path), "--no-process"])
        assert result.exit_code in (0, 1), result.output
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        refused = result.output.startswith("Error:")
        assert stored(good) == (set() if refused else set(good)), result.output

    probe()


def test_web_import_never_answers_500_or_loses_a_good_row(login, world, no_scoring):
    """`/interactions/import` with a JSONL file of arbitrary lines: a page (200 or 400), never a
    500; the good rows land unless the file is refused."""
    lead = login(world["admin"])
    other = st.one_of(JSON_ROW, TEXT)  # a text is a line that is not JSON

    @PROBE
    @given(data=st.data())
    def probe(data: st.DataObject) -> None:
        rows, good = data.draw(mixed(world, JSON_CHANGES, other))
        content = "\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows).encode()
        response = lead.post(
            "/interactions/import",
            {"file": (io.BytesIO(content), "probe.jsonl")},
            content_type="multipart/form-data",
        )
        page = response.get_data(as_text=True)
        assert response.status_code in (200, 400), page
        refused = "Imported" not in page
        assert stored(good) == (set() if refused else set(good)), page

    probe()


def test_api_ingest_never_answers_500_or_loses_a_good_item(client, world, no_scoring):
    """`POST /api/v1/interactions` with a batch of arbitrary items: a 2xx or 4xx with reasons,
    never a 500; every good item lands unless the whole request is refused (400)."""
    _, raw = create_token(world["admin"], "probe", None)
    db.session.commit()
    headers = {"Authorization": f"Bearer {raw}"}

    @PROBE
    @given(data=st.data())
    def probe(data: st.DataObject) -> None:
        rows, good = data.draw(mixed(world, JSON_CHANGES))
        response = client.post("/api/v1/interactions", json={"interactions": rows}, headers=headers)
        assert response.status_code in (200, 201, 400, 422), response.get_data(as_text=True)
        json.loads(response.get_data(as_text=True))  # valid JSON: no NaN or Infinity
        expected = set() if response.status_code == 400 else set(good)
        assert stored(good) == expected, response.get_data(as_text=True)

    probe()
