"""Tagger speed, and its share of the work done per article, measured in one run.

    .venv/bin/python bench/tagger.py [--rounds 20]

Runs the real stages over the bundled sample-site articles (and the labelled extraction set for sentence counts):
decode + parse (crawler), tag (extract), gloss translation (translate), store (SQLite), and prints the tagger's
sentences/s and each stage's share of per-article time. No network: pages are read from the sample site on disk.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import crawler  # noqa: E402
import extract  # noqa: E402
import translate  # noqa: E402
from pilotwatch.sample_server import sample_site_root  # noqa: E402
from store import open_store  # noqa: E402


def pages() -> list[tuple[crawler.Source, str, bytes]]:
    sources = {s.host: s for s in crawler.load_sources()}
    cases = json.loads((ROOT / "tests" / "fixtures" / "sample_expected.json").read_text(encoding="utf-8"))
    return [(sources[c["host"]], sources[c["host"]].base + c["path"],
             (sample_site_root() / c["host"] / c["path"].lstrip("/")).read_bytes()) for c in cases]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=20, help="passes over the sample articles")
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, cpu_count {os.cpu_count()}, Python {platform.python_version()}")
    items = pages()
    gloss = translate.load_translator("gloss")
    t0 = time.perf_counter()
    extract.tag_article("预热", "山东省济南市生物制造中试平台。")  # load gazetteers once, outside the timings
    gloss.translate(["预热。"])
    print(f"one-time loading: {time.perf_counter() - t0:.2f} s (tagger data + jieba + CC-CEDICT)")

    totals = {"decode+parse": 0.0, "tag": 0.0, "translate (gloss)": 0.0, "store": 0.0}
    sentences = articles = 0
    with tempfile.TemporaryDirectory() as tmp:
        st = open_store(Path(tmp) / "bench.db")
        for s in {src for src, _, _ in items}:
            st.upsert_source(s.name, s.label, s.base)
        run = st.start_run("demo")
        for r in range(args.rounds):
            for source, url, raw in items:
                t = time.perf_counter()
                decoded = crawler.decode(raw, "text/html")
                parsed = crawler.parse_article(decoded.text, url, source.parse)
                t1 = time.perf_counter()
                tagging = extract.tag_article(parsed.title, parsed.body, published=(parsed.published_at or "")[:10])
                t2 = time.perf_counter()
                title_en = gloss.translate([parsed.title])[0]
                body_en = translate.translate_text(gloss, parsed.body)
                t3 = time.perf_counter()
                aid, _ = st.store_article(run, {
                    "url": f"{url}?round={r}", "source": source.name, "raw_sha256": hashlib.sha256(raw).hexdigest(),
                    "parser_version": crawler.PARSER_VERSION, "title_zh": parsed.title, "body_zh": parsed.body,
                    "body_sha256": f"{r}:{hashlib.sha256(parsed.body.encode()).hexdigest()}"})
                st.save_translation(aid, title_en=title_en, body_en=body_en, engine=gloss.engine, model=gloss.model,
                                    missing=[])
                st.save_tags(aid, is_announcement=tagging.is_platform_announcement,
                             mentions=tagging.mentions_pilot_platform, reasons=list(tagging.reasons),
                             tagger_version=extract.TAGGER_VERSION,
                             tags=[{"field": x.field, "value": x.value, "code": x.code, "evidence": x.evidence,
                                    "part": x.part, "start": x.start, "end": x.end, "attrs": x.attrs}
                                   for x in tagging.tags])
                t4 = time.perf_counter()
                totals["decode+parse"] += t1 - t
                totals["tag"] += t2 - t1
                totals["translate (gloss)"] += t3 - t2
                totals["store"] += t4 - t3
                sentences += 1 + len(translate.split_sentences(parsed.body))
                articles += 1
        st.close()
    whole = sum(totals.values())
    print(f"{articles} articles, {sentences} sentences, {whole / articles * 1000:.1f} ms per article in all")
    for stage, seconds in totals.items():
        print(f"  {stage:18} {seconds / articles * 1000:7.2f} ms/article  {seconds / whole:6.1%}")
    print(f"tagger: {sentences / totals['tag']:,.0f} sentences/s, {articles / totals['tag']:,.0f} articles/s, "
          f"{totals['tag'] / whole:.1%} of per-article processing time")


if __name__ == "__main__":
    main()
