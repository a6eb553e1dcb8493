"""PII redaction for transcripts and text interactions.

Finds payment card numbers (Luhn-checked, written or spoken: "four five three two...",
"oh", "double five"), e-mail addresses (also spoken: "john at example dot com"), phone
numbers and IBANs (mod-97 checked) and replaces them with ``[CARD]``, ``[EMAIL]``,
``[PHONE]`` and ``[IBAN]``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

KINDS: tuple[str, ...] = ("card", "email", "phone", "iban")
ALL = frozenset(KINDS)
TAGS = {"card": "[CARD]", "email": "[EMAIL]", "phone": "[PHONE]", "iban": "[IBAN]"}

_UNITS = {
    "zero": "0", "oh": "0", "o": "0", "nought": "0", "one": "1", "two": "2", "three": "3",
    "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_TEENS = {
    "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14",
    "fifteen": "15", "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19",
}  # fmt: skip
_TENS = {
    "twenty": "2", "thirty": "3", "forty": "4", "fifty": "5", "sixty": "6", "seventy": "7",
    "eighty": "8", "ninety": "9",
}  # fmt: skip
_REPEAT = {"double": 2, "triple": 3}
# "oh"/"o" only count as zero next to other digits, never alone.
_WEAK = {"oh", "o"}

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
_SPOKEN_SEP = r"(?:\s*(?:\.|\bdot\b)\s*)"
_SPOKEN_EMAIL_RE = re.compile(
    rf"\b[a-z0-9]+(?:\s*(?:\.|\bdot\b|\bunderscore\b|\bdash\b|\bhyphen\b|_|-)\s*[a-z0-9]+)*"
    rf"\s+(?:at|@)\s+"
    rf"[a-z0-9-]+(?:{_SPOKEN_SEP}[a-z0-9-]+)*{_SPOKEN_SEP}(?:{_TLDS})\b",
    re.IGNORECASE,
)
_IBAN_START_RE = re.compile(r"\b([A-Z]{2})(\d{2})", re.IGNORECASE)
_TOKEN_RE = re.compile(r"\d+|[A-Za-z]+|\s+|.", re.DOTALL)
# "order number 1234567890": reference numbers read out are not phone numbers (cards still
# are, by their checksum).
_REFERENCE_BEFORE_RE = re.compile(
    r"\b(?:order|ticket|case|reference|ref|tracking|invoice|booking|confirmation|parcel|"
    r"shipment|claim|policy|incident|serial|reservation)"
    r"(?:\s+(?:number|no\.?|num|id|code))?\s*(?:is|was|=|:)?\s*[#:]?\s*$",
    re.IGNORECASE,
)
_NATO = {
    "alpha": "A", "alfa": "A", "bravo": "B", "charlie": "C", "delta": "D", "echo": "E",
    "foxtrot": "F", "golf": "G", "hotel": "H", "india": "I", "juliet": "J", "juliett": "J",
    "kilo": "K", "lima": "L", "mike": "M", "november": "N", "oscar": "O", "papa": "P",
    "quebec": "Q", "romeo": "R", "sierra": "S", "tango": "T", "uniform": "U", "victor": "V",
    "whiskey": "W", "whisky": "W", "xray": "X", "x-ray": "X", "yankee": "Y", "zulu": "Z",
}  # fmt: skip
_WORD_RE = re.compile(r"x-ray|[A-Za-z0-9]+", re.IGNORECASE)
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


def _number_item(
    tokens: Sequence[tuple[str, int, int]], i: int, repeat: int
) -> tuple[_Item | None, int]:
    """The written or spoken number starting at token ``i``, or None, and the index of its last
    token ("forty five" takes three tokens: 45)."""
    tok, start, end = tokens[i]
    low = tok.lower()
    if tok.isdigit():
        return _Item(tok, start, end, spoken=False), i
    if low in _UNITS:
        return _Item(_UNITS[low] * repeat, start, end, spoken=True, weak=low in _WEAK), i
    if low in _TEENS:
        return _Item(_TEENS[low], start, end, spoken=True), i
    if low in _TENS:
        j = i + 1
        if j + 1 < len(tokens) and tokens[j][0] in (" ", "-"):
            nxt = tokens[j + 1][0].lower()
            if nxt in _UNITS and nxt not in _WEAK and nxt != "zero":
                return _Item(_TENS[low] + _UNITS[nxt], start, tokens[j + 1][2], spoken=True), j + 1
        return _Item(_TENS[low] + "0", start, end, spoken=True), i
    return None, i


def _repeat_before_digit(tokens: Sequence[tuple[str, int, int]], i: int) -> int:
    """2 or 3 when token ``i`` is "double" or "triple" followed by a space and a digit, else 0."""
    low = tokens[i][0].lower()
    if low in _REPEAT and i + 2 < len(tokens) and tokens[i + 1][0].isspace():
        nxt = tokens[i + 2][0].lower()
        if nxt in _UNITS or (len(nxt) == 1 and nxt.isdigit()):
            return _REPEAT[low]
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
        if not self.items and i > 0 and tokens[i - 1][0] == "+":
            self.plus = True
        if not self.items and i > 1 and tokens[i - 1][0].isspace() and tokens[i - 2][0] == "+":
            self.plus = True
        self.items.append(item)
        self.pending_sep = ""


def _digit_runs(text: str) -> list[tuple[list[_Item], bool]]:
    """Sequences of written or spoken digits separated only by spaces and light punctuation.

    Returns (items, plus) pairs; ``plus`` is True when the run follows a "+".
    """
    tokens = [(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]
    state = _Runs()
    i = 0
    while i < len(tokens):
        tok = tokens[i][0]
        item, i = _number_item(tokens, i, state.repeat)
        if item is not None:
            state.add(item, tokens, i)
        elif times := _repeat_before_digit(tokens, i):
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


def _card_spans(items: list[_Item], covered: list[bool]) -> list[Span]:
    """Luhn-valid card numbers of 13 to 19 digits in a run, longest first; marks them covered."""
    cands: list[tuple[int, int, int]] = []
    for a in range(len(items)):
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
        group = _strip_weak(items[a : b + 1])
        if (
            group
            and _looks_like_phone(text, group, plus and a == 0)
            and not _REFERENCE_BEFORE_RE.search(text[max(0, group[0].start - 40) : group[0].start])
        ):
            start = group[0].start
            # Keep "+44" and "(555)" whole.
            while start > 0 and text[start - 1] in "(+":
                start -= 1
            spans.append(Span(start, group[-1].end, "phone"))
        a = b + 1
    return spans


def _number_spans(text: str, kinds: frozenset[str]) -> list[Span]:
    spans: list[Span] = []
    for items, plus in _digit_runs(text):
        covered = [False] * len(items)
        if "card" in kinds:
            spans += _card_spans(items, covered)
        if "phone" in kinds:
            spans += _phone_spans(text, items, covered, plus)
    return spans


def _looks_like_phone(text: str, group: Sequence[_Item], plus: bool) -> bool:
    digits = "".join(it.digits for it in group)
    n = len(digits)
    raw = text[group[0].start : group[-1].end]
    if _DATE_RE.match(raw.replace(" ", "")):
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


def _spoken_chars(word: str) -> str | None:
    """What one word of a read-out IBAN stands for, or None when it cannot be part of one."""
    low = word.lower()
    if word.isdigit():
        return word
    if low in _UNITS and low != "o":
        return _UNITS[low]
    if low in _TEENS:
        return _TEENS[low]
    if low in _TENS:
        return _TENS[low] + "0"
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


def _spoken_pair(text: str, words: Sequence[re.Match[str]], k: int) -> str | None:
    """What words ``k`` and ``k + 1`` stand for together ("forty five": "45", "double five":
    "55"), or None when they are not such a pair."""
    if k + 1 >= len(words):
        return None
    low = words[k].group().lower()
    if low in _TENS:
        nxt = words[k + 1].group().lower()
        joined = text[words[k].end() : words[k + 1].start()] in (" ", "-")
        if nxt in _UNITS and nxt not in _WEAK and nxt != "zero" and joined:
            return _TENS[low] + _UNITS[nxt]
        return None
    if low in _REPEAT:
        nxt_chars = _spoken_chars(words[k + 1].group())
        if nxt_chars is not None and len(nxt_chars) == 1:
            return nxt_chars * _REPEAT[low]
    return None


def _spoken_iban_spans(text: str) -> list[Span]:
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
        pair = _spoken_pair(text, words, k)
        if pair is not None:
            run.append((pair, m.start(), words[k + 1].end()))
            k += 2
            continue
        chars = _spoken_chars(m.group())
        if chars is None:
            spans += _ibans_in_run(run)
            run = []
        else:
            run.append((chars, m.start(), m.end()))
        k += 1
    spans += _ibans_in_run(run)
    return spans


def find_pii(text: str, kinds: Iterable[str] = ALL) -> list[Span]:
    """Non-overlapping PII spans in ``text``, sorted by position."""
    wanted = _check_kinds(kinds)
    found: list[Span] = []
    if "email" in wanted:
        found += [Span(m.start(), m.end(), "email") for m in _EMAIL_RE.finditer(text)]
        found += [Span(m.start(), m.end(), "email") for m in _SPOKEN_EMAIL_RE.finditer(text)]
    if "iban" in wanted:
        found += _iban_spans(text)
        found += _spoken_iban_spans(text)
    if wanted & {"card", "phone"}:
        found += _number_spans(text, wanted)
    # Earlier kinds win overlaps (an IBAN's digits are not also a phone number).
    priority = {"email": 0, "iban": 1, "card": 2, "phone": 3}
    found.sort(key=lambda s: (priority[s.kind], s.start, -(s.end - s.start)))
    kept: list[Span] = []
    for span in found:
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    kept.sort(key=lambda s: s.start)
    return kept


def _check_kinds(kinds: Iterable[str]) -> frozenset[str]:
    wanted = frozenset(kinds)
    unknown = wanted - ALL
    if unknown:
        raise ValueError(f"unknown PII kinds: {sorted(unknown)}; choose from {list(KINDS)}")
    return wanted


def redact_text(text: str, kinds: Iterable[str] = ALL) -> tuple[str, dict[str, int]]:
    """Replace PII in ``text`` by tags; returns the new text and counts per enabled kind."""
    wanted = _check_kinds(kinds)
    counts = {k: 0 for k in KINDS if k in wanted}
    out: list[str] = []
    pos = 0
    for span in find_pii(text, wanted):
        out.append(text[pos : span.start])
        out.append(TAGS[span.kind])
        counts[span.kind] += 1
        pos = span.end
    out.append(text[pos:])
    return "".join(out), counts


def redact_pieces(
    pieces: Sequence[str], kinds: Iterable[str] = ALL
) -> tuple[list[str], dict[str, int]]:
    """Redact a sequence of texts as if joined by spaces, so PII split across pieces
    (a card number spread over two segments or several words) is still found.

    A piece fully inside a span becomes "" except the first, which holds the tag.
    """
    wanted = _check_kinds(kinds)
    counts = {k: 0 for k in KINDS if k in wanted}
    joined = " ".join(pieces)
    spans = find_pii(joined, wanted)
    for span in spans:
        counts[span.kind] += 1
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
    """Redaction configured once for some PII kinds; ``Redactor(["card", "email"])``."""

    def __init__(self, kinds: Iterable[str] = ALL) -> None:
        self.kinds = _check_kinds(kinds)

    def find(self, text: str) -> list[Span]:
        """The PII spans in ``text``."""
        return find_pii(text, self.kinds)

    def redact(self, text: str) -> tuple[str, dict[str, int]]:
        """``text`` with PII replaced by tags, and counts per kind."""
        return redact_text(text, self.kinds)

    def redact_pieces(self, pieces: Sequence[str]) -> tuple[list[str], dict[str, int]]:
        """Pieces redacted as one space-joined text (see :func:`redact_pieces`)."""
        return redact_pieces(pieces, self.kinds)

    __call__ = redact
