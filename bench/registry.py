"""Platform registry rebuild time against the number of tagged articles (1,000 → 10,000).

    .venv/bin/python bench/registry.py                                  # N = 1,000, 2,000, 5,000, 10,000
    .venv/bin/python bench/registry.py --sizes 500,1000 --repeats 3     # quicker
    .venv/bin/python bench/registry.py --profile 10000                  # cProfile of one rebuild at that size

Articles are written like the demo's: national list notices (one row per platform: host 牵头建设的 name（place）),
provincial lists (在…领域，位于 city 的 name), openings (由 host 与 partner 共同建设的 … 正式启用), signings and passing
mentions, about a fixed population of platforms (hosts from zhtext/data/institutions.tsv and invented companies,
prefecture cities from cities.tsv, the nine sectors); 20 % are reposts (another site's copy of an earlier article:
a new article with the same records; an exact copy under another URL would be an alias, which the store
keeps out of the registry). Each distinct text is tagged once by the real tagger (extract.tag_article,
not timed) and stored through the Store API (store_article, save_tags with tag_rows, as the pipeline does). Then
pilotwatch.platforms.rebuild_registry is timed on databases holding the first N articles: CPU time
(time.process_time), median of the repeats, interleaved across the sizes; each repeat times a rebuild into an empty
registry and then a second rebuild with nothing changed.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import os
import platform
import pstats
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import extract  # noqa: E402
from extract.record import tag_rows  # noqa: E402
from pilotwatch.platforms import rebuild_registry  # noqa: E402
from store import open_store  # noqa: E402

DATA = ROOT / "zhtext" / "data"  # the shared gazetteer
# sector → (platform names, words an article uses for its field)
SECTORS = {
    "food_additives": (["食品及添加剂生物制造中试平台", "功能糖生物制造中试平台"], "食品添加剂和功能糖"),
    "biopharma": (["生物医药中试平台", "合成生物药物中试平台"], "生物医药和多肽原料药"),
    "cosmetics": (["化妆品原料生物制造中试平台", "重组胶原蛋白中试平台"], "化妆品原料"),
    "chemicals": (["化工生物制造中试平台", "生物基化工材料中试平台"], "生物基化工材料"),
    "energy": (["生物燃料中试平台", "生物质能源中试平台"], "生物燃料和生物质能源"),
    "enzymes": (["酶制剂生物制造中试平台", "工业酶中试平台"], "酶制剂"),
    "feedstock_lignocellulose": (["木质纤维素原料转化中试平台", "秸秆生物转化中试平台"], "秸秆等木质纤维素原料"),
    "feedstock_c1": (["一碳原料生物转化中试平台", "二氧化碳生物转化中试平台"], "一碳原料"),
    "plant_chassis_cells": (["植物底盘细胞中试平台", "植物细胞培养中试平台"], "植物底盘细胞"),
}
BRANDS = ["康源", "美研", "禾能", "碳元", "植研", "绿源", "华谷", "瑞丰", "金禾", "润和", "博瑞", "中研", "科润", "新澳",
          "蓝晶", "凯赛", "恒鲁", "华熙", "溢多", "安琪", "梅花", "阜丰", "东晓", "百龙", "汇成", "弘毅", "嘉和", "天博"]
COMPANY = {"food_additives": "生物科技", "biopharma": "合成生物医药", "cosmetics": "生物科技", "chemicals": "生物材料",
           "energy": "生物能源", "enzymes": "酶制剂", "feedstock_lignocellulose": "生物质科技",
           "feedstock_c1": "碳元生物科技", "plant_chassis_cells": "生物技术"}
FILLER = [
    "平台建有{n}个中试车间，配置{m}升至{k}立方米不同规格的发酵罐，并配套建设分离纯化、干燥和制剂生产线。",
    "试运行期间，平台已服务企业{n}家，完成{m}个产品的中试验证，带动新增产值约{k}亿元。",
    "中试是生物制造成果转化的关键一环，过去不少中小企业因为缺少中试条件，只能把成果“锁在抽屉里”。",
    "下一步，当地将围绕平台引进和培育一批生物制造企业，力争到2027年集聚上下游企业{n}家以上。",
    "有关负责人表示，将在技术改造、人才引进和融资服务等方面加大支持力度。",
]
SITES = [("xinhua", "新华网"), ("stdaily", "科技日报"), ("miit", "工业和信息化部"), ("ndrc", "国家发展改革委"),
         ("govcn", "中国政府网")]


def _tsv(name: str) -> list[dict[str, str]]:
    lines = [line for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line and line[0] != "#"]
    head = lines[0].split("\t")
    return [dict(zip(head, line.split("\t"), strict=False)) for line in lines[1:]]


def population(n: int, rnd: random.Random) -> list[dict[str, str]]:
    """n platforms: host (a listed institution or an invented company of the platform's city), sector, place,
    name; hosts recur (some run two platforms)."""
    provinces = {r["code"]: r["name"] for r in _tsv("provinces.tsv")}
    cities = [c for c in _tsv("cities.tsv") if c.get("kind") == "city" and c["province_code"] in provinces]
    municipal = ["110000", "120000", "310000", "500000"]  # Beijing, Tianjin, Shanghai, Chongqing: no prefecture city
    institutions = [r["name"] for r in _tsv("institutions.tsv") if r["type"] in
                    ("university", "cas_institute", "research_institute", "company")]
    out = []
    for _ in range(n):
        sector = rnd.choice(list(SECTORS))
        if rnd.random() < 0.1:
            code = rnd.choice(municipal)
            province, city, place = provinces[code], "", provinces[code]
            city_short = province.removesuffix("市")
        else:
            c = rnd.choice(cities)
            province, city = provinces[c["province_code"]], c["name"]
            place = province + city
            city_short = city.removesuffix("市")
        if rnd.random() < 0.5:
            host = rnd.choice(institutions)
        else:
            host = f"{city_short}{rnd.choice(BRANDS)}{COMPANY[sector]}有限公司"
        partner = f"{city_short}{rnd.choice(BRANDS)}{rnd.choice(['生物科技', '生物技术'])}有限公司"
        out.append({"sector": sector, "province": province, "city": city or province, "place": place, "host": host,
                    "partner": partner, "name": rnd.choice(SECTORS[sector][0]), "field": SECTORS[sector][1]})
    return out


def _filler(rnd: random.Random, k: int) -> list[str]:
    return [s.format(n=rnd.randint(3, 90), m=rnd.randint(20, 500), k=rnd.randint(5, 60))
            for s in rnd.sample(FILLER, k)]


def article(i: int, kind: str, pool: list[dict[str, str]], rnd: random.Random, day: datetime) -> dict[str, Any]:
    """One synthetic article of a kind: title, body, source, 文号."""
    md = f"{day.month}月{day.day}日"
    doc = ""
    if kind == "national_list":
        rows = rnd.sample(pool, rnd.randint(6, 12))
        batch = "一二三四五"[min(i // 3000, 4)]
        doc = f"工信部联消费〔{day.year}〕{100 + i % 800}号"
        title = f"工业和信息化部 国家发展改革委关于公布第{batch}批生物制造中试能力建设平台名单的通知"
        lines = [title.removeprefix("工业和信息化部 国家发展改革委"), doc,
                 f"经地方推荐、专家评审、现场核查和网上公示，确定{len(rows)}个平台为第{batch}批生物制造中试能力建设平台。其中包括："]
        lines += [f"{p['host']}牵头建设的{p['name']}（{p['place']}）{'；' if j < len(rows) - 1 else '。'}"
                  for j, p in enumerate(rows)]
        lines.append("各平台要坚持开放共享，优先为中小企业提供工艺放大、产品验证等中试服务。")
        source = "miit"
    elif kind == "provincial_list":
        province = rnd.choice(pool)["province"]
        rows = [p for p in pool if p["province"] == province][:6] or [rnd.choice(pool)]
        title = f"{province}工业和信息化厅公布全省第一批{len(rows)}家生物制造中试平台"
        lines = [f"{md}，记者从{province}工业和信息化厅获悉，该厅日前公布全省{len(rows)}家生物制造中试平台名单。"]
        for p in rows:
            if rnd.random() < 0.5:
                lines.append(f"在{p['field']}领域，位于{p['city']}的{p['name']}配置了发酵及分离纯化设备，"
                             "可开展工艺放大和质量研究。")
            else:
                lines.append(f"{p['host']}牵头建设的{p['name']}（{p['place']}）入选。")
        lines += _filler(rnd, 1)
        source = "stdaily"
    elif kind == "opening":
        p = rnd.choice(pool)
        title = f"{p['host']}{p['name']}在{p['city']}启用"
        lines = [f"新华社{p['city'].removesuffix('市')}{md}电 {day.day}日，由{p['host']}与{p['partner']}共同建设的"
                 f"{p['name']}在{p['place']}正式启用。该平台聚焦{p['field']}方向，是当地首个面向社会开放的生物制造中试"
                 "公共服务平台。", *_filler(rnd, 3)]
        source = "xinhua"
    elif kind == "signing":
        p = rnd.choice(pool)
        title = f"{p['city']}签约建设{p['name']}"
        lines = [f"{md}，{p['host']}与{p['city']}人民政府签约，将在{p['place']}建设{p['name']}，总投资"
                 f"{rnd.randint(2, 30)}亿元，聚焦{p['field']}。", *_filler(rnd, 2)]
        source = "stdaily"
    else:  # a passing mention in an article about something else
        p = rnd.choice(pool)
        title = f"{p['province']}推动生物制造产业高质量发展"
        lines = [f"{md}，{p['province']}召开生物制造产业推进会。", *_filler(rnd, 2),
                 f"会上介绍，{p['host']}建设的{p['name']}已为{rnd.randint(10, 80)}家企业提供中试服务。"]
        source = "govcn"
    return {"title": title, "body": "\n".join(lines), "source": source, "doc_number": doc}


KINDS = [("opening", 35), ("signing", 15), ("mention", 18), ("provincial_list", 8), ("national_list", 4)]
REPOST = 0.20


def corpus(n: int, platforms: int, seed: int = 11) -> list[dict[str, Any]]:
    """n articles, oldest first; a fifth are reposts of an earlier article (same text plus a source line)."""
    rnd = random.Random(seed)
    pool = population(platforms, rnd)
    kinds, weights = zip(*KINDS, strict=True)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    out: list[dict[str, Any]] = []
    for i in range(n):
        day = start + timedelta(hours=2 * i)  # ~2.3 years for 10,000 articles
        if out and rnd.random() < REPOST:
            orig = rnd.choice(out)
            site, label = rnd.choice(SITES)
            a = {**orig, "body": orig["body"] + f"\n（来源：{label}，稿件{i}）", "source": site, "repost_of": orig["i"]}
        else:
            a = article(i, rnd.choices(kinds, weights)[0], pool, rnd, day)
        a.update(i=i, url=f"https://example.{a['source']}.cn/{i}.html",
                 published_at=(day + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%S+08:00"),
                 first_seen_at=(day + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%S+00:00"))
        out.append(a)
    return out


def tag_all(articles: list[dict[str, Any]]) -> float:
    """Tag each original once; a repost gets its original's rows (its added source line is at the end, so the
    offsets hold). Returns CPU seconds spent tagging."""
    t0 = time.process_time()
    by_i: dict[int, Any] = {}
    for a in articles:
        if "repost_of" in a:
            a["tagging"] = by_i[a["repost_of"]]
        else:
            a["tagging"] = extract.tag_article(a["title"], a["body"], published=a["published_at"][:10])
        by_i[a["i"]] = a["tagging"]
        a["rows"] = tag_rows(a["tagging"])
    return time.process_time() - t0


def build_db(path: Path, articles: list[dict[str, Any]]) -> int:
    """A store holding the articles with their tags, written as the pipeline writes them. Returns platform rows."""
    st = open_store(path)
    for name, label in SITES:
        st.upsert_source(name, label, f"https://example.{name}.cn")
    run = st.start_run("demo")
    records = 0
    for a in articles:
        body_sha = hashlib.sha256(a["body"].encode()).hexdigest()
        fields = {"url": a["url"], "source": a["source"], "first_seen_at": a["first_seen_at"], "raw_sha256": body_sha,
                  "parser_version": "bench", "title_zh": a["title"], "body_zh": a["body"], "body_sha256": body_sha,
                  "published_at": a["published_at"], "doc_number": a["doc_number"] or None}
        article_id, outcome = st.store_article(run, fields)
        assert outcome == "new", outcome
        t = a["tagging"]
        st.save_tags(article_id, is_announcement=t.is_platform_announcement, mentions=t.mentions_pilot_platform,
                     reasons=list(t.reasons), tagger_version=extract.TAGGER_VERSION, score=t.announcement_score,
                     flags=t.flags, tags=a["rows"])
        records += sum(1 for r in a["rows"] if r["field"] == "platform")
    st.close()
    return records


def _clear(st: Any) -> None:
    with st.write() as conn:
        conn.execute("DELETE FROM platform_events")
        conn.execute("DELETE FROM programme_steps")
        conn.execute("DELETE FROM platforms")


def _timed(st: Any) -> tuple[float, dict[str, int]]:
    t0 = time.process_time()
    counts = rebuild_registry(st)
    return time.process_time() - t0, counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,2000,5000,10000")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--platforms", type=int, default=1000, help="size of the platform population the articles cite")
    ap.add_argument("--profile", type=int, default=0, metavar="N", help="profile one rebuild at N articles instead")
    args = ap.parse_args()
    sizes = [args.profile] if args.profile else [int(s) for s in args.sizes.split(",")]
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; sqlite "
          f"{__import__('sqlite3').sqlite_version}; tagger {extract.TAGGER_VERSION}")
    print("command: python bench/registry.py " + " ".join(sys.argv[1:]))
    articles = corpus(max(sizes), args.platforms)
    tagging = tag_all(articles)
    print(f"{max(sizes):,} articles ({sum('repost_of' in a for a in articles):,} reposts), "
          f"{args.platforms:,}-platform population; tagging (not timed below) {tagging:.1f} s CPU")
    with tempfile.TemporaryDirectory() as tmp:
        dbs, records = {}, {}
        for n in sizes:
            dbs[n] = Path(tmp) / f"r{n}.db"
            records[n] = build_db(dbs[n], articles[:n])
        if args.profile:
            st = open_store(dbs[sizes[0]])
            prof = cProfile.Profile()
            prof.runcall(rebuild_registry, st)
            st.close()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
            return
        first: dict[int, list[float]] = {n: [] for n in sizes}
        second: dict[int, list[float]] = {n: [] for n in sizes}
        counts: dict[int, dict[str, int]] = {}
        for _ in range(args.repeats):
            for n in sizes:  # interleaved: a slow spell of the machine spreads over all sizes
                st = open_store(dbs[n])
                _clear(st)
                t, counts[n] = _timed(st)
                first[n].append(t)
                second[n].append(_timed(st)[0])
                st.close()
    print()
    print(f"{'articles':>8} {'records':>8} {'platforms':>9} {'events':>7} {'rebuild s':>9} {'s/1k art':>8} "
          f"{'again s':>8}")
    med = {n: statistics.median(first[n]) for n in sizes}
    for n in sizes:
        print(f"{n:>8,} {records[n]:>8,} {counts[n]['platforms']:>9,} {counts[n]['events']:>7,} {med[n]:>9.3f} "
              f"{med[n] / n * 1000:>8.3f} {statistics.median(second[n]):>8.3f}")
    lo, hi = min(sizes), max(sizes)
    print(f"\ngrowth ratio (time per 1,000 articles at {hi:,} ÷ at {lo:,}): {(med[hi] / hi) / (med[lo] / lo):.2f} "
          "(1.0 = linear)")


if __name__ == "__main__":
    main()
