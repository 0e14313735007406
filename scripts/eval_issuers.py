"""Issuer finder against the real labelled set's dev split (tests/fixtures/extract_real.jsonl, gold.issuers).

    .venv/bin/python scripts/eval_issuers.py              # P/R/F1: all dev items, and those with mentions true
    .venv/bin/python scripts/eval_issuers.py --errors     # plus every item where prediction and gold differ
    .venv/bin/python scripts/eval_issuers.py --by-lang    # plus one row per language

Runs extract.issuers.find_issuers on the title (part="title") and body (part="body") of every dev item, as the tagger passes them (pinyin glosses removed, then folded), for
every item whatever its verdict (issuers are article-level facts), Chinese or English by the item's lang. Predictions
and gold are compared after bench/score_extract.issuer_key (national bodies by abbreviation, others by folded Chinese
name with 办公厅/司 folded); micro precision/recall over items. Only the dev split is read: test items are dropped
as the file is parsed, before their text is looked at, and --split test is refused.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import score_extract as se  # noqa: E402

from extract.issuers import find_issuers  # noqa: E402
from zhtext.clean import without_pinyin_glosses  # noqa: E402
from zhtext.script import fold  # noqa: E402

DATASET = ROOT / "tests" / "fixtures" / "extract_real.jsonl"


def dev_items() -> list[dict]:
    items = []
    with DATASET.open(encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            item = json.loads(line)
            if item.get("split") == "dev":
                items.append(item)
    return items


def predict(item: dict) -> set[str]:
    lang = "en" if item["lang"] == "en" else "zh"
    keys: set[str] = set()
    for part in ("title", "body"):
        # as the tagger reads it: mirror sites' pinyin glosses removed, then folded
        text = without_pinyin_glosses(item.get("title" if part == "title" else "text") or "")[0]
        if not text:
            continue
        try:
            hits = find_issuers(fold(text), part=part, lang=lang)
        except TypeError:  # the finder before it took a language: Chinese only
            hits = find_issuers(fold(text), part=part) if lang == "zh" else []
        keys |= {se.issuer_key(h.value, h.attr("abbr")) for h in hits}
    return keys


def score(rows: list[tuple[dict, set[str], set[str]]]) -> dict[str, float]:
    tp = sum(len(p & g) for _, p, g in rows)
    np_ = sum(len(p) for _, p, _ in rows)
    ng = sum(len(g) for _, _, g in rows)
    prec = tp / np_ if np_ else 1.0
    rec = tp / ng if ng else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"n": len(rows), "tp": tp, "pred": np_, "gold": ng, "P": prec, "R": rec, "F1": f1}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", default="dev", help="only dev is allowed: the test split is the frozen measure")
    ap.add_argument("--errors", action="store_true")
    ap.add_argument("--by-lang", action="store_true")
    args = ap.parse_args(argv)
    if args.split != "dev":
        ap.error("only --split dev may be evaluated here; test-split figures are reported by the lead engineer")

    rows = [(it, predict(it), {se.issuer_key(i) for i in it["gold"]["issuers"]}) for it in dev_items()]
    groups = {"dev (all)": rows, "dev (mentions true)": [r for r in rows if r[0]["gold"]["mentions_pilot_platform"]]}
    if args.by_lang:
        for lang in se.LANGS:
            groups[f"dev lang={lang}"] = [r for r in rows if r[0]["lang"] == lang]
    for name, group in groups.items():
        s = score(group)
        print(f"{name:22} items={s['n']:3}  P={s['P']:.3f} R={s['R']:.3f} F1={s['F1']:.3f}  "
              f"(tp {s['tp']}, pred {s['pred']}, gold {s['gold']})")
    if args.errors:
        for it, pred, gold in rows:
            if pred != gold:
                print(f"{it['id']} [{it['lang']}] missed={sorted(gold - pred)} extra={sorted(pred - gold)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
