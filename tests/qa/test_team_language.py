"""An admin sets the language a team works in on the users and teams page: validated against the
content languages, audited, admins only, and the page and the flash say what the language
decides (the Whisper model of the team's calls, whether the active AutoQA model scores it)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from qa.extensions import db
from qa.models import AuditEvent, Team
from qa.services import team_language
from tests.conftest import make_team


def flashes(response) -> list[str]:  # type: ignore[no-untyped-def]
    """The flash messages of a page."""
    text = response.get_data(as_text=True)
    return [html.unescape(m) for m in re.findall(r'<p class="flash[^"]*"[^>]*>(.*?)</p>', text)]


def changes() -> list[dict]:
    return [
        e.details
        for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "team.language_changed")
        )
    ]


def test_admin_sets_a_team_to_french_and_is_told_what_it_changes(world, login):
    """Posting fr sets the team's language, audits before and after, and the flash says that calls
    now go to the multilingual Whisper base and that the French model shipped beside the English
    default scores it; German, which no model knows, is told it will show "not scored"."""
    admin, red = world["admin"], world["red"]
    client = login(admin)
    page = client.post(f"/admin/teams/{red.id}/language", {"language": "fr"},
                       follow_redirects=True)  # fmt: skip
    assert page.status_code == 200
    [message] = flashes(page)
    assert message.startswith("Red now works in French. ")
    assert "Calls are transcribed with Whisper base, which detects the language." in message
    assert "scores its conversations (trained on French)." in message
    db.session.expire_all()
    assert db.session.get(Team, red.id).language == "fr"
    assert changes() == [{"before": "en", "after": "fr"}]
    # the list of teams says it too
    body = page.get_data(as_text=True)
    assert "Calls: Whisper tiny.en · AutoQA: scored by" in body  # Blue, still English
    page = client.post(f"/admin/teams/{red.id}/language", {"language": "de"},
                       follow_redirects=True)  # fmt: skip
    [message] = flashes(page)
    assert "is trained on English only: conversations in German show “not scored: language de”" in message
    assert "Calls: Whisper base · AutoQA: not scored (" in page.get_data(as_text=True)


def test_unknown_language_is_refused_and_nothing_changes(world, login):
    """A code that is not a content language ("xx", "french") is refused with a message; the
    team keeps English and nothing is audited."""
    client, red = login(world["admin"]), world["red"]
    for value in ("xx", "french", ""):
        page = client.post(f"/admin/teams/{red.id}/language", {"language": value},
                           follow_redirects=True)  # fmt: skip
        [message] = flashes(page)
        assert message.startswith("Nothing changed: "), message
    db.session.expire_all()
    assert db.session.get(Team, red.id).language == "en"
    assert changes() == []


def test_same_language_says_so_and_audits_nothing(world, login):
    """Setting the language a team already works in changes nothing and says so."""
    page = login(world["admin"]).post(f"/admin/teams/{world['red'].id}/language",
                                      {"language": "en"}, follow_redirects=True)  # fmt: skip
    assert flashes(page) == ["Red already works in English."]
    assert changes() == []


def test_only_admins_set_a_team_language_and_csrf_is_checked(world, login):
    """A lead gets 403; an admin's post without the CSRF token gets 400; nothing changes."""
    red = world["red"]
    assert login(world["lead_red"]).post(
        f"/admin/teams/{red.id}/language", {"language": "fr"}
    ).status_code == 403
    assert login(world["admin"]).post(
        f"/admin/teams/{red.id}/language", {"language": "fr"}, csrf=False
    ).status_code == 400
    db.session.expire_all()
    assert db.session.get(Team, red.id).language == "en"


def test_a_new_team_gets_the_language_chosen(world, login):
    """The create-team form takes the language the team works in."""
    client = login(world["admin"])
    client.post("/admin/users", {"team-name": "Lyon", "team-language": "fr", "team-submit": "1"})
    team = db.session.scalar(select(Team).where(Team.name == "Lyon"))
    assert team is not None and team.language == "fr"


def test_a_registered_model_trained_on_french_scores_a_french_team(app, tmp_path: Path):
    """With an active registry version whose sidecar lists fr, a French team is scored; the
    sidecar layout read here is scoring's own (file names, default languages)."""
    from scoring.model import DEFAULT_LANGUAGES, SIDECAR_FILE

    assert (team_language.SIDECAR_FILE, team_language.DEFAULT_MODEL_LANGUAGES) == (
        SIDECAR_FILE, DEFAULT_LANGUAGES)  # fmt: skip
    root = Path(app.config["SCORING_MODEL_DIR"])
    assert not team_language.effects("de", app.config).scored  # the shipped default: English
    # French: the model shipped for it beside the default (scoring/language_models/fr)
    assert team_language.effects("fr", app.config).autoqa.languages == ("fr",)
    (root / "v-fr").mkdir(parents=True)
    (root / "v-fr" / SIDECAR_FILE).write_text(json.dumps({"version": "v-fr", "languages": ["en", "fr"]}))
    (root / team_language.ACTIVE_FILE).write_text("v-fr\n")
    found = team_language.effects("fr", app.config)
    assert (found.autoqa, found.scored, found.whisper_model) == (
        team_language.AutoqaModel("v-fr", ("en", "fr")), True, "base")  # fmt: skip
    with app.test_request_context():
        assert team_language.describe(found)[1] == (
            "AutoQA model v-fr scores its conversations (trained on English, French)."
        )
    assert team_language.effects("en", app.config).whisper_model == "tiny.en"


def test_service_refuses_a_language_outside_the_content_languages(app):
    """set_team_language refuses a code Coachline does not work in (ISO but not detectable)."""
    team = make_team()
    with app.test_request_context(), pytest.raises(team_language.TeamLanguageError, match="ja"):
        team_language.set_team_language(team, "ja", None)
    assert team.language == "en"
