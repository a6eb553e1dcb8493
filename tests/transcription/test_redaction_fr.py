"""PII redaction in French (phones, NIR, IBAN, e-mails, cards, spoken numbers), the language
parameter, and the numbers a reviewer needs kept: VAT, SIREN/SIRET, order and ticket numbers."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from transcription import Redactor, redact_text
from transcription import pii_languages as pl
from transcription import redact as rd
from transcription.base import Segment, Word
from transcription.redact import find_pii, nir_valid, redact_pieces
from transcription.whisper import WhisperTranscriber

NIR = "1 85 05 78 006 084 91"  # key 91 = 97 - (1850578006084 mod 97)
NIR_2A = "2 75 03 2A 123 456 53"
NIR_2B = "1 69 02 2B 123 456 20"


def fr(text: str) -> str:
    """The text redacted with French as the language."""
    return redact_text(text, language="fr")[0]


@pytest.mark.parametrize(
    "phone",
    [
        "06 12 34 56 78",
        "06.12.34.56.78",
        "06-12-34-56-78",
        "0612345678",
        "+33 6 12 34 56 78",
        "+33 (0)6 12 34 56 78",
        "0033 6 12 34 56 78",
        "01 23 45 67 89",
    ],
)
def test_written_french_phones(phone: str) -> None:
    """French phone numbers in every written shape are redacted, with or without language."""
    text = f"Mon numéro c'est le {phone}, merci"
    assert fr(text) == "Mon numéro c'est le [PHONE], merci"
    assert redact_text(text)[0] == "Mon numéro c'est le [PHONE], merci"


@pytest.mark.parametrize(
    "spoken",
    [
        "zéro six douze trente-quatre cinquante-six soixante-dix-huit",
        "zéro six, douze, trente-quatre, cinquante-six, soixante-dix-huit",
        "zero six douze trente quatre cinquante six soixante dix huit",
        "zéro six un deux trois quatre cinq six sept huit",
        "zéro un quatre-vingt-dix-neuf soixante et onze vingt et un quatre-vingts",
        "zéro sept quatre-vingt-un seize dix-sept quarante-deux",
    ],
)
def test_spoken_french_phones(spoken: str) -> None:
    """Phone numbers read out in French (pairs, digits, accents or not) are redacted whole."""
    text = f"vous pouvez me joindre au {spoken} merci"
    out, counts = redact_text(text, language="fr")
    assert out == "vous pouvez me joindre au [PHONE] merci"
    assert counts["phone"] == 1


def test_french_number_words_are_read_only_when_asked() -> None:
    """Without a language, spoken numbers are read in English (today's behaviour); "fr",
    "fr-FR", "fr_FR" and ["en", "fr"] read French, and English still works with both."""
    text = "au zéro six douze trente-quatre cinquante-six soixante-dix-huit"
    assert redact_text(text)[0] == text
    for language in ("fr", "fr-FR", "FR_fr", ["en", "fr"], ("de", "fr")):
        assert redact_text(text, language=language)[0] == "au [PHONE]", language
    english = "call me on five five five, one two three four please"
    assert redact_text(english, language=["en", "fr"])[0] == "call me on [PHONE] please"
    assert redact_text(english, language="xx")[0] == "call me on [PHONE] please"


def test_nir_checksum() -> None:
    """NIR keys are 97 - (NIR mod 97), Corsica's 2A/2B counted as 19/18; a wrong key, an
    impossible month or sex digit fails."""
    assert nir_valid(NIR) and nir_valid(NIR.replace(" ", "")) and nir_valid(NIR_2A)
    assert nir_valid(NIR_2B) and nir_valid(NIR_2B.lower())
    assert not nir_valid("1 85 05 78 006 084 36")
    assert not nir_valid("1 85 15 78 006 084 91")
    assert not nir_valid("5 85 05 78 006 084 91")
    assert not nir_valid("1 85 05 78 006 084")


@pytest.mark.parametrize("nir", [NIR, NIR.replace(" ", ""), NIR.replace(" ", "."), NIR_2A, NIR_2B])
def test_written_nir(nir: str) -> None:
    """NIRs with a valid key are tagged [NIR] in any language, spaced, dotted or not."""
    for language in (None, "fr"):
        out, counts = redact_text(f"voici {nir}.", language=language)
        assert out == "voici [NIR]." and counts["nir"] == 1 and counts["phone"] == 0


def test_nir_with_keyword_and_wrong_or_no_key() -> None:
    """After "sécu" / "sécurité sociale" a NIR with a misread key, or without its key, is
    still a NIR; without such a word a wrong key is not taken for one."""
    assert fr("mon numéro de sécu 1 85 05 78 006 084 36") == "mon numéro de sécu [NIR]"
    assert fr("numéro de sécurité sociale : 2 75 03 2A 123 456") == (
        "numéro de sécurité sociale : [NIR]"
    )
    _, counts = redact_text("le 1 85 05 78 006 084 36", language="fr")
    assert counts.get("nir", 0) == 0


def test_spoken_nir() -> None:
    """A NIR read out in French is tagged [NIR] (not [PHONE]) when the language is French."""
    text = (
        "c'est le un quatre-vingt-cinq zéro cinq soixante-dix-huit zéro zéro six zéro"
        " quatre-vingt-quatre quatre-vingt-onze voilà"
    )
    out, counts = redact_text(text, language="fr")
    assert out == "c'est le [NIR] voilà" and counts["nir"] == 1


def test_counts_shape_with_nir() -> None:
    """Default counts keep the four older kinds; "nir" appears once found, or when asked."""
    assert redact_text("bonjour", language="fr")[1] == {
        "card": 0,
        "email": 0,
        "phone": 0,
        "iban": 0,
    }
    assert redact_text(f"sécu {NIR}")[1]["nir"] == 1
    assert redact_text("bonjour", kinds={"nir"}) == ("bonjour", {"nir": 0})
    assert redact_text(f"sécu {NIR}", kinds={"email"}) == (f"sécu {NIR}", {"email": 0})
    assert (
        Redactor(language="fr").redact(
            "au zéro six douze trente-quatre cinquante-six soixante-dix-huit"
        )[0]
        == "au [PHONE]"
    )


def test_french_iban() -> None:
    """A French IBAN is redacted written or read out in French; a wrong check digit is not."""
    assert fr("FR76 3000 6000 0112 3456 7890 189") == "[IBAN]"
    assert redact_text("IBAN FR7630006000011234567890189 merci")[0] == "IBAN [IBAN] merci"
    spoken = (
        "mon IBAN F R soixante-seize, trois mille, six mille, zéro cent douze, trente-quatre"
        " cinquante-six, soixante-dix-huit quatre-vingt-dix, cent quatre-vingt-neuf merci"
    )
    out, counts = redact_text(spoken, language="fr")
    assert out == "mon IBAN [IBAN] merci" and counts["iban"] == 1
    _, counts = redact_text("FR77 3000 6000 0112 3456 7890 189", language="fr")
    assert counts["iban"] == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("c'est jean point dupont arobase exemple point fr merci", "c'est [EMAIL] merci"),
        ("jérôme point durand arobase orange point fr", "[EMAIL]"),
        ("marie tiret bas martin at free point fr", "[EMAIL]"),
        ("marie tiret du bas martin arobase free point fr", "[EMAIL]"),
        ("paul tiret durand arobase laposte point net", "[EMAIL]"),
        ("zoe underscore roy arobase gmail point com", "[EMAIL]"),
        ("écrivez à jean.dupont@exemple.fr", "écrivez à [EMAIL]"),
    ],
)
def test_french_emails(text: str, expected: str) -> None:
    """Written and French spoken addresses ("arobase", "point", "tiret bas") are redacted."""
    assert fr(text) == expected


def test_french_words_without_address_are_kept() -> None:
    """ "point", "at" and "à" in ordinary French are not e-mail addresses."""
    text = "J'ai un point à soulever : on se voit à la gare à dix heures, at home."
    assert fr(text) == text


@pytest.mark.parametrize(
    "spoken",
    [
        "quatre mille cinq cent trente-deux, zéro cent cinquante et un, mille deux cent"
        " quatre-vingt-trois, zéro trois cent soixante-six",
        "quatre cinq trois deux zéro un cinq un un deux huit trois zéro trois six six",
        "quarante-cinq trente-deux zéro un cinquante et un douze quatre-vingt-trois zéro trois"
        " soixante-six",
        "4532 0151 1283 0366",
    ],
)
def test_french_card_numbers(spoken: str) -> None:
    """Card numbers read in French (groups of four, digits, pairs) are Luhn-checked cards."""
    out, counts = redact_text(f"ma carte bleue c'est le {spoken}, voilà", language="fr")
    assert out == "ma carte bleue c'est le [CARD], voilà"
    assert counts == {"card": 1, "email": 0, "phone": 0, "iban": 0}


def test_french_card_failing_luhn_is_not_a_card() -> None:
    """Sixteen digits read in French that fail Luhn are not a card; the valid last digit is."""
    text = "quatre deux sept trois quatre six quatre six huit six neuf cinq huit neuf six"
    assert redact_text(f"{text} neuf", language="fr")[1]["card"] == 0
    assert redact_text(f"{text} huit", language="fr")[1]["card"] == 1


@pytest.mark.parametrize(
    "text",
    [
        "Le forfait est à 49,99 € par mois.",
        "Rendez-vous le 12/03/2025 à 14 h 30.",
        "Rendez-vous le 12.03.2025 à 14h30.",
        "On a commandé en deux mille vingt-cinq, il y a trois ans.",
        "Un virement de 1 250 000 € est arrivé, et 2 000 euros hier.",
        "J'ai deux enfants de six et huit ans, et trois chats.",
        "Votre commande n° 1234 5678 90 est partie.",
        "Le numéro de commande est le 06 12 34 56 78.",
        "Le ticket #55512345678 est ouvert.",
        "Votre référence : 0123 456 789.",
        "Le numéro de dossier c'est le 98 76 54 32 10.",
        "quatre-vingt-dix-neuf euros et soixante et onze centimes",
    ],
)
def test_french_false_positives(text: str) -> None:
    """Prices, dates, times, quantities and reference numbers in French are left alone."""
    assert fr(text) == text
    assert redact_text(text)[0] == text


@pytest.mark.parametrize(
    "vat",
    [
        "GB 123 4567 89",
        "GB123456789",
        "GB 123 4567 89 012",
        "FR 40 303 265 045",
        "FR40303265045",
        "DE 123456789",
        "DE123 456 789",
        "ATU12345678",
        "BE 0123.456.789",
        "NL123456789B01",
        "IT 12345678901",
        "ESX1234567X",
        "CHE-123.456.789",
    ],
)
def test_vat_numbers_are_kept(vat: str) -> None:
    """EU/UK VAT numbers are company data a reviewer needs: never taken for phones or cards."""
    for text in (f"VAT number {vat}.", f"TVA intracommunautaire : {vat}", f"{vat}"):
        assert redact_text(text)[0] == text
        assert fr(text) == text


def test_vat_next_to_a_phone() -> None:
    """A real phone number beside a VAT number is still redacted, the VAT number kept."""
    assert redact_text("VAT GB 123 4567 89, call me on 07700 900123")[0] == (
        "VAT GB 123 4567 89, call me on [PHONE]"
    )
    assert fr("TVA FR 40 303 265 045 et mon portable 06 12 34 56 78") == (
        "TVA FR 40 303 265 045 et mon portable [PHONE]"
    )
    assert fr("FR40303265045 0612345678") == "FR40303265045 [PHONE]"


def test_french_vat_key_is_checked() -> None:
    """ "FR" and eleven digits with a wrong key are not a VAT number."""
    assert fr("FR 41 303 265 045") == "FR [PHONE]"


@pytest.mark.parametrize(
    "text",
    [
        "SIRET 732 829 320 00074",
        "n° SIRET : 73282932000074",
        "SIRET 73282932000074.",
        "siège 732 829 320 00074",
        "SIREN 732 829 320",
        "SIREN : 732829320",
    ],
)
def test_siren_and_siret_are_kept(text: str) -> None:
    """SIREN/SIRET numbers (Luhn-valid, so card-like) are kept, not [CARD] or [PHONE]."""
    assert fr(text) == text
    assert redact_text(text)[0] == text


def test_siret_next_to_a_card() -> None:
    """A card number beside a SIRET is still redacted."""
    assert fr("SIRET 732 829 320 00074, carte 4532 0151 1283 0366") == (
        "SIRET 732 829 320 00074, carte [CARD]"
    )


def test_order_numbers_are_not_cards_unless_card_like() -> None:
    """After "order"/"commande" a Luhn-valid number that cannot be a card (starts 9) is kept;
    one starting like a card is still redacted."""
    assert redact_text("order number 9876543210987658")[0] == "order number 9876543210987658"
    assert fr("commande n° 9876543210987658") == "commande n° 9876543210987658"
    assert fr("commande n° 4532 0151 1283 0366") == "commande n° [CARD]"


def test_reference_numbers_are_not_nirs() -> None:
    """A NIR-shaped number after "tracking number" or "dossier n°" is a reference, kept."""
    assert redact_text("tracking number 185057800608491")[0] == "tracking number 185057800608491"
    assert fr(f"dossier n° {NIR}") == f"dossier n° {NIR}"
    assert fr(f"sécu {NIR}") == "sécu [NIR]"


def test_pieces_in_french() -> None:
    """A French phone number read over two Whisper segments is found and tagged once."""
    pieces = ["alors c'est le zéro six douze", "trente-quatre cinquante-six soixante-dix-huit."]
    out, counts = redact_pieces(pieces, language="fr")
    assert out == ["alors c'est le [PHONE]", "."] and counts["phone"] == 1


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("zéro", 0),
        ("seize", 16),
        ("dix-sept", 17),
        ("vingt et un", 21),
        ("soixante-dix", 70),
        ("soixante et onze", 71),
        ("soixante-dix-neuf", 79),
        ("quatre-vingts", 80),
        ("quatre-vingt-un", 81),
        ("quatre-vingt-dix", 90),
        ("quatre-vingt-dix-neuf", 99),
        ("septante-deux", 72),
        ("nonante", 90),
        ("cent", 100),
        ("deux cents", 200),
        ("neuf cent quatre-vingt-dix-neuf", 999),
        ("mille", 1000),
        ("deux mille vingt-cinq", 2025),
        ("quatre mille neuf cent douze", 4912),
    ],
)
def test_french_number_parser(words: str, value: int) -> None:
    """The table-driven parser reads French number words as French speakers say them."""
    folded = [pl.fold(w) for w in words.replace("-", " ").split()]
    assert pl.parse_number(folded, pl.lexicon(("fr",))) == (value, len(folded))


@pytest.fixture
def spanish() -> Iterator[None]:
    """A third language added as one table, the caches cleared around the test."""
    table = pl.Language(
        units={"cero": 0, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
               "siete": 7, "ocho": 8, "nueve": 9},
        teens={"diez": 10},
        tens={"veinte": (20, 0)},
        email_at=("arroba",),
        email_dot=("punto",),
    )  # fmt: skip
    caches = (pl.lexicon, rd._spoken_email_re, rd._reference_re)
    for cache in caches:
        cache.cache_clear()
    pl.LANGUAGES["es"] = table
    yield
    del pl.LANGUAGES["es"]
    for cache in caches:
        cache.cache_clear()


@pytest.mark.usefixtures("spanish")
def test_a_third_language_is_a_table() -> None:
    """With only a Spanish table registered, Spanish spoken phones and e-mails are redacted."""
    out, counts = redact_text(
        "mi número es seis uno dos tres cuatro cinco seis siete ocho y mi correo es ana punto"
        " ruiz arroba correo punto es",
        language="es",
    )
    assert out == "mi número es [PHONE] y mi correo es [EMAIL]"
    assert counts["phone"] == 1 and counts["email"] == 1
    assert find_pii("seis uno dos tres cuatro cinco seis siete ocho") == []


def test_whisper_redacts_in_the_detected_language() -> None:
    """The transcriber reads spoken numbers in the language Whisper detected (and English)."""
    said = "au zéro six douze trente-quatre cinquante-six soixante-dix-huit"
    words = tuple(Word(float(i), i + 0.5, w, 0.9) for i, w in enumerate(said.split()))
    segs = [Segment(0.0, 6.0, "customer", said, words)]
    transcriber = WhisperTranscriber()
    out, counts = transcriber._redact(segs, "fr")
    assert out[0].text == "au [PHONE]" and [w.text for w in out[0].words] == ["au", "[PHONE]"]
    assert counts["phone"] == 1
    assert transcriber._redact(segs, None)[0][0].text == said


def test_long_runs_of_spoken_separators_stay_fast() -> None:
    """Thousands of "x point" words before "arobase" are scanned in linear time, not quadratic."""
    text = " ".join(["x point"] * 5000) + " arobase"
    started = time.perf_counter()
    assert redact_text(text, language="fr")[0] == text
    assert time.perf_counter() - started < 3.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tél : 01 23 45 67 89 / 06 12 34 56 78", "Tél : [PHONE] / [PHONE]"),
        ("07700 900123 / 07700 900456", "[PHONE] / [PHONE]"),
        ("06 12 34 56 78 07 98 76 54 32", "[PHONE] [PHONE]"),
        ("07700 900123 07700 900456 thanks", "[PHONE] [PHONE] thanks"),
        ("06 12 34 56 78, 07 98 76 54 32", "[PHONE], [PHONE]"),
    ],
)
def test_two_phone_numbers_side_by_side(text: str, expected: str) -> None:
    """Two phone numbers one after the other (a slash or a space between) are both redacted,
    not joined into one number too long to be a phone and left in clear."""
    assert redact_text(text)[0] == expected
    assert fr(text) == expected


def test_card_written_in_pairs_is_not_taken_for_a_french_phone() -> None:
    """A card number written in pairs ("45 32 01 51 ...") is one [CARD], although a
    "01 51 12 83 03" inside it looks like a French phone number."""
    out, counts = redact_text("ma carte 45 32 01 51 12 83 03 66 merci", language="fr")
    assert out == "ma carte [CARD] merci" and counts["phone"] == 0
