"""Helpdesk export parsing without the app: HTML to text, quoted replies and signatures (English
and French), the streamed JSON reader, and each format's mapping of authors to turns."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from qa.importers import (
    FORMATS,
    BadRecord,
    clean_email,
    html_to_text,
    iter_records,
    strip_quoted,
    strip_signature,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "helpdesk"


def test_html_keeps_line_breaks_lists_and_link_text():
    """Paragraphs and <br> become line breaks, list items get "- " / "1. ", links keep their
    text (not the URL), entities are decoded, scripts and styles are dropped."""
    html = (
        "<style>p{color:red}</style><p>Hello&nbsp;<b>Ana</b>,</p><p>Do this:</p>"
        "<ol><li>Open <a href='https://evil.test'>Settings</a></li><li>Save</li></ol>"
        "<ul><li>tea &amp; cake</li></ul><div>Line one<br>Line two</div><script>x()</script>"
    )
    assert html_to_text(html) == (
        "Hello Ana,\n\nDo this:\n1. Open Settings\n2. Save\n- tea & cake\nLine one\nLine two"
    )


def test_html_blockquote_lines_are_marked_and_then_stripped():
    """A quoted <blockquote> becomes "> " lines, which the email cleaner removes."""
    text = html_to_text("<p>Yes, done.</p><blockquote><p>Can you do it?</p></blockquote>")
    assert "> Can you do it?" in text
    assert clean_email(text) == "Yes, done."


@pytest.mark.parametrize(
    "body",
    [
        "Works now.\n\nOn Tue, 1 Dec 2026 at 10:02, ACME <help@acme.test> wrote:\n> old text",
        "Works now.\n\nOn Tue, 1 Dec 2026 at 10:02, ACME Support <help@acme.test>\nwrote:\nold",
        "Works now.\n\nLe mar. 1 déc. 2026 à 10:02, ACME <help@acme.test> a écrit :\n> ancien",
        "Works now.\n-----Original Message-----\nFrom: ACME\nold",
        "Works now.\n\nFrom: ACME Support <help@acme.test>\nSent: Tuesday, 1 December 2026\n"
        "To: Kim\nSubject: RE: export\n\nold text",
        "Works now.\n\nDe : ACME <help@acme.test>\nEnvoyé : mardi 1 décembre 2026\nÀ : Kim\n"
        "Objet : export\nancien",
        "> old text first\nWorks now.",
    ],
)
def test_quoted_replies_are_cut(body):
    """ "On … wrote:" (also wrapped), "Le … a écrit :", Original Message, Outlook header blocks
    in English and French, and ">" lines are removed; the reply is kept."""
    assert strip_quoted(body) == "Works now."


@pytest.mark.parametrize(
    "body",
    [
        "It works.\n-- \nAna Smith\nACME",
        "It works.\n\nSent from my iPhone",
        "It works.\n\nEnvoyé de mon iPhone",
        "It works.\n\nGet Outlook for Android",
        "It works.\n\nBest regards,\nJane Doe\nFinance, ACME Ltd\n+44 20 1234 5678",
        "It works.\n\nCordialement,\nMarc Petit",
        "It works.\n\nBien à vous,\nMarc",
    ],
)
def test_signatures_are_cut(body):
    """ "-- ", mobile footers (English, French) and a sign-off followed by a name block go."""
    assert strip_signature(body) == "It works."


def test_a_closing_thanks_and_a_mid_message_sign_off_word_are_kept():
    """A bare "Thanks!" ending the message is not a signature, nor is a sentence saying
    thanks; only a sign-off followed by a short name block is."""
    assert strip_signature("It works.\nThanks!") == "It works.\nThanks!"
    body = "Thanks for the quick fix, it works.\nI will tell the team."
    assert strip_signature(body) == body


def _read(text: str, chunk: int = 7) -> list:
    return list(iter_records(io.StringIO(text), chunk=chunk))


def test_stream_reads_an_array_across_small_chunks():
    """A top-level array is read element by element even when chunks cut tokens, numbers
    ("1234" read as "12" + "34" is still 1234) and \\uXXXX escapes."""
    records = [{"id": 1234, "s": "x" * 30}, {"id": 5, "nested": [1, {"a": "]"}]}, 987654321,
               {"accents": "é" * 20, "quote": '"\\'}]  # fmt: skip
    text = json.dumps(records)  # "\u00e9" escapes: some are cut by every chunk size
    for chunk in (1, 3, 7, 64):
        assert _read(text, chunk=chunk) == records


def test_stream_json_lines_reports_a_bad_line_and_goes_on():
    """In JSON lines a bad record is reported with its position and the next lines are read."""
    text = '{"id": 1}\n{"id": 2, oops}\n\n{"id": 3}\n'
    records = _read(text)
    assert records[0] == {"id": 1} and records[2] == {"id": 3}
    assert isinstance(records[1], BadRecord) and records[1].position == 2


def test_stream_array_with_a_bad_element_stops_with_a_reason():
    """In an array the records after a broken one cannot be found: it says so and stops."""
    records = _read('[{"id": 1}, {"id": 2,, }, {"id": 3}]')
    assert records[0] == {"id": 1}
    assert isinstance(records[1], BadRecord) and records[1].position == 2
    assert "could not be read" in records[1].reason and len(records) == 2


def _tickets(fmt: str, name: str, users=None):
    with (DATA / name).open() as stream:
        return list(FORMATS[fmt](iter_records(stream), users, fmt))


def test_zendesk_page_side_loads_map_authors_and_group():
    """An Incremental Export page: comments from ticket_events, roles from the users side-load,
    the group as the queue, satisfaction "bad" as CSAT 1, list and link text kept."""
    (_, first), (_, second) = _tickets("zendesk", "zendesk_incremental_page.json")
    row = first.to_row()
    assert row["agent_email"] == "ana@acme.test" and row["queue"] == "Tier 1" and row["csat"] == 1
    assert [t["speaker"] for t in row["turns"]] == ["customer", "agent"]
    assert row["turns"][1]["text"] == "I've sent you a reset link.\n- Open the email\n- Click reset"
    assert row["first_response_seconds"] == 120
    assert second.to_row()["turns"][0]["text"] == "Can I get a copy of my invoice?"


def test_intercom_bots_and_notes_are_notes_not_turns():
    """Intercom: user parts are customer turns, admin comments agent turns; the bot's message
    and the admin's note are kept as notes; the opening message comes first."""
    [(_, conversation)] = _tickets("intercom", "intercom_export.json")
    row = conversation.to_row()
    assert [t["speaker"] for t in row["turns"]] == ["customer", "agent", "customer"]
    assert row["turns"][0]["text"] == "My app keeps crashing on start."
    assert [n["kind"] for n in row["notes"]] == ["bot", "private"]
    assert row["agent_email"] == "ana@acme.test" and row["csat"] == 4
    assert row["tags"] == ["Crash", "ios"]
