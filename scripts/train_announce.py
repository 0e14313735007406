"""Build extract/data/announce_model.json, the logistic-regression announcement scorer of extract/announce.py.

    .venv/bin/python scripts/train_announce.py [--out PATH] [--repeats N]

Training data: the items of tests/fixtures/extract_real.jsonl with split "dev" (test items are dropped as they are
read and never featurised), plus the self-written items of tests/fixtures/extract_dev.jsonl with split "dev" when
cross-validation says they help. Label: gold.is_platform_announcement. Text is prepared as the tagger does (pinyin
glosses removed, zhtext.script.fold; "zh" when either part has Han characters, else "en").

Model: scikit-learn LogisticRegression (L2, lbfgs), class-balanced sample weights. Hyperparameters are chosen by
repeated stratified 5-fold cross-validation scored on real dev items only (F1 at the default threshold, then average
precision): C (the inverse L2 strength), the scale of the n-gram block relative to the structural features (folded
into the stored weights, so run time sees plain weights) and the weight of the self-written items (their total per
class is that fraction of the real items' total, so they never dominate). Everything is seeded and the JSON is
written with sorted keys and rounded weights: two runs write identical bytes.

Needs the "train" extra (scikit-learn); run time does not.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import RepeatedStratifiedKFold
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extract import announce  # noqa: E402
from extract.classify import classify  # noqa: E402
from zhtext.clean import without_pinyin_glosses  # noqa: E402
from zhtext.script import fold, has_han  # noqa: E402

REAL = ROOT / "tests" / "fixtures" / "extract_real.jsonl"
SELF_WRITTEN = ROOT / "tests" / "fixtures" / "extract_dev.jsonl"
OUT = ROOT / "extract" / "data" / announce.MODEL_FILE

VERSION = "announce-1"
BUCKETS = 4096  # per part (title, lead): ~175 real items cannot use more, and the file stays small
FOLDS = 5
REPEATS = 5
SEED = 20250612
GRID_C = (0.1, 0.3, 1.0, 3.0, 10.0)
GRID_NGRAM_SCALE = (0.0, 0.5, 1.0, 2.0)
GRID_SELF_WRITTEN = (0.0, 0.25, 0.5)
DIGITS = 6  # rounding of stored weights


@dataclass(frozen=True)
class Item:
    source: str  # "real" | "self"
    id: str
    title: str
    body: str
    lang: str
    label: int


def read_items(path: Path, source: str) -> list[Item]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        raw = json.loads(line)
        if raw.get("split") != "dev":  # the test split is the frozen measure: never featurised, never looked at
            continue
        title = fold(without_pinyin_glosses(raw.get("title") or "")[0])
        body = fold(without_pinyin_glosses(raw.get("text") or "")[0])
        lang = "zh" if has_han(title) or has_han(body) else "en"
        items.append(Item(source, raw["id"], title, body, lang, int(bool(raw["gold"]["is_platform_announcement"]))))
    return items


def data_hash(items: list[Item]) -> str:
    h = hashlib.sha256()
    for it in items:
        h.update(json.dumps([it.source, it.id, it.title, it.body, it.lang, it.label], ensure_ascii=False).encode())
        h.update(b"\n")
    return h.hexdigest()


def design(items: list[Item]) -> tuple[sparse.csr_matrix, list[str], np.ndarray]:
    """The feature matrix (structural columns first, then the n-gram buckets seen, sorted), the column names and a
    mask of the n-gram columns."""
    rows = [announce.features(it.title, it.body, it.lang, buckets=BUCKETS) for it in items]
    grams = sorted({k for r in rows for k in r if k not in announce.STRUCTURAL})
    names = [*announce.STRUCTURAL, *grams]
    col = {n: j for j, n in enumerate(names)}
    data, indices, indptr = [], [], [0]
    for r in rows:
        for k in sorted(r, key=col.__getitem__):
            if r[k]:
                data.append(r[k])
                indices.append(col[k])
        indptr.append(len(data))
    x = sparse.csr_matrix((data, indices, indptr), shape=(len(rows), len(names)), dtype=np.float64)
    return x, names, np.array([n not in announce.STRUCTURAL for n in names])


def sample_weights(y: np.ndarray, self_written: np.ndarray, share: float) -> np.ndarray:
    """Balanced class weights over the real items (n / (2 n_class)); the self-written items of a class share
    ``share`` times the real items' total weight of that class (0: left out)."""
    w = np.zeros(len(y))
    real = ~self_written
    n = real.sum()
    for k in (0, 1):
        in_k = real & (y == k)
        w[in_k] = n / (2.0 * in_k.sum())
        mine = self_written & (y == k)
        if share and mine.any():
            w[mine] = share * w[in_k].sum() / mine.sum()
    return w


def fit(x, y, w, c: float) -> LogisticRegression:
    model = LogisticRegression(C=c, solver="lbfgs", max_iter=10000, tol=1e-6, random_state=SEED)
    return model.fit(x, y, sample_weight=w)


def prf(y: np.ndarray, s: np.ndarray, threshold: float) -> tuple[float, float, float]:
    pred = s >= threshold
    tp = float((pred & (y == 1)).sum())
    p = tp / pred.sum() if pred.sum() else 0.0
    r = tp / (y == 1).sum()
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def best_threshold(y: np.ndarray, s: np.ndarray) -> tuple[float, tuple[float, float, float]]:
    """The threshold (midway between two adjacent scores) with the highest F1 on these scores."""
    cands = sorted(set(np.round(s, 9)))
    mids = [(a + b) / 2 for a, b in zip(cands, cands[1:], strict=False)] or [0.5]
    return max(((t, prf(y, s, t)) for t in mids), key=lambda tr: (tr[1][2], -abs(tr[0] - 0.5)))


@dataclass(frozen=True)
class CvResult:
    c: float
    ngram_scale: float
    self_written: float
    p: float
    r: float
    f1: float
    f1_sd: float
    ap: float
    best_t: float
    best_p: float
    best_r: float
    best_f1: float

    def key(self) -> tuple[float, float, float]:
        # F1 at the default threshold to two places (finer differences are noise with ~11 positives), then AP
        return (round(self.f1, 2), round(self.ap, 4), -self.c)


def cross_validate(x, y, self_written, ngram_mask, c, scale, share, repeats) -> CvResult:
    xs = x @ sparse.diags(np.where(ngram_mask, scale, 1.0))
    real_idx = np.flatnonzero(~self_written)
    mine_idx = np.flatnonzero(self_written) if share else np.array([], dtype=int)
    y_real = y[real_idx]
    folds = RepeatedStratifiedKFold(n_splits=FOLDS, n_repeats=repeats, random_state=SEED)
    per_repeat: list[np.ndarray] = []
    oof = np.zeros(len(real_idx))
    for i, (tr, te) in enumerate(folds.split(np.zeros(len(real_idx)), y_real)):
        train = np.concatenate([real_idx[tr], mine_idx])
        w = sample_weights(y[train], self_written[train], share)
        model = fit(xs[train], y[train], w, c)
        oof[te] = model.predict_proba(xs[real_idx[te]])[:, 1]
        if (i + 1) % FOLDS == 0:
            per_repeat.append(oof.copy())
    at_half = [prf(y_real, s, 0.5) for s in per_repeat]
    best = [best_threshold(y_real, s) for s in per_repeat]
    mean = statistics.fmean
    return CvResult(
        c,
        scale,
        share,
        mean(p for p, _, _ in at_half),
        mean(r for _, r, _ in at_half),
        mean(f for _, _, f in at_half),
        statistics.pstdev([f for _, _, f in at_half]),
        mean(average_precision_score(y_real, s) for s in per_repeat),
        statistics.median(t for t, _ in best),
        mean(b[0] for _, b in best),
        mean(b[1] for _, b in best),
        mean(b[2] for _, b in best),
    )


def rule_baseline(items: list[Item]) -> tuple[float, float, float]:
    real = [it for it in items if it.source == "real"]
    y = np.array([it.label for it in real])
    s = np.array([float(classify(it.title, it.body, it.lang).is_platform_announcement) for it in real])
    return prf(y, s, 0.5)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=OUT, help="where to write the model (default: the packaged file)")
    ap.add_argument("--repeats", type=int, default=REPEATS, help="cross-validation repeats (default %(default)s)")
    args = ap.parse_args(argv)
    with threadpool_limits(1):  # small problem; leave the other cores to the other jobs on the machine
        return train(args.out, args.repeats)


def train(out: Path, repeats: int) -> int:

    items = read_items(REAL, "real") + read_items(SELF_WRITTEN, "self")
    y = np.array([it.label for it in items])
    self_written = np.array([it.source == "self" for it in items])
    n_real, n_pos = int((~self_written).sum()), int(y[~self_written].sum())
    print(f"real dev: {n_real} items, {n_pos} positive; self-written dev: {int(self_written.sum())} items")
    x, names, ngram_mask = design(items)
    print(f"features: {len(announce.STRUCTURAL)} structural + {int(ngram_mask.sum())} n-gram buckets seen")

    results = [
        cross_validate(x, y, self_written, ngram_mask, c, scale, share, repeats)
        for share in GRID_SELF_WRITTEN
        for scale in GRID_NGRAM_SCALE
        for c in GRID_C
    ]
    print(f"\n{FOLDS}-fold stratified CV x {repeats} repeats on the real dev split (self-written items only train):")
    print(
        f"{'self':>5} {'ngram':>5} {'C':>6} | {'P@.5':>5} {'R@.5':>5} {'F1@.5':>5} {'(sd)':>6} {'AP':>5} | best t  P     R     F1"
    )
    for r in results:
        print(
            f"{r.self_written:5.2f} {r.ngram_scale:5.1f} {r.c:6.2f} | {r.p:5.3f} {r.r:5.3f} {r.f1:5.3f} ({r.f1_sd:4.3f})"
            f" {r.ap:5.3f} | {r.best_t:5.3f} {r.best_p:5.3f} {r.best_r:5.3f} {r.best_f1:5.3f}"
        )
    best = max(results, key=CvResult.key)
    rp, rr, rf = rule_baseline(items)
    print(f"\nrule verdict (extract.classify) on the real dev split: P {rp:.3f} R {rr:.3f} F1 {rf:.3f}")
    print(
        f"chosen: C={best.c} ngram_scale={best.ngram_scale} self_written={best.self_written}: "
        f"P/R/F1 at 0.5 = {best.p:.3f}/{best.r:.3f}/{best.f1:.3f} (sd {best.f1_sd:.3f}), AP {best.ap:.3f}; "
        f"best threshold {best.best_t:.3f}: {best.best_p:.3f}/{best.best_r:.3f}/{best.best_f1:.3f} "
        "(threshold picked on the same out-of-fold scores: optimistic)"
    )

    use = ~self_written | (self_written & (best.self_written > 0))
    scale = np.where(ngram_mask, best.ngram_scale, 1.0)
    model = fit(
        (x @ sparse.diags(scale))[use], y[use], sample_weights(y[use], self_written[use], best.self_written), best.c
    )
    coef = model.coef_[0] * scale  # fold the n-gram scale back into the weights: run time multiplies raw features
    weights = {n: round(float(w), DIGITS) for n, w in zip(names, coef, strict=True)}
    weights = {n: w for n, w in weights.items() if w != 0.0 or n in announce.STRUCTURAL}
    doc = {
        "format": announce.MODEL_FORMAT,
        "version": VERSION,
        "buckets": BUCKETS,
        "intercept": round(float(model.intercept_[0]), DIGITS),
        "weights": weights,
        "training": {
            "data": "tests/fixtures/extract_real.jsonl split=dev; tests/fixtures/extract_dev.jsonl split=dev",
            "data_sha256": data_hash(items),
            "items": {"real_dev": n_real, "real_dev_positive": n_pos, "self_written_dev": int(self_written.sum())},
            "model": "sklearn LogisticRegression L2 lbfgs, class-balanced sample weights",
            "C": best.c,
            "ngram_scale": best.ngram_scale,
            "self_written_share": best.self_written,
            "cv": {
                "folds": FOLDS,
                "repeats": repeats,
                "seed": SEED,
                "at_0.5": {"p": round(best.p, 4), "r": round(best.r, 4), "f1": round(best.f1, 4)},
                "best_threshold": {
                    "t": round(best.best_t, 4),
                    "p": round(best.best_p, 4),
                    "r": round(best.best_r, 4),
                    "f1": round(best.best_f1, 4),
                },
                "average_precision": round(best.ap, 4),
            },
        },
    }
    text = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")

    nonzero = sum(1 for w in weights.values() if w)
    print(f"\nwrote {out} ({len(text.encode()) / 1024:.1f} KB, {len(weights)} weights, {nonzero} non-zero)")
    print(load_time(out))
    return 0


_TIMING = """
import sys, time
t0 = time.perf_counter()
from extract import announce
t1 = time.perf_counter()
model = announce.load(sys.argv[1])
t2 = time.perf_counter()
announce.score("关于公布生物制造中试平台名单的通知", "工业和信息化部公布名单。", "zh", model=model)
t3 = time.perf_counter()
print(f"fresh process: import {1000 * (t1 - t0):.0f} ms, model load {1000 * (t2 - t1):.1f} ms, "
      f"first score {1000 * (t3 - t2):.0f} ms (reads the term data and compiles the patterns)")
"""


def load_time(path: Path) -> str:
    """Load time of the model in a fresh interpreter (printed here, never asserted in a test)."""
    done = subprocess.run(
        [sys.executable, "-c", _TIMING, str(path)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


if __name__ == "__main__":
    raise SystemExit(main())
