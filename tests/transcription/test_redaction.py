"""PII redaction: cards (Luhn), spoken digits, e-mails, phone numbers, IBANs (mod 97)."""

from __future__ import annotations

import pytest

from transcription import Redactor, redact_text
from transcription.redact import iban_valid, luhn_valid, redact_pieces


def test_luhn() -> None:
    """Luhn accepts real test card numbers and rejects a changed last digit."""
    assert luhn_valid("4532015112830366")
    assert luhn_valid("4111111111111111")
    assert luhn_valid("378282246310005")
    assert not luhn_valid("4532015112830367")
    assert not luhn_valid("12ab")


@pytest.mark.parametrize(
    "text",
    [
        "my card is 4532 0151 1283 0366 thanks",
        "my card is 4532-0151-1283-0366 thanks",
        "my card is 4532015112830366 thanks",
        "my card is 4111 1111 1111 1111 thanks",
    ],
)
def test_written_card_numbers(text: str) -> None:
    """Card numbers passing Luhn are replaced, with spaces, dashes or none."""
    out, counts = redact_text(text)
    assert out == "my card is [CARD] thanks"
    assert counts["card"] == 1


def test_card_failing_luhn_is_not_a_card() -> None:
    """A 16-digit number failing Luhn is not reported as a card."""
    _, counts = redact_text("reference 4532 0151 1283 0367")
    assert counts["card"] == 0


@pytest.mark.parametrize(
    "text",
    [
        "it's four five three two zero one five one one two eight three zero three six six",
        "four five three two, oh one five one, one two eight three, oh three six six.",
        "four five three two oh one five one one two eight three oh three double six",
        "It is 4532, 0151, 1283, 0366.",
        "forty five thirty two, zero one five one, twelve eighty three, zero three sixty six",
    ],
)
def test_spoken_card_numbers(text: str) -> None:
    """Spoken digit sequences ("oh", "zero", "double six", tens) are read as card numbers."""
    out, counts = redact_text(text)
    assert counts["card"] == 1, out
    assert "[CARD]" in out
    assert not any(w in out for w in ("five", "three", "0151"))


def test_everyday_number_words_survive() -> None:
    """Ordinary uses of number words and "oh" are left alone."""
    text = "Oh, I have one question and two issues, and it costs 1,250,000 dollars."
    assert redact_text(text) == (text, {"card": 0, "email": 0, "phone": 0, "iban": 0})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail john.smith+qa@example.co.uk today", "mail [EMAIL] today"),
        ("my email is john at example dot com thanks", "my email is [EMAIL] thanks"),
        ("it's jane dot doe at mail dot example dot org", "it's [EMAIL]"),
        ("send it to bob at example.com", "send it to [EMAIL]"),
    ],
)
def test_emails(text: str, expected: str) -> None:
    """Written and spoken e-mail addresses are replaced."""
    assert redact_text(text)[0] == expected


def test_at_without_address_is_kept() -> None:
    """Plain "at" phrases are not e-mail addresses."""
    text = "I'll be at the office at nine, look at this."
    assert redact_text(text)[0] == text


@pytest.mark.parametrize(
    "text",
    [
        "call me on 07700 900123 please",
        "call me on (555) 123-4567 please",
        "call me on +44 20 7946 0958 please",
        "call me on 555-1234 please",
        "call me on five five five, one two three four please",
        "call me on 2025550143 please",
    ],
)
def test_phone_numbers(text: str) -> None:
    """Phone numbers in common written and spoken shapes are replaced whole."""
    out, counts = redact_text(text)
    assert out == "call me on [PHONE] please"
    assert counts["phone"] == 1


@pytest.mark.parametrize(
    "text",
    [
        "order 12345",
        "on 2024-01-15 at 10:30",
        "it was 49.99 dollars",
        "room 301",
        "your order number is 1234567890",
        "ticket #55512345678 is open",
        "the tracking number: 0044 1234 5678",
    ],
)
def test_not_phone_numbers(text: str) -> None:
    """Short numbers, dates, times and prices are not phone numbers."""
    assert redact_text(text)[0] == text


def test_iban_valid_and_invalid() -> None:
    """IBANs with a valid mod-97 checksum are replaced; a wrong check digit is not an IBAN."""
    assert iban_valid("GB82 WEST 1234 5698 7654 32")
    assert iban_valid("DE89370400440532013000")
    assert not iban_valid("GB82 WEST 1234 5698 7654 33")
    assert not iban_valid("GB82 WEST 1234")
    out, counts = redact_text("IBAN GB82 WEST 1234 5698 7654 32, thanks")
    assert (out, counts["iban"]) == ("IBAN [IBAN], thanks", 1)
    assert redact_text("pay to DE89370400440532013000")[0] == "pay to [IBAN]"
    _, counts = redact_text("IBAN GB82 WEST 1234 5698 7654 33")
    assert counts["iban"] == 0


@pytest.mark.parametrize(
    "text",
    [
        "my iban is G B eight two W E S T one two three four five six nine eight seven six"
        " five four three two thanks",
        "it's G B 82 whiskey echo sierra tango 12 34 56 98 76 54 32 thanks",
        "D E eighty nine three seven zero four double zero four four zero five three two zero"
        " one three double zero zero thanks",
    ],
)
def test_spoken_ibans(text: str) -> None:
    """IBANs read out letter by letter and digit by digit (as Whisper writes them) are found
    by the same length and mod-97 check as written ones."""
    out, counts = redact_text(text)
    assert out.endswith("[IBAN] thanks")
    assert counts["iban"] == 1 and counts["phone"] == 0


def test_spoken_iban_with_wrong_check_digits_is_not_an_iban() -> None:
    """A spoken IBAN whose check digits fail mod 97 is left as it was, not redacted."""
    text = "G B eight two W E S T one two three four five six nine eight seven six five four"
    out, counts = redact_text(text + " three three")
    assert counts["iban"] == 0
    assert out.startswith("G B eight two W E S T")


def test_reference_numbers_keep_cards_redacted() -> None:
    """A reference keyword does not protect a Luhn-valid card number."""
    out, counts = redact_text("order number 4532 0151 1283 0366")
    assert counts["card"] == 1 and out == "order number [CARD]"


def test_counts_and_several_kinds() -> None:
    """Counts are per kind, for every enabled kind, zero included."""
    text = "card 4111 1111 1111 1111, mail a@b.com, call 07700 900123, card 378282246310005"
    out, counts = redact_text(text)
    assert out == "card [CARD], mail [EMAIL], call [PHONE], card [CARD]"
    assert counts == {"card": 2, "email": 1, "phone": 1, "iban": 0}


def test_kinds_are_configurable() -> None:
    """Only the chosen kinds are redacted and counted; unknown kinds are refused."""
    text = "card 4111 1111 1111 1111, mail a@b.com"
    assert redact_text(text, kinds={"email"}) == (
        "card 4111 1111 1111 1111, mail [EMAIL]",
        {"email": 1},
    )
    assert Redactor(["card"]).redact(text)[0] == "card [CARD], mail a@b.com"
    with pytest.raises(ValueError, match="unknown PII kinds"):
        redact_text(text, kinds={"ssn"})


def test_pieces_redacted_across_boundaries() -> None:
    """A card number spread over several segments or words is found and tagged once."""
    pieces = [
        "my card is four five three two",
        "zero one five one one two eight three",
        "oh three six six. Thanks",
    ]
    out, counts = redact_pieces(pieces)
    assert out == ["my card is [CARD]", "", ". Thanks"]
    assert counts["card"] == 1
    words, _ = redact_pieces(["card", "4532", "0151", "1283", "0366."])
    assert words == ["card", "[CARD]", "", "", "."]
