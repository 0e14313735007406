"""zh→en translation quality on REAL text against reference English (tests/fixtures/translate_refs.jsonl).

    .venv/bin/python bench/translate_quality.py                       # both splits: gloss and cedict-first
    .venv/bin/python bench/translate_quality.py --split dev --rev HEAD  # add the gloss of a git revision
    .venv/bin/python bench/translate_quality.py --split dev --show      # dev items: source, reference, outputs
    .venv/bin/python bench/translate_quality.py --json                  # one JSON object instead of the table

The set: real excerpts (1-3 sentences) of Chinese news and government pages on biomanufacturing, pilot platforms and
industrial policy, Simplified (lang "zh") and Traditional (lang "zh-Hant"), with careful human reference English
(tests/fixtures/translate_refs.md). Items carry split "dev" (free to study) or "test" (frozen: report it, never tune
on it; --show refuses it).

Scores, per split and per script (zh, zh-Hant, and both together), each over the group's items as one corpus:
    chrF++        sacrebleu CHRF(word_order=2), 0-100
    BLEU          sacrebleu corpus BLEU (13a tokenisation), 0-100
    CJK left      CJK characters (Han, CJK punctuation, full-width forms) among the output's non-space characters
    numbers kept  of the numbers in the Chinese, the share found in the English, read on the source folded to
                  Simplified (so 萬/億 count as 万/亿). A digit group before 万/亿/万亿 counts only in a scaled
                  English form (translate.numbers.scale_forms: 1.5亿 = "150 million" or "150,000,000"; a bare "1.5"
                  is not kept); every other number as the project's fidelity check (translate.check) reads it: digit
                  groups, months (6月 = June), Chinese-numeral quantities (二十个 = 20 or "twenty")
Systems:
    gloss         translate.load_translator("gloss") of this working tree, each item through translate.translate_text
    cedict-first  baseline: jieba segmentation, each word -> its first CC-CEDICT sense (translate.cedict.load_cedict),
                  else the word itself, joined with spaces; no rules, no glossary, no script folding
    gloss@REV     (--rev, repeatable) the gloss of another revision, run in a subprocess from a `git worktree add`
                  checkout, so "today's gloss" and the working tree are measured in one run
Speed: sentences/second of each gloss on the selected items' sentences, warm (one pass first), repeated to >= 2 s;
then per script (>= 1 s each), since Traditional text is far slower through jieba.

Needs sacrebleu (.venv/bin/pip install sacrebleu).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "fixtures" / "translate_refs.jsonl"
SPLITS = ("dev", "test")
SCRIPTS = ("zh", "zh-Hant")
MIN_SECONDS = 2.0

# CJK left in English output: Han ideographs (as zhtext.script.HAN), CJK symbols and punctuation, full-width forms.
_CJK = re.compile("[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
# translate.check labels: a digit group ("2027", "1.5") or a Chinese numeral with its value ("二十个 (20)").
# Anything else it reports is an entity name ("MIIT"), which is not a number.
_NUMBER_LABEL = re.compile(r"\d+(?:\.\d+)?|.*\(\d+\)")
# A digit group scaled by 万/亿 (after folding). The fidelity check accepts the bare digits ("1.7" for 1.7亿), which
# a reader cannot tell from 1.7; the bench asks for the scaled value.
_SCALED = re.compile(r"(?<![\d.,])(\d+(?:,\d{3})*(?:\.\d+)?)\s*(万亿|亿|万)")


# --- data ------------------------------------------------------------------------------------------------------------

def load_items(path: Path | str = DATA, splits: Iterable[str] = SPLITS) -> list[dict]:
    """Items of the reference set whose split is in splits, in file order."""
    wanted = set(splits)
    with open(path, encoding="utf-8") as f:
        items = [json.loads(line) for line in f if line.strip()]
    return [it for it in items if it["split"] in wanted]


# --- scoring (pure) --------------------------------------------------------------------------------------------------

def chrf(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """Corpus chrF++ (character n-grams plus word uni- and bigrams), 0-100."""
    from sacrebleu.metrics import CHRF

    return CHRF(word_order=2).corpus_score(list(hypotheses), [list(references)]).score


def bleu(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """Corpus BLEU with sacrebleu's defaults (13a tokenisation, exponential smoothing off), 0-100."""
    from sacrebleu.metrics import BLEU

    return BLEU().corpus_score(list(hypotheses), [list(references)]).score


def cjk_share(texts: Iterable[str]) -> float:
    """CJK characters among all non-whitespace characters of texts (0.0 when there are none): "abc中" -> 0.25."""
    total = cjk = 0
    for text in texts:
        chars = re.sub(r"\s+", "", text)
        total += len(chars)
        cjk += len(_CJK.findall(chars))
    return cjk / total if total else 0.0


def number_counts(zh: str, en: str) -> tuple[int, int]:
    """(numbers in zh, how many of them en keeps); see the module docstring for how numbers are read."""
    import translate
    from translate.numbers import scale_forms
    from zhtext.script import fold

    source = fold(zh)  # 萬/億 → 万/亿, one character for one
    en_lower = re.sub(r"\s+", " ", en).lower()
    scaled: dict[str, bool] = {}  # digit group (no commas) → kept in a scaled form
    for m in _SCALED.finditer(source):
        group = m.group(1).replace(",", "")
        forms = scale_forms(m.group(1), m.group(2))
        found = any(re.search(rf"(?<![\d.,]){re.escape(f.lower())}(?![\d])", en_lower) for f in forms)
        scaled[group] = scaled.get(group, True) and found
    expected = [label for label in translate.check(source, "")
                if _NUMBER_LABEL.fullmatch(label) and label not in scaled]
    missed = [label for label in translate.check(source, en)
              if _NUMBER_LABEL.fullmatch(label) and label not in scaled]
    return len(expected) + len(scaled), len(expected) - len(missed) + sum(scaled.values())


def score(items: Sequence[dict], outputs: Sequence[str]) -> dict:
    """Scores of outputs (one English string per item) against the items' references, as one corpus."""
    refs = [it["en"] for it in items]
    counts = [number_counts(it["zh"], out) for it, out in zip(items, outputs, strict=True)]
    expected = sum(e for e, _ in counts)
    kept = sum(k for _, k in counts)
    return {
        "n": len(items),
        "chrf": round(chrf(outputs, refs), 2),
        "bleu": round(bleu(outputs, refs), 2),
        "cjk": round(cjk_share(outputs), 4),
        "numbers_expected": expected,
        "numbers_kept": kept,
        "numbers_kept_share": round(kept / expected, 4) if expected else 1.0,
    }


def score_groups(items: Sequence[dict], outputs: Sequence[str]) -> dict:
    """{split: {"all" | script: scores}} for the splits present in items."""
    result: dict[str, dict] = {}
    for split in SPLITS:
        for group in ("all", *SCRIPTS):
            chosen = [(it, out) for it, out in zip(items, outputs, strict=True)
                      if it["split"] == split and group in ("all", it["lang"])]
            if chosen:
                result.setdefault(split, {})[group] = score([it for it, _ in chosen], [out for _, out in chosen])
    return result


# --- systems ---------------------------------------------------------------------------------------------------------

class CedictFirst:
    """Baseline: jieba words, each replaced by its first CC-CEDICT sense (Simplified headwords), else kept."""

    def __init__(self) -> None:
        import jieba

        from translate.cedict import load_cedict

        self._tokenizer = jieba.Tokenizer()  # a private one: the default jieba dictionary, no project words
        self._index = load_cedict().index

    def __call__(self, text: str) -> str:
        words = []
        for token in self._tokenizer.lcut(text):
            if token.isspace():
                continue
            entries = self._index.get(token)
            words.append(entries[0][1].split("/")[0] if entries else token)
        return " ".join(words)


def _speed(translate_batch: Callable[[list[str]], list[str]], sentences: list[str], min_seconds: float) -> dict:
    """Sentences/second of translate_batch on sentences, warm, repeated until min_seconds have passed."""
    translate_batch(sentences)  # warm: data loaded, caches filled
    passes = 0
    started = time.perf_counter()
    while True:
        translate_batch(sentences)
        passes += 1
        elapsed = time.perf_counter() - started
        if elapsed >= min_seconds:
            break
    return {"sentences": len(sentences), "passes": passes, "seconds": round(elapsed, 3),
            "sentences_per_second": round(len(sentences) * passes / elapsed, 1)}


def gloss_outputs(items: Sequence[dict]) -> tuple[list[str], dict]:
    """The gloss of the importable translate package on every item, and its speed on their sentences.

    Speed: all sentences together for MIN_SECONDS, then each script's sentences for half as long.
    """
    import translate

    gloss = translate.load_translator("gloss")
    outputs = [translate.translate_text(gloss, it["zh"]) for it in items]
    speed: dict = {"model": gloss.model, "package": str(Path(translate.__file__).parent)}
    groups = {"all": items, **{script: [it for it in items if it["lang"] == script] for script in SCRIPTS}}
    for group, chosen in groups.items():
        sentences = [s for it in chosen for s in translate.split_sentences(it["zh"])]
        if sentences:
            seconds = MIN_SECONDS if group == "all" else MIN_SECONDS / 2
            speed[group] = _speed(gloss.translate, sentences, seconds)
    return outputs, speed


def rev_outputs(rev: str, data: Path, splits: Sequence[str]) -> tuple[list[str], dict]:
    """gloss_outputs of git revision rev, run by this script in a child process from a temporary worktree of rev."""
    with tempfile.TemporaryDirectory(prefix="pw-tq-") as tmp:
        tree = Path(tmp) / "rev"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(tree), rev], check=True)
        try:
            done = subprocess.run(
                [sys.executable, __file__, "--child", str(tree), "--data", str(data), "--split", *splits],
                capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"},
            )
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)
    if done.returncode != 0:
        raise SystemExit(f"gloss of {rev} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if not result["speed"]["package"].startswith(str(tree)):
        raise SystemExit(f"gloss of {rev} imported {result['speed']['package']}, not the worktree {tree}")
    return result["outputs"], result["speed"]


def run_systems(items: Sequence[dict], data: Path, splits: Sequence[str], revs: Sequence[str]) -> tuple[dict, dict]:
    """({system: outputs}, {system: speed}) for gloss, cedict-first and gloss@REV for each rev."""
    outputs: dict[str, list[str]] = {}
    speed: dict[str, dict] = {}
    outputs["gloss"], speed["gloss"] = gloss_outputs(items)
    baseline: Callable[[str], str] = CedictFirst()
    outputs["cedict-first"] = [baseline(it["zh"]) for it in items]
    for rev in revs:
        outputs[f"gloss@{rev}"], speed[f"gloss@{rev}"] = rev_outputs(rev, data, splits)
    return outputs, speed


# --- report ----------------------------------------------------------------------------------------------------------

def table(scores: dict[str, dict], speed: dict[str, dict]) -> list[str]:
    lines = []
    for split in SPLITS:
        if not any(split in s for s in scores.values()):
            continue
        lines += ["", f"split {split}" + ("  (frozen: report, never tune on it)" if split == "test" else ""),
                  f"{'system':<22}{'script':<9}{'n':>4}{'chrF++':>9}{'BLEU':>8}{'CJK left':>10}{'numbers kept':>18}"]
        for system, per_split in scores.items():
            for group, s in per_split.get(split, {}).items():
                kept = f"{s['numbers_kept']}/{s['numbers_expected']} {100 * s['numbers_kept_share']:5.1f}%"
                lines.append(f"{system:<22}{group:<9}{s['n']:>4}{s['chrf']:>9.2f}{s['bleu']:>8.2f}"
                             f"{100 * s['cjk']:>9.1f}%{kept:>18}")
    lines.append("")
    for system, sp in speed.items():
        parts = [f"{group} {sp[group]['sentences_per_second']:.1f}" for group in ("all", *SCRIPTS) if group in sp]
        a = sp["all"]
        lines.append(f"speed {system}: sentences/s warm: {', '.join(parts)} (all: {a['sentences']} sentences x "
                     f"{a['passes']} passes in {a['seconds']:.2f} s; model {sp['model']})")
    return lines


def show(items: Sequence[dict], outputs: dict[str, list[str]]) -> list[str]:
    """Dev items with their reference and every system's output (the caller refuses test items)."""
    lines = []
    for i, it in enumerate(items):
        lines += ["", f"{it['id']} {it['lang']}  {it['zh']}", f"  {'reference':<20} {it['en']}"]
        lines += [f"  {system:<20} {outs[i]}" for system, outs in outputs.items()]
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=str(DATA))
    ap.add_argument("--split", nargs="+", choices=SPLITS, default=list(SPLITS), help="dev, test or both (default)")
    ap.add_argument("--rev", action="append", default=[], metavar="REV",
                    help="also run the gloss of this git revision (e.g. HEAD); repeatable")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    ap.add_argument("--show", action="store_true", help="print every dev item with its reference and the outputs")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    data = Path(args.data)
    splits = list(dict.fromkeys(args.split))
    if args.child:
        # The child measures the revision checked out at args.child: its packages go first on the import path
        # (ahead of the editable install's finder, which sys.meta_path consults after the path).
        sys.path.insert(0, args.child)
        outputs, speed = gloss_outputs(load_items(data, splits))
        print(json.dumps({"outputs": outputs, "speed": speed}, ensure_ascii=False))
        return
    if args.show and "test" in splits:
        ap.error("--show prints items: use it with --split dev (the test split is frozen)")
    sys.path.insert(0, str(ROOT))
    items = load_items(data, splits)
    outputs, speed = run_systems(items, data, splits, args.rev)
    scores = {system: score_groups(items, outs) for system, outs in outputs.items()}
    if args.json:
        from importlib import metadata

        print(json.dumps({"data": str(data), "splits": splits, "items": len(items),
                          "sacrebleu": metadata.version("sacrebleu"), "scores": scores, "speed": speed},
                         ensure_ascii=False, indent=1))
        return
    counts = {f"{split}/{script}": sum(it["split"] == split and it["lang"] == script for it in items)
              for split in splits for script in SCRIPTS}
    print(f"{data.name}: {len(items)} items ({', '.join(f'{k} {v}' for k, v in counts.items())})")
    print("\n".join(table(scores, speed)))
    if args.show:
        print("\n".join(show(items, outputs)))


if __name__ == "__main__":
    main()
