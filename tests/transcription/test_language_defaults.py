"""Per-language Whisper defaults: one set chosen by transcription.base for the command line,
the Python API and the app, and the settings (prompt, VAD, context) reaching faster-whisper."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from qa.ml import get_transcriber
from transcription import WhisperTranscriber
from transcription.__main__ import build_parser, settings_from_args
from transcription.base import LANGUAGE_DEFAULTS, MULTILINGUAL_DEFAULTS, defaults_for

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ("model", "compute_type", "beam_size", "vad_filter", "condition_on_previous_text")


def _settings(t: Any) -> tuple[Any, ...]:
    return tuple(getattr(t, name) for name in SETTINGS)


def _cli(*argv: str) -> WhisperTranscriber:
    args = build_parser().parse_args(["call.wav", *argv])
    return WhisperTranscriber.for_language(args.language, **settings_from_args(args))


def test_defaults_for_normalises_the_language() -> None:
    """None, "EN" and "en-GB" pick English; "fr-CA" French; an unmeasured language the
    multilingual model's settings, never the English-only model."""
    en, fr = LANGUAGE_DEFAULTS["en"], LANGUAGE_DEFAULTS["fr"]
    assert defaults_for(None) == defaults_for("EN") == defaults_for("en-GB") == en
    assert defaults_for("fr") == defaults_for("fr-CA") == fr
    assert defaults_for("de") == MULTILINGUAL_DEFAULTS
    assert not MULTILINGUAL_DEFAULTS.model.endswith(".en")
    assert en.model == "tiny.en" and fr.model == "base"


def test_for_language_uses_the_measured_set_and_overrides_win() -> None:
    """A French transcriber gets base with French's settings and expects French among the
    detectable languages; an English one the English-only model, no language list."""
    fr = WhisperTranscriber.for_language("fr")
    assert _settings(fr) == tuple(getattr(LANGUAGE_DEFAULTS["fr"], n) for n in SETTINGS)
    assert fr.languages is not None and "fr" in fr.languages and "en" in fr.languages
    en = WhisperTranscriber.for_language(None)
    assert _settings(en) == tuple(getattr(LANGUAGE_DEFAULTS["en"], n) for n in SETTINGS)
    assert en.languages is None
    custom = WhisperTranscriber.for_language("fr", beam_size=2, vad_filter=False, languages=["fr"])
    assert (custom.beam_size, custom.vad_filter, custom.languages) == (2, False, ("fr",))


def test_cli_and_app_choose_the_same_settings(app) -> None:  # type: ignore[no-untyped-def]
    """`python -m transcription --language X` transcribes as the app does for a call expected
    in X (a file transcribed by hand once read worse than in the app), for English and French."""
    for language in ("en", "fr"):
        assert _settings(_cli("--language", language)) == _settings(get_transcriber(language))
    assert _settings(_cli()) == _settings(get_transcriber(None))


def test_app_overrides_apply_to_every_language(app) -> None:  # type: ignore[no-untyped-def]
    """QA_WHISPER_BEAM_SIZE / _VAD / _PROMPT, when set, hold for English and French calls;
    unset, each language keeps its own."""
    app.config.update(WHISPER_BEAM_SIZE=3, WHISPER_VAD=False, WHISPER_PROMPT="Coachline, Zoé")
    for language in ("en", "fr"):
        t = get_transcriber(language)
        assert isinstance(t, WhisperTranscriber)
        assert (t.beam_size, t.vad_filter, t.initial_prompt) == (3, False, "Coachline, Zoé")
    assert get_transcriber("fr").model == "base"  # type: ignore[attr-defined]


def test_cli_options_reach_the_transcriber() -> None:
    """--beam-size, --no-vad, --prompt and --model override the language's defaults."""
    t = _cli("--language", "fr", "--beam-size", "2", "--no-vad", "--prompt", " Coachline ")
    assert (t.model, t.beam_size, t.vad_filter, t.initial_prompt) == ("base", 2, False, "Coachline")
    assert _cli("--language", "fr", "--model", "tiny.en").model == "tiny.en"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--language", "french"], "ISO 639-1"),
        (["--beam-size", "0"], "at least 1"),
    ],
)
def test_cli_bad_settings_are_one_line(argv: list[str], message: str) -> None:
    """A language that is no ISO code or a beam of 0 is one error line, exit 2, no model loaded."""
    proc = subprocess.run(
        [sys.executable, "-m", "transcription", "missing.wav", *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], proc.stderr


class _Recorder:
    """Stands in for a WhisperModel: records what transcribe() was given, decodes nothing."""

    class model:  # noqa: N801 - mirrors WhisperModel.model
        is_multilingual = False

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def transcribe(self, audio: Any, **kwargs: Any) -> tuple[Any, Any]:
        self.calls.append(kwargs)

        class Info:
            language, language_probability = "en", 1.0

        return iter(()), Info()


def test_prompt_vad_and_context_reach_faster_whisper() -> None:
    """The prompt (trimmed), VAD and context settings are what faster-whisper is called with."""
    t = WhisperTranscriber(
        "tiny.en", initial_prompt="  Coachline, Zoé ", vad_filter=False,
        condition_on_previous_text=False,
    )  # fmt: skip
    model = _Recorder()
    t._run(model, np.zeros(16_000, dtype=np.float32), "agent", None)
    assert model.calls[0]["initial_prompt"] == "Coachline, Zoé"
    assert model.calls[0]["vad_filter"] is False
    assert model.calls[0]["condition_on_previous_text"] is False
    model = _Recorder()
    WhisperTranscriber("tiny.en", initial_prompt="  ")._run(
        model, np.zeros(16_000, dtype=np.float32), "agent", None
    )
    assert model.calls[0]["initial_prompt"] is None


def test_wer_keeps_accented_words_whole() -> None:
    """French words keep their accents in the WER normaliser ("reçu" was split into "re u"),
    so a dropped accent counts as one error, not two."""
    from transcription.wer import normalize, word_error_rate

    assert normalize("Pas reçu, livrée à 9h") == ["pas", "reçu", "livrée", "à", "9h"]
    assert word_error_rate("colis reçu", "colis recu") == 0.5
