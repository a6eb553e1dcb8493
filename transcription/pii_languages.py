"""How each language says the numbers and addresses that redaction looks for.

One :class:`Language` per language: its number words (the spoken-number parser in
:func:`parse_number` is driven by these tables only), its words for "at", "dot" and "dash"
in a spoken e-mail address, and the keywords that mark a reference number (order, ticket,
VAT...) which is not personal data. A third language is one more table in ``LANGUAGES``.
Keys are lower case without accents (see :func:`fold`), so "zéro" and "zero" are one word.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TypeVar

V = TypeVar("V")


@dataclass(frozen=True)
class Language:
    """The words of one language that redaction needs (all keys folded, see :func:`fold`)."""

    units: Mapping[str, int]  # 0-9
    teens: Mapping[str, int]  # 10-19, keys may be several words: "dix sept"
    tens: Mapping[str, tuple[int, int]]  # "quatre vingt": (80, 19): value, largest part after
    weak: frozenset[str] = frozenset()  # units that count only next to other digits ("oh")
    no_join: frozenset[str] = frozenset()  # units never read as the end of a tens word
    joiners: frozenset[str] = frozenset()  # "vingt et un"
    hundreds: frozenset[str] = frozenset()
    thousands: frozenset[str] = frozenset()
    repeat: Mapping[str, int] = field(default_factory=dict)  # "double five": 55
    email_at: tuple[str, ...] = ()  # regular-expression fragments
    email_dot: tuple[str, ...] = ()
    email_separators: tuple[str, ...] = ()  # underscore, dash, said in the local part
    reference_keywords: tuple[str, ...] = ()  # "order", "commande" (regex fragments)
    reference_numbers: tuple[str, ...] = ()  # "number", "n°"
    reference_verbs: tuple[str, ...] = ()  # "is", "c'est le"
    spoken_ids: frozenset[str] = frozenset()  # national-id kinds also found when read out


ENGLISH = Language(
    units={
        "zero": 0, "oh": 0, "o": 0, "nought": 0, "one": 1, "two": 2, "three": 3, "four": 4,
        "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    },
    teens={
        "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
        "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    },
    tens={
        "twenty": (20, 9), "thirty": (30, 9), "forty": (40, 9), "fifty": (50, 9),
        "sixty": (60, 9), "seventy": (70, 9), "eighty": (80, 9), "ninety": (90, 9),
    },
    weak=frozenset({"oh", "o"}),
    no_join=frozenset({"zero", "oh", "o"}),
    repeat={"double": 2, "triple": 3},
    email_at=("at",),
    email_dot=("dot",),
    email_separators=("underscore", "dash", "hyphen"),
    reference_keywords=(
        "order", "ticket", "case", "reference", "ref", "tracking", "invoice", "booking",
        "confirmation", "parcel", "shipment", "claim", "policy", "incident", "serial",
        "reservation", "vat", r"company\s+(?:registration\s+)?number", "siret", "siren",
    ),
    reference_numbers=("number", r"no\.?", "num", "id", "code"),
    reference_verbs=("is", "was", "=", ":"),
)  # fmt: skip

FRENCH = Language(
    units={
        "zero": 0, "un": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
        "sept": 7, "huit": 8, "neuf": 9,
    },
    teens={
        "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15,
        "seize": 16, "dix sept": 17, "dix huit": 18, "dix neuf": 19,
    },
    tens={
        "vingt": (20, 9), "trente": (30, 9), "quarante": (40, 9), "cinquante": (50, 9),
        "soixante": (60, 19), "quatre vingt": (80, 19), "quatre vingts": (80, 0),
        # Belgium and Switzerland.
        "septante": (70, 9), "huitante": (80, 9), "octante": (80, 9), "nonante": (90, 9),
    },
    no_join=frozenset({"zero"}),
    joiners=frozenset({"et"}),
    hundreds=frozenset({"cent", "cents"}),
    thousands=frozenset({"mille"}),
    repeat={"double": 2, "triple": 3},
    email_at=("arobase", "arrobase", "arobas", "arrobas", "at"),
    email_dot=("point",),
    email_separators=(
        r"tiret\s+(?:du\s+)?bas", "tiret", "underscore", r"trait\s+d'union", "moins",
    ),
    reference_keywords=(
        "commande", "ticket", "dossier", r"r[ée]f[ée]rence", r"r[ée]f", "facture", "colis",
        "suivi", r"r[ée]servation", "contrat", "sinistre", r"r[ée]clamation", "incident",
        "tva", "siret", "siren", "rcs",
    ),
    reference_numbers=("n°", "nº", r"no\.?", r"num[ée]ro", "num"),
    reference_verbs=(r"c'est(?:\s+l[ea])?", r"est(?:\s+l[ea])?", ":", "="),
    spoken_ids=frozenset({"nir"}),
)  # fmt: skip

LANGUAGES: dict[str, Language] = {"en": ENGLISH, "fr": FRENCH}


@functools.lru_cache(maxsize=1 << 16)  # called for every word of every text redacted (issue 17)
def fold(word: str) -> str:
    """``word`` in lower case without accents: "Zéro" -> "zero"."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class Lexicon:
    """The number words of one or more languages merged, as the parser reads them."""

    units: Mapping[str, int]
    teens: Mapping[str, int]
    tens: Mapping[str, tuple[int, int]]
    weak: frozenset[str]
    no_join: frozenset[str]
    joiners: frozenset[str]
    hundreds: frozenset[str]
    thousands: frozenset[str]
    repeat: Mapping[str, int]
    vocabulary: frozenset[str]  # every single word that can be part of a number
    spoken_ids: frozenset[str]
    languages: tuple[Language, ...]


def language_codes(language: str | Iterable[str] | None) -> tuple[str, ...]:
    """The known language codes in ``language`` ("fr", "fr-FR", ["en", "fr"]), sorted;
    English when none is given or none is known."""
    given = [language] if isinstance(language, str) else list(language or [])
    codes = {fold(code).replace("_", "-").split("-")[0] for code in given}
    return tuple(sorted(codes & LANGUAGES.keys())) or ("en",)


def _merged(maps: Iterable[Mapping[str, V]]) -> dict[str, V]:
    out: dict[str, V] = {}
    for m in maps:
        out.update(m)
    return out


@lru_cache(maxsize=16)
def lexicon(codes: tuple[str, ...]) -> Lexicon:
    """The merged lexicon of the languages ``codes`` (see :func:`language_codes`)."""
    langs = tuple(LANGUAGES[c] for c in codes)
    units = _merged(lang.units for lang in langs)
    teens = _merged(lang.teens for lang in langs)
    tens = _merged(lang.tens for lang in langs)
    joiners = frozenset(w for lang in langs for w in lang.joiners)
    hundreds = frozenset(w for lang in langs for w in lang.hundreds)
    thousands = frozenset(w for lang in langs for w in lang.thousands)
    words = {w for key in [*units, *teens, *tens] for w in key.split()}
    return Lexicon(
        units=units,
        teens=teens,
        tens=tens,
        weak=frozenset(w for lang in langs for w in lang.weak),
        no_join=frozenset(w for lang in langs for w in lang.no_join),
        joiners=joiners,
        hundreds=hundreds,
        thousands=thousands,
        repeat=_merged(lang.repeat for lang in langs),
        vocabulary=frozenset(words) | joiners | hundreds | thousands,
        spoken_ids=frozenset(k for lang in langs for k in lang.spoken_ids),
        languages=langs,
    )


def _phrase(words: Sequence[str], i: int, table: Mapping[str, int]) -> tuple[int, int] | None:
    """The longest key of ``table`` (one or two words) at ``words[i]``: (value, next index)."""
    for n in (2, 1):
        key = " ".join(words[i : i + n])
        if i + n <= len(words) and key in table:
            return table[key], i + n
    return None


def _below_20(words: Sequence[str], i: int, lex: Lexicon, *, zero: bool) -> tuple[int, int] | None:
    """A unit or a teen at ``words[i]``; a unit in ``no_join`` only when ``zero``."""
    teen = _phrase(words, i, lex.teens)
    if teen is not None:
        return teen
    if i < len(words) and words[i] in lex.units and (zero or words[i] not in lex.no_join):
        return lex.units[words[i]], i + 1
    return None


def _below_100(
    words: Sequence[str], i: int, lex: Lexicon, *, zero: bool = True
) -> tuple[int, int] | None:
    """A number under 100 at ``words[i]``: "forty five", "soixante et onze", "huit"."""
    tens = None
    for n in (2, 1):
        key = " ".join(words[i : i + n])
        if i + n <= len(words) and key in lex.tens:
            tens = lex.tens[key], i + n
            break
    if tens is None:
        return _below_20(words, i, lex, zero=zero)
    (value, largest), j = tens
    k = j + 1 if j < len(words) and words[j] in lex.joiners else j
    part = _below_20(words, k, lex, zero=False)
    if part is not None and part[0] <= largest:
        return value + part[0], part[1]
    return value, j


def _hundreds(words: Sequence[str], i: int, lex: Lexicon) -> tuple[int, int] | None:
    """ "cent douze", "neuf cent quatre vingt dix neuf"."""
    times, j = 1, i
    if j + 1 < len(words) and words[j + 1] in lex.hundreds and lex.units.get(words[j], 0) > 1:
        times, j = lex.units[words[j]], j + 1
    if j >= len(words) or words[j] not in lex.hundreds:
        return None
    rest = _below_100(words, j + 1, lex, zero=False)
    if rest is None:
        return times * 100, j + 1
    return times * 100 + rest[0], rest[1]


def _thousands(words: Sequence[str], i: int, lex: Lexicon) -> tuple[int, int] | None:
    """ "mille", "quatre mille neuf cent douze", "deux mille vingt cinq"."""
    head = _hundreds(words, i, lex) or _below_100(words, i, lex, zero=False)
    if (
        head is not None
        and head[0] > 0
        and head[1] < len(words)
        and words[head[1]] in lex.thousands
    ):
        times, j = head
    elif i < len(words) and words[i] in lex.thousands:
        times, j = 1, i
    else:
        return None
    rest = _hundreds(words, j + 1, lex) or _below_100(words, j + 1, lex, zero=False)
    if rest is None:
        return times * 1000, j + 1
    return times * 1000 + rest[0], rest[1]


def parse_number(words: Sequence[str], lex: Lexicon) -> tuple[int, int] | None:
    """The longest number said at the start of ``words`` (folded words): its value and how
    many words it takes, or None. ``["quatre", "vingt", "dix", "huit", "six"]`` -> (98, 4)."""
    found = [
        p
        for p in (_below_100(words, 0, lex), _hundreds(words, 0, lex), _thousands(words, 0, lex))
        if p is not None
    ]
    return max(found, key=lambda p: p[1]) if found else None
