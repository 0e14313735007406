"""Host extraction (extract/hosts.py) against the real labelled set's gold hosts — dev split only.

    .venv/bin/python scripts/eval_hosts.py --split dev                    # this tree
    .venv/bin/python scripts/eval_hosts.py --split dev --baseline HEAD    # this tree and that revision
    .venv/bin/python scripts/eval_hosts.py --split dev --errors           # every miss and every extra, per item

Items: those of the split whose gold says ``mentions_pilot_platform``. Each item's title and body go through what the
tagger does before hosts (pinyin glosses removed, zhtext fold, orgs.find_orgs) and then ``find_hosts``; the item's
prediction is the set of hit values of both parts. The "test" split is the frozen measure: it is refused here.

Three matchings, each micro P/R/F1 over items (per item a one-to-one matching, summed):
    exact    the folded gold name equals the folded predicted value
    alias    the same after mapping both sides through this tree's alias table (青岛能源所 and
             中国科学院青岛生物能源与过程研究所 are one institution)
    relaxed  one folded name contains the other, the shorter having at least 3 characters (as bench/score_extract.py)
Chinese items (zh, zh-Hant) and all items are reported apart: find_hosts reads Chinese only, so English gold hosts
are misses by construction.

--baseline REV runs REV's extract/ and zhtext/ (taken with ``git archive``, no checkout) in a child process on the
same items, and scores both with this script.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable, Iterable
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "fixtures" / "extract_real.jsonl"
FROZEN = "test"


def load_items(path: Path, split: str) -> list[dict]:
    if split == FROZEN:
        raise SystemExit("eval_hosts: the test split is the frozen measure; use --split dev")
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [it for it in items if it.get("split") == split and it["gold"].get("mentions_pilot_platform")]


def predict(items: list[dict]) -> dict[str, list[str]]:
    """Each item's host values (title then body, first mention of each value), with the extract package on sys.path."""
    from extract.hosts import find_hosts
    from extract.orgs import find_orgs
    from zhtext.clean import without_pinyin_glosses
    from zhtext.script import fold

    out: dict[str, list[str]] = {}
    for it in items:
        values: list[str] = []
        for part in (it.get("title") or "", it.get("text") or ""):
            text = fold(without_pinyin_glosses(part)[0])
            for hit in find_hosts(text, find_orgs(text, "zh")):
                if hit.value not in values:
                    values.append(hit.value)
        out[it["id"]] = values
    return out


def _fold() -> Callable[[str], str]:
    """A name as compared: pinyin glosses removed (some gold names keep a mirror site's 發(fā)), folded, lower case."""
    from zhtext.clean import without_pinyin_glosses
    from zhtext.script import fold

    return lambda s: fold(without_pinyin_glosses(s)[0]).strip(" ,.;:，。；：、").lower()


def _canonical() -> Callable[[str], str]:
    """Name → the canonical name of this tree's alias table (or the name itself)."""
    from extract.hosts import institutions

    fold, table = _fold(), institutions()

    def canon(name: str) -> str:
        inst = table.get(fold(name))
        return inst.name if inst is not None else fold(name)

    return canon


def _contains(a: str, b: str) -> bool:
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 3 and short in long_


def match(gold: Iterable[str], pred: Iterable[str],
          same: Callable[[str, str], bool]) -> tuple[int, list[str], list[str]]:
    """Maximum one-to-one matching under ``same`` → (number of pairs, unmatched gold, unmatched predictions)."""
    golds, preds = list(gold), list(pred)
    edges = [[j for j, p in enumerate(preds) if same(g, p)] for g in golds]
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j not in seen:
                seen.add(j)
                if j not in owner or augment(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    for i in range(len(golds)):
        augment(i, set())
    matched = set(owner.values())
    return (len(owner), [g for i, g in enumerate(golds) if i not in matched],
            [p for j, p in enumerate(preds) if j not in owner])


def score(items: list[dict], preds: dict[str, list[str]], errors: bool = False) -> dict[str, dict[str, float]]:
    fold, canon = _fold(), _canonical()
    rules: dict[str, Callable[[str, str], bool]] = {
        "exact": lambda g, p: fold(g) == fold(p),
        "alias": lambda g, p: canon(g) == canon(p),
        "relaxed": lambda g, p: _contains(fold(g), fold(p)) or canon(g) == canon(p),
    }
    out: dict[str, dict[str, float]] = {}
    for scope in ("zh", "all"):
        chosen = [it for it in items if scope == "all" or it["lang"] != "en"]
        for name, same in rules.items():
            tp = n_gold = n_pred = 0
            for it in chosen:
                gold, pred = it["gold"].get("hosts") or [], preds.get(it["id"], [])
                k, fn, fp = match(gold, pred, same)
                tp, n_gold, n_pred = tp + k, n_gold + len(gold), n_pred + len(pred)
                if errors and scope == "zh" and name == "alias" and (fn or fp):
                    print(f"  {it['id']}: missed {fn}  extra {fp}")
            p = tp / n_pred if n_pred else 0.0
            r = tp / n_gold if n_gold else 0.0
            f = 2 * p * r / (p + r) if p + r else 0.0
            out[f"{scope}/{name}"] = {"tp": tp, "gold": n_gold, "pred": n_pred, "p": p, "r": r, "f1": f}
    return out


def run_revision(rev: str, split: str, data: Path) -> dict[str, list[str]]:
    """Predictions of revision ``rev`` (its extract/ and zhtext/ unpacked from git archive) in a child process."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev, "extract", "zhtext"],
                             capture_output=True, check=True).stdout
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        done = subprocess.run([sys.executable, __file__, "--split", split, "--data", str(data), "--child", tmp],
                              capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    if done.returncode != 0:
        raise SystemExit(f"eval_hosts: revision {rev} failed:\n{done.stderr}")
    return json.loads(done.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", required=True, help='"dev" (the test split is refused)')
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--baseline", metavar="REV", help="also measure this git revision's extract/ on the same items")
    ap.add_argument("--errors", action="store_true", help="list misses and extras per item (alias matching)")
    ap.add_argument("--child", metavar="DIR", help=argparse.SUPPRESS)
    args = ap.parse_args()
    items = load_items(args.data, args.split)
    if args.child:
        sys.path.insert(0, args.child)
        print(json.dumps(predict(items), ensure_ascii=False))
        return
    sys.path.insert(0, str(ROOT))
    runs = {"this tree": predict(items)}
    if args.baseline:
        runs[args.baseline] = run_revision(args.baseline, args.split, args.data)
    n_zh = sum(it["lang"] != "en" for it in items)
    print(f"{len(items)} {args.split} items with a platform mention ({n_zh} Chinese), "
          f"{sum(len(it['gold'].get('hosts') or []) for it in items)} gold hosts")
    for label, preds in runs.items():
        print(f"\n== {label}")
        result = score(items, preds, errors=args.errors)
        for key, m in result.items():
            print(f"  {key:<12} P {m['p']:.3f}  R {m['r']:.3f}  F1 {m['f1']:.3f}   "
                  f"(tp {m['tp']}, gold {m['gold']}, predicted {m['pred']})")


if __name__ == "__main__":
    main()
