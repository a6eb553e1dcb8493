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
from datetime import datetime
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from flask_babel import force_locale, gettext
from jinja2 import Environment

from qa.extensions import db
from qa.i18n import format_day, format_moment, format_number, format_review_score
from qa.models import Role, User
from qa.services import audit
from tests.conftest import make_team, make_user

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


def test_a_users_own_choice_wins_over_the_browser(app, login) -> None:  # type: ignore[no-untyped-def]
    """A user who chose French gets French pages whatever the browser asks; one who chose
    nothing gets the browser's language; the dashboard's nav follows."""
    chose = make_user(Role.REVIEWER)
    chose.locale = "fr"
    other = make_user(Role.REVIEWER)
    db.session.commit()
    html = login(chose).get("/queue", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="fr"' in html and "Ma file de revues" in html
    browser = login(other)
    assert "My review queue" in browser.get("/queue").get_data(as_text=True)
    html = browser.get("/queue", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="fr"' in html and "Ma file de revues" in html


def test_language_choice_is_saved_and_refuses_unknown_languages(app, login) -> None:  # type: ignore[no-untyped-def]
    """The account page offers Automatic, English and Français; a choice is stored and the
    confirmation is already in it; an unknown code is refused with a reason and changes
    nothing; Automatic stores no choice."""
    user = make_user(Role.AGENT, team=make_team())
    db.session.commit()
    c = login(user)
    page = c.get("/account/password").get_data(as_text=True)
    assert 'value="">Automatic (browser)</option>' in page and ">Français</option>" in page
    assert c.post("/account/language", {"locale": "fr"}).status_code == 302
    assert db.session.get(User, user.id).locale == "fr"  # type: ignore[union-attr]
    assert "Langue enregistrée." in c.get("/account/password").get_data(as_text=True)
    refused = c.post("/account/language", {"locale": "xx"})
    assert refused.status_code == 303
    assert db.session.get(User, user.id).locale == "fr"  # type: ignore[union-attr]
    assert "Choisissez une langue dans la liste." in c.get("/account/password").get_data(
        as_text=True
    )
    c.post("/account/language", {"locale": ""})
    assert db.session.get(User, user.id).locale is None  # type: ignore[union-attr]


def test_numbers_and_dates_follow_the_locale(app) -> None:  # type: ignore[no-untyped-def]
    """97.5 reads "97,5" and 2026-12-03 "3 déc. 2026" in French, and as before in English;
    review scores keep their one rounding rule in both."""
    moment = datetime(2026, 12, 3, 14, 5)
    with app.test_request_context(), force_locale("fr"):
        assert format_number(97.5, 1) == "97,5"
        assert format_number(2.314, 2, sign=True) == "+2,31"
        assert format_day(moment) == "3 déc. 2026"
        assert format_moment(moment) == "3 déc. 2026 14:05"
        assert format_review_score(72.5) == "72,5" and format_review_score(82.0) == "82"
    with app.test_request_context():
        assert format_number(97.5, 1) == "97.5"
        assert format_day(moment) == "2026-12-03" and format_moment(moment) == "2026-12-03 14:05"
        assert format_review_score(72.5) == "72.5" and format_review_score(None) == "–"


def test_notifications_are_written_in_the_recipients_language(app) -> None:  # type: ignore[no-untyped-def]
    """A notification is stored in the language its recipient chose, not the one of whoever
    caused it; with no choice, the current one (English in a job)."""
    french, english = make_user(Role.AGENT), make_user(Role.AGENT)
    french.locale = "fr"
    db.session.commit()
    def message() -> str:
        return gettext("New training: %(module)s", module="Empathie")
    assert audit.notify(french.id, message).message == "Nouvelle formation\u00a0: Empathie"
    assert audit.notify(english.id, message).message == "New training: Empathie"
    assert audit.notify(english.id, "plain text").message == "plain text"


def test_a_missing_translation_falls_back_to_english(app) -> None:  # type: ignore[no-untyped-def]
    """A message the French catalogue does not have reads in English, never as an empty string."""
    with app.test_request_context(), force_locale("fr"):
        assert gettext("A sentence no catalogue has yet.") == "A sentence no catalogue has yet."
        assert gettext("Sign in") == "Se connecter"


def test_error_pages_are_translated_and_the_json_stays_english(client) -> None:  # type: ignore[no-untyped-def]
    """A 404 page reads in the browser's language; the API's JSON error keeps its English code."""
    page = client.get("/no-such-page", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Page introuvable" in page
    api = client.get("/no-such-page", headers={"Accept-Language": "fr", "Accept": "application/json"})
    assert api.get_json()["error"] == "Not found"
