"""AutoQAModel: encoder + empathy head + resolution head, saved as joblib plus a JSON sidecar."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib  # type: ignore[import-untyped]
import numpy as np

from .classifiers import (
    RESOLUTION_BLOCKS,
    CalibratedLinearClassifier,
    MaxPooledLinearClassifier,
    aggregate_empathy,
    bag_max,
    resolution_shares,
    split_sentences,
)
from .embeddings import TextEncoder, get_encoder
from .errors import ScoringError
from .evidence import SentenceRef, centred_contributions, sentence_contributions, top_evidence
from .lexical import sentence_features
from .schema import Prediction, Turn, to_turns
from .turn_features import ConversationLexicon, resolution_input

ARTIFACT_FORMAT = 1
# The languages a model was trained on (sidecar key "languages", ISO 639-1): a model saved
# before the key existed was trained on the English corpus.
DEFAULT_LANGUAGES = ("en",)
MODEL_FILE = "model.joblib"
SIDECAR_FILE = "model.json"


@dataclass
class EncodedConversation:
    """A conversation's sentences, their embeddings and the mean-pooled turn vectors.

    ``embeddings`` are unit-length sentence vectors (the mean of each sentence's contextual
    tokens, the turn encoded once); ``turn_vectors`` are the unit-length token means of whole
    turns, and ``turn_vectors[t] == sum of sentence_weights()[s] * embeddings[s]`` over the
    sentences s of turn t, exactly.
    """

    turns: list[Turn]
    sentences: list[SentenceRef] = field(default_factory=list)
    sentence_turn: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    embeddings: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    turn_vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    weights: np.ndarray | None = None
    empathy_features: Any = None  # the empathy head's sentence features, when computed in bulk

    @property
    def speakers(self) -> list[str]:
        return [t.speaker for t in self.turns]

    def sentence_weights(self) -> np.ndarray:
        """Each sentence's coefficient in its turn vector (token share over the turn's norm)."""
        if self.weights is not None:
            return self.weights
        counts = np.bincount(self.sentence_turn, minlength=len(self.turns))
        return 1.0 / counts[self.sentence_turn] if len(self.sentence_turn) else np.zeros(0)

    def agent_turns(self) -> list[int]:
        return [i for i, t in enumerate(self.turns) if t.speaker == "agent"]


def encode_conversations(encoder: TextEncoder,
                         conversations: Sequence[Sequence[Turn]]) -> list[EncodedConversation]:
    """Split turns into sentences, encode each distinct turn once, pool tokens per sentence.

    Sentence vector = mean of its contextual token vectors; turn vector = mean of all the
    turn's tokens, L2-normalised = sum_s (n_s * |v_s| / |sum_s' n_s' v_s'|) * unit(v_s).
    """
    encoded: list[EncodedConversation] = []
    unique: dict[tuple[str, ...], int] = {}
    for turns in conversations:
        ec = EncodedConversation(turns=list(turns))
        for i, turn in enumerate(ec.turns):
            sentences = split_sentences(turn.text)
            for sentence in sentences:
                ec.sentences.append(SentenceRef(i, turn.speaker, sentence))
            unique.setdefault(tuple(sentences), len(unique))
        encoded.append(ec)
    segments = list(unique)
    parts = encoder.encode_segmented(segments)
    dim = encoder.dim
    for ec in encoded:
        vecs, counts = [], []
        for turn in ec.turns:
            v, c = parts[unique[tuple(split_sentences(turn.text))]]
            vecs.append(v)
            counts.append(c)
        raw = np.vstack(vecs).astype(np.float64) if vecs else np.zeros((0, dim))
        n_tok = np.concatenate(counts).astype(np.float64) if counts else np.zeros(0)
        ec.sentence_turn = np.array([s.turn for s in ec.sentences], dtype=int)
        norms = np.linalg.norm(raw, axis=1)
        ec.embeddings = raw / np.where(norms > 0, norms, 1.0)[:, None]
        sums = np.zeros((len(ec.turns), dim), dtype=np.float64)
        if len(ec.sentences):
            np.add.at(sums, ec.sentence_turn, raw * n_tok[:, None])
        turn_norms = np.linalg.norm(sums, axis=1)
        safe = np.where(turn_norms > 0, turn_norms, 1.0)
        ec.weights = (n_tok * norms / safe[ec.sentence_turn]) if len(ec.sentences) else np.zeros(0)
        ec.turn_vectors = sums / safe[:, None]
    return encoded


def resolution_features(ec: EncodedConversation) -> np.ndarray:
    shares = resolution_shares(ec.speakers)
    return np.asarray((shares.T @ ec.turn_vectors).reshape(-1))


def head_features(head: Any, ec: EncodedConversation) -> np.ndarray:
    """What a pooled head scores: `resolution_features`, followed by the outcome features
    (outcome.py) when the head was fitted with them (`outcome_`)."""
    pooled = resolution_features(ec)
    outcome = getattr(head, "outcome_", None)
    return pooled if outcome is None else np.concatenate([pooled, outcome.features(ec)])


def sentence_shares(ec: EncodedConversation) -> np.ndarray:
    """(n_sentences, n_blocks): each sentence's coefficient in each pooled block."""
    if not len(ec.sentences):
        return np.zeros((0, len(RESOLUTION_BLOCKS)))
    return np.asarray(resolution_shares(ec.speakers)[ec.sentence_turn]
                      * ec.sentence_weights()[:, None])


def pooled_contributions(head: CalibratedLinearClassifier,
                         ec: EncodedConversation) -> tuple[np.ndarray, float]:
    """A linear head on `resolution_features` (the resolution head, custom heads): each
    sentence's contribution, centred on the head's training mean when it has one (evidence.py),
    and the conversation's baseline logit: baseline + sum(contributions) == logit."""
    outcome = getattr(head, "outcome_", None)
    if outcome is None:  # pooled blocks only, or with the TF-IDF fields (French recipe)
        return _lexicon_contributions(head, ec)
    coef = np.asarray(head.coef_).reshape(-1)
    mean = getattr(head, "feature_mean_", None)
    mean = None if mean is None else np.asarray(mean).reshape(-1)
    n_pooled = len(coef) - outcome.n_features
    extra, extra_offset = outcome.contributions(
        ec, coef[n_pooled:], None if mean is None else mean[n_pooled:])
    if not len(ec.sentences):
        return np.zeros(0), float(head.intercept_) + extra_offset
    weights = coef[:n_pooled].reshape(len(RESOLUTION_BLOCKS), -1)
    contributions, offset = centred_contributions(
        weights, sentence_shares(ec), ec.embeddings,
        None if mean is None else mean[:n_pooled].reshape(weights.shape))
    return contributions + extra, float(head.intercept_) + offset + extra_offset


def _lexicon_contributions(head: CalibratedLinearClassifier,
                           ec: EncodedConversation) -> tuple[np.ndarray, float]:
    """`pooled_contributions` of a head without outcome features: the pooled blocks, plus the
    TF-IDF fields and turn position of a head trained with a ConversationLexicon (French)."""
    if not len(ec.sentences):
        return np.zeros(0), float(resolution_logit(head, ec))
    coef = np.asarray(head.coef_).reshape(-1)
    mean = getattr(head, "feature_mean_", None)
    lexicon = getattr(head, "lexicon_", None)
    n_dense = int(getattr(head, "n_dense_", coef.size))
    if not isinstance(lexicon, ConversationLexicon):
        lexicon, n_dense = None, coef.size
    weights = coef[:n_dense].reshape(len(RESOLUTION_BLOCKS), -1)
    contributions, offset = centred_contributions(
        weights, sentence_shares(ec), ec.embeddings,
        None if mean is None else np.asarray(mean).reshape(-1)[:n_dense].reshape(weights.shape))
    if lexicon is not None:  # the TF-IDF fields split over sentences, position -> baseline
        lexical, position = lexicon.contributions(ec, coef[n_dense:])
        contributions = contributions + lexical
        offset += position
    return contributions, float(head.intercept_) + offset


def resolution_logit(head: CalibratedLinearClassifier, ec: EncodedConversation) -> float:
    """The resolution head's calibrated logit for one conversation (pooled blocks, plus the
    lexicon features of a head trained with them)."""
    return float(head.decision_function(resolution_input(head, ec, head_features(head, ec)))[0])


def model_languages(metadata: dict[str, Any]) -> tuple[str, ...]:
    """The sidecar's "languages" as a tuple of codes (DEFAULT_LANGUAGES when absent)."""
    value = metadata.get("languages")
    if not value:
        return DEFAULT_LANGUAGES
    if isinstance(value, str) or not all(isinstance(v, str) for v in value):
        raise ScoringError(f"model languages must be a list of ISO 639-1 codes, got {value!r}")
    return tuple(v.lower() for v in value)


def read_artifact(folder: Path, what: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(sidecar, payload) of an artifact folder (model.json + model.joblib); a missing,
    unreadable or other-format artifact is a one-line ScoringError naming `what` it is."""
    sidecar_path, model_path = folder / SIDECAR_FILE, folder / MODEL_FILE
    if not sidecar_path.is_file() or not model_path.is_file():
        raise ScoringError(f"not a {what} folder (needs {SIDECAR_FILE} and {MODEL_FILE}): "
                           f"{folder}")
    try:
        sidecar = json.loads(sidecar_path.read_text(encoding="utf-8"))
        payload = joblib.load(model_path)
    except (OSError, ValueError, EOFError) as exc:
        raise ScoringError(f"cannot read {what} in {folder}: {exc}") from exc
    if not isinstance(payload, dict) or payload.get("format") != ARTIFACT_FORMAT:
        raise ScoringError(f"unsupported {what} format in {folder}")
    return sidecar, payload


class AutoQAModel:
    """Scores conversations for empathy (0-100) and resolution (probability), with evidence."""

    def __init__(self, empathy_head: CalibratedLinearClassifier,
                 resolution_head: CalibratedLinearClassifier, *, encoder: TextEncoder,
                 version: str, metadata: dict[str, Any] | None = None) -> None:
        self.empathy_head = empathy_head
        self.resolution_head = resolution_head
        self.encoder = encoder
        self.version = version
        self.metadata = dict(metadata or {})
        self.threshold = float(self.metadata.get("resolution_threshold", 0.5))

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages this model was trained on: others get no score (see docs/autoqa.md)."""
        return model_languages(self.metadata)

    # --- persistence -------------------------------------------------------------------
    @classmethod
    def load(cls, artifact_dir: str | Path, *, encoder_path: str | Path | None = None,
             **encoder_options: Any) -> AutoQAModel:
        """Load an artifact folder built by `scoring.train` (joblib: only load your own).

        encoder_options go to `get_encoder` (e.g. num_threads=2, batch_size=32, quantize=True).
        """
        folder = Path(artifact_dir)
        sidecar, payload = read_artifact(folder, "model")
        encoder = get_encoder(encoder_path if encoder_path is not None
                              else sidecar.get("encoder"), **encoder_options)
        return cls(payload["empathy_head"], payload["resolution_head"], encoder=encoder,
                   version=str(sidecar["version"]), metadata=sidecar)

    def save(self, out_dir: str | Path) -> Path:
        """Write model.joblib (heads only) and model.json (the sidecar) to out_dir."""
        folder = Path(out_dir)
        folder.mkdir(parents=True, exist_ok=True)
        payload = {"format": ARTIFACT_FORMAT, "empathy_head": slim_head(self.empathy_head),
                   "resolution_head": slim_head(self.resolution_head)}
        joblib.dump(payload, folder / MODEL_FILE, compress=3)
        sidecar = {**self.metadata, "version": self.version, "encoder": self.encoder.name,
                   "format": ARTIFACT_FORMAT, "languages": list(self.languages)}
        (folder / SIDECAR_FILE).write_text(json.dumps(sidecar, indent=2, sort_keys=True) + "\n",
                                           encoding="utf-8")
        return folder

    # --- scoring -----------------------------------------------------------------------
    def predict(self, conversations: Sequence[Sequence[Turn]], *,
                batch_size: int = 64) -> list[Prediction]:
        """One Prediction per conversation (raises ScoringError on a malformed conversation)."""
        checked = [to_turns(c) for c in conversations]
        out: list[Prediction] = []
        for start in range(0, len(checked), batch_size):
            chunk = encode_conversations(self.encoder, checked[start:start + batch_size])
            self.prepare(chunk)
            out.extend(self.predict_encoded(ec) for ec in chunk)
        return out

    def prepare(self, encoded: Sequence[EncodedConversation]) -> None:
        """Compute the empathy head's sentence features for many conversations in one go (one
        TF-IDF transform instead of one per conversation); scores are the same without it."""
        if getattr(self.empathy_head, "lexicon_", None) is None:
            return
        todo = [ec for ec in encoded if len(ec.sentences)]
        if not todo:
            return
        features = sentence_features(
            self.empathy_head, np.vstack([ec.embeddings for ec in todo]).astype(np.float64),
            [s.text for ec in todo for s in ec.sentences])
        at = 0
        for ec in todo:
            ec.empathy_features = features[at:at + len(ec.sentences)]
            at += len(ec.sentences)

    def explain(self, conversation: Sequence[Turn]) -> dict[str, Any]:
        """Full decomposition: per-sentence contributions, intercepts and logits of both heads.

        With the max-pooled empathy head a turn's logit is carried by its chosen sentence (the
        intercept is 0); an agent turn without any sentence (empty text) has the head's
        intercept as its logit and no sentence to carry it."""
        ec = encode_conversations(self.encoder, [to_turns(conversation)])[0]
        emp = self._empathy_parts(ec)
        res_contrib, res_baseline = pooled_contributions(self.resolution_head, ec)
        max_pooled = isinstance(self.empathy_head, MaxPooledLinearClassifier)
        return {
            "sentences": ec.sentences,
            "empathy_turn_logits": emp[0],
            "empathy_contributions": emp[1],
            # max pooling: the chosen sentence carries its turn's whole logit (see below)
            "empathy_intercept": 0.0 if max_pooled else self.empathy_head.intercept_,
            "resolution_logit": resolution_logit(self.resolution_head, ec),
            "resolution_contributions": res_contrib,
            "resolution_intercept": res_baseline,
        }

    def _empathy_parts(self, ec: EncodedConversation) -> tuple[dict[int, float], np.ndarray]:
        """Agent-turn logits and each sentence's exact contribution to its turn's logit."""
        head = self.empathy_head
        agent = ec.agent_turns()
        if isinstance(head, MaxPooledLinearClassifier):
            # Turn logit = max over its sentences of w . e_s + b. The chosen sentence carries the
            # whole logit (measured from the 50% point, so a cold turn's best sentence shows as
            # pushing down); the others contribute exactly 0.
            contributions = np.zeros(len(ec.sentences))
            logits: dict[int, float] = {}
            if len(ec.sentences):
                features = ec.empathy_features
                if features is None:
                    features = sentence_features(head, ec.embeddings.astype(np.float64),
                                                 [s.text for s in ec.sentences])
                projections = np.asarray(features @ head.coef_).reshape(-1)
                _, arg = bag_max(projections, ec.sentence_turn, len(ec.turns))
                for i in agent:
                    logits[i] = float(head.intercept_)
                    if arg[i] >= 0:
                        logits[i] += float(projections[arg[i]])
                        contributions[arg[i]] = logits[i]
            else:
                logits = {i: float(head.intercept_) for i in agent}
            return logits, contributions
        contributions = sentence_contributions(head.coef_[None, :],
                                               ec.sentence_weights()[:, None], ec.embeddings)
        logits = {}
        if agent:
            values = head.decision_function(ec.turn_vectors[agent])
            logits = {i: float(v) for i, v in zip(agent, values, strict=True)}
        return logits, contributions

    def predict_encoded(self, ec: EncodedConversation) -> Prediction:
        """The prediction for a conversation already encoded (e.g. shared with custom heads)."""
        turn_logits, emp_contrib = self._empathy_parts(ec)
        probs = [float(1.0 / (1.0 + np.exp(-v))) for v in turn_logits.values()]
        empathy_score = aggregate_empathy(probs)
        agent_sentences = [k for k, s in enumerate(ec.sentences) if s.speaker == "agent"]
        emp_evidence = top_evidence([ec.sentences[k] for k in agent_sentences],
                                    emp_contrib[agent_sentences])
        res_prob = float(self.resolution_head.predict_proba(
            resolution_input(self.resolution_head, ec, head_features(self.resolution_head, ec)))[0, 1])
        res_evidence = top_evidence(ec.sentences, pooled_contributions(self.resolution_head, ec)[0])
        return Prediction(
            empathy_score=empathy_score,
            empathy_evidence=emp_evidence,
            resolution_probability=res_prob,
            resolution_label="resolved" if res_prob >= self.threshold else "unresolved",
            resolution_evidence=res_evidence,
            model_version=self.version,
        )


def slim_head(head: CalibratedLinearClassifier) -> CalibratedLinearClassifier:
    """Copy of a fitted head without the out-of-fold training scores (keeps artifacts small)."""
    slim = type(head)(**head.get_params())
    for name in ("classes_", "coef_", "intercept_", "platt_", "n_features_in_", "feature_mean_",
                 "lexicon_", "outcome_", "n_dense_"):
        if hasattr(head, name):
            setattr(slim, name, getattr(head, name))
    slim.coef_ = np.asarray(slim.coef_, dtype=np.float64)
    return slim
