"""Merge labelled batches of real text into tests/fixtures/extract_real.jsonl and assign the frozen splits.

    .venv/bin/python scripts/freeze_real.py tests/fixtures/real/part_*.jsonl

Each item's split is decided by a hash of its URL and text (half "test", half "dev"), so it never depends on the order
of the batches or on what the tagger does with the item. Items already in the output keep their split: adding a batch
never moves an item between splits. One item per page (URL) and per text: the first batch given wins. Checks every line against bench/score_extract.py's vocabularies first and names
the file, line and field at fault.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import score_extract as se  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "extract_real.jsonl"
GOLD_KEYS = {"is_platform_announcement", "announcement_score", "mentions_pilot_platform", "sectors", "provinces",
             "cities", "hosts", "issuers", "targets", "dates", "money", "places_mentioned", "platforms"}
EVENTS = {"called", "shortlisted", "listed", "established", "opened", "construction", "signed", "planned", "mentioned"}


def split_of(item: dict) -> str:
    digest = hashlib.sha256(f"{item.get('url')}\n{item['text']}".encode()).digest()
    return "test" if digest[0] % 2 else "dev"


def check(item: dict, where: str) -> None:
    gold = item["gold"]
    problems = [f"unknown gold key {k!r}" for k in set(gold) - GOLD_KEYS]
    problems += [f"kind {item['kind']!r}" for _ in [0] if item["kind"] not in se.KINDS]
    problems += [f"lang {item['lang']!r}" for _ in [0] if item["lang"] not in se.LANGS]
    problems += [f"sector {s!r}" for s in gold.get("sectors", []) if s not in se.SECTOR_IDS]
    problems += [f"province {p!r}" for p in gold.get("provinces", []) if p not in se.PROVINCE_NAMES]
    for p in gold.get("platforms", []):
        problems += [f"platform sector {s!r}" for s in p.get("sectors", []) if s not in se.SECTOR_IDS]
        problems += [f"platform event {p.get('event')!r}" for _ in [0] if p.get("event") not in EVENTS]
    if not item.get("text"):
        problems.append("empty text")
    if problems:
        raise SystemExit(f"{where}: {'; '.join(problems)}")


def main(paths: list[str]) -> None:
    kept = {it["id"]: it for it in se.load_items(OUT)} if OUT.exists() else {}
    seen_text = {hashlib.sha256(it["text"].encode()).hexdigest() for it in kept.values()}
    seen_url = {it["url"] for it in kept.values()}
    added = 0
    for path in paths:
        for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            item = json.loads(line)
            check(item, f"{path}:{n} ({item.get('id')})")
            text_key = hashlib.sha256(item["text"].encode()).hexdigest()
            if item["id"] in kept or text_key in seen_text or item["url"] in seen_url:
                continue  # one item per page: the first batch's excerpt and labels stand
            item["split"] = split_of(item)
            kept[item["id"]] = item
            seen_text.add(text_key)
            seen_url.add(item["url"])
            added += 1
    OUT.write_text("".join(json.dumps(it, ensure_ascii=False) + "\n" for it in kept.values()), encoding="utf-8")
    test = sum(it["split"] == "test" for it in kept.values())
    print(f"{OUT.relative_to(ROOT)}: {len(kept)} items ({added} new), {test} test / {len(kept) - test} dev")


if __name__ == "__main__":
    main(sys.argv[1:])
