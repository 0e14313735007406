"""Search latency on a synthetic database: p50/p95 of `pilotwatch search` for 20 queries over 100,000 articles.

    .venv/bin/python bench/search.py                  # 100,000 articles (building takes a minute or two)
    .venv/bin/python bench/search.py --articles 20000 # quicker

Articles are assembled from sentence templates about biomanufacturing, energy and policy with random places,
numbers and sectors, indexed through the real schema (migrations, triggers, bigram index), then searched through
pilotwatch.research.search, the code path of the CLI command.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pilotwatch import research  # noqa: E402
from store import open_store  # noqa: E402
from store.fts import index_text  # noqa: E402

PLACES = ["山东省济南市", "湖北省武汉市", "江苏省无锡市", "天津市", "上海市", "广东省深圳市", "河南省南阳市", "云南省昆明市",
          "浙江省杭州市", "四川省成都市"]
SUBJECTS = ["生物制造中试平台", "合成生物制造业", "酶制剂生产线", "生物医药产业园", "新能源汽车", "冬季能源保供", "养老服务",
            "高端装备中试基地", "化妆品原料", "木质纤维素转化"]
TEMPLATES = [
    "{place}{subject}日前正式启用，总投资{n}亿元。",
    "国家发展改革委印发通知，支持{place}建设{subject}。",
    "到2027年，{place}将培育{subject}{k}个以上，服务企业超过{m}家。",
    "工业和信息化部组织开展{subject}遴选工作，{place}有{k}家单位入选。",
    "{place}出台措施推动{subject}高质量发展。",
]
EN = ["pilot-scale platform opened", "enzyme production", "energy supply this winter", "elderly care services",
      "biomanufacturing capability", "provincial list of platforms", "cosmetics raw materials", "lignocellulose"]
QUERIES = ["生物制造", "中试平台", "发改委", "合成生物", "酶制剂", "能源保供", "养老", "化妆品", "木质纤维素", "济南",
           "platform", "enzymes", '"energy supply"', "biomanufactur*", "cosmetics", "elderly", "生物制造 platform",
           "中试", "高端装备", "lignocellulose"]


def build(path: Path, n: int, seed: int = 7) -> float:
    rnd = random.Random(seed)
    st = open_store(path)
    st.upsert_source("ndrc", "NDRC", "https://www.ndrc.gov.cn")
    start = time.perf_counter()
    conn = st.db.conn
    conn.execute("BEGIN IMMEDIATE")
    rows, fts = [], []
    for i in range(1, n + 1):
        sentences = [rnd.choice(TEMPLATES).format(place=rnd.choice(PLACES), subject=rnd.choice(SUBJECTS),
                                                  n=rnd.randint(1, 90), k=rnd.randint(2, 30), m=rnd.randint(50, 400))
                     for _ in range(rnd.randint(4, 12))]
        title, body = sentences[0].rstrip("。"), "\n".join(sentences)
        rows.append((i, f"https://www.ndrc.gov.cn/x/{i}.html", "ndrc", "2025-01-01", "r", "3", title, body, str(i),
                     f"2025-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}", " ".join(rnd.sample(EN, 2)),
                     " ".join(rnd.sample(EN, 5))))
        fts.append((i, index_text(title), index_text(body)))
    conn.executemany("INSERT INTO articles (id, url, source, first_seen_at, raw_sha256, parser_version, title_zh, "
                     "body_zh, body_sha256, published_at, title_en, body_en) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    conn.executemany("INSERT INTO articles_fts_zh(rowid, title, body) VALUES (?, ?, ?)", fts)
    conn.execute("COMMIT")
    conn.execute("INSERT INTO articles_fts_zh(articles_fts_zh) VALUES ('optimize')")
    conn.execute("INSERT INTO articles_fts_en(articles_fts_en) VALUES ('optimize')")
    st.close()
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per query")
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, cpu_count {os.cpu_count()}, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        seconds = build(path, args.articles)
        print(f"built {args.articles:,} articles in {seconds:.1f} s ({path.stat().st_size / 1e6:.0f} MB)")
        st = open_store(path)
        timings: list[float] = []
        for q in QUERIES:
            fts = {"fts": True} if "*" in q else {}  # prefix search is FTS5 syntax: --fts
            research.search(st, q, limit=20, **fts)  # warm the page cache for this query
            runs = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                hits = research.search(st, q, limit=20, **fts)
                runs.append(time.perf_counter() - t)
            timings.extend(runs)
            print(f"  {q!r:28} {len(hits):2} hits  median {statistics.median(runs) * 1000:7.1f} ms")
        st.close()
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(0.95 * (len(timings) - 1))]
    print(f"search over {args.articles:,} articles, {len(QUERIES)} queries x {args.repeat}: "
          f"p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms")


if __name__ == "__main__":
    main()
