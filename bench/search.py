"""Search latency at scale: p50/p95 of `pilotwatch search` per query class over 100,000 articles with realistic
bodies, before and after the issue 20 changes, measured in one run.

    .venv/bin/python bench/search.py                    # 100,000 articles (generated once into the cache dir)
    .venv/bin/python bench/search.py --articles 10000   # quicker
    .venv/bin/python bench/search.py --cache /tmp/x     # where the generated databases live (reused when present)

The corpus is recombined from real and realistic text read in place: the sample site's pages, the labelled
excerpts in tests/fixtures (Chinese, Traditional Chinese and English) and ../shared/fixtures-real when present.
Their texts follow one another into bodies of 500–20,000 Chinese characters (log-normal, median 2,500), with an
English body about twice as long; one sentence in six is swapped for a random one and every article gets its own
numbers, firm, person, province, date and source, so no two documents are alike and the index sees a growing
vocabulary. Sectors and provinces are tagged for the filters.

Two databases are kept in the cache: `base-…-<n>.db`, written as the pipeline wrote its databases before this
change (the schema before m012, one transaction per 500 articles, never optimised; its generation time is kept
beside it), and `after-…-<n>.db`, a copy of it opened by the current code (which applies m012 in place; its time is
printed). "before" runs the old query (`old_search`, kept below) on the base database, "after" runs
pilotwatch.research.search on the migrated one: each query once untimed, then `--repeat` times, before and after
interleaved; p50/p95 per query class and their ratios. Before's queries are stopped after `--before-timeout`
seconds (its tag filters took minutes).
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import math
import multiprocessing
import os
import platform
import random
import re
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pilotwatch import research  # noqa: E402
from store.fts import index_text  # noqa: E402

GENERATOR = "1"  # part of the cache file names: bump when the generated corpus changes
SOURCES = [("ndrc", "https://www.ndrc.gov.cn"), ("miit", "https://www.miit.gov.cn"), ("govcn", "https://www.gov.cn"),
           ("xinhua", "https://www.news.cn"), ("stdaily", "https://www.stdaily.com")]
SECTORS = ["food_additives", "biopharma", "cosmetics", "chemicals", "energy", "enzymes", "feedstock_lignocellulose",
           "feedstock_c1", "plant_chassis_cells"]
PROVINCES = [("Beijing", "北京市"), ("Tianjin", "天津市"), ("Hebei", "河北省"), ("Shanxi", "山西省"),
             ("Inner Mongolia", "内蒙古自治区"), ("Liaoning", "辽宁省"), ("Jilin", "吉林省"), ("Heilongjiang", "黑龙江省"),
             ("Shanghai", "上海市"), ("Jiangsu", "江苏省"), ("Zhejiang", "浙江省"), ("Anhui", "安徽省"), ("Fujian", "福建省"),
             ("Jiangxi", "江西省"), ("Shandong", "山东省"), ("Henan", "河南省"), ("Hubei", "湖北省"), ("Hunan", "湖南省"),
             ("Guangdong", "广东省"), ("Guangxi", "广西壮族自治区"), ("Hainan", "海南省"), ("Chongqing", "重庆市"),
             ("Sichuan", "四川省"), ("Guizhou", "贵州省"), ("Yunnan", "云南省"), ("Shaanxi", "陕西省"), ("Gansu", "甘肃省"),
             ("Qinghai", "青海省"), ("Ningxia", "宁夏回族自治区"), ("Xinjiang", "新疆维吾尔自治区")]
# given-name and firm-name characters: unique names make new bigrams, as real names do
NAME_CHARS = ("华康泰恒瑞博科源盛达明志新安宏远晨光德润鑫海峰嘉禾信诚天宇金鼎中和立凯正元同创启航联众汇智佳怡"
              "云涛建国秀英伟强丽娟敏静磊洋勇艳杰涛超明刚平辉鹏飞玲桂芳")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
FIRM_KINDS = ["生物科技有限公司", "生物工程股份有限公司", "研究院", "产业园", "大学", "实验室", "中试基地", "药业集团"]
PINYIN = ["hua", "kang", "tai", "heng", "rui", "bo", "ke", "yuan", "sheng", "da", "ming", "zhi", "xin", "an", "hong",
          "chen", "guang", "de", "run", "hai", "feng", "jia", "he", "tian", "yu", "jin", "ding", "zhong", "li", "kai"]
EN_KINDS = ["Biotech Co., Ltd.", "Bioengineering Co.", "Research Institute", "Industrial Park", "University",
            "Laboratory", "Pilot Base", "Pharmaceutical Group"]

ZH_SENTENCE = re.compile(r"[^。！？；\n]+[。！？；]?")
EN_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)")
DIGITS = re.compile(r"\d+")
HAN_CHAR = re.compile(r"[\u4e00-\u9fff]")


# --- the corpus ---

def _html_text(path: str) -> str:
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("gb18030", "replace")
    text = re.sub(r"(?is)<(script|style)[^>]*>.*?</\1>", "", text)
    return re.sub(r"&[a-z]+;|&#\d+;", " ", re.sub(r"<[^>]+>", "\n", text))


def pools() -> dict[str, list]:
    """Texts (as lists of sentences) and titles in both languages, from the files named in the module docstring
    (read in place)."""
    zh_texts, en_texts, zh_titles, en_titles = [], [], [], []
    for name in ("extract_real.jsonl", "extract_dev.jsonl"):
        for line in (ROOT / "tests" / "fixtures" / name).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            (en_texts if row["lang"] == "en" else zh_texts).append(row["text"])
            if row.get("title"):
                (en_titles if row["lang"] == "en" else zh_titles).append(row["title"])
    for line in (ROOT / "tests" / "fixtures" / "translate_refs.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        zh_texts.append(row["zh"])
        en_texts.append(row["en"])
    html = sorted(glob.glob(str(ROOT / "pilotwatch" / "sample_site" / "**" / "*.htm*"), recursive=True))
    html += sorted(glob.glob(str(ROOT.parent / "shared" / "fixtures-real" / "**" / "*.htm*"), recursive=True))
    zh_texts += [_html_text(p) for p in html]
    zh_docs = [[s for s in (x.strip() for x in ZH_SENTENCE.findall(t))
                if 8 <= len(s) <= 400 and len(HAN_CHAR.findall(s)) >= 0.6 * len(s)] for t in zh_texts]
    en_docs = [[s for s in (x.strip() for x in EN_SENTENCE.findall(t)) if 30 <= len(s) <= 600 and s[0].isalpha()]
               for t in en_texts]
    zh_docs, en_docs = [d for d in zh_docs if d], [d for d in en_docs if d]
    zh_titles += [s.rstrip("。；") for d in zh_docs for s in d if 12 <= len(s) <= 40]
    en_titles += [s.rstrip(".") for d in en_docs for s in d if len(s) <= 110]
    return {"zh": zh_docs, "en": en_docs, "zh_sentences": [s for d in zh_docs for s in d],
            "en_sentences": [s for d in en_docs for s in d], "zh_titles": zh_titles, "en_titles": en_titles}


def _numbers(text: str, rnd: random.Random) -> str:
    def one(m: re.Match) -> str:
        d = m.group()
        if len(d) == 4 and d[:2] in ("19", "20"):
            return str(rnd.randint(2015, 2030))  # a year stays a year
        return str(rnd.randrange(10 ** (len(d) - 1) if len(d) > 1 else 0, 10 ** len(d)))
    return DIGITS.sub(one, text)


def _body(rnd: random.Random, docs: list[list[str]], sentences: list[str], target: int, names: tuple[str, ...],
          said: str, sep: str) -> str:
    """Whole source texts one after another (a paragraph each) until `target` characters, one sentence in six
    replaced by a random one, one in seven attributed to this article's own people and firms; numbers renewed."""
    paragraphs, size = [], 0
    while size < target:
        out = []
        for s in rnd.choice(docs):
            if rnd.random() < 1 / 6:
                s = rnd.choice(sentences)
            s = _numbers(s, rnd)
            if rnd.random() < 1 / 7:
                s = said.format(name=rnd.choice(names), s=s[0].lower() + s[1:] if sep == " " else s)
            out.append(s)
        paragraphs.append(sep.join(out))
        size += len(paragraphs[-1]) + 1
    return "\n".join(paragraphs)


def _names(rnd: random.Random) -> tuple[str, str, str, str, str, str]:
    """An article's province and its own firm and person, in both languages."""
    province_en, province_zh = rnd.choice(PROVINCES)
    firm = province_zh[:2] + "".join(rnd.choices(NAME_CHARS, k=2)) + rnd.choice(FIRM_KINDS)
    person = rnd.choice(SURNAMES) + "".join(rnd.choices(NAME_CHARS, k=rnd.randint(1, 2)))
    firm_en = f"{province_en} {''.join(rnd.choices(PINYIN, k=2)).title()} {rnd.choice(EN_KINDS)}"
    person_en = f"{rnd.choice(PINYIN).title()} {''.join(rnd.choices(PINYIN, k=2)).title()}"
    return province_en, province_zh, firm, person, firm_en, person_en


def names_of(i: int, seed: int) -> tuple[str, str, str, str, str, str]:
    return _names(random.Random(seed * 1_000_003 + i))


def article(i: int, seed: int, p: dict[str, list[str]]) -> tuple[tuple[Any, ...], tuple[int, str, str], list]:
    """Article i: its articles row, its Chinese index row and its tags (the same for the same i and seed)."""
    rnd = random.Random(seed * 1_000_003 + i)
    province_en, province_zh, firm, person, firm_en, person_en = _names(rnd)
    target = min(20_000, max(500, int(math.exp(rnd.gauss(math.log(2500), 0.8)))))
    body_zh = _body(rnd, p["zh"], p["zh_sentences"], target, (firm, person, province_zh + firm), "{name}表示，{s}", "")
    body_zh = body_zh[:target].rstrip() if len(body_zh) > target + 200 else body_zh
    title_zh = _numbers(rnd.choice(p["zh_titles"]), rnd)
    if rnd.random() < 0.3:
        title_zh = f"{province_zh}{title_zh}"
    body_en = _body(rnd, p["en"], p["en_sentences"], 2 * target, (firm_en, person_en), "{name} said that {s}", " ")
    title_en = _numbers(rnd.choice(p["en_titles"]), rnd)
    source, base = SOURCES[i % len(SOURCES)]
    day = f"20{rnd.randint(18, 26)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
    announcement = int(rnd.random() < 0.05)
    row = (i, f"{base}/art/{day[:4]}/{i}.html", source, base.split("//")[1], day, f"r{i}", "3", title_zh,
           body_zh, f"b{i}", day, title_en, body_en, "gloss", announcement, announcement)
    tags = [(i, "sector", s) for s in rnd.sample(SECTORS, rnd.choice((0, 1, 1, 2)))]
    if rnd.random() < 0.8:
        tags.append((i, "province", province_en))
    return row, (i, index_text(title_zh), index_text(body_zh)), tags


_POOLS: dict[str, list[str]] = {}


def _chunk(args: tuple[int, int, int]) -> list:
    start, stop, seed = args
    if not _POOLS:
        _POOLS.update(pools())
    return [article(i, seed, _POOLS) for i in range(start, stop)]


def build_base(path: Path, n: int, seed: int) -> float:
    """The database as the pipeline wrote it before issue 20: the schema before m012, written in batches."""
    from sqlite_utils import Database

    from store import migrations

    start = time.perf_counter()
    tmp = path.with_suffix(".part")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    db = Database(conn)
    migrations.apply(db, stop_before="m012_search_index")
    conn.executemany("INSERT INTO sources (name, label, base_url) VALUES (?, ?, ?)",
                     [(s, s.upper(), b) for s, b in SOURCES])
    batch = 500
    with multiprocessing.Pool(max(1, (os.cpu_count() or 2))) as pool:
        for done, chunk in enumerate(pool.imap(_chunk, [(a, min(a + batch, n + 1), seed)
                                                         for a in range(1, n + 1, batch)]), 1):
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                "INSERT INTO articles (id, url, source, site, first_seen_at, raw_sha256, parser_version, title_zh, "
                "body_zh, body_sha256, published_at, title_en, body_en, translation_engine, "
                "is_platform_announcement, mentions_pilot_platform) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [a[0] for a in chunk])
            conn.executemany("INSERT INTO articles_fts_zh(rowid, title, body) VALUES (?, ?, ?)", [a[1] for a in chunk])
            conn.executemany("INSERT INTO tags (article_id, field, value, evidence, part, start, \"end\") "
                             "VALUES (?, ?, ?, '', 'body', 0, 1)", [t for a in chunk for t in a[2]])
            conn.execute("COMMIT")
            if done % 20 == 0:
                print(f"  generated {min(done * batch, n):,} articles, {time.perf_counter() - start:.0f} s",
                      flush=True)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    tmp.rename(path)
    return time.perf_counter() - start


# --- the queries ---

def classes(seed: int) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """The queries by class. Every word of the first eight classes is in 6 % to 95 % of the articles (the corpus is
    about biomanufacturing); "rare" holds names that only a few articles have, which bm25 ranks."""
    _, _, firm, person, _, person_en = names_of(4242, seed)
    _, _, _, person2, firm2_en, _ = names_of(777, seed)
    _, _, _, _, _, person3_en = names_of(31337, seed)
    return {
        "zh 1 word": [(q, {}) for q in ("生物制造", "中试", "发改委", "酶制剂", "木质纤维素", "中试平台", "养老")],
        "zh 2 words": [(q, {}) for q in ("生物制造 中试平台", "合成生物 产业园", "发改委 通知", "酶制剂 化妆品")],
        "zh 3 words": [(q, {}) for q in ("生物制造 中试 平台", "发改委 工业和信息化部 通知", "合成生物 酶制剂 江南大学")],
        "en 1 word": [(q, {}) for q in ("platform", "biomanufacturing", "enzymes", "cosmetics", "lignocellulose")],
        "en 2 words": [(q, {}) for q in ("pilot platform", "energy supply", "synthetic biology",
                                         "enzyme fermentation")],
        "en 3 words": [(q, {}) for q in ("pilot scale platform", "synthetic biology research",
                                         "national development reform")],
        "filters": [("生物制造", {"sector": "enzymes"}), ("中试", {"province": "Shandong"}),
                    ("酶制剂", {"since": "2025-01-01"}), ("木质纤维素", {"source": "ndrc"}),
                    ("platform", {"sector": "enzymes"}), ("biomanufacturing", {"province": "Yunnan"}),
                    ("enzymes", {"since": "2025-01-01", "until": "2025-06-30"}),
                    ("生物制造 中试平台", {"sector": "biopharma", "since": "2024-01-01"})],
        "order date": [(q, {"order": "date"}) for q in ("生物制造", "中试", "酶制剂", "木质纤维素", "养老",
                                                        "生物制造 中试平台", "platform", "lignocellulose",
                                                        "energy supply")]
                      + [("中试", {"order": "date", "sector": "enzymes"})],
        "rare (bm25)": [(firm, {}), (person, {}), ("诺贝尔", {}), ("甘油", {}), (f"{person2} 生物制造", {}),
                        (person_en, {}), (firm2_en, {}), (f"{person3_en} platform", {}),
                        ("诺贝尔", {"order": "date"}), ("甘油", {"sector": "enzymes"})],
        "mixed, --fts": [("生物制造 platform", {}), ("biomanufactur*", {"fts": True}),
                         ("enzym* OR fermentation", {"fts": True})],
    }


# --- before: the search as it was (one SQL statement: bm25 and, in English, snippet() for every match) ---

def old_search(conn: sqlite3.Connection, query: str, *, fts: bool = False, limit: int = 20, order: str = "relevance",
               **filters: Any) -> list[dict[str, Any]]:
    from store.db import Store, _zh_expression

    zh_terms, en_query = research.parse_query(query, fts=fts)
    params: dict[str, Any] = {}
    zh_sql = ("SELECT rowid AS id, bm25(articles_fts_zh, 5.0, 1.0) AS score FROM articles_fts_zh "
              "WHERE articles_fts_zh MATCH :zh")
    if zh_terms:
        params["zh"] = " AND ".join("(" + " OR ".join(e for t in alts if (e := _zh_expression(t))) + ")"
                                    for alts in zh_terms if any(_zh_expression(t) for t in alts))
    if en_query:
        params["en"] = en_query
    if zh_terms and en_query:
        matches = (f"WITH zh AS MATERIALIZED ({zh_sql}), en AS MATERIALIZED (SELECT rowid AS id, "
                   "bm25(articles_fts_en, 5.0, 1.0) AS score FROM articles_fts_en WHERE articles_fts_en MATCH :en) "
                   "SELECT zh.id, zh.score + en.score AS score, NULL AS en_snippet FROM zh JOIN en ON en.id = zh.id")
    elif zh_terms:
        matches = f"SELECT id, score, NULL AS en_snippet FROM ({zh_sql})"
    else:
        matches = ("SELECT rowid AS id, bm25(articles_fts_en, 5.0, 1.0) AS score, "
                   "snippet(articles_fts_en, -1, '[', ']', '…', 12) AS en_snippet FROM articles_fts_en "
                   "WHERE articles_fts_en MATCH :en")
    where, fparams = Store._filters(filters.get("source"), filters.get("since"), filters.get("until"),
                                    filters.get("sector"), filters.get("province"))
    params.update(fparams, limit=limit)
    sql = (f"SELECT a.id, a.url, a.source, a.published_at, a.title_zh, a.title_en, a.body_zh, "
           f"a.is_platform_announcement, a.translation_engine, m.score, m.en_snippet "
           f"FROM ({matches}) m JOIN articles a ON a.id = m.id {where} "
           f"ORDER BY {'m.score, a.published_at DESC' if order == 'relevance' else 'a.published_at DESC, m.score'}"
           " LIMIT :limit")
    cur = conn.execute(sql, params)
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    for row in rows:
        row["snippet"] = row.pop("en_snippet") or research._zh_snippet(row.pop("body_zh") or "", zh_terms)
        row.pop("body_zh", None)
    return rows


# --- running ---

def prepare(cache: Path, n: int, seed: int) -> tuple[Path, Path]:
    cache.mkdir(parents=True, exist_ok=True)
    base = cache / f"base-g{GENERATOR}-s{seed}-{n}.db"
    meta = base.with_suffix(".json")
    if base.exists() and meta.exists():
        info = json.loads(meta.read_text())
        print(f"base database: {base} (reused; generated in {info['seconds']:.0f} s)")
    else:
        print(f"generating {n:,} articles into {base} …", flush=True)
        seconds = build_base(base, n, seed)
        meta.write_text(json.dumps({"seconds": seconds, "articles": n}))
        print(f"generated in {seconds:.0f} s")
    from store import open_store
    from store.db import known_migrations

    after = cache / f"after-g{GENERATOR}-s{seed}-{n}.db"
    after_meta = after.with_suffix(".json")
    schema = hashlib.sha256((ROOT / "store" / "schema.py").read_bytes()).hexdigest()[:12]
    if not (after.exists() and after_meta.exists() and json.loads(after_meta.read_text()).get("schema") == schema):
        tmp = after.with_suffix(".part")
        shutil.copyfile(base, tmp)
        start = time.perf_counter()
        open_store(tmp).close()  # applies the migrations this code has and the base has not (m012: the indexes)
        seconds = time.perf_counter() - start
        tmp.rename(after)
        after_meta.write_text(json.dumps({"migrate_seconds": seconds, "migrations": known_migrations(),
                                          "schema": schema}))
    print(f"after database: {after} (migrated in place in "
          f"{json.loads(after_meta.read_text())['migrate_seconds']:.1f} s)")
    return base, after


def sizes(path: Path) -> str:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        parts = dict(conn.execute("SELECT CASE WHEN name LIKE 'articles_fts_zh%' THEN 'zh index' "
                                  "WHEN name LIKE 'articles_fts_en%' THEN 'en index' "
                                  "WHEN name IN ('articles_published', 'articles_search') THEN 'm012 indexes' "
                                  "WHEN name = 'articles' THEN 'articles' ELSE 'other' END AS part, sum(pgsize) "
                                  "FROM dbstat GROUP BY part").fetchall())
    except sqlite3.OperationalError:  # no dbstat in this SQLite
        parts = {}
    conn.close()
    detail = ", ".join(f"{k} {v / 1e6:,.0f}" for k, v in sorted(parts.items(), key=lambda kv: -kv[1]))
    return f"{path.stat().st_size / 1e6:,.0f} MB ({detail})"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5, help="timed runs of each query, before and after interleaved")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/pilotwatch-search-bench"))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--before-timeout", type=float, default=20.0, help="seconds after which an old query is stopped")
    ap.add_argument("--no-before", action="store_true", help="time only the new code")
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}, load average {os.getloadavg()[0]:.1f}")
    base, after = prepare(args.cache, args.articles, args.seed)
    print(f"size before: {sizes(base)}\nsize after:  {sizes(after)}")

    from store import open_store

    old = sqlite3.connect(f"file:{base}?mode=ro", uri=True, isolation_level=None)
    deadline = [0.0]
    old.set_progress_handler(lambda: int(time.perf_counter() > deadline[0]), 10_000)
    new = open_store(after, readonly=True)
    stats = new.db.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    print(f"{stats:,} articles; limit 20 per query; {args.repeat} timed runs per query and path after one warm-up")

    def run_old(q: str, kw: dict[str, Any]) -> tuple[float, list[int] | None]:
        deadline[0] = time.perf_counter() + args.before_timeout
        t = time.perf_counter()
        try:
            ids = [r["id"] for r in old_search(old, q, **kw)]
        except sqlite3.OperationalError as exc:
            if "interrupted" not in str(exc):
                raise
            return args.before_timeout, None
        return time.perf_counter() - t, ids

    ranked_by: dict[tuple[str, str], str] = {}

    def run_new(q: str, kw: dict[str, Any]) -> tuple[float, list[int]]:
        t = time.perf_counter()
        rows = research.search(new, q, **kw)
        seconds = time.perf_counter() - t
        ranked_by[(q, repr(kw))] = ("no match" if not rows else "date" if kw.get("order") == "date" else
                                    "bm25" if rows[0]["score"] is not None else "title, newest")
        return seconds, [r["id"] for r in rows]

    summary = []
    for name, queries in classes(args.seed).items():
        before: list[float] = []
        after_t: list[float] = []
        print(f"\n{name}")
        for q, kw in queries:
            kw_new = dict(kw)
            if not args.no_before:
                run_old(q, kw)
            run_new(q, kw_new)
            b_runs, a_runs, timed_out, same = [], [], False, None
            for i in range(args.repeat):
                order = (0, 1) if i % 2 == 0 else (1, 0)
                for which in order:
                    if which == 0 and not args.no_before and not timed_out:
                        seconds, ids_old = run_old(q, kw)
                        b_runs.append(seconds)
                        timed_out = ids_old is None
                    elif which == 1:
                        seconds, ids_new = run_new(q, kw_new)
                        a_runs.append(seconds)
            if b_runs and not timed_out:
                same = len(set(ids_old) & set(ids_new))  # type: ignore[arg-type]
            before += b_runs * (args.repeat // len(b_runs)) if b_runs else []
            after_t += a_runs
            label = " ".join([repr(q)] + [f"{k}={v}" for k, v in kw.items()])
            old_txt = (f">{args.before_timeout:.0f} s (stopped)" if timed_out else
                       f"{statistics.median(b_runs) * 1000:8.1f} ms") if b_runs else "       –"
            print(f"  {label:44} before {old_txt:>18}  after {statistics.median(a_runs) * 1000:6.1f} ms  "
                  f"{len(ids_new):2} hits ({ranked_by[(q, repr(kw))]})"
                  + (f", {same} in the old top {len(ids_old)}" if same is not None else ""))  # type: ignore[arg-type]
        summary.append((name, len(after_t), before, after_t))
    new.close()
    old.close()
    print(f"\n{'class':14} {'runs':>4}  {'before p50':>10} {'p95':>8}  {'after p50':>9} {'p95':>7}  "
          f"{'p50 ×':>6} {'p95 ×':>6}")
    everything_after: list[float] = []
    for name, runs, b, a in summary:
        everything_after += a
        bp50, bp95 = (statistics.median(b) * 1000, percentile(b, 0.95) * 1000) if b else (math.nan, math.nan)
        ap50, ap95 = statistics.median(a) * 1000, percentile(a, 0.95) * 1000
        print(f"{name:14} {runs:4}  {bp50:8.1f}ms {bp95:6.0f}ms  {ap50:7.1f}ms {ap95:5.1f}ms  "
              f"{bp50 / ap50:6.1f} {bp95 / ap95:6.1f}")
    print(f"all queries after: p50 {statistics.median(everything_after) * 1000:.1f} ms, "
          f"p95 {percentile(everything_after, 0.95) * 1000:.1f} ms ({len(everything_after)} runs)")


if __name__ == "__main__":
    main()
