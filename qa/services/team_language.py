"""A team's language and what it decides: the Whisper model its calls are transcribed with
(qa.ml.whisper_model_for) and whether the active AutoQA model scores its conversations (a model
scores only the languages it was trained on, a model shipped for a language scores that one;
the others show "not scored: language xx").

The AutoQA side is read from the model's JSON sidecar, not by loading the model: the admin's
page must not pull in scikit-learn and the encoder to say which languages a model knows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext

from ..languages import CONTENT_LANGUAGES, language_name
from ..ml import whisper_model_for
from ..models import Team, User
from . import audit

ROOT = Path(__file__).resolve().parents[2]
# scoring.registry's layout: <SCORING_MODEL_DIR>/ACTIVE names the version, whose folder holds
# model.json (scoring.model.SIDECAR_FILE); without one, the model shipped in scoring/default_model.
ACTIVE_FILE = "ACTIVE"
SIDECAR_FILE = "model.json"
DEFAULT_SIDECAR = ROOT / "scoring" / "default_model" / SIDECAR_FILE
DEFAULT_MODEL_LANGUAGES = ("en",)  # scoring.model.DEFAULT_LANGUAGES: a sidecar without the key
# scoring.LANGUAGE_MODELS_DIR: a model shipped for a language the active model does not cover
# (qa.ml.scorer_for_language scores that language with it).
LANGUAGE_MODELS_DIR = ROOT / "scoring" / "language_models"


class TeamLanguageError(ValueError):
    """A language a team cannot work in (not one of the content languages)."""


@dataclass(frozen=True)
class AutoqaModel:
    """The active AutoQA model as its sidecar describes it."""

    version: str
    languages: tuple[str, ...]


@dataclass(frozen=True)
class LanguageEffects:
    """What a team's language decides."""

    language: str
    whisper_model: str  # the model its calls are transcribed with
    autoqa: AutoqaModel

    @property
    def multilingual_whisper(self) -> bool:
        return not self.whisper_model.endswith(".en")

    @property
    def scored(self) -> bool:
        """Whether the active AutoQA model scores conversations in this language."""
        return self.language in self.autoqa.languages


def _sidecar(path: Path) -> dict[str, object]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _describe(meta: Mapping[str, object]) -> AutoqaModel:
    languages = meta.get("languages") or DEFAULT_MODEL_LANGUAGES
    codes = tuple(str(c).lower() for c in languages) if isinstance(languages, list) else ()
    return AutoqaModel(str(meta.get("version") or "?"), codes or DEFAULT_MODEL_LANGUAGES)


def autoqa_for(language: str, model_dir: str | Path) -> AutoqaModel:
    """The model that scores conversations in `language`: the active one when it knows the
    language, else the model shipped for that language, else the active one (not scored)."""
    active = active_autoqa(model_dir)
    if language in active.languages:
        return active
    meta = _sidecar(LANGUAGE_MODELS_DIR / language / SIDECAR_FILE)
    shipped = _describe(meta) if meta else None
    return shipped if shipped is not None and language in shipped.languages else active


def active_autoqa(model_dir: str | Path) -> AutoqaModel:
    """The version and languages of the AutoQA model that scores new interactions."""
    root = Path(model_dir)
    try:
        active = (root / ACTIVE_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        active = ""
    meta = _sidecar(root / active / SIDECAR_FILE) if active else {}
    if not meta:
        meta = _sidecar(DEFAULT_SIDECAR)
    return _describe(meta)


def effects(language: str, config: Mapping[str, object]) -> LanguageEffects:
    """What working in `language` means under this configuration."""
    model = whisper_model_for(
        language, str(config["WHISPER_MODEL"]), str(config["WHISPER_MULTILINGUAL_MODEL"])
    )
    return LanguageEffects(language, model, autoqa_for(language, str(config["SCORING_MODEL_DIR"])))


def effects_by_team(teams: Iterable[Team], config: Mapping[str, object]) -> dict[int, LanguageEffects]:
    """{team id: what its language decides}, for the admin's list of teams."""
    return {t.id: effects(t.language, config) for t in teams}


def describe(found: LanguageEffects) -> list[str]:
    """The effects in sentences, in the reader's language."""
    name = language_name(found.language)
    known = ", ".join(language_name(c) for c in found.autoqa.languages)
    if found.multilingual_whisper:
        calls = gettext("Calls are transcribed with Whisper %(model)s, which detects the language.",
                        model=found.whisper_model)
    else:
        calls = gettext("Calls are transcribed with Whisper %(model)s (English only).",
                        model=found.whisper_model)
    if found.scored:
        autoqa = gettext("AutoQA model %(version)s scores its conversations (trained on %(known)s).",
                         version=found.autoqa.version, known=known)
    else:
        autoqa = gettext(
            "AutoQA model %(version)s is trained on %(known)s only: conversations in %(language)s "
            "show “not scored: language %(code)s” until a model trained on %(language)s is active.",
            version=found.autoqa.version, known=known, language=name, code=found.language,
        )
    return [calls, autoqa]


def set_team_language(team: Team, language: str, actor: User | None) -> bool:
    """Set the language the team works in, audited; False when it already was. Interactions
    already stored keep the language they were given or detected with."""
    code = (language or "").strip().lower()
    if code not in CONTENT_LANGUAGES:
        raise TeamLanguageError(gettext("unknown language %(code)s", code=repr(language)))
    if team.language == code:
        return False
    audit.record(actor, "team.language_changed", team, before=team.language, after=code)
    team.language = code
    return True


__all__ = [
    "AutoqaModel",
    "LanguageEffects",
    "TeamLanguageError",
    "active_autoqa",
    "describe",
    "effects",
    "effects_by_team",
    "set_team_language",
]
