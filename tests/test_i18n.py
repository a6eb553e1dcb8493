"""The interface is translatable (issue 15): no user-visible template text outside a translation
call, a French translation for every message, a catalogue in step with the sources, and pages that
follow the locale (Accept-Language, then the user's own choice), with dates and numbers formatted
for it.

The template check lexes each template with Jinja's own lexer and looks only at its ``data``
tokens (the literal HTML between ``{{ }}``/``{% %}``) outside ``{% trans %}`` blocks. From those it
drops tags, keeping the attributes a user sees or hears (title, placeholder, aria-label, alt, and
the value of a button), entities, numbers and punctuation; any letters left are an untranslated
string, reported as file:line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from jinja2 import Environment

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "qa" / "translations"
LANGUAGES = ("fr",)

# Attributes whose text reaches the user (shown as a tooltip or placeholder, read by a screen
# reader, or shown on a button); every other attribute (class, href, id, data-*) is markup.
VISIBLE_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
TAG = re.compile(r"<(/?)([A-Za-z][\w-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>|<!--.*?-->|<![A-Za-z][^>]*>", re.S)
ATTRIBUTE = re.compile(r"([\w:-]+)\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)")
ENTITY = re.compile(r"&#?\w+;")
# Code, keys and sample output are shown as they are typed, in every language.
VERBATIM = re.compile(r"<(code|kbd|pre|samp)\b[^>]*>.*?</\1>", re.S)
LETTERS = re.compile(r"[^\W\d_]{2,}")
# Text that is the same in every language: units and abbreviations kept as they are.
INVARIANT = frozenset({"CSV", "JSON", "IQS", "AQS", "CSAT", "SLA", "AHT", "FCR", "UTC", "AutoQA",
                       "Coachline", "API", "ID", "IP", "PDF", "CI", "OK", "min", "h", "s", "MB",
                       "PII", "TTL", "URL", "HMAC", "SHA", "HTTP", "kappa", "Krippendorff", "AUC",
                       "ECE", "JS", "svg"})


def template_files(root: Path = ROOT / "qa") -> list[Path]:
    """Every Jinja template under the app's packages (qa/templates and each area's own)."""
    return sorted(p for p in root.rglob("*.html") if "templates" in p.parts)


def masked(source: str, name: str = "<template>") -> str:
    """The template with every Jinja construct (and the body of each {% trans %} block) blanked
    to NUL characters, newlines kept: what is left is the literal HTML a user could read, at the
    same offsets as in the source (so tags cut by a {% if %} still parse as one tag)."""
    env = Environment(extensions=["jinja2.ext.i18n", "jinja2.ext.do"], keep_trailing_newline=True)
    out: list[str] = []
    in_trans = False
    last_kind = ""
    at = 0
    for _, kind, value in env.lex(source, name):
        if kind == "name" and last_kind == "block_begin" and value in ("trans", "endtrans"):
            in_trans = value == "trans"
        if kind != "whitespace":
            last_kind = kind
        found = source.find(value, at)
        if found < 0 or source[at:found].strip():  # "-" whitespace control drops only blanks
            raise ValueError(f"{name}: cannot map the lexer's tokens back onto the source")
        out.append(source[at:found])
        keep = kind == "data" and not in_trans
        out.append(value if keep else re.sub(r"[^\n]", "\0", value))
        at = found + len(value)
    out.append(source[at:])
    return "".join(out)


def _visible_attribute_text(tag: str, attributes: str) -> list[str]:
    pairs = {name.lower(): value.strip("\"'") for name, value in ATTRIBUTE.findall(attributes)}
    found = [value for name, value in pairs.items() if name in VISIBLE_ATTRIBUTES]
    if tag.lower() == "input" and pairs.get("type", "").lower() in ("submit", "button", "reset"):
        found.append(pairs.get("value", ""))
    return found


def visible_text(html: str) -> list[tuple[int, str]]:
    """(offset, text) of what a user reads in (masked) HTML: the text between tags and the
    visible attributes of the tags (see VISIBLE_ATTRIBUTES), entities blanked."""
    pieces: list[tuple[int, str]] = []
    at = 0
    for match in TAG.finditer(html):
        pieces.append((at, html[at:match.start()]))
        if match.group(2):
            pieces.extend((match.start(), text)
                          for text in _visible_attribute_text(match.group(2), match.group(3) or ""))
        at = match.end()
    pieces.append((at, html[at:]))
    return [(offset, ENTITY.sub(" ", piece)) for offset, piece in pieces]


def untranslated(source: str, name: str = "<template>") -> list[tuple[int, str]]:
    """(line, text) of each user-visible string outside a translation call in a template."""
    html = VERBATIM.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), masked(source, name))
    found: list[tuple[int, str]] = []
    for offset, piece in visible_text(html):
        for line_offset, line in enumerate(piece.split("\n")):
            if [w for w in LETTERS.findall(line) if w not in INVARIANT]:
                lineno = html[:offset].count("\n") + line_offset + 1
                found.append((lineno, " ".join(line.replace("\0", " ").split())))
    return found


def test_checker_finds_untranslated_text() -> None:
    """The template checker reports text, visible attributes and button values outside
    translation calls, with their line, and accepts translated text, markup and invariants."""
    source = (
        "{% extends 'base.html' %}\n"
        "<h1>{{ _('Reviews') }}</h1>\n"
        '<p class="muted" id="x">Assigned to {{ name }}</p>\n'
        '<input type="submit" value="Save">\n'
        '<a title="Open the review" href="/r/1">{{ _("Open") }}</a>\n'
        "<td>{{ score }} ± {{ ci }} · 95%</td><td>CSV</td>\n"
        "{% trans n=count %}{{ n }} reviews{% endtrans %}\n"
    )
    found = untranslated(source)
    assert [line for line, _ in found] == [3, 4, 5]
    assert "Assigned to" in found[0][1]
    assert found[1][1] == "Save" and found[2][1] == "Open the review"


def test_templates_have_no_untranslated_text() -> None:
    """No template shows a user a string outside {{ _(...) }} or {% trans %} (file:line)."""
    problems = []
    for path in template_files():
        for line, text in untranslated(path.read_text(encoding="utf-8"), str(path)):
            problems.append(f"{path.relative_to(ROOT)}:{line}: {text}")
    assert not problems, "untranslated template text:\n" + "\n".join(problems)


def _catalogue(path: Path):  # type: ignore[no-untyped-def]
    with path.open("rb") as f:
        return read_po(f)


def test_every_message_has_a_french_translation() -> None:
    """Every msgid of the template (.pot) has a non-empty, non-fuzzy French translation, with
    the same %(name)s placeholders as the English."""
    template = _catalogue(TRANSLATIONS / "messages.pot")
    for language in LANGUAGES:
        catalogue = _catalogue(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po")
        missing, fuzzy, placeholders = [], [], []
        for message in template:
            if not message.id:
                continue
            translated = catalogue.get(message.id, message.context)
            strings = translated.string if translated else None
            texts = list(strings) if isinstance(strings, (list, tuple)) else [strings]
            if translated is None or not all(texts):
                missing.append(str(message.id))
            elif translated.fuzzy:
                fuzzy.append(str(message.id))
            else:
                ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
                wanted = set(re.findall(r"%\((\w+)\)", " ".join(ids)))
                if any(set(re.findall(r"%\((\w+)\)", str(t))) != wanted for t in texts):
                    placeholders.append(str(message.id))
        assert not missing, f"{language}: untranslated: {missing[:20]} ({len(missing)})"
        assert not fuzzy, f"{language}: fuzzy: {fuzzy[:20]}"
        assert not placeholders, f"{language}: placeholders differ: {placeholders[:20]}"


def test_catalogue_is_up_to_date_with_the_sources(tmp_path: Path) -> None:
    """Extracting the sources again (as `make i18n-extract` does) gives the same msgids as the
    committed .pot, so no new string was left out of the catalogue."""
    fresh = tmp_path / "messages.pot"
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-k",
         "lazy_gettext", "--no-location", "--sort-output", "-o", str(fresh), str(ROOT)]
    )
    committed = {m.id if isinstance(m.id, str) else tuple(m.id)
                 for m in _catalogue(TRANSLATIONS / "messages.pot") if m.id}
    extracted = {m.id if isinstance(m.id, str) else tuple(m.id) for m in _catalogue(fresh) if m.id}
    assert extracted - committed == set(), "run `make i18n-update`: new strings"
    assert committed - extracted == set(), "run `make i18n-update`: stale strings"


@pytest.mark.parametrize(
    ("accept", "expected"), [(None, "en"), ("fr-FR,fr;q=0.9", "fr"), ("de,en;q=0.5", "en")]
)
def test_login_page_follows_accept_language(client, accept, expected) -> None:  # type: ignore[no-untyped-def]
    """With no choice of their own, the login page is in the browser's language among those
    with a catalogue (English otherwise), and <html lang> says which."""
    headers = {"Accept-Language": accept} if accept else {}
    html = client.get("/login", headers=headers).get_data(as_text=True)
    assert f'<html lang="{expected}"' in html
    assert ("Mot de passe" in html) == (expected == "fr")
