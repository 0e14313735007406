"""The tagger and the gloss on REAL labelled text (tests/fixtures/extract_real.jsonl), optionally against another revision.

    .venv/bin/python bench/real_text.py                          # frozen test split, this tree
    .venv/bin/python bench/real_text.py --baseline b13fb56       # the same split, this tree and that revision
    .venv/bin/python bench/real_text.py --split dev --errors     # the dev split, with every FP/FN

The items are real excerpts (news, government pages, reposts; URL and date kept), labelled by ../shared/LABELS.md
before any tagger output was seen. Items carry split "dev" (free to study) or "test" (frozen: report it, never tune
on it). Scored with bench/score_extract.py (this tree's scorer for every revision, so only the code differs).

Translation has no reference English here, so the gloss is measured by what it must never do: lose a number or an
agency name (`translate.check`, the fidelity check), counted per item; and by whether two revisions gloss the same
text the same way (sentences that differ).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "fixtures" / "extract_real.jsonl"
HEADLINE = ("is_platform_announcement", "mentions_pilot_platform", "sectors", "provinces", "cities", "hosts",
            "hosts_relaxed", "issuers", "targets", "dates", "money", "places_mentioned")


def measure(code: Path, data: Path, split: str) -> dict:
    """Score the tagger and run the gloss of the checkout at `code` on the split (in this process)."""
    sys.path.insert(0, str(code))
    sys.path.insert(1, str(ROOT / "bench"))
    import score_extract  # this tree's scorer

    import translate
    from extract.record import tag_record

    items = score_extract.select(score_extract.load_items(data), split)
    result = score_extract.evaluate(items, tag_record)
    gloss = translate.load_translator("gloss")
    lines, missing, items_missing = [], 0, 0
    for it in items:
        zh = (it.get("title") or "") + "\n" + it["text"]
        en = translate.translate_document(gloss, zh)[0]
        lost = translate.check(zh, en)
        missing += len(lost)
        items_missing += bool(lost)
        lines += [hashlib.sha256(line.encode()).hexdigest()[:16] for line in en.splitlines()]
    return {"n": result["n"], "metrics": {f: result["metrics"][f] for f in HEADLINE}, "errors": result["errors"],
            "gloss_lines": lines, "fidelity_missing": missing, "items_missing": items_missing}


def run_child(code: Path, data: Path, split: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", str(code), "--data", str(data), "--split", split],
                          capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    if done.returncode != 0:
        raise RuntimeError(f"measuring {code} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(results: dict[str, dict]) -> list[str]:
    names = list(results)
    lines = ["field".ljust(26) + "".join(f"{n[:14]:>16}" for n in names) + "   (F1; P/R)"]
    for f in HEADLINE:
        row = f.ljust(26)
        for n in names:
            m = results[n]["metrics"][f]
            row += f"{m['f1']:>8.3f} {m['p']:.2f}/{m['r']:.2f}"[-16:].rjust(16)
        lines.append(row + f"   gold {results[names[0]]['metrics'][f]['gold']}")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=str(DATA))
    ap.add_argument("--split", choices=("dev", "test", "all"), default="test")
    ap.add_argument("--baseline", metavar="REV", help="also measure this git revision on the same items")
    ap.add_argument("--errors", action="store_true", help="list this tree's FP/FN per field")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    data = Path(args.data)
    if args.child:
        print(json.dumps(measure(Path(args.child), data, args.split)))
        return
    results = {"this tree": run_child(ROOT, data, args.split)}
    with tempfile.TemporaryDirectory(prefix="pw-real-") as tmp:
        if args.baseline:
            tree = Path(tmp) / "baseline"
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(tree), args.baseline],
                           check=True)
            try:
                results[args.baseline] = run_child(tree, data, args.split)
            finally:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)
    first = results["this tree"]
    print(f"real labelled text, split {args.split}: {first['n']} items ({data.name})")
    print("\n".join(table(results)))
    for name, r in results.items():
        print(f"gloss, {name}: {r['fidelity_missing']} numbers/agency names lost in {r['items_missing']} of {r['n']} "
              f"items (fidelity check), {len(r['gloss_lines'])} lines")
    if args.baseline:
        a, b = first["gloss_lines"], results[args.baseline]["gloss_lines"]
        same = sum(x == y for x, y in zip(a, b, strict=False))
        print(f"gloss lines identical to {args.baseline}: {same} of {max(len(a), len(b))}")
    if args.errors:
        for e in sorted(first["errors"], key=lambda e: (e["field"], e["id"])):
            print(f"  {e['field']:<24} {e['type']} {e['id']:<6} {e['value']}")


if __name__ == "__main__":
    main()
