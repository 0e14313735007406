"""The gloss against jieba, and `pilotwatch translate` cold start, in one run (issue 20, "a cheaper gloss").

    .venv/bin/python bench/gloss_speed.py                          # this tree
    .venv/bin/python bench/gloss_speed.py --baseline /tmp/before   # and a plain copy of another tree, side by side
    .venv/bin/python bench/gloss_speed.py --quick                  # fewer articles and repeats (about a minute)

A baseline is a directory holding another revision's packages, e.g. `git archive HEAD | tar -x -C /tmp/before`
(no worktree, nothing in .git changes); its code runs in subprocesses with that directory first on the import path.

1. Warm speed, by CPU time (time.process_time), in one process per tree after a warm-up pass, repeats interleaved:
   over the same real article bodies —
       jieba         jieba.lcut (the default dictionary)
       jieba-same    jieba's lcut over the gloss's own prefix dictionary (jieba's words plus the glossary's and the
                     gazetteer's): the target's yardstick
       segmenter     the gloss's own segmentation (zhtext/wordcut.py: the same words as jieba-same, shown apart so
                     its share of the gain is visible; absent in trees before issue 20)
       gloss         the gloss engine, every body through translate.translate_text
       stage         the pipeline's translate stage without the store: translate.translate_article (title and body
                     glossed in one request, then the fidelity check)
   ratios gloss / jieba-same and stage / jieba-same (target: <= 2), and regex compilations (re's cache misses)
   per 1,000 articles during one pass of the stage.
2. Loads per process: after the warm run, how many times each table was built or read (translate.gloss.LOADS).
3. Cold start: `echo 中试平台 | .venv/bin/pilotwatch translate` as a subprocess, wall time (and the child's CPU
   time), several repeats interleaved between trees, median (target: < 1.5 s wall). The user cache
   ($XDG_CACHE_HOME/pilotwatch) is a fresh temporary folder: the first run builds it (printed apart), the rest reuse
   it; "no cache" runs point XDG_CACHE_HOME at a folder that cannot be created. Bytecode is written to a temporary
   PYTHONPYCACHEPREFIX (even where PYTHONDONTWRITEBYTECODE is set), warmed by one untimed run per tree, so the
   runs measure an installed program, not the compiling of edited sources.
4. With --baseline: the glosses of every body from both trees, compared line for line.

Articles (real text, read in place; a missing source is skipped): tests/fixtures/extract_real.jsonl and
extract_dev.jsonl (Chinese items' bodies), the HTML of tests/fixtures/sites and pilotwatch/sample_site, and
../shared/fixtures-real if present, the HTML bodies through trafilatura.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_REAL = ROOT.parent / "shared" / "fixtures-real"
SENTENCE = "中试平台"


# --- corpus ----------------------------------------------------------------------------------------------------------

def _html_body(path: Path) -> str:
    try:
        import trafilatura
    except ImportError:
        return ""
    try:
        return trafilatura.extract(path.read_bytes(), include_comments=False, include_tables=True) or ""
    except Exception:  # a page trafilatura cannot read is left out
        return ""


def corpus(quick: bool = False) -> list[tuple[str, str]]:
    """(title, body) of real articles with Chinese bodies, in a fixed order."""
    import re

    han = re.compile("[\u4e00-\u9fff]")
    items: list[tuple[str, str]] = []
    for name in ("extract_real.jsonl", "extract_dev.jsonl"):
        path = ROOT / "tests" / "fixtures" / name
        if not path.exists():
            continue
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    it = json.loads(line)
                    if it.get("lang", "zh").startswith("zh") and it.get("text"):
                        items.append((it.get("title") or "", it["text"]))
    pages = []
    for folder in (ROOT / "tests" / "fixtures" / "sites", ROOT / "pilotwatch" / "sample_site", SHARED_REAL):
        if folder.is_dir():
            pages += sorted(p for p in folder.rglob("*") if p.suffix in (".html", ".htm", ".shtml"))
    for page in pages:
        body = _html_body(page)
        if len(han.findall(body)) >= 50:
            items.append(("", body))
    return items[:120] if quick else items


# --- one tree, in this process ---------------------------------------------------------------------------------------

def _cpu(fn) -> float:
    t = time.process_time()
    fn()
    return time.process_time() - t


def warm(items: list[tuple[str, str]], repeats: int) -> dict:
    """Measure the tree first on sys.path (see module docstring, section 1 and 2)."""
    import re

    import jieba

    import translate
    from translate import gloss as gloss_mod

    jieba.setLogLevel(60)
    engine = translate.load_translator("gloss")
    bodies = [body for _, body in items]
    start = time.process_time()
    engine.translate(["中试平台"])  # loads everything
    load_cpu = time.process_time() - start
    res = gloss_mod._resources(None)
    if hasattr(res, "segmenter"):  # jieba itself, over the gloss's own prefix dictionary
        same = jieba.Tokenizer()
        same.FREQ, same.total, same.initialized = res.segmenter.full_freq(), res.segmenter.total, True
    else:  # a tree before issue 20
        same = res.pos.tokenizer
    default = jieba.Tokenizer()

    def run_jieba() -> None:
        for body in bodies:
            default.lcut(body)

    def run_same() -> None:
        for body in bodies:
            same.lcut(body)

    def run_segmenter() -> None:
        for body in bodies:
            list(res.segmenter.cut(body))

    def run_gloss() -> None:
        for body in bodies:
            translate.translate_text(engine, body)

    def run_stage() -> None:
        for title, body in items:
            translate.translate_article(engine, title, body)

    # Regex compilations (re's cache misses), counted during the stage's first pass (the fidelity check's first sight
    # of these articles) and during a later one.
    compiler = getattr(re, "_compiler", None)
    if compiler is None:  # Python < 3.11
        import sre_compile as compiler  # type: ignore[no-redef]
    original = compiler.compile

    def count_compiles(fn) -> int:
        compiles = 0

        def counting(*args, **kwargs):
            nonlocal compiles
            compiles += 1
            return original(*args, **kwargs)

        compiler.compile = counting
        try:
            fn()
        finally:
            compiler.compile = original
        return compiles

    systems = {"jieba": run_jieba, "jieba-same": run_same, "gloss": run_gloss, "stage": run_stage}
    if hasattr(res, "segmenter"):
        systems["segmenter"] = run_segmenter
    run_gloss()  # warm-up: tables loaded, per-word caches filled
    first_pass = count_compiles(run_stage)
    for fn in systems.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in systems}
    for _ in range(repeats):
        for name, fn in systems.items():  # interleaved: a slow moment of the machine hits every system
            times[name].append(_cpu(fn))
    later_pass = count_compiles(run_stage)

    med = {name: statistics.median(ts) for name, ts in times.items()}
    chars = sum(len(b) for b in bodies)
    sentences = sum(len(translate.split_sentences(b)) for b in bodies)
    loads = dict(getattr(gloss_mod, "LOADS", {}) or {})
    return {"articles": len(items), "chars": chars, "sentences": sentences, "repeats": repeats,
            "load_cpu": load_cpu, "cpu": med, "all": times,
            "ratio_gloss": med["gloss"] / med["jieba-same"], "ratio_stage": med["stage"] / med["jieba-same"],
            "ratio_same_default": med["jieba-same"] / med["jieba"],
            "ratio_segmenter": med["segmenter"] / med["jieba-same"] if "segmenter" in med else None,
            "compiles_first": first_pass * 1000 / len(items), "compiles_later": later_pass * 1000 / len(items), "loads": loads, "model": engine.model}


def outputs(items: list[tuple[str, str]]) -> list[str]:
    import translate

    engine = translate.load_translator("gloss")
    return [translate.translate_text(engine, body) for _, body in items]


# --- subprocesses ----------------------------------------------------------------------------------------------------

def _child(tree: Path, mode: str, quick: bool, repeats: int) -> dict | list:
    env = dict(os.environ, PYTHONPATH=str(tree))
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", mode, "--repeats", str(repeats)]
    if quick:
        cmd.append("--quick")
    out = subprocess.run(cmd, env=env, cwd=str(tree), capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def _cold(tree: Path, cache_dir: str, pycache: str) -> tuple[float, float, str]:
    """(wall s, the child's CPU s, its stdout) of one `pilotwatch translate` of SENTENCE."""
    exe = Path(sys.executable).with_name("pilotwatch")
    env = dict(os.environ, PYTHONPATH=str(tree), XDG_CACHE_HOME=cache_dir, PYTHONPYCACHEPREFIX=pycache)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    out = subprocess.run([str(exe), "translate"], input=SENTENCE + "\n", env=env, cwd=str(tree),
                         capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, out.stdout.strip()


def cold(trees: dict[str, Path], repeats: int) -> dict[str, dict]:
    result: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        caches = {name: os.path.join(tmp, name) for name in trees}
        pycaches = {name: os.path.join(tmp, "pyc-" + name.replace(" ", "-")) for name in trees}
        blocked = os.path.join(tmp, "file")
        Path(blocked).write_text("not a folder")
        nocache = os.path.join(blocked, "cache")  # cannot be created: the cache is skipped
        for name, tree in trees.items():
            _cold(tree, nocache, pycaches[name])  # untimed: bytecode compiled, no table cache written
        for name, tree in trees.items():
            wall, cpu, text = _cold(tree, caches[name], pycaches[name])
            result[name] = {"first": wall, "first_cpu": cpu, "warm": [], "warm_cpu": [], "nocache": [],
                            "output": text}
        for _ in range(repeats):
            for name, tree in trees.items():
                wall, cpu, _ = _cold(tree, caches[name], pycaches[name])
                result[name]["warm"].append(wall)
                result[name]["warm_cpu"].append(cpu)
        for _ in range(max(1, repeats // 2)):
            for name, tree in trees.items():
                result[name]["nocache"].append(_cold(tree, nocache, pycaches[name])[0])
    return result


# --- report ----------------------------------------------------------------------------------------------------------

def _report_warm(name: str, w: dict) -> list[str]:
    cpu = w["cpu"]
    lines = [f"{name}: {w['articles']} articles, {w['chars']:,} characters, {w['sentences']:,} sentences; "
             f"CPU s per pass, median of {w['repeats']} (first translate() loading {w['load_cpu']:.2f} s CPU)"]
    for system in ("jieba", "jieba-same", "segmenter", "gloss", "stage"):
        if system not in cpu:
            continue
        lines.append(f"  {system:11s} {cpu[system]:7.3f} s   "
                     f"({w['chars'] / cpu[system] / 1000:7.1f} k chars/s)   all: "
                     + " ".join(f"{t:.3f}" for t in w["all"][system]))
    lines.append(f"  gloss / jieba-same = {w['ratio_gloss']:.2f}   stage / jieba-same = {w['ratio_stage']:.2f}   "
                 f"(jieba-same / jieba = {w['ratio_same_default']:.2f}"
                 + (f", segmenter / jieba-same = {w['ratio_segmenter']:.2f})" if w.get("ratio_segmenter") else ")"))
    lines.append(f"  regex compilations per 1,000 articles in the stage: first pass {w['compiles_first']:.0f}, "
                 f"a later pass {w['compiles_later']:.0f}")
    if w["loads"]:
        lines.append("  loads in this process: " + ", ".join(f"{k} {v}" for k, v in sorted(w["loads"].items())))
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--baseline", type=Path, help="a directory with another tree's packages (see the docstring)")
    ap.add_argument("--quick", action="store_true", help="120 articles, fewer repeats")
    ap.add_argument("--repeats", type=int, default=0, help="warm repeats (default 5, quick 3)")
    ap.add_argument("--cold", type=int, default=0, help="cold-start repeats per tree (default 7, quick 3)")
    ap.add_argument("--child", choices=("warm", "outputs"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    repeats = args.repeats or (3 if args.quick else 5)
    if args.child:
        # The tree measured is the one first on sys.path (PYTHONPATH), ahead of the editable install's finder.
        items = corpus(args.quick)
        print(json.dumps(warm(items, repeats) if args.child == "warm" else outputs(items), ensure_ascii=False))
        return

    import jieba

    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {platform.machine()} {platform.processor() or ''}".rstrip()
          + f", cpu_count {os.cpu_count()} (usable {affinity}), load {load:.2f}; Python {platform.python_version()}, "
          f"jieba {jieba.__version__}")
    trees = {"this tree": ROOT}
    if args.baseline:
        trees["baseline"] = args.baseline.resolve()
    items = corpus(args.quick)
    sources = "extract_real + extract_dev + sites + sample_site" + (" + shared/fixtures-real"
                                                                    if SHARED_REAL.is_dir() else "")
    print(f"corpus: {len(items)} article bodies ({sources}), {sum(len(b) for _, b in items):,} characters\n")

    print("1-2. warm speed (CPU time, each tree in its own process)")
    for name, tree in trees.items():
        w = _child(tree, "warm", args.quick, repeats)
        print("\n".join(_report_warm(f"[{name}] {tree}", w)))
    print()

    cold_repeats = args.cold or (3 if args.quick else 7)
    print(f"3. cold start: echo {SENTENCE} | pilotwatch translate (wall s; median of {cold_repeats}, interleaved)")
    for name, c in cold(trees, cold_repeats).items():
        print(f"  {name:10s} median {statistics.median(c['warm']):.2f} s wall, {statistics.median(c['warm_cpu']):.2f} s "
              f"CPU  (wall min {min(c['warm']):.2f}, max {max(c['warm']):.2f}; all "
              + " ".join(f"{t:.2f}" for t in c["warm"]) + ")")
        print(f"  {'':10s} first run, building the cache: {c['first']:.2f} s wall, {c['first_cpu']:.2f} s CPU; no cache "
              f"(unwritable) median {statistics.median(c['nocache']):.2f} s wall; output {c['output']!r}")
    if args.baseline:
        print("\n4. output of every body, this tree against the baseline")
        ours = _child(ROOT, "outputs", args.quick, repeats)
        theirs = _child(trees["baseline"], "outputs", args.quick, repeats)
        same = sum(a == b for a, b in zip(ours, theirs, strict=True))
        lines_ours = [ln for text in ours for ln in text.splitlines()]
        lines_theirs = [ln for text in theirs for ln in text.splitlines()]
        same_lines = sum(a == b for a, b in zip(lines_ours, lines_theirs, strict=False))
        print(f"  identical bodies {same}/{len(ours)}; identical lines {same_lines}/{len(lines_ours)}")
        shown = 0
        for a, b in zip(lines_ours, lines_theirs, strict=False):
            if a != b and shown < 5:
                print(f"  - baseline: {b[:160]}\n  + this:     {a[:160]}")
                shown += 1


if __name__ == "__main__":
    main()
