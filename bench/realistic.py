"""A realistic day (issue 20): realistic pages on top of 30 days of history, against trafilatura, per-process peak
memory, a re-run with nothing new as history grows, and the hosts' politeness delays side by side — in one run.

    .venv/bin/python bench/realistic.py --quick     # history 30 x 10, days of 50 and 800, 2k vs 32k; ~7 minutes
    .venv/bin/python bench/realistic.py             # history 30 x 50, days of 50 and 8,000, 2k vs 32k; ~22 minutes
    .venv/bin/python bench/realistic.py --sections 2,5 --keep /tmp/pw-real   # some sections; keep the files

The corpus (bench/realistic_corpus.py) is built in a temporary folder: the sample site's five templates padded to
30–100 KB with boilerplate cut from the real pages of ../shared/fixtures-real (synthetic blocks without it), unique
composed text (bodies up to 20,000 characters), 15 % of pages with PDF/XLSX attachments served by the site, 30 days of
history and one "today" of --big-day new articles whose first ones form the smaller days. Every measurement runs in a
fresh child process of this script (python bench/realistic.py --child …), over an httpx.MockTransport that reads the
files (sections 2 and 4) or over localhost HTTP (sample_server: sections 3 and 5). Sections:

0. history: the pipeline run day by day over the 30 previous days (each run with the store's clock set to that day,
   `now` and `today` passed to run_pipeline), on a fresh database: tags, registry, translation memory, digests, runs
   and fetches as 30 real days leave them. The translation memory's hit rate on the fresh database is day 1's.
1. the corpus: page sizes, body lengths, attachments.
2. cost per article against trafilatura.extract (default and fast=True) on the same page bytes: a day of
   --cost-articles new articles on a copy of the history database, in process over a MockTransport (no network wait),
   --rounds rounds in fresh processes; in each, trafilatura passes before and after the pipeline run (interleaved).
   CPU time is counted in the pipeline's process and in its parsing worker (crawler.Sandbox, read from /proc and from
   RUSAGE_CHILDREN once it is reaped); the worker's start (interpreter and parsers) is measured apart and reported as
   a cost per run, as are the registry, the digest and the alerts.
3. peak memory of a day of 50 and of --big-day new articles, each on a copy of the history database over localhost
   HTTP: each process's own peak (VmHWM from /proc/<pid>/status: the pipeline process reads its own at the end, the
   parent polls it and the parsing worker every 50 ms). ru_maxrss is not used: it survives fork and exec, so a child
   of a big parent reports the parent's peak.
4. a re-run with nothing new at --rerun-sizes stored articles: the history database grown to each size by cloning its
   articles in SQL (tags, Chinese index, attachments, provenance and fetch rows; distinct URLs of each site's shape;
   first seen at 50 a day before the history window), one settling run, then --rounds re-runs per size, alternately,
   each in a fresh process, over a MockTransport serving the unchanged lists (and pages for re-checks).
5. hosts side by side: a day of 50 new articles, 10 per host, on a copy of the history database over localhost HTTP
   with the configured politeness delays (delay 5 s, MIIT 8 s, jitter 0.3) scaled by --delay-scale; requests counted
   per host at the server; the crawl's wall time against the slowest host's own delay-bound time (its requests x its
   delay).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import logging
import os
import platform
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # before bench/ (the script's folder): bench/registry.py is not the registry package

import realistic_corpus as rc  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
HOSTS = ("www.news.cn", "www.stdaily.com", "www.miit.gov.cn", "www.ndrc.gov.cn", "www.gov.cn")
RECENT = 20  # history items each list still shows (known URLs: read, not fetched)
CLK = os.sysconf("SC_CLK_TCK")
MEMORY_STEPS = ("start", "lists", "articles", "attachments", "recheck", "tag", "translate", "registry", "digest",
                "alerts")


def _bench_pipeline():
    """bench/pipeline.py as a module (warm_up, content types, versions)."""
    spec = importlib.util.spec_from_file_location("bench_pipeline", HERE / "pipeline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


# --- measuring --------------------------------------------------------------------------------------------------

def children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def proc_cpu(pid: int | None) -> float:
    """CPU seconds (user + system) of a live process, from /proc/<pid>/stat; 0 when gone."""
    if not pid:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK
    except (OSError, IndexError, ValueError):
        return 0.0


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (kB) of a process; {} when it is gone."""
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return {}
    return out


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                kids = (task / "children").read_text().split()
                found += map(int, kids)
                todo += map(int, kids)
        except OSError:
            continue
    return found


class MemoryPoll:
    """Polls a child process and its descendants every 50 ms: each process's own peak (VmHWM, kept per process
    name) and the peak of their summed RSS."""

    def __init__(self, pid: int):
        self.pid, self.stop = pid, threading.Event()
        self.peaks: dict[str, int] = {}  # "pipeline" / "worker" / "other" -> max VmHWM kB
        self.sum_peak = 0
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stop.is_set():
            total = 0
            for pid in [self.pid, *descendants(self.pid)]:
                st = proc_status(pid)
                if not st:
                    continue
                total += st.get("VmRSS", 0)
                name = "pipeline" if pid == self.pid else "worker"
                self.peaks[name] = max(self.peaks.get(name, 0), st.get("VmHWM", 0))
            self.sum_peak = max(self.sum_peak, total)
            self.stop.wait(0.05)

    def __enter__(self) -> MemoryPoll:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


def run_child(mode: str, spec: dict, tmp: Path, poll: bool = False) -> dict:
    """One child process (this script, --child mode, the spec as a JSON file): its JSON answer, plus the CPU the
    parent saw it and its descendants use (RUSAGE_CHILDREN) and, with poll, the memory peaks polled from /proc."""
    spec_file = tmp / f"spec-{mode}-{time.monotonic_ns()}.json"
    spec_file.write_text(json.dumps(spec), encoding="utf-8")
    before, start = children_cpu(), time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--child", mode, "--spec", str(spec_file)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with MemoryPoll(proc.pid) if poll else contextlib.nullcontext() as mem:
        out, err = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"child {mode} failed ({proc.returncode}):\n{err[-4000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    result["process_wall"] = time.perf_counter() - start
    result["process_cpu"] = children_cpu() - before
    if mem is not None:
        result["poll"] = {"peaks_kb": mem.peaks, "sum_peak_kb": mem.sum_peak}
    return result


# --- serving the corpus -------------------------------------------------------------------------------------------

def disk_client(root: Path, config, clones: dict[str, str] | None = None):
    """The pipeline's client settings over a MockTransport that reads the corpus files on each request (as the
    sample server does, without sockets); `clones` maps a cloned article's host+path to the page it copies."""
    import httpx

    from pilotwatch import pipeline

    bp = _bench_pipeline()
    clones = clones or {}

    def handler(request: httpx.Request) -> httpx.Response:
        host, path = request.url.host, unquote(request.url.path)
        target = root / host / path.lstrip("/")
        if target.is_dir():
            target = next((target / n for n in ("index.html", "index.htm") if (target / n).is_file()), target)
        if not target.is_file() and host + path in clones:
            target = root / clones[host + path]
        if not target.is_file():
            return httpx.Response(404, text="not found")
        return httpx.Response(200, headers={"Content-Type": bp._content_type(target.name)}, content=target.read_bytes())

    with pipeline.build_client(config) as real:
        return httpx.Client(transport=httpx.MockTransport(handler), headers=real.headers, timeout=real.timeout,
                            follow_redirects=real.follow_redirects)


def host_counter():
    """Requests per host folder at the sample server: bench/pipeline.py's counter, keyed by the host alone."""

    class HostCounter(_bench_pipeline().RequestCounter):
        def kind(self, host: str, path: str) -> str:
            return host

    return HostCounter()


# --- the child: one pipeline run, measured --------------------------------------------------------------------------

class Stages:
    """Where a run's time goes, by wrapping what run_pipeline calls. Safe when sources are crawled side by side in
    threads: each row sums wall time and the calling thread's own CPU (time.thread_time) over its calls; the parsing
    worker's CPU is counted per job (Sandbox.parse_article / extract_text: the crawl hands it one job at a time, so
    the worker's CPU from /proc before and after a job is that job's); the crawl as a whole is the interval from the
    run's start to tagging's start (process CPU of every thread, plus the worker's jobs)."""

    STEPS = ("lists", "articles", "attachments", "recheck")

    def __init__(self) -> None:
        self.rows: dict[str, list[float]] = {}  # name -> [wall, thread cpu, worker cpu, calls]
        # name -> (perf_counter, process_time, children CPU) at its first call
        self.first: dict[str, tuple[float, float, float]] = {}
        self.patches: list[tuple[object, str, object]] = []
        self.worker_start_wall = 0.0
        self.lock = threading.Lock()
        self.memory: dict[str, list[float]] = {"start": self._memory()}

    @staticmethod
    def _memory() -> list[float]:
        st = proc_status(os.getpid())
        return [st.get("VmRSS", 0) / 1024, st.get("VmHWM", 0) / 1024]

    @staticmethod
    def now() -> tuple[float, float, float]:
        return time.perf_counter(), time.process_time(), children_cpu()

    def add(self, name: str, wall: float, cpu: float, worker: float = 0.0) -> None:
        with self.lock:
            row = self.rows.setdefault(name, [0.0, 0.0, 0.0, 0])
            row[0] += wall
            row[1] += cpu
            row[2] += worker
            row[3] += 1
            self.memory[name] = self._memory()  # MB after the stage (its last call)

    def wrap(self, owner: object, attr: str, name: str, worker_job: bool = False) -> None:
        fn = getattr(owner, attr)
        stages = self

        def timed(*args, **kwargs):
            if name not in stages.first:
                stages.first[name] = stages.now()
            t0, c0 = time.perf_counter(), time.thread_time()
            w0 = proc_cpu(args[0].pid) if worker_job else 0.0
            try:
                return fn(*args, **kwargs)
            finally:
                worker = max(proc_cpu(args[0].pid) - w0, 0.0) if worker_job else 0.0
                stages.add(name, time.perf_counter() - t0, time.thread_time() - c0, worker)

        self.patches.append((owner, attr, fn))
        setattr(owner, attr, timed)

    @contextlib.contextmanager
    def installed(self):
        import crawler
        from pilotwatch import alerts, crawl, pipeline, platforms

        for owner, attr, name in ((pipeline, "tag_pending", "tag"), (pipeline, "translate_pending", "translate"),
                                  (platforms, "update", "registry"), (pipeline, "write_digest", "digest"),
                                  (alerts, "deliver", "alerts")):
            self.wrap(owner, attr, name)
        for attr, name in (("read_lists", "lists"), ("fetch_articles", "articles"),
                           ("fetch_attachments", "attachments"), ("recheck", "recheck")):
            self.wrap(crawl.Crawl, attr, name)
        self.wrap(crawler.Sandbox, "parse_article", "worker: pages", worker_job=True)
        self.wrap(crawler.Sandbox, "extract_text", "worker: attachments", worker_job=True)
        start = crawler.Sandbox.start

        def timed_start(self_, *, wait: bool = False):
            t = time.perf_counter()
            try:
                return start(self_, wait=wait)
            finally:
                if wait:
                    self.worker_start_wall += time.perf_counter() - t

        self.patches.append((crawler.Sandbox, "start", start))
        crawler.Sandbox.start = timed_start
        try:
            yield self
        finally:
            for owner, attr, fn in reversed(self.patches):
                setattr(owner, attr, fn)
            self.patches.clear()

    def crawl(self, t0: tuple[float, float, float]) -> dict[str, float]:
        """The crawl as an interval: wall and CPU (every thread of this process + the worker's jobs) from the run's
        start to tagging's start, the worker's start (wall) excluded from the wall."""
        t1 = self.first.get("tag") or self.now()
        jobs = sum(self.rows.get(k, [0, 0, 0, 0])[2] for k in ("worker: pages", "worker: attachments"))
        return {"wall": t1[0] - t0[0] - self.worker_start_wall, "cpu": t1[1] - t0[1] + jobs,
                "worker_jobs_cpu": jobs, "children_cpu": t1[2] - t0[2]}


def idle_worker_cpu() -> tuple[float, float]:
    """(wall, CPU) of starting the parsing worker and closing it with no job: the per-run cost of the sandbox."""
    import crawler

    t0, c0 = time.perf_counter(), children_cpu()
    with crawler.Sandbox(timeout=60) as box:
        box.start(wait=True)
    return time.perf_counter() - t0, children_cpu() - c0


def child_config(work: Path, delay: float = 0.0, jitter: float = 0.0):
    from pilotwatch.config import load_config

    work.mkdir(parents=True, exist_ok=True)
    return load_config(env={}, overrides={"db": str(work / "pilotwatch.db"), "digest_dir": str(work / "digests"),
                                          "feed_dir": str(work / "feeds"), "delay": delay, "jitter": jitter,
                                          "obey_robots": True})


def run_measured(config, sources, client, *, now: datetime | None = None, today: date | None = None) -> dict:
    """One run_pipeline with its stages measured; the run report's counts."""
    from pilotwatch import pipeline
    from store import open_store

    bp = _bench_pipeline()
    stages = Stages()
    store = open_store(config.db)
    try:
        with stages.installed():
            t0 = Stages.now()
            report = pipeline.run_pipeline(config, sources=sources, client=client, store=store, mode="bench",
                                           now=now, today=today)
            t1 = Stages.now()
        counts = store.query("SELECT (SELECT count(*) FROM articles) AS articles, (SELECT count(*) FROM tags) AS tags, "
                             "(SELECT count(*) FROM platforms) AS platforms, "
                             "(SELECT count(*) FROM platform_events) AS events, "
                             "(SELECT count(*) FROM translation_memory) AS memory, "
                             "(SELECT count(*) FROM attachments) AS attachments, "
                             "(SELECT count(*) FROM fetches WHERE run_id = ?) AS fetches", [report.run_id])[0]
    finally:
        store.close()
    return {"wall": t1[0] - t0[0], "cpu": t1[1] - t0[1], "children_cpu": t1[2] - t0[2], "crawl": stages.crawl(t0),
            "stages": stages.rows, "worker_start_wall": stages.worker_start_wall, "memory": stages.memory,
            "new": report.articles_new, "failed": report.articles_failed, "attachments_read": report.attachments,
            "translated": report.translated, "tagged": report.tagged, "announcements": report.announcements,
            **bp.memory_counts(report), "platforms_report": report.platforms, "exit_code": report.exit_code,
            "summary": report.summary(), "store": dict(counts)}


def sources_for(hosts: dict[str, str] | None, scale: float | None):
    """The registry's sources, moved to localhost (hosts) and with delays scaled (None: no delay at all)."""
    import crawler

    out = []
    for s in crawler.load_sources():
        s = s.rebased(hosts) if hosts else s
        out.append(replace(s, delay=0.0 if scale is None else s.delay * scale))
    return out


def vmhwm_self() -> float:
    return proc_status(os.getpid()).get("VmHWM", 0) / 1024


@contextlib.contextmanager
def clock_at(start: datetime):
    """The store's clock (store.db.utcnow, which every table's timestamps come from) set to `start`, advancing with
    real time: a run of an earlier day leaves the rows that day's run would have left."""
    import store.db as db

    original, t0 = db.utcnow, time.monotonic()
    db.utcnow = lambda: (start + timedelta(seconds=time.monotonic() - t0)).astimezone(UTC).isoformat(timespec="seconds")
    try:
        yield
    finally:
        db.utcnow = original


def child_history(spec: dict) -> dict:
    """Section 0: the pipeline over the history days, one run per day, each at 09:00 Beijing time of its day."""
    root, work = Path(spec["site"]), Path(spec["work"])
    config = child_config(work)
    sources = sources_for(None, None)
    manifest = load_items(Path(spec["manifest"]))
    days = []
    with disk_client(root, config) as client:
        for index, day in enumerate(spec["days"]):
            the_day = date.fromisoformat(day)
            listed = lists_for(manifest, lambda it, i=index: it.day == i, recent_before=index)
            rc.write_lists(root, listed)
            at = datetime(the_day.year, the_day.month, the_day.day, 9, 0, tzinfo=TZ)
            with clock_at(at):
                r = run_measured(config, sources, client, now=at.astimezone(UTC), today=the_day)
            days.append({k: r[k] for k in ("wall", "new", "memory_hits", "memory_misses", "attachments_read",
                                            "announcements", "exit_code")} | {"stages": r["stages"]})
    return {"days": days, "store": r["store"], "db_bytes": Path(config.db).stat().st_size}


def child_cost(spec: dict) -> dict:
    """Section 2: trafilatura (default, fast) on the day's page bytes, the pipeline over them, trafilatura again."""
    import trafilatura

    root, work = Path(spec["site"]), Path(spec["work"])
    work.mkdir(parents=True, exist_ok=True)
    shutil.copy(spec["history_db"], work / "pilotwatch.db")
    pages = [(root / it["host"] / it["path"].lstrip("/")).read_bytes() for it in spec["pages"]]
    bp = _bench_pipeline()
    warm = bp.warm_up([("", pages[0])])
    trafilatura.extract(pages[0], fast=True)
    idle = idle_worker_cpu()

    def traf(fast: bool) -> dict:
        t0, c0 = time.perf_counter(), time.process_time()
        chars = sum(len(trafilatura.extract(raw, fast=fast) or "") for raw in pages)
        return {"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0, "chars": chars}

    before = {"default": traf(False), "fast": traf(True)}
    config = child_config(work)
    with disk_client(root, config) as client:
        run = run_measured(config, sources_for(None, None), client)
    after = {"fast": traf(True), "default": traf(False)}
    return {"warm": warm, "idle_worker": idle, "traf_before": before, "traf_after": after, "run": run,
            "pages": len(pages)}


def child_day(spec: dict) -> dict:
    """Sections 3 and 5: one run over localhost HTTP (the parent serves the site), on a copy of the history db."""
    work = Path(spec["work"])
    work.mkdir(parents=True, exist_ok=True)
    shutil.copy(spec["history_db"], work / "pilotwatch.db")
    logging.getLogger("pilotwatch").setLevel(logging.ERROR)
    scale = spec.get("delay_scale")
    config = child_config(work, delay=5.0 * scale if scale else 0.0, jitter=0.3 if scale else 0.0)
    import crawler
    from pilotwatch import crawl, pipeline

    per_source: dict[str, list[float]] = {}
    original = crawl.Crawl.source

    def timed_source(self_, source):
        t = time.perf_counter()
        try:
            return original(self_, source)
        finally:
            per_source[source.name] = [time.perf_counter() - t]

    crawl.Crawl.source = timed_source
    sources = sources_for(spec["hosts"], scale)
    with pipeline.build_client(config) as client:
        run = run_measured(config, sources, client)
    run["per_source_wall"] = per_source
    run["host_delays"] = {h: d for h, d in crawler.host_delays(sources, config.delay).items()}
    run["vmhwm_mb"] = vmhwm_self()
    return run


def child_rerun(spec: dict) -> dict:
    """Section 4: one run over a MockTransport serving the unchanged lists (and re-checked pages)."""
    root, work = Path(spec["site"]), Path(spec["work"])
    config = child_config(work)
    clones = json.loads(Path(spec["clones"]).read_text(encoding="utf-8")) if spec.get("clones") else {}
    with disk_client(root, config, clones) as client:
        run = run_measured(config, sources_for(None, None), client)
    run["vmhwm_mb"] = vmhwm_self()
    if spec.get("queries"):
        run["queries"] = history_queries(config.db)
    return run


def history_queries(db: str) -> dict[str, float]:
    """Milliseconds (best of 3) of the store reads a run with nothing new makes whatever the history's size."""
    import extract
    import registry
    from store import open_store

    st = open_store(db)
    cutoff = (datetime.now(UTC) - timedelta(days=7)).isoformat(timespec="seconds")
    calls = {
        "pending_tagging": lambda: st.pending_tagging(extract.TAGGER_VERSION),
        "pending_translation": lambda: st.pending_translation(),
        "due_for_recheck x3": lambda: [st.due_for_recheck(s, cutoff, 5) for s in ("miit", "ndrc", "govcn")],
        "registry_inputs": lambda: st.registry_inputs(registry.RULES_VERSION),
        "pending_evidence_translation": lambda: st.pending_evidence_translation(),
        "source_health": lambda: st.source_health(),
        "platform_rows": lambda: st.platform_rows(),
    }
    out = {}
    try:
        for name, call in calls.items():
            best = float("inf")
            for _ in range(3):
                t = time.perf_counter()
                try:
                    call()
                except Exception:  # noqa: BLE001 - a store without this read (another revision): not timed
                    best = float("nan")
                    break
                best = min(best, time.perf_counter() - t)
            out[name] = best * 1000
    finally:
        st.close()
    return out


def child(mode: str, spec_file: str) -> None:
    logging.basicConfig(level=logging.ERROR)
    spec = json.loads(Path(spec_file).read_text(encoding="utf-8"))
    result = {"history": child_history, "cost": child_cost, "day": child_day, "rerun": child_rerun}[mode](spec)
    print(json.dumps(result))


# --- the corpus and its days -----------------------------------------------------------------------------------------

def save_items(items: list[rc.Item], path: Path) -> None:
    path.write_text(json.dumps([asdict(it) for it in items], ensure_ascii=False), encoding="utf-8")


def load_items(path: Path) -> list[rc.Item]:
    return [rc.Item(**row) for row in json.loads(path.read_text(encoding="utf-8"))]


def lists_for(items: list[rc.Item], today, recent_before: int | None = None) -> dict[str, list[rc.Item]]:
    """Each host's list: the items chosen by `today`, then the RECENT newest items of earlier days (already stored,
    as a real list still shows them)."""
    out: dict[str, list[rc.Item]] = {h: [] for h in HOSTS}
    for it in items:
        if today(it):
            out[it.host].append(it)
    if recent_before is not None:
        for host in HOSTS:
            older = [it for it in items if it.host == host and 0 <= it.day < recent_before]
            out[host] += sorted(older, key=lambda it: it.date, reverse=True)[:RECENT]
    return out


def first_per_host(items: list[rc.Item], n: int) -> set[str]:
    """Paths of the first n items of each host (today's smaller days are the start of the big day)."""
    chosen: dict[str, list[str]] = {h: [] for h in HOSTS}
    for it in items:
        if len(chosen[it.host]) < n:
            chosen[it.host].append(it.path)
    return {p for v in chosen.values() for p in v}


def quantiles(values: list[float]) -> str:
    v = sorted(values)
    q = lambda f: v[min(len(v) - 1, int(f * len(v)))]  # noqa: E731
    return (f"min {v[0]:,.0f} · p10 {q(0.1):,.0f} · median {statistics.median(v):,.0f} · p90 {q(0.9):,.0f} · "
            f"max {v[-1]:,.0f}")


# --- section 4: growing the history by cloning ------------------------------------------------------------------

def clone_history(db_path: Path, target: int, first_day: date, rnd: random.Random, clones_file: Path) -> dict:
    """Grow the database to `target` articles by copying its articles (tags, Chinese index rows, attachments, page
    provenance, one article fetch each) under new URLs of each site's shape, first seen at 50 a day on the days
    before `first_day`. The pages behind the new URLs are the originals' (clones_file maps them, for re-checks)."""
    con = sqlite3.connect(db_path)
    con.row_factory = sqlite3.Row
    originals = [dict(r) for r in con.execute("SELECT id, url FROM articles ORDER BY id")]
    have = len(originals)
    if target <= have:
        return {"cloned": 0}
    cols = [r["name"] for r in con.execute("PRAGMA table_info(articles)") if r["name"] != "id"]
    tag_cols = [r["name"] for r in con.execute("PRAGMA table_info(tags)") if r["name"] not in ("id", "article_id")]
    att_cols = [r["name"] for r in con.execute("PRAGMA table_info(attachments)")
                if r["name"] not in ("id", "article_id")]
    con.execute("CREATE TEMP TABLE cm (src_id INTEGER, url TEXT, ts TEXT)")
    clones: dict[str, str] = {}
    rows = []
    for k in range(target - have):
        src = originals[k % have]
        parts = urlsplit(src["url"])
        host = parts.netloc
        day = first_day - timedelta(days=1 + k // 50)
        template = parts.path if host != "www.gov.cn" else "/zhengce/" + parts.path.split("/")[2] + "/"
        path = rc.new_path(host, template, 5_000_000 + k, day, rnd)
        url = f"{parts.scheme}://{host}{path}"
        ts = datetime(day.year, day.month, day.day, 1, rnd.randint(0, 59), tzinfo=UTC).isoformat(timespec="seconds")
        rows.append((src["id"], url, ts))
        clones[host + path] = host + parts.path
    con.executemany("INSERT INTO cm VALUES (?, ?, ?)", rows)
    override = {"url": "cm.url", "canonical_url": "cm.url", "first_seen_at": "cm.ts", "last_checked_at": "cm.ts",
                "translated_at": "cm.ts", "tagged_at": "cm.ts"}
    select = ", ".join(override.get(c, f"a.{c}") for c in cols)
    t = time.perf_counter()
    with con:
        con.execute(f"INSERT INTO articles ({', '.join(cols)}) SELECT {select} FROM cm "
                    "JOIN articles a ON a.id = cm.src_id ORDER BY cm.rowid")
        con.execute("CREATE TEMP TABLE idmap AS SELECT a.id AS new_id, cm.src_id AS src_id FROM cm JOIN articles a "
                    "ON a.url = cm.url")
        con.execute("INSERT INTO articles_fts_zh (rowid, title, body) SELECT idmap.new_id, f.title, f.body FROM idmap "
                    "JOIN articles_fts_zh f ON f.rowid = idmap.src_id")
        tc = ", ".join(f'"{c}"' for c in tag_cols)
        con.execute(f"INSERT INTO tags (article_id, {tc}) SELECT idmap.new_id, "
                    f"{', '.join(f't.{q}' for q in tc.split(', '))} "
                    "FROM idmap JOIN tags t ON t.article_id = idmap.src_id")
        ac = ", ".join(f'"{c}"' for c in att_cols)
        con.execute(f"INSERT INTO attachments (article_id, {ac}) SELECT idmap.new_id, "
                    f"{', '.join(f't.{q}' for q in ac.split(', '))} "
                    "FROM idmap JOIN attachments t ON t.article_id = idmap.src_id")
        con.execute("INSERT OR IGNORE INTO documents (url, kind, article_id, sha256, bytes, content_type, "
                    "parser_version, fetched_at) SELECT a.url, 'page', a.id, a.raw_sha256, 60000, 'text/html', "
                    "a.parser_version, a.first_seen_at FROM idmap JOIN articles a ON a.id = idmap.new_id")
        con.execute("INSERT INTO fetches (run_id, source, url, purpose, status, bytes, elapsed_ms, fetched_at) "
                    "SELECT NULL, a.source, a.url, 'article', 200, 60000, 40, a.first_seen_at FROM idmap "
                    "JOIN articles a ON a.id = idmap.new_id")
    elapsed = time.perf_counter() - t
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    old = json.loads(clones_file.read_text(encoding="utf-8")) if clones_file.is_file() else {}
    clones_file.write_text(json.dumps({**old, **clones}), encoding="utf-8")
    return {"cloned": target - have, "seconds": elapsed}


# --- the parent -----------------------------------------------------------------------------------------------------

def machine_line() -> str:
    bp = _bench_pipeline()
    return (f"machine: {platform.machine()}, cpu_count {os.cpu_count()}, Python {platform.python_version()} "
            f"({platform.platform()})\nversions: {bp.versions()}")


def stage(run: dict, name: str) -> list[float]:
    """[wall s, thread CPU s, worker CPU s, calls] of a stage (zeros when it did not run)."""
    return run["stages"].get(name, [0.0, 0.0, 0.0, 0])


def section_cost(args, tmp: Path, site: Path, today_items: list[rc.Item], history_db: Path) -> None:
    per_host = max(1, args.cost_articles // len(HOSTS))
    chosen = first_per_host(today_items, per_host)
    day = [it for it in today_items if it.path in chosen]
    rc.write_lists(site, lists_for(load_items(tmp / "manifest.json"), lambda it: it.path in chosen,
                                   recent_before=args.history_days))
    results = []
    for r in range(args.rounds):
        results.append(run_child("cost", {"site": str(site), "work": str(tmp / f"cost-{r}"),
                                          "history_db": str(history_db),
                                          "pages": [{"host": it.host, "path": it.path} for it in day]}, tmp))
        shutil.rmtree(tmp / f"cost-{r}", ignore_errors=True)
    n = len(day)
    med = lambda xs: statistics.median(xs)  # noqa: E731
    rows = []
    for res in results:
        run, new = res["run"], res["run"]["new"] or 1
        traf = {k: (res["traf_before"][k]["cpu"] + res["traf_after"][k]["cpu"]) / 2 / res["pages"] * 1000
                for k in ("default", "fast")}
        traf_wall = {k: (res["traf_before"][k]["wall"] + res["traf_after"][k]["wall"]) / 2 / res["pages"] * 1000
                     for k in ("default", "fast")}
        att, att_jobs = stage(run, "attachments"), stage(run, "worker: attachments")
        pages_jobs = stage(run, "worker: pages")
        tag, tr = stage(run, "tag"), stage(run, "translate")
        rows.append({
            "traf_default": traf["default"], "traf_fast": traf["fast"],
            "traf_default_wall": traf_wall["default"], "traf_fast_wall": traf_wall["fast"],
            "crawl_cpu": run["crawl"]["cpu"] * 1000 / new, "crawl_wall": run["crawl"]["wall"] * 1000 / new,
            "parse_cpu": pages_jobs[2] * 1000 / new,
            "att_cpu": (att[1] + att_jobs[2]) * 1000 / new,
            "tag_wall": tag[0] * 1000 / new, "tag_cpu": tag[1] * 1000 / new,
            "tr_wall": tr[0] * 1000 / new, "tr_cpu": tr[1] * 1000 / new,
            "worker_start_wall": run["worker_start_wall"], "worker_idle_cpu": res["idle_worker"][1],
            "registry": stage(run, "registry")[0], "digest": stage(run, "digest")[0], "alerts": stage(run, "alerts")[0],
            "run_wall": run["wall"], "hits": run["memory_hits"], "misses": run["memory_misses"], "new": run["new"],
            "attachments": run["attachments_read"], "failed": run["failed"], "warm": res["warm"],
            "traf_chars": res["traf_before"]["default"]["chars"],
            "traf_fast_chars": res["traf_before"]["fast"]["chars"],
        })
    m = {k: med([r[k] for r in rows]) for k in rows[0] if isinstance(rows[0][k], (int, float))}
    without_cpu, without_wall = m["crawl_cpu"] + m["tag_cpu"], m["crawl_wall"] + m["tag_wall"]
    with_cpu, with_wall = without_cpu + m["tr_cpu"], without_wall + m["tr_wall"]
    print(f"\n2. cost per article: a day of {n} new articles ({m['attachments']:.0f} attachments read) on a copy of "
          "the "
          f"history database, MockTransport, {args.rounds} rounds in fresh processes (median); trafilatura before "
          f"and after the pipeline in each round; one-time loading {m['warm']:.1f} s not counted")
    print(f"  {'per article':48} {'CPU ms':>8} {'wall ms':>8}  {'x default':>9} {'x fast':>7}")

    def line(label: str, cpu: float, wall: float, ratio: bool = True) -> None:
        r = f"  {cpu / m['traf_default']:8.2f}x {cpu / m['traf_fast']:6.2f}x" if ratio else ""
        print(f"  {label:48} {cpu:8.2f} {wall:8.2f}{r}")

    line("trafilatura.extract (default)", m["traf_default"], m["traf_default_wall"])
    line("trafilatura.extract(fast=True)", m["traf_fast"], m["traf_fast_wall"])
    line("crawl: fetch+decode+parse (worker)+store", m["crawl_cpu"], m["crawl_wall"], False)
    line("  of which page parsing in the worker (CPU)", m["parse_cpu"], float("nan"), False)
    # the crawl's steps run in one thread per source: their wall times overlap, so only their CPU is shown
    line("  of which attachments (fetch + read in worker)", m["att_cpu"], float("nan"), False)
    line("tag + store tags (attachment text included)", m["tag_cpu"], m["tag_wall"], False)
    line("= pipeline without translation", without_cpu, without_wall)
    line("  the same without attachments", without_cpu - m["att_cpu"], float("nan"))
    line("gloss translation + memory + store", m["tr_cpu"], m["tr_wall"], False)
    line("= pipeline with the gloss", with_cpu, with_wall)
    print("  rounds, without translation x default (CPU): "
          + ", ".join(f"{(r['crawl_cpu'] + r['tag_cpu']) / r['traf_default']:.2f}" for r in rows)
          + "; x fast: " + ", ".join(f"{(r['crawl_cpu'] + r['tag_cpu']) / r['traf_fast']:.2f}" for r in rows))
    print(f"  per run, not per article: parsing worker start {m['worker_start_wall']:.2f} s wall "
          f"({m['worker_idle_cpu']:.2f} s CPU idle start+stop), registry {m['registry']:.2f} s, "
          f"digest {m['digest']:.2f} s, alerts {m['alerts']:.2f} s; "
          f"whole run {m['run_wall']:.1f} s = {m['run_wall'] * 1000 / n:.1f} ms per article")
    print(f"  translation memory on top of 30 days of history: {m['hits']:,.0f} hits / {m['misses']:,.0f} misses "
          f"= {m['hits'] / max(1, m['hits'] + m['misses']):.1%} hit rate; trafilatura text: default "
          f"{m['traf_chars']:,.0f} chars, fast {m['traf_fast_chars']:,.0f} (failed articles {m['failed']:.0f})")


def section_days(args, tmp: Path, site: Path, today_items: list[rc.Item], history_db: Path) -> None:
    from pilotwatch import sample_server

    manifest = load_items(tmp / "manifest.json")
    sizes = [("day of 50", first_per_host(today_items, 10)), (f"day of {len(today_items):,}", None)]
    print(f"\n3. peak memory per process, each day on a copy of the history database ({args.history_days} days), over "
          "localhost HTTP, delay 0 (VmHWM of each process; the pipeline process reads its own at the end, the parent "
          "polls it and the parsing worker every 50 ms)")
    print(f"  {'day':16} {'new':>6} {'att':>5} {'pipeline MB':>11} {'worker MB':>9} {'sum MB':>7} {'wall s':>7}  "
          f"{'crawl':>6} {'tag':>6} {'transl':>6} {'regis':>6} {'digest':>6}  memory hits")
    for label, chosen in sizes:
        rc.write_lists(site, lists_for(manifest, (lambda it: it.day == args.history_days) if chosen is None
                                       else (lambda it, c=chosen: it.path in c), recent_before=args.history_days))
        with sample_server.serve_sample_site(root=site) as hosts:
            r = run_child("day", {"work": str(tmp / "day"), "history_db": str(history_db), "hosts": hosts}, tmp,
                          poll=True)
        shutil.rmtree(tmp / "day", ignore_errors=True)
        crawl = r["crawl"]["wall"]
        own = max(r["vmhwm_mb"], r["poll"]["peaks_kb"].get("pipeline", 0) / 1024)
        print(f"  {label:16} {r['new']:6,} {r['attachments_read']:5,} {own:11.0f} "
              f"{r['poll']['peaks_kb'].get('worker', 0) / 1024:9.0f} {r['poll']['sum_peak_kb'] / 1024:7.0f} "
              f"{r['wall']:7.1f}  {crawl:6.1f} {stage(r, 'tag')[0]:6.1f} {stage(r, 'translate')[0]:6.1f} "
              f"{stage(r, 'registry')[0]:6.1f} {stage(r, 'digest')[0]:6.1f}  "
              f"{r['memory_hits']:,}/{r['memory_hits'] + r['memory_misses']:,} "
              f"({r['memory_hits'] / max(1, r['memory_hits'] + r['memory_misses']):.1%})")
        print(f"      {r['summary'][:300]}")
        print("      pipeline process RSS / peak after each step (MB): " + ", ".join(
            f"{k} {v[0]:.0f}/{v[1]:.0f}" for k, v in r["memory"].items() if k in MEMORY_STEPS))
    print("  targets (issue 20): < 250 MB for a day of 50, < 400 MB for a day of 8,000 (the pipeline process)")


def top_level(run: dict) -> dict[str, float]:
    """Wall seconds of a run's top-level steps, in order, and what is left (store open/close, finish)."""
    out = {"worker start": run["worker_start_wall"], "crawl": run["crawl"]["wall"],
           **{k: stage(run, k)[0] for k in ("tag", "translate", "registry", "digest", "alerts")}}
    out["other"] = run["wall"] - sum(out.values())
    return out


def section_rerun(args, tmp: Path, site: Path, history_db: Path, first_day: date) -> None:
    manifest = load_items(tmp / "manifest.json")
    last = args.history_days - 1
    rc.write_lists(site, lists_for(manifest, lambda it: it.day == last, recent_before=last))
    clones = tmp / "clones.json"
    dbs = {}
    print(f"\n4. a re-run with nothing new as history grows (MockTransport serving the unchanged lists; the history "
          f"database grown by cloning; one settling run, then {args.rounds} re-runs per size alternately, fresh "
          "processes)")
    for size in args.rerun_sizes:
        work = tmp / f"rerun-{size}"
        work.mkdir(parents=True, exist_ok=True)
        shutil.copy(history_db, work / "pilotwatch.db")
        info = clone_history(work / "pilotwatch.db", size, first_day, random.Random(size), clones)
        settle = run_child("rerun", {"site": str(site), "work": str(work), "clones": str(clones)}, tmp)
        dbs[size] = {"work": work, "clone": info, "settle": settle, "runs": []}
    for i in range(args.rounds):
        for size in args.rerun_sizes:
            dbs[size]["runs"].append(run_child("rerun", {"site": str(site), "work": str(dbs[size]["work"]),
                                                         "clones": str(clones), "queries": i == args.rounds - 1}, tmp))
    print(f"  {'stored':>8} {'db MB':>6} {'clone s':>7} {'settle s':>8} {'re-run wall s':>13} {'CPU s':>6} "
          f"{'process CPU s':>13} {'fetches':>7} {'new':>4}  stages of the re-run (wall s)")
    med = {}
    for size, d in dbs.items():
        runs = d["runs"]
        wall = statistics.median(r["wall"] for r in runs)
        cpu = statistics.median(r["cpu"] + r["children_cpu"] for r in runs)
        pcpu = statistics.median(r["process_cpu"] for r in runs)
        rest = statistics.median(r["wall"] - r["worker_start_wall"] for r in runs)
        med[size] = (wall, cpu, pcpu, rest)
        stages = ", ".join(f"{k} {v:.2f}" for k, v in top_level(runs[len(runs) // 2]).items())
        dbmb = (d["work"] / "pilotwatch.db").stat().st_size / 1e6
        print(f"  {runs[0]['store']['articles']:8,} {dbmb:6.0f} {d['clone'].get('seconds', 0):7.1f} "
              f"{d['settle']['wall']:8.1f} {wall:13.2f} {cpu:6.2f} {pcpu:13.2f} {runs[0]['store']['fetches']:7} "
              f"{sum(r['new'] for r in runs):4}  {stages}")
        print("      rounds wall: " + ", ".join(f"{r['wall']:.2f}" for r in runs) + "; CPU: "
              + ", ".join(f"{r['cpu'] + r['children_cpu']:.2f}" for r in runs)
              + "; the settling run: " + ", ".join(f"{k} {v:.1f}" for k, v in top_level(d["settle"]).items()))
    if len(med) >= 2:
        small, big = min(med), max(med)
        print(f"  ratio {big:,}/{small:,}: wall {med[big][0] / med[small][0]:.2f}x, "
              f"CPU {med[big][1] / med[small][1]:.2f}x "
              f"(process CPU incl. interpreter start and imports {med[big][2] / med[small][2]:.2f}x); target <= 1.5x")
        start = statistics.median(r["worker_start_wall"] for d in dbs.values() for r in d["runs"])
        print(f"  without the parsing worker's start (a constant {start:.2f} s "
              f"that every run pays, parsing or not): {med[small][3]:.2f} s -> {med[big][3]:.2f} s = "
              f"{med[big][3] / med[small][3]:.2f}x")
    queries = {size: d["runs"][-1].get("queries", {}) for size, d in dbs.items()}
    if all(queries.values()):
        print("  store reads every run makes (each returns nothing or a few rows here), ms, best of 3 after the "
              "re-runs:")
        for name in queries[min(queries)]:
            print(f"    {name:30} " + "  ".join(f"{size:>7,}: {queries[size][name]:8.1f}" for size in queries)
                  + f"   x{queries[max(queries)][name] / max(queries[min(queries)][name], 1e-9):.1f}")
    if not args.keep:
        for d in dbs.values():
            shutil.rmtree(d["work"], ignore_errors=True)


def section_hosts(args, tmp: Path, site: Path, today_items: list[rc.Item], history_db: Path) -> None:
    from pilotwatch import sample_server

    manifest = load_items(tmp / "manifest.json")
    chosen = first_per_host(today_items, 10)
    rc.write_lists(site, lists_for(manifest, lambda it: it.path in chosen, recent_before=args.history_days))
    counter = host_counter()
    with counter.installed(), sample_server.serve_sample_site(root=site) as hosts:
        counter.take()
        r = run_child("day", {"work": str(tmp / "hosts"), "history_db": str(history_db), "hosts": hosts,
                              "delay_scale": args.delay_scale}, tmp)
        counts = counter.take()
    shutil.rmtree(tmp / "hosts", ignore_errors=True)
    local = {h: urlsplit(u).netloc for h, u in hosts.items()}
    delays = r["host_delays"]
    crawl = r["crawl"]["wall"] + r["worker_start_wall"]  # the whole crawl step, the worker's start included
    names = {"www.news.cn": "xinhua", "www.stdaily.com": "stdaily", "www.miit.gov.cn": "miit",
             "www.ndrc.gov.cn": "ndrc", "www.gov.cn": "govcn"}
    print(f"\n5. hosts side by side: a day of {r['new']} new articles (10 per host) on the history database over "
          f"localhost HTTP, politeness delays x {args.delay_scale} (delay {5.0 * args.delay_scale:.2f} s, MIIT "
          f"{8.0 * args.delay_scale:.2f} s, jitter 0.3), robots.txt obeyed")
    print(f"  {'host':18} {'requests':>8} {'delay s':>7} {'requests x delay s':>18} {'its source crawled in s':>23}")
    bounds = {}
    for host in sorted(counts, key=lambda h: -counts[h] * delays.get(local.get(h, ""), 0)):
        d = delays.get(local.get(host, ""), 5.0 * args.delay_scale)
        bounds[host] = counts[host] * d
        took = r["per_source_wall"].get(names.get(host, ""), [float("nan")])[0]
        print(f"  {host:18} {counts[host]:8} {d:7.2f} {bounds[host]:18.1f} {took:23.1f}")
    slowest = max(bounds.values())
    print(f"  crawl wall {crawl:.1f} s, whole run {r['wall']:.1f} s; slowest host's own time {slowest:.1f} s, "
          "all hosts "
          f"one after another {sum(bounds.values()):.1f} s")
    print(f"  ratio crawl / slowest host: {crawl / slowest:.2f}x; whole run / slowest host: {r['wall'] / slowest:.2f}x "
          f"(target within 1.3x)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="smaller: history 30 x 10, big day 800, cost day 100, 2 rounds, delays x 0.1")
    ap.add_argument("--history-days", type=int, default=30)
    ap.add_argument("--history-per-day", type=int, help="new articles per history day (default 50; quick 10)")
    ap.add_argument("--big-day", type=int, help="new articles of the big day (default 8000; quick 800)")
    ap.add_argument("--cost-articles", type=int, help="articles of the cost day (default 300; quick 100)")
    ap.add_argument("--rounds", type=int, help="rounds of sections 2 and 4 (default 3; quick 2)")
    ap.add_argument("--rerun-sizes", default="2000,32000", help="stored articles for section 4")
    ap.add_argument("--delay-scale", type=float,
                    help="factor on politeness delays in section 5 (default 0.2; quick 0.1)")
    ap.add_argument("--attachments", type=float, default=0.15, help="share of pages with attachments")
    ap.add_argument("--sections", default="1,2,3,4,5")
    ap.add_argument("--keep", help="build in this folder and keep it")
    ap.add_argument("--no-real", action="store_true",
                    help="synthetic boilerplate even if ../shared/fixtures-real exists")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--spec", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.spec)
        return
    q = args.quick
    args.history_per_day = args.history_per_day or (10 if q else 50)
    args.big_day = args.big_day or (800 if q else 8000)
    args.cost_articles = args.cost_articles or (100 if q else 300)
    args.rounds = args.rounds or (2 if q else 3)
    args.delay_scale = args.delay_scale if args.delay_scale is not None else (0.1 if q else 0.2)
    args.rerun_sizes = sorted(int(x) for x in args.rerun_sizes.split(","))
    sections = {int(s) for s in args.sections.split(",")}
    logging.basicConfig(level=logging.ERROR)
    print(machine_line())
    print(f"command: bench/realistic.py {' '.join(sys.argv[1:])}")
    tmp_ctx = contextlib.nullcontext(args.keep) if args.keep else tempfile.TemporaryDirectory(prefix="pw-realistic-")
    with tmp_ctx as tmp_name:
        tmp = Path(tmp_name)
        tmp.mkdir(parents=True, exist_ok=True)
        site = tmp / "site"
        shutil.rmtree(site, ignore_errors=True)
        t = time.perf_counter()
        corpus = rc.Corpus(site, seed=7, attachment_share=args.attachments, use_real=not args.no_real)
        today = datetime.now(TZ).date()
        first_day = today - timedelta(days=args.history_days)
        items: list[rc.Item] = []
        for i in range(args.history_days):
            items += corpus.add_day(first_day + timedelta(days=i), args.history_per_day, i)
        today_items = corpus.add_day(today, args.big_day, args.history_days)
        items += today_items
        originals = [replace(o, day=0) for o in corpus.originals]
        save_items(originals + items, tmp / "manifest.json")
        built = time.perf_counter() - t
        from crawler.attachments import _may_name_documents

        gen = [it for it in items]
        hint = sum(_may_name_documents((site / it.host / it.path.lstrip("/")).read_bytes().decode("utf-8", "replace"))
                   for it in gen[:: max(1, len(gen) // 400)])
        sampled = len(gen[:: max(1, len(gen) // 400)])
        print(f"corpus: {len(gen):,} generated article pages ({args.history_days} days x {args.history_per_day} "
              "+ today "
              f"{args.big_day:,}) + the 10 originals, {sum(it.page_bytes for it in gen) / 1e6:,.0f} MB, built in "
              f"{built:.0f} s; boilerplate from {corpus.blocks.origin} pages"
              + (f" ({rc.FIXTURES_REAL})" if corpus.blocks.origin == "real" else ""))
        if 1 in sections:
            print("\n1. the pages")
            print(f"  page bytes:    {quantiles([it.page_bytes for it in gen])}")
            print(f"  body chars:    {quantiles([it.body_chars for it in gen])}; "
                  f"share 1–5 k {sum(1000 <= it.body_chars <= 5000 for it in gen) / len(gen):.0%}, "
                  f"> 5 k {sum(it.body_chars > 5000 for it in gen) / len(gen):.0%}, "
                  f"> 10 k {sum(it.body_chars > 10000 for it in gen) / len(gen):.1%}")
            att = [a for it in gen for a in it.attachments]
            print(f"  attachments:   {sum(bool(it.attachments) for it in gen) / len(gen):.1%} of pages link "
                  f"{len(att):,} files ({sum(a.endswith('.pdf') for a in att):,} PDF, "
                  f"{sum(a.endswith('.xlsx') for a in att):,} XLSX)")
            print("  kinds:         " + ", ".join(f"{k} {sum(it.kind == k for it in gen) / len(gen):.0%}"
                                                  for k in ("announce", "bio", "other"))
                  + f"; GBK pages {sum(it.host == 'www.ndrc.gov.cn' for it in gen) / len(gen) / 2:.0%}")
            print(f"  pages whose bytes could name a document (crawler's attachment pre-check passes): {hint} of "
                  f"{sampled} sampled")

        history_db = tmp / "history.db"
        t = time.perf_counter()
        days = [(first_day + timedelta(days=i)).isoformat() for i in range(args.history_days)]
        h = run_child("history", {"site": str(site), "work": str(tmp / "history"),
                                  "manifest": str(tmp / "manifest.json"), "days": days}, tmp)
        shutil.copy(tmp / "history" / "pilotwatch.db", history_db)
        d1 = h["days"][0]
        hits, misses = sum(d["memory_hits"] for d in h["days"]), sum(d["memory_misses"] for d in h["days"])
        print(f"\n0. history: {args.history_days} daily runs of the pipeline (store clock set to each day, 09:00 "
              "Beijing), "
              f"{time.perf_counter() - t:.0f} s: {h['store']['articles']:,} articles, {h['store']['tags']:,} tags, "
              f"{h['store']['attachments']:,} attachments, {h['store']['platforms']:,} platforms, "
              f"{h['store']['events']:,} events, {h['store']['memory']:,} sentences in memory; db "
              f"{h['db_bytes'] / 1e6:.0f} MB")
        rate1 = d1["memory_hits"] / max(1, d1["memory_hits"] + d1["memory_misses"])
        print(f"  translation memory hit rate on the fresh database (day 1, {d1['new']} articles): "
              f"{d1['memory_hits']:,} hits / {d1['memory_misses']:,} misses = {rate1:.1%}; "
              f"days 1–{args.history_days}: {hits / max(1, hits + misses):.1%}")
        walls = [d["wall"] for d in h["days"]]
        print(f"  a history day's run: median {statistics.median(walls):.1f} s wall (first {walls[0]:.1f}, last "
              f"{walls[-1]:.1f}); registry step first/last day "
              f"{stage(h['days'][0], 'registry')[0]:.2f}/{stage(h['days'][-1], 'registry')[0]:.2f} s")
        if 2 in sections:
            section_cost(args, tmp, site, today_items, history_db)
        if 3 in sections:
            section_days(args, tmp, site, today_items, history_db)
        if 4 in sections:
            section_rerun(args, tmp, site, history_db, first_day)
        if 5 in sections:
            section_hosts(args, tmp, site, today_items, history_db)


if __name__ == "__main__":
    main()
