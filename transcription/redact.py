"""PII redaction for transcripts and text interactions.

Finds payment card numbers (Luhn-checked, written or spoken: "four five three two...",
"oh", "double five", "quatre mille cinq cent trente-deux"), e-mail addresses (also spoken:
"john at example dot com", "jean point dupont arobase exemple point fr"), phone numbers,
IBANs (mod-97 checked) and French social security numbers (NIR, key checked, Corsica
2A/2B) and replaces them with ``[CARD]``, ``[EMAIL]``, ``[PHONE]``, ``[IBAN]`` and ``[NIR]``.

``language`` ("en", "fr", "fr-FR", or several; English when None or unknown) chooses the
words spoken numbers and addresses are read in; the tables live in :mod:`.pii_languages`,
one per language. Written formats (digits, ``@``, IBANs, NIRs, "+33 6 ...") are found
whatever the language.

Kept on purpose, because a reviewer needs them and they are not personal data: EU/UK VAT
numbers ("GB 123 4567 89", "FR 40 303 265 045" with its key), SIREN/SIRET numbers (Luhn)
and reference numbers after a keyword ("order number", "commande n°", "ticket #",
"référence"). They are blanked out before the card, phone and NIR detectors run, so a
phone number next to one is still found and the VAT number is never taken for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from .pii_languages import LANGUAGES, Lexicon, fold, language_codes, lexicon, parse_number

KINDS: tuple[str, ...] = ("card", "email", "phone", "iban", "nir")
ALL = frozenset(KINDS)
TAGS = {"card": "[CARD]", "email": "[EMAIL]", "phone": "[PHONE]", "iban": "[IBAN]", "nir": "[NIR]"}
# Counted (zero included) when ``kinds`` is left out; the other kinds once found, so counts
# keep the shape they had before NIR existed.
_ALWAYS_COUNTED = ("card", "email", "phone", "iban")
LanguageArg = str | Iterable[str] | None


# IBAN lengths per country (ISO 13616 registry, the common ones); others: 15-34.
_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AT": 20, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29, "CH": 21,
    "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FO": 18, "FR": 27,
    "GB": 22, "GI": 23, "GL": 18, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IS": 26,
    "IT": 27, "KW": 30, "KZ": 20, "LB": 28, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27,
    "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TN": 24, "TR": 26, "UA": 29,
}  # fmt: skip

_TLDS = "com|org|net|edu|gov|io|co|uk|us|ca|au|de|fr|es|it|nl|be|ch|at|ie|info|biz|me|app|dev|ai"
_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
_IBAN_START_RE = re.compile(r"\b([A-Z]{2})(\d{2})", re.IGNORECASE)
_TOKEN_RE = re.compile(r"\d+|[^\W\d_]+|\s+|.", re.DOTALL)
# VAT numbers after their country code (the common EU/UK formats, letters upper case).
_VAT_FORMATS = {
    "AT": r"U\d{8}", "BE": r"[01]\d{9}", "CH": r"E\d{9}", "DE": r"\d{9}", "DK": r"\d{8}",
    "EL": r"\d{9}", "ES": r"[A-Z0-9]\d{7}[A-Z0-9]", "FI": r"\d{8}",
    "FR": r"[0-9A-HJ-NP-Z]{2}\d{9}", "GB": r"\d{9}|\d{12}|GD\d{3}|HA\d{3}",
    "IE": r"\d{7}[A-W][A-I]?|\d[A-Z+*]\d{5}[A-W]", "IT": r"\d{11}", "LU": r"\d{8}",
    "NL": r"\d{9}B\d{2}", "PL": r"\d{10}", "PT": r"\d{9}", "SE": r"\d{10}01",
    "XI": r"\d{9}|\d{12}|GD\d{3}|HA\d{3}",
}  # fmt: skip
_VAT_START_RE = re.compile(rf"(?<![^\W_])({'|'.join(_VAT_FORMATS)})(?=[ .-]?[0-9A-Z])")
_COMPANY_ID_RE = re.compile(
    r"\b(siret|siren)\b[^\w\n]*(?:n°|nº|no\.?|num[ée]ro|number|est le|is)?\W*", re.I
)
_SIRET_GROUPED_RE = re.compile(r"(?<![\d.,])\d{3} \d{3} \d{3} \d{5}(?![\d]|[.,]\d)")
_MASK = "\ufffc"
_FRENCH_PHONE = r"(?:(?:\+|00)33\s?(?:\(0\)\s?)?|0)[1-9](?:[ .-]?\d\d){4}"
# One or more in a row, not inside a longer list of digit groups (a card written in pairs).
_FRENCH_PHONES_RE = re.compile(
    rf"(?<![\w+])(?<!\d[ .-]){_FRENCH_PHONE}(?:[ ,;/]+{_FRENCH_PHONE})*(?!\w|[ .-]?\d|[.,]\d)"
)
_FRENCH_PHONE_RE = re.compile(_FRENCH_PHONE)
# NIR (French social security number): sex, year, month, department (2A/2B: Corsica),
# commune, order, key.
_NIR_RE = re.compile(
    r"(?<![\w.,])[1-478][ .]?\d\d[ .]?(\d\d)[ .]?(?:\d\d|2[AB])[ .]?\d{3}[ .]?\d{3}"
    r"(?:[ .]?(\d\d))?(?!\w|[ .,-]?\d)",
    re.IGNORECASE,
)
_NIR_CONTEXT_RE = re.compile(
    r"s[ée]cu|s[ée]curit[ée]\s+sociale|\bnir\b|\binsee\b|carte\s+vitale", re.IGNORECASE
)
_NIR_MONTHS = frozenset([*range(1, 13), 20, *range(30, 43), *range(50, 100)])
_AMOUNT_AFTER_RE = re.compile(r"\s?(?:[€$£%]|(?:eur|euros?|dollars?|pounds?|livres?)\b)", re.I)
_AMOUNT_BEFORE_RE = re.compile(r"[€$£]\s?$")
_NATO = {
    "alpha": "A", "alfa": "A", "bravo": "B", "charlie": "C", "delta": "D", "echo": "E",
    "foxtrot": "F", "golf": "G", "hotel": "H", "india": "I", "juliet": "J", "juliett": "J",
    "kilo": "K", "lima": "L", "mike": "M", "november": "N", "oscar": "O", "papa": "P",
    "quebec": "Q", "romeo": "R", "sierra": "S", "tango": "T", "uniform": "U", "victor": "V",
    "whiskey": "W", "whisky": "W", "xray": "X", "x-ray": "X", "yankee": "Y", "zulu": "Z",
}  # fmt: skip
_WORD_RE = re.compile(r"x-ray|[^\W_]+", re.IGNORECASE)
_DATE_RE = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$|^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$")
_SEPARATORS = {"-", ".", ",", "(", ")", "/"}


@dataclass(frozen=True)
class Span:
    """A character range of the input holding one piece of PII."""

    start: int
    end: int
    kind: str


def luhn_valid(digits: str) -> bool:
    """True when the digit string passes the Luhn checksum used by payment cards."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def iban_valid(iban: str) -> bool:
    """True when ``iban`` (spaces allowed) has a plausible length and a valid mod-97 check."""
    s = iban.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", s):
        return False
    expected = _IBAN_LENGTHS.get(s[:2])
    if expected is not None and len(s) != expected:
        return False
    rearranged = s[4:] + s[:4]
    number = "".join(str(int(c, 36)) for c in rearranged)
    return int(number) % 97 == 1


def nir_valid(nir: str) -> bool:
    """True when ``nir`` (spaces or dots allowed) is a French social security number (NIR)
    with a plausible month and its key: 97 - (the first 13 digits mod 97), Corsica's 2A and 2B
    counted as 19 and 18."""
    s = re.sub(r"[ .]", "", nir).upper()
    if not re.fullmatch(r"[1-478]\d{4}(?:\d\d|2[AB])\d{8}", s) or int(s[3:5]) not in _NIR_MONTHS:
        return False
    body = s[:5] + {"2A": "19", "2B": "18"}.get(s[5:7], s[5:7]) + s[7:13]
    return 97 - int(body) % 97 == int(s[13:])


def _nir_spans(text: str) -> list[Span]:
    """Written NIRs: with a valid key, or after "sécu"/"sécurité sociale"/"NIR"/"INSEE"/
    "carte vitale" with a wrong key or none (a misread digit is still personal data)."""
    spans: list[Span] = []
    for m in _NIR_RE.finditer(text):
        if int(m.group(1)) not in _NIR_MONTHS:
            continue
        context = _NIR_CONTEXT_RE.search(text[max(0, m.start() - 60) : m.start()])
        if context or (
            m.group(2) and nir_valid(m.group()) and not _after_reference(text, m.start())
        ):
            spans.append(Span(m.start(), m.end(), "nir"))
    return spans


def _compact(text: str, pos: int, limit: int) -> tuple[str, list[int]]:
    """The alphanumerics from ``pos`` on (one space, dot or dash between two skipped), at most
    ``limit``, and the offset after each."""
    chars: list[str] = []
    ends: list[int] = []
    while pos < len(text) and len(chars) < limit:
        c = text[pos]
        between = 0 < pos < len(text) - 1 and text[pos - 1].isalnum() and text[pos + 1].isalnum()
        if c in " .-" and between:
            pos += 1
            continue
        if not c.isalnum():
            break
        chars.append(c)
        pos += 1
        ends.append(pos)
    return "".join(chars), ends


def _vat_valid(country: str, body: str) -> bool:
    """French VAT numbers carry a key: (12 + 3 * (SIREN mod 97)) mod 97; others pass."""
    if country == "FR" and body[:2].isdigit():
        return int(body[:2]) == (12 + 3 * (int(body[2:]) % 97)) % 97
    return True


def _vat_spans(text: str) -> list[Span]:
    """VAT numbers: a country code and its format ("GB 123 4567 89", "FR 40 303 265 045")."""
    spans: list[Span] = []
    for m in _VAT_START_RE.finditer(text):
        chars, ends = _compact(text, m.end(), 14)
        country = m.group(1)
        for n in range(len(chars), 0, -1):
            end = ends[n - 1]
            if end < len(text) and text[end].isalnum():
                continue
            if re.fullmatch(_VAT_FORMATS[country], chars[:n]) and _vat_valid(country, chars[:n]):
                spans.append(Span(m.start(), end, "keep"))
                break
    return spans


def _company_spans(text: str) -> list[Span]:
    """SIREN (9 digits) and SIRET (14) passing Luhn after their name, and SIRETs written in
    their own grouping "732 829 320 00074"."""
    spans: list[Span] = []
    for m in _COMPANY_ID_RE.finditer(text):
        size = 14 if m.group(1).lower() == "siret" else 9
        chars, ends = _compact(text, m.end(), size)
        whole = len(chars) == size and (ends[-1] >= len(text) or not text[ends[-1]].isalnum())
        if whole and luhn_valid(chars):
            spans.append(Span(m.start(), ends[-1], "keep"))
    for m in _SIRET_GROUPED_RE.finditer(text):
        if luhn_valid(m.group().replace(" ", "")):
            spans.append(Span(m.start(), m.end(), "keep"))
    return spans


def _masked(text: str) -> str:
    """``text`` with VAT and company numbers blanked out (same length), so the card, phone
    and NIR detectors neither take them nor join them with a number beside them."""
    chars = list(text)
    for span in _vat_spans(text) + _company_spans(text):
        chars[span.start : span.end] = _MASK * (span.end - span.start)
    return "".join(chars)


@lru_cache(maxsize=1)
def _reference_re() -> re.Pattern[str]:
    """Text ending in a reference keyword ("order number", "commande n°", "ticket #"), in
    every language: such numbers are not phone numbers (cards still are, by their checksum)."""
    langs = LANGUAGES.values()
    keywords = "|".join(k for lang in langs for k in lang.reference_keywords)
    numbers = "|".join(k for lang in langs for k in lang.reference_numbers)
    verbs = "|".join(k for lang in langs for k in lang.reference_verbs)
    return re.compile(
        rf"\b(?:{keywords})(?:\s+(?:{numbers}))?\s*(?:{verbs})?\s*[#:]?\s*$", re.IGNORECASE
    )


def _after_reference(text: str, start: int) -> bool:
    """True when the number at ``start`` follows a reference keyword."""
    return _reference_re().search(text[max(0, start - 40) : start]) is not None


@dataclass
class _Item:
    digits: str
    start: int
    end: int
    spoken: bool
    weak: bool = False


def _strip_weak(items: list[_Item]) -> list[_Item]:
    """The items without the weak ones ("oh", "o") at either end."""
    lo, hi = 0, len(items)
    while lo < hi and items[hi - 1].weak:
        hi -= 1
    while lo < hi and items[lo].weak:
        lo += 1
    return items[lo:hi]


def _word_chain(tokens: Sequence[tuple[str, int, int]], i: int, lex: Lexicon) -> list[int]:
    """Indexes of the number words from token ``i`` on, joined by one space or hyphen."""
    chain = [i]
    j = i
    while (
        len(chain) < 12
        and j + 2 < len(tokens)
        and tokens[j + 1][0] in (" ", "-")
        and fold(tokens[j + 2][0]) in lex.vocabulary
    ):
        j += 2
        chain.append(j)
    return chain


def _number_item(
    tokens: Sequence[tuple[str, int, int]], i: int, repeat: int, lex: Lexicon
) -> tuple[_Item | None, int]:
    """The written or spoken number starting at token ``i``, or None, and the index of its last
    token ("forty five" takes three tokens: 45)."""
    tok, start, end = tokens[i]
    if tok.isdigit():
        return _Item(tok, start, end, spoken=False), i
    if fold(tok) not in lex.vocabulary:
        return None, i
    chain = _word_chain(tokens, i, lex)
    words = [fold(tokens[k][0]) for k in chain]
    parsed = parse_number(words, lex)
    if parsed is None:
        return None, i
    value, n = parsed
    digits = str(value)
    single = n == 1 and words[0] in lex.units
    if single:
        digits *= repeat
    last = chain[n - 1]
    weak = single and words[0] in lex.weak
    return _Item(digits, start, tokens[last][2], spoken=True, weak=weak), last


def _repeat_before_digit(tokens: Sequence[tuple[str, int, int]], i: int, lex: Lexicon) -> int:
    """2 or 3 when token ``i`` is "double" or "triple" followed by a space and a digit, else 0."""
    low = fold(tokens[i][0])
    if low in lex.repeat and i + 2 < len(tokens) and tokens[i + 1][0].isspace():
        nxt = fold(tokens[i + 2][0])
        if nxt in lex.units or (len(nxt) == 1 and nxt.isdigit()):
            return lex.repeat[low]
    return 0


class _Runs:
    """What _digit_runs has read: the finished runs and the run being read."""

    def __init__(self) -> None:
        self.runs: list[tuple[list[_Item], bool]] = []
        self.items: list[_Item] = []
        self.plus = False  # the run follows a "+"
        self.pending_sep = ""  # punctuation seen since the last item
        self.repeat = 1  # "double" or "triple" read before the next digit

    def close(self) -> None:
        """End the current run (weak items at its ends dropped) and start an empty one."""
        items = _strip_weak(self.items)
        if items:
            self.runs.append((items, self.plus))
        self.items, self.plus, self.pending_sep, self.repeat = [], False, "", 1

    def add(self, item: _Item, tokens: Sequence[tuple[str, int, int]], i: int) -> None:
        """Append an item whose last token is ``i``."""
        if item.digits.isdigit() and not item.spoken and self.repeat > 1:
            item.digits = item.digits * self.repeat
        self.repeat = 1
        if self.items and not item.spoken and tokens[i - 1][0] == "," and not self.items[-1].spoken:
            # "1,250,000" (a comma right before digits) is an amount, not a sequence;
            # "4532, 0151" as Whisper writes read-out digits is one.
            self.close()
        if "/" in self.pending_sep and sum(len(it.digits) for it in self.items) >= 7:
            # "01 23 45 67 89 / 06 12 34 56 78": two numbers (a date has fewer digits).
            self.close()
        if not self.items and i > 0 and tokens[i - 1][0] == "+":
            self.plus = True
        if not self.items and i > 1 and tokens[i - 1][0].isspace() and tokens[i - 2][0] == "+":
            self.plus = True
        self.items.append(item)
        self.pending_sep = ""


def _digit_runs(text: str, lex: Lexicon) -> list[tuple[list[_Item], bool]]:
    """Sequences of written or spoken digits separated only by spaces and light punctuation.

    Returns (items, plus) pairs; ``plus`` is True when the run follows a "+".
    """
    tokens = [(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]
    state = _Runs()
    i = 0
    while i < len(tokens):
        tok = tokens[i][0]
        item, i = _number_item(tokens, i, state.repeat, lex)
        if item is not None:
            state.add(item, tokens, i)
        elif times := _repeat_before_digit(tokens, i, lex):
            state.repeat = times
        elif tok.isspace() or (tok == "+" and not state.items):
            pass
        elif tok in _SEPARATORS and len(state.pending_sep) < 2:
            state.pending_sep += tok
        else:
            state.close()
        i += 1
    state.close()
    return state.runs


def _card_spans(text: str, items: list[_Item], covered: list[bool]) -> list[Span]:
    """Luhn-valid card numbers of 13 to 19 digits in a run, longest first; marks them covered.
    After a reference keyword only numbers starting like a card (2 to 6) count."""
    cands: list[tuple[int, int, int]] = []
    for a in range(len(items)):
        if _after_reference(text, items[a].start) and items[a].digits[:1] not in "23456":
            continue
        acc = ""
        for b in range(a, len(items)):
            acc += items[b].digits
            if len(acc) > 19:
                break
            if len(acc) >= 13 and acc.strip("0") and luhn_valid(acc):
                cands.append((len(acc), a, b))
    spans: list[Span] = []
    for _, a, b in sorted(cands, key=lambda c: (-c[0], c[1])):
        if any(covered[a : b + 1]):
            continue
        covered[a : b + 1] = [True] * (b - a + 1)
        spans.append(Span(items[a].start, items[b].end, "card"))
    return spans


def _phone_pieces(group: list[_Item]) -> list[list[_Item]]:
    """A stretch too long for one phone number, split where the next one starts: after 10
    digits or more, before a group starting with 0 ("07700 900123 07700 900456")."""
    if sum(len(it.digits) for it in group) <= 15:
        return [group]
    pieces: list[list[_Item]] = []
    start = count = 0
    for k, item in enumerate(group):
        count += len(item.digits)
        following = group[k + 1].digits if k + 1 < len(group) else "0"
        if count >= 10 and following.startswith("0"):
            pieces.append(group[start : k + 1])
            start, count = k + 1, 0
    return pieces + ([group[start:]] if start < len(group) else [])


def _phone_span(text: str, group: list[_Item], plus: bool) -> Span | None:
    """The phone number ``group`` spells, or None."""
    if not _looks_like_phone(text, group, plus) or _after_reference(text, group[0].start):
        return None
    start = group[0].start
    # Keep "+44" and "(555)" whole.
    while start > 0 and text[start - 1] in "(+":
        start -= 1
    return Span(start, group[-1].end, "phone")


def _phone_spans(text: str, items: list[_Item], covered: list[bool], plus: bool) -> list[Span]:
    """Phone numbers among the stretches of a run that no card covers."""
    spans: list[Span] = []
    a = 0
    while a < len(items):
        if covered[a]:
            a += 1
            continue
        b = a
        while b + 1 < len(items) and not covered[b + 1]:
            b += 1
        for piece in _phone_pieces(_strip_weak(items[a : b + 1])):
            span = _phone_span(text, piece, plus and piece[0] is items[0])
            if span is not None:
                spans.append(span)
        a = b + 1
    return spans


def _nir_run_spans(text: str, items: list[_Item], covered: list[bool]) -> list[Span]:
    """NIRs (15 digits, valid key) in a run of written or spoken digits; marks them covered."""
    spans: list[Span] = []
    for a in range(len(items)):
        acc = ""
        for b in range(a, len(items)):
            acc += items[b].digits
            if len(acc) >= 15:
                break
        if (
            len(acc) == 15
            and not any(covered[a : b + 1])
            and nir_valid(acc)
            and not _after_reference(text, items[a].start)
        ):
            covered[a : b + 1] = [True] * (b - a + 1)
            spans.append(Span(items[a].start, items[b].end, "nir"))
    return spans


def _number_spans(text: str, kinds: frozenset[str], lex: Lexicon) -> list[Span]:
    """NIRs, cards and phone numbers among the runs of written or spoken digits."""
    spans: list[Span] = []
    for items, plus in _digit_runs(text, lex):
        covered = [False] * len(items)
        if "nir" in kinds and "nir" in lex.spoken_ids:
            spans += _nir_run_spans(text, items, covered)
        if "card" in kinds:
            spans += _card_spans(text, items, covered)
        if "phone" in kinds:
            spans += _phone_spans(text, items, covered, plus)
    return spans


def _looks_like_phone(text: str, group: Sequence[_Item], plus: bool) -> bool:
    digits = "".join(it.digits for it in group)
    n = len(digits)
    raw = text[group[0].start : group[-1].end]
    if _DATE_RE.match(raw.replace(" ", "")):
        return False
    # "1 250 000 €": French thousands are spaced like phone digits.
    before = text[max(0, group[0].start - 2) : group[0].start]
    if _AMOUNT_AFTER_RE.match(text, group[-1].end) or _AMOUNT_BEFORE_RE.search(before):
        return False
    if 10 <= n <= 15:
        return True
    return 7 <= n <= 9 and (len(group) >= 2 or plus)


def _iban_spans(text: str) -> list[Span]:
    spans: list[Span] = []
    for m in _IBAN_START_RE.finditer(text):
        # Walk on over alphanumerics and single spaces, and try each length that could
        # be an IBAN, longest first, ending on a word boundary.
        chars = [c.upper() for c in m.group(1) + m.group(2)]
        ends: list[int] = []
        pos = m.end()
        while pos < len(text) and len(chars) < 34:
            if text[pos] == " " and pos + 1 < len(text) and text[pos + 1].isalnum():
                pos += 1
                continue
            if not text[pos].isalnum():
                break
            chars.append(text[pos].upper())
            pos += 1
            ends.append(pos)
        country = chars[0] + chars[1]
        lengths = [_IBAN_LENGTHS[country]] if country in _IBAN_LENGTHS else range(34, 14, -1)
        for length in lengths:
            k = length - 4
            if k < 1 or k > len(ends):
                continue
            end = ends[k - 1]
            if end < len(text) and text[end].isalnum():
                continue
            if iban_valid("".join(chars[:length])):
                spans.append(Span(m.start(), end, "iban"))
                break
    return spans


def _spoken_chars(word: str, lex: Lexicon) -> str | None:
    """What one word of a read-out IBAN stands for, or None when it cannot be part of one."""
    low = fold(word)
    if word.isdigit():
        return word
    # A lone "o" is the letter.
    parsed = parse_number([low], lex) if len(low) > 1 and low in lex.vocabulary else None
    if parsed is not None:
        return str(parsed[0])
    if low in _NATO:
        return _NATO[low]
    if len(word) == 1 and word.isalpha():
        return word.upper()
    if len(word) <= 4 and word.isalnum() and (word.isupper() or any(c.isdigit() for c in word)):
        return word.upper()
    return None


def _ibans_in_run(run: Sequence[tuple[str, int, int]]) -> list[Span]:
    """Every stretch of a run of read-out characters that is a valid IBAN."""
    spans: list[Span] = []
    for a in range(len(run)):
        chars = ""
        for b in range(a, len(run)):
            chars += run[b][0]
            if len(chars) > 34:
                break
            if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]*", chars):
                if len(chars) >= 4:
                    break
                continue
            if len(chars) >= 15 and b > a and iban_valid(chars):
                spans.append(Span(run[a][1], run[b][2], "iban"))
    return spans


def _spoken_pair(
    text: str, words: Sequence[re.Match[str]], k: int, lex: Lexicon
) -> tuple[str, int] | None:
    """What words ``k`` and the next ones stand for together ("forty five": "45", "double
    five": "55", "quatre-vingt-dix": "90") and how many words that takes, or None."""
    chain = [fold(words[k].group())]
    j = k
    while (
        j + 1 < len(words)
        and text[words[j].end() : words[j + 1].start()] in (" ", "-")
        and fold(words[j + 1].group()) in lex.vocabulary
    ):
        j += 1
        chain.append(fold(words[j].group()))
    parsed = parse_number(chain, lex) if chain[0] in lex.vocabulary else None
    if parsed is not None and parsed[1] > 1:
        return str(parsed[0]), parsed[1]
    if chain[0] in lex.repeat and k + 1 < len(words):
        nxt_chars = _spoken_chars(words[k + 1].group(), lex)
        if nxt_chars is not None and len(nxt_chars) == 1:
            return nxt_chars * lex.repeat[chain[0]], 2
    return None


def _spoken_iban_spans(text: str, lex: Lexicon) -> list[Span]:
    """IBANs read out or spaced: "G B eight two W E S T one two three four ...",
    "GB 82 whiskey echo sierra tango 12 34 ...". Checked by length and mod 97 like
    written ones, so ordinary words and numbers are never taken for one."""
    spans: list[Span] = []
    run: list[tuple[str, int, int]] = []
    words = list(_WORD_RE.finditer(text))
    k = 0
    while k < len(words):
        m = words[k]
        gap = text[words[k - 1].end() : m.start()] if k else ""
        if run and gap.strip(" ,.-") != "":
            spans += _ibans_in_run(run)
            run = []
        pair = _spoken_pair(text, words, k, lex)
        if pair is not None:
            run.append((pair[0], m.start(), words[k + pair[1] - 1].end()))
            k += pair[1]
            continue
        chars = _spoken_chars(m.group(), lex)
        if chars is None:
            spans += _ibans_in_run(run)
            run = []
        else:
            run.append((chars, m.start(), m.end()))
        k += 1
    spans += _ibans_in_run(run)
    return spans


@lru_cache(maxsize=16)
def _spoken_email_re(codes: tuple[str, ...]) -> re.Pattern[str]:
    """Spoken addresses in the languages ``codes``: "john dot smith at example dot com",
    "jean point dupont arobase exemple point fr"."""
    langs = [LANGUAGES[c] for c in codes]

    def alternatives(*fixed: str, names: tuple[str, ...]) -> str:
        said = [rf"\b{w}\b" for n in names for lang in langs for w in getattr(lang, n)]
        return "(?:" + "|".join([*fixed, *said]) + ")"

    dot = alternatives(r"\.", names=("email_dot",))
    sep = rf"(?:\s*{dot}\s*)"
    local_sep = alternatives(r"\.", "_", "-", names=("email_separators", "email_dot"))
    at = alternatives("@", names=("email_at",))
    return re.compile(
        # Bounded repeats: a long run of "point x point x" costs linear time, not quadratic.
        rf"\b[^\W_]+(?:\s*{local_sep}\s*[^\W_]+){{0,6}}"
        rf"\s+{at}\s+"
        rf"(?:[^\W_]|-)+(?:{sep}(?:[^\W_]|-)+){{0,4}}{sep}(?:{_TLDS})\b",
        re.IGNORECASE,
    )


def _email_spans(text: str, codes: tuple[str, ...]) -> list[Span]:
    """Written addresses, and spoken ones in the languages ``codes``."""
    found = [Span(m.start(), m.end(), "email") for m in _EMAIL_RE.finditer(text)]
    return found + [
        Span(m.start(), m.end(), "email") for m in _spoken_email_re(codes).finditer(text)
    ]


# "french_phone" (a written 0X XX XX XX XX) is reported as "phone" but beats cards: two of
# them side by side must not be read as one Luhn-valid card number.
_PRIORITY = {"email": 0, "iban": 1, "nir": 2, "french_phone": 3, "card": 4, "phone": 5}


def _french_phone_spans(text: str) -> list[Span]:
    """Written French numbers: "06 12 34 56 78", "+33 6 12 34 56 78", "0033 (0)1 23 45 67 89"."""
    spans: list[Span] = []
    for row in _FRENCH_PHONES_RE.finditer(text):
        for m in _FRENCH_PHONE_RE.finditer(row.group()):
            start = row.start() + m.start()
            if not _after_reference(text, start):
                spans.append(Span(start, row.start() + m.end(), "french_phone"))
    return spans


def find_pii(
    text: str, kinds: Iterable[str] | None = None, *, language: LanguageArg = None
) -> list[Span]:
    """Non-overlapping PII spans in ``text``, sorted by position.

    ``language`` ("en", "fr", "fr-FR", or several) chooses the words spoken numbers and
    addresses are read in; English when None. Written formats are found in any language.
    """
    wanted = _check_kinds(kinds)
    codes = language_codes(language)
    found: list[Span] = []
    if "email" in wanted:
        found += _email_spans(text, codes)
    if "iban" in wanted:
        found += _iban_spans(text)
        found += _spoken_iban_spans(text, lexicon(codes))
    if wanted & {"card", "phone", "nir"}:
        masked = _masked(text)
        if "nir" in wanted:
            found += _nir_spans(masked)
        found += _number_spans(masked, wanted, lexicon(codes))
        if "phone" in wanted:
            found += _french_phone_spans(masked)
    # Earlier kinds win overlaps (an IBAN's digits are not also a phone number).
    found.sort(key=lambda s: (_PRIORITY[s.kind], s.start, -(s.end - s.start)))
    kept: list[Span] = []
    for span in found:
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    kept.sort(key=lambda s: s.start)
    return [Span(s.start, s.end, "phone") if s.kind == "french_phone" else s for s in kept]


def _check_kinds(kinds: Iterable[str] | None) -> frozenset[str]:
    wanted = ALL if kinds is None else frozenset(kinds)
    unknown = wanted - ALL
    if unknown:
        raise ValueError(f"unknown PII kinds: {sorted(unknown)}; choose from {list(KINDS)}")
    return wanted


def _counts(kinds: Iterable[str] | None, spans: Iterable[Span]) -> dict[str, int]:
    """Counts per kind: every kind asked for, zero included; with ``kinds`` left out, the
    four kinds older than NIR always and the others once found."""
    listed = _ALWAYS_COUNTED if kinds is None else _check_kinds(kinds)
    counts = {k: 0 for k in KINDS if k in listed}
    for span in spans:
        counts[span.kind] = counts.get(span.kind, 0) + 1
    return counts


def redact_text(
    text: str, kinds: Iterable[str] | None = None, *, language: LanguageArg = None
) -> tuple[str, dict[str, int]]:
    """Replace PII in ``text`` by tags; returns the new text and counts per kind (see
    :func:`find_pii` for ``language``). ``kinds`` left out means every kind."""
    spans = find_pii(text, kinds, language=language)
    out: list[str] = []
    pos = 0
    for span in spans:
        out.append(text[pos : span.start])
        out.append(TAGS[span.kind])
        pos = span.end
    out.append(text[pos:])
    return "".join(out), _counts(kinds, spans)


def redact_pieces(
    pieces: Sequence[str], kinds: Iterable[str] | None = None, *, language: LanguageArg = None
) -> tuple[list[str], dict[str, int]]:
    """Redact a sequence of texts as if joined by spaces, so PII split across pieces
    (a card number spread over two segments or several words) is still found.

    A piece fully inside a span becomes "" except the first, which holds the tag.
    """
    joined = " ".join(pieces)
    spans = find_pii(joined, kinds, language=language)
    counts = _counts(kinds, spans)
    if not spans:
        return list(pieces), counts
    out: list[str] = []
    offset = 0
    for piece in pieces:
        lo, hi = offset, offset + len(piece)
        parts: list[str] = []
        pos = lo
        for span in spans:
            if span.end <= lo or span.start >= hi:
                continue
            if span.start > pos:
                parts.append(joined[pos : span.start])
            if span.start >= lo:
                parts.append(TAGS[span.kind])
            pos = max(pos, min(span.end, hi))
        parts.append(joined[pos:hi])
        out.append("".join(parts).strip() if parts else piece)
        offset = hi + 1
    return out, counts


class Redactor:
    """Redaction configured once: ``Redactor(["card", "email"])``, ``Redactor(language="fr")``."""

    def __init__(self, kinds: Iterable[str] | None = None, *, language: LanguageArg = None) -> None:
        self.kinds = _check_kinds(kinds)
        self._asked = None if kinds is None else self.kinds
        self.language = language_codes(language)

    def find(self, text: str) -> list[Span]:
        """The PII spans in ``text``."""
        return find_pii(text, self.kinds, language=self.language)

    def redact(self, text: str) -> tuple[str, dict[str, int]]:
        """``text`` with PII replaced by tags, and counts per kind."""
        return redact_text(text, self._asked, language=self.language)

    def redact_pieces(self, pieces: Sequence[str]) -> tuple[list[str], dict[str, int]]:
        """Pieces redacted as one space-joined text (see :func:`redact_pieces`)."""
        return redact_pieces(pieces, self._asked, language=self.language)

    __call__ = redact
