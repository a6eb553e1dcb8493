"""AutoQA: the dialogue turns it scores, model versions (train into the registry, list,
activate, roll back, audited), learning from reviewers, and the custom criterion heads.

`scoring` is imported inside the functions that use it: it loads scikit-learn (over a second),
and the web app imports this module at start-up (`custom_head_names`, the pipeline)."""

from __future__ import annotations

import json
import logging
import tempfile
import threading
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from flask import current_app
from sqlalchemy import or_, select

from ..extensions import db
from ..models import (
    Answer,
    Criterion,
    Dispute,
    DisputeStatus,
    Interaction,
    Review,
    ReviewStatus,
    Transcript,
    User,
)
from . import audit
from .reviews import criterion_score

if TYPE_CHECKING:
    from scoring import AutoQAModel, Prediction, Turn
    from scoring.custom import CustomScore

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = ROOT / "data" / "autoqa" / "conversations.jsonl"


def shipped_default() -> dict[str, Any]:
    """Sidecar of the default model committed in scoring/default_model/."""
    from scoring import load_default_model  # noqa: F401  (keeps the import cost in one place)
    from scoring.registry import SIDECAR_FILE

    path = ROOT / "scoring" / "default_model" / SIDECAR_FILE
    return json.loads(path.read_text()) if path.is_file() else {}


def versions(registry: Any) -> list[dict[str, Any]]:
    """Registered versions, newest first, with `active` set on the one in use."""
    active = registry.active()
    rows = [dict(v, active=v.get("version") == active) for v in registry.versions()]
    return list(reversed(rows))


def train_version(
    registry: Any, data: Path, *, encoder_path: str | None, actor: User | None, activate: bool
) -> str:
    """Train on a corpus file, register the artifact, and optionally activate it."""
    from scoring.train import train

    with tempfile.TemporaryDirectory() as tmp:
        model = train(data, Path(tmp) / "artifact", encoder_path=encoder_path)
        version = registry.register(Path(tmp) / "artifact")
    audit.record(
        actor,
        "autoqa.trained",
        None,
        version=version,
        data=data.name,
        metrics=model.metadata.get("metrics"),
    )
    if activate:
        activate_version(registry, version, actor)
    return version


def _register(registry: Any, artifact: Any) -> str:
    """Save a trained model or head (anything with `.save(folder)`) into the registry."""
    with tempfile.TemporaryDirectory() as tmp:
        artifact.save(Path(tmp) / "artifact")
        return str(registry.register(Path(tmp) / "artifact"))


def activate_version(registry: Any, version: str, actor: User | None) -> None:
    previous = registry.active()
    registry.activate(version)
    audit.record(actor, "autoqa.activated", None, version=version, previous=previous)


def custom_head_names(interaction: Interaction) -> dict[str, str]:
    """{'crit:<id>': criterion name} for the custom-head scores an interaction has."""
    ids = [
        int(s.criterion.removeprefix("crit:"))
        for s in interaction.auto_scores
        if s.criterion.startswith("crit:") and s.criterion.removeprefix("crit:").isdigit()
    ]
    if not ids:
        return {}
    rows = db.session.execute(select(Criterion.id, Criterion.name).where(Criterion.id.in_(ids)))
    return {f"crit:{cid}": name for cid, name in rows}


def rollback(registry: Any, actor: User | None) -> str | None:
    """The previously active version, or None: back to the shipped default model."""
    current = registry.active()
    version: str | None = registry.rollback()
    audit.record(actor, "autoqa.rolled_back", None, version=version, previous=current)
    return version


# --- What AutoQA scores: dialogue turns ------------------------------------------------------


class SpeakerText(Protocol):
    """A transcript segment as far as turn grouping needs it (models.Segment, or a test's)."""

    @property
    def speaker(self) -> str: ...

    @property
    def text(self) -> str: ...


S = TypeVar("S", bound=SpeakerText)


def turn_groups(segments: Iterable[S]) -> list[tuple[str, str, list[S]]]:
    """(speaker, text, segments) per dialogue turn: consecutive segments of one speaker joined;
    mono 'unknown' counts as agent; turns without text are left out. AutoQA's turn indices
    (evidence `turn`) count these turns."""
    groups: list[tuple[str, str, list[S]]] = []
    for seg in segments:
        speaker = "customer" if seg.speaker == "customer" else "agent"
        if groups and groups[-1][0] == speaker:
            _, text, members = groups[-1]
            groups[-1] = (speaker, f"{text} {seg.text}".strip(), [*members, seg])
        else:
            groups.append((speaker, seg.text.strip(), [seg]))
    return [g for g in groups if g[1]]


def dialogue_turns(transcript: Transcript) -> list[tuple[str, str]]:
    """(speaker, text) per dialogue turn, as AutoQA scores them (see `turn_groups`)."""
    return [(speaker, text) for speaker, text, _ in turn_groups(transcript.segments)]


# --- Learning from reviewers ------------------------------------------------------------------


def min_labels() -> int:
    """Reviewer labels a head needs before it is trained (config QA_AUTOQA_MIN_LABELS)."""
    from scoring.retrain import DEFAULT_MIN_LABELS

    return int(current_app.config.get("AUTOQA_MIN_LABELS") or DEFAULT_MIN_LABELS)


def reviewer_labels(
    *, autoqa_keys: bool = False, criterion_ids: Iterable[int] = ()
) -> dict[tuple[int, str], float]:
    """{(interaction_id, key): criterion score 0..1} from submitted reviews.

    key is the criterion's AutoQA key (with `autoqa_keys`) or `crit:<id>` for the criteria in
    `criterion_ids`. Calibration reviews never count (their status is CALIBRATION, not
    SUBMITTED) and N/A answers are skipped. When an interaction has several answers for a key
    the latest wins, where an answer changed by a dispute decision dates from the decision:
    the decision overrides the original answer and any review submitted before it.
    """
    from scoring.custom import criterion_key  # scoring loads on first use (scikit-learn)

    ids = sorted(set(criterion_ids))
    if not autoqa_keys and not ids:
        return {}
    wanted = []
    if autoqa_keys:
        wanted.append(Criterion.autoqa_key.is_not(None))
    if ids:
        wanted.append(Criterion.id.in_(ids))
    rows = db.session.execute(
        select(Review.id, Review.interaction_id, Review.submitted_at, Criterion, Answer.value)
        .join(Answer, Answer.review_id == Review.id)
        .join(Criterion, Criterion.id == Answer.criterion_id)
        .where(
            Review.status == ReviewStatus.SUBMITTED,
            Answer.na.is_(False),
            Answer.value.is_not(None),
            or_(*wanted),
        )
    ).all()
    changed_at = _dispute_decision_dates({r[0] for r in rows})
    latest: dict[tuple[int, str], tuple[datetime, int, float]] = {}
    for review_id, interaction_id, submitted_at, criterion, value in rows:
        when = max(
            submitted_at or datetime.min, changed_at.get((review_id, criterion.id), datetime.min)
        )
        label = round(criterion_score(criterion, float(value or 0)) / 100, 4)
        keys = [criterion.autoqa_key] if autoqa_keys and criterion.autoqa_key else []
        if criterion.id in ids:
            keys.append(criterion_key(criterion.id))
        for label_key in keys:
            current = latest.get((interaction_id, label_key))
            if current is None or (when, review_id) >= current[:2]:
                latest[(interaction_id, label_key)] = (when, review_id, label)
    return {k: v[2] for k, v in sorted(latest.items())}


def _dispute_decision_dates(review_ids: set[int]) -> dict[tuple[int, int], datetime]:
    """{(review id, criterion id): when a dispute decision last changed that answer}
    (resolve_dispute writes the new value into the Answer itself; only its date is needed)."""
    changed_at: dict[tuple[int, int], datetime] = {}
    if not review_ids:
        return changed_at
    for review_id, resolved_at, changes in db.session.execute(
        select(Dispute.review_id, Dispute.resolved_at, Dispute.changes).where(
            Dispute.status.in_([DisputeStatus.CHANGED, DisputeStatus.ADJUSTED]),
            Dispute.review_id.in_(sorted(review_ids)),
        )
    ):
        for cid in changes or {}:
            key = (review_id, int(cid))
            if resolved_at is not None and resolved_at > changed_at.get(key, datetime.min):
                changed_at[key] = resolved_at
    return changed_at


def labelled_conversations(labels: dict[tuple[int, str], float]) -> list[Any]:
    """The labels grouped per interaction with its dialogue turns (interactions without text
    are left out)."""
    from scoring import Turn  # scoring loads on first use (scikit-learn)
    from scoring.retrain import LabelledConversation

    by_interaction: dict[int, dict[str, float]] = {}
    for (iid, key), value in labels.items():
        by_interaction.setdefault(iid, {})[key] = value
    out = []
    for interaction in db.session.scalars(
        select(Interaction).where(Interaction.id.in_(list(by_interaction))).order_by(Interaction.id)
    ):
        if interaction.transcript is None:
            continue
        turns = dialogue_turns(interaction.transcript)
        if turns:
            out.append(
                LabelledConversation(
                    interaction.id, [Turn(s, t) for s, t in turns], by_interaction[interaction.id]
                )
            )
    return out


def retrain_from_reviews(
    registry: Any,
    active_model: Any,
    corpus: Path,
    *,
    actor: User | None,
    min_labels: int,
    holdout: float,
    seed: int,
    reviewer_weight: int,
) -> Any:
    """Retrain the AutoQA heads with reviewer labels, register the candidate with its held-out
    metrics, and activate it only when it beats the active model (scoring.retrain rule)."""
    from scoring.retrain import NotEnoughLabels
    from scoring.retrain import retrain_from_reviews as retrain
    from scoring.train import load_corpus, sha256_file

    items = labelled_conversations(reviewer_labels(autoqa_keys=True))
    try:
        result = retrain(
            active_model,
            load_corpus(corpus),
            items,
            min_labels=min_labels,
            holdout=holdout,
            seed=seed,
            reviewer_weight=reviewer_weight,
            corpus_name=corpus.name,
            corpus_sha256=sha256_file(corpus),
        )
    except NotEnoughLabels as exc:
        audit.record(actor, "autoqa.retrain_refused", None, reason=str(exc))
        raise
    version = _register(registry, result.model)
    audit.record(
        actor,
        "autoqa.trained_from_reviews",
        None,
        version=version,
        parent=active_model.version,
        labels=result.counts,
        heldout=result.metadata["heldout"],
        decision=result.metadata["decision"],
    )
    if result.activate:
        activate_version(registry, version, actor)
    return result


# --- Custom heads: one learned head per scorecard criterion -------------------------------------


def custom_root() -> Path:
    return Path(current_app.config["SCORING_MODEL_DIR"]) / "custom"


def custom_registry(criterion_id: int) -> Any:
    """The versions of one criterion's custom head: <SCORING_MODEL_DIR>/custom/crit-<id>/."""
    from scoring import Registry

    return Registry(custom_root() / f"crit-{int(criterion_id)}")


def custom_heads() -> list[dict[str, Any]]:
    """Every criterion with a custom head: its versions (newest first), active version, name."""
    root = custom_root()
    if not root.is_dir():
        return []
    out = []
    for folder in sorted(root.iterdir()):
        if not (folder.is_dir() and folder.name.startswith("crit-")):
            continue
        try:
            criterion_id = int(folder.name.removeprefix("crit-"))
        except ValueError:
            continue
        registry = custom_registry(criterion_id)
        rows = versions(registry)
        if not rows:
            continue
        criterion = db.session.get(Criterion, criterion_id)
        out.append(
            {
                "criterion_id": criterion_id,
                "key": f"crit:{criterion_id}",
                "name": criterion.name if criterion else rows[0].get("criterion_name"),
                "active": registry.active(),
                "versions": rows,
            }
        )
    return out


def train_custom(
    criterion: Criterion,
    encoder: Any,
    *,
    actor: User | None,
    min_labels: int,
    holdout: float,
    seed: int,
) -> Any:
    """Train a criterion's custom head on reviewer labels, register it, activate it when it
    beats the active head (or, with none, a constant score) on held-out labels."""
    from scoring.custom import criterion_key, train_custom_head
    from scoring.retrain import NotEnoughLabels

    key = criterion_key(criterion.id)
    items = labelled_conversations(reviewer_labels(criterion_ids=[criterion.id]))
    registry = custom_registry(criterion.id)
    active = load_custom_head(registry, registry.active()) if registry.active() else None
    try:
        result = train_custom_head(
            items,
            criterion_id=criterion.id,
            criterion_name=criterion.name,
            encoder=encoder,
            active=active,
            min_labels=min_labels,
            holdout=holdout,
            seed=seed,
            scale={"min": criterion.scale_min, "max": criterion.scale_max},
        )
    except NotEnoughLabels as exc:
        audit.record(actor, "autoqa.custom_refused", criterion, key=key, reason=str(exc))
        raise
    version = _register(registry, result.head)
    audit.record(
        actor,
        "autoqa.custom_trained",
        criterion,
        key=key,
        version=version,
        labels=result.counts,
        heldout=result.candidate,
        active_heldout=result.active,
        decision={"activate": result.activate, "reason": result.reason},
    )
    if result.activate:
        activate_custom(criterion.id, version, actor)
    return result


def activate_custom(criterion_id: int, version: str, actor: User | None) -> None:
    registry = custom_registry(criterion_id)
    previous = registry.active()
    registry.activate(version)
    audit.record(
        actor,
        "autoqa.custom_activated",
        db.session.get(Criterion, criterion_id),
        key=f"crit:{criterion_id}",
        version=version,
        previous=previous,
    )


def rollback_custom(criterion_id: int, actor: User | None) -> str | None:
    """The head's previously active version, or None: the criterion has no learned head."""
    registry = custom_registry(criterion_id)
    current = registry.active()
    version: str | None = registry.rollback()
    audit.record(
        actor,
        "autoqa.custom_rolled_back",
        db.session.get(Criterion, criterion_id),
        key=f"crit:{criterion_id}",
        version=version,
        previous=current,
    )
    return version


_heads_lock = threading.Lock()
_heads_cache: dict[tuple[str, str], Any] = {}


def load_custom_head(registry: Any, version: str) -> Any:
    """A registered custom head, loaded once per process (versions never change on disk)."""
    from scoring.custom import CustomHead

    key = (str(registry.root), version)
    with _heads_lock:
        if key not in _heads_cache:
            _heads_cache[key] = CustomHead.load(registry.path(version))
        return _heads_cache[key]


def active_custom_heads() -> list[Any]:
    """The active version of every criterion's custom head (unreadable ones are logged, skipped)."""
    from scoring import ScoringError

    heads: list[Any] = []
    root = custom_root()
    if not root.is_dir():
        return heads
    for folder in sorted(root.iterdir()):
        if not folder.name.startswith("crit-"):
            continue
        try:
            registry = custom_registry(int(folder.name.removeprefix("crit-")))
            version = registry.active()
            if version:
                heads.append(load_custom_head(registry, version))
        except (ScoringError, ValueError, OSError) as exc:
            log.error("custom head in %s not loaded: %s", folder, exc)
    return heads


def score_conversations(
    scorer: AutoQAModel, conversations: Sequence[Sequence[Turn]]
) -> tuple[list[Prediction], list[list[CustomScore]]]:
    """The built-in AutoQA predictions and the active custom heads' scores of each conversation.

    With custom heads active each conversation is encoded once and both the built-in and the
    custom heads score that encoding. A built-in failure raises (as `scorer.predict` does); a
    custom head that cannot load or score is logged and gives no custom scores, the built-in
    ones are kept.
    """
    from scoring.custom import predict_with_encodings, score_encoded_conversations

    none: list[list[CustomScore]] = [[] for _ in conversations]
    try:
        heads = active_custom_heads()
    except Exception:
        log.exception("custom AutoQA heads not loaded; built-in scores are kept")
        heads = []
    stale = [h for h in heads if not h.fits(scorer.encoder)]
    if stale:
        log.warning(
            "custom AutoQA heads %s were trained over another encoder than %s: not applied "
            "(retrain them)",
            ", ".join(h.key for h in stale),
            scorer.encoder.name,
        )
        heads = [h for h in heads if h.fits(scorer.encoder)]
    if not heads:
        return list(scorer.predict(conversations)), none
    predictions, encoded = predict_with_encodings(scorer, conversations)
    try:
        return predictions, score_encoded_conversations(heads, encoded)
    except Exception:
        log.exception("custom AutoQA heads failed; built-in scores are kept")
        return predictions, none


def criteria_for_custom_heads(criterion_ids: Sequence[int], all_criteria: bool) -> list[Criterion]:
    """The criteria named by id, or with `all_criteria` every criterion with reviewer answers
    and no AutoQA key (those are learned by the built-in heads)."""
    if all_criteria:
        ids = db.session.scalars(
            select(Answer.criterion_id)
            .join(Review, Review.id == Answer.review_id)
            .where(Review.status == ReviewStatus.SUBMITTED, Answer.na.is_(False))
            .distinct()
        ).all()
        chosen = db.session.scalars(
            select(Criterion)
            .where(Criterion.id.in_(ids), Criterion.autoqa_key.is_(None))
            .order_by(Criterion.id)
        ).all()
        return list(chosen)
    return [c for c in (db.session.get(Criterion, i) for i in criterion_ids) if c is not None]
