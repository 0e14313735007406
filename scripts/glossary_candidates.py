"""List glossary candidates from real text: the words and short phrases the gloss engine most likely gets wrong.

    .venv/bin/python scripts/glossary_candidates.py [--corpus PATH ...] [--out PATH] [--min-count N] [--glossary PATH]
    .venv/bin/python scripts/glossary_candidates.py --update-sources translate/glossary.tsv [--corpus PATH ...]

Text: the items of tests/fixtures/extract_real.jsonl with split "dev" (test items are dropped as each line is read,
before their text is looked at), plus any corpus files given (default /work/helpers/glossary_corpus.txt when it
exists: plain text collected from public Chinese policy and biotech pages, one passage per paragraph, '#' lines are
comments). Each text has its pinyin glosses removed and is folded (NFKC, Traditional → Simplified), split into
sentences with translate.segment, and cut into words with the gloss engine's segmentation (jieba with every glossary
term added as a word, HMM on).

Counted: every word with a Han character, and every run of 2–3 adjacent content words (nouns, verbs, adjectives,
idioms; no names, numbers, particles or punctuation inside). For each the TSV shows CC-CEDICT's first sense as
written, the sense the engine picks (translate.cedict), what the gloss engine produces now, and flags:

    absent      no CC-CEDICT entry: the engine glues a literal reading of the parts
    literal     a phrase: the gloss is its words' glosses side by side
    note        the first sense is a note (variant, surname, classifier, "used in", "see ...")
    register    the first sense is marked archaic, old, literary, dialect, Taiwan, ...
    reranked    the engine skipped the first sense for a later one (often a sign the entry is a poor fit)
    polysemous  the entry has many senses: the one chosen may be the wrong one
    wordy       the gloss has many more English words than the Chinese has characters (an explanation)
    han         Chinese left in the gloss
    bad-part    a phrase with a part flagged above
    rule        the engine's function-word table overrides CC-CEDICT here (和 → "and", 的 dropped)
    name        jieba tags it as a person, place or organisation name (names belong to the extractor's tables)
    glossary    already a glossary term (listed only with --all)

With --update-sources the script instead rewrites the source column (the 4th) of a reviewed glossary file in place:
"seed" stays; "cedict-fix" stays when the term is a CC-CEDICT headword (the entry overrides its sense); any other
entry becomes "corpus:<n>" when its Chinese occurs n ≥ 2 times in the same corpus (folded text, plain substring
count), else "domain" (it came from a domain list). Comments and order are kept.

Score = occurrences × the largest flag weight (× 0.3 for single characters and function-word or numeral POS, × 0.5
when all occurrences are in one document), highest first.
Deterministic: the same inputs write the same bytes.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from translate import load_translator  # noqa: E402
from translate.cedict import _NOISE, Cedict, clean_sense, load_cedict  # noqa: E402
from translate.glossary import load_glossary  # noqa: E402
from translate.segment import split_sentences  # noqa: E402
from zhtext.clean import without_pinyin_glosses  # noqa: E402
from zhtext.script import HAN_CHAR, fold  # noqa: E402

REAL = ROOT / "tests" / "fixtures" / "extract_real.jsonl"
DEFAULT_CORPUS = Path("/work/helpers/glossary_corpus.txt")
DEFAULT_OUT = Path("/work/helpers/glossary_candidates.tsv")

WEIGHTS = {
    "absent": 1.0,
    "note": 1.0,
    "han": 1.0,
    "register": 0.8,
    "bad-part": 0.7,
    "wordy": 0.6,
    "literal": 0.4,
    "reranked": 0.4,
    "polysemous": 0.3,
    "name": 0.0,
    "glossary": 0.0,
    "rule": 0.0,
}
BASE_WEIGHT = 0.05  # a word that raises no flag still gets a small score, so the list shows what is frequent
NAME_FLAGS = frozenset({"nr", "nrt", "nrfg", "ns", "nt"})
# jieba POS flags of words a phrase may be built from: nouns, verbs, adjectives, distinguishing words,
# abbreviations, idioms and set expressions (names are excluded by NAME_FLAGS).
CONTENT_FLAGS = re.compile(r"^(?:n|nz|ng|v|vn|vd|a|an|ad|b|j|l|i)$")
REGISTER = re.compile(
    r"\((?:old|archaic|literary|classical|dialect|Tw|Cantonese|slang|coll\.|loanword|Buddhism|Taoism|"
    r"honorific|derog\.|euphemism|fig\.|lit\.)\)|^(?:old|archaic|literary)\b",
    re.IGNORECASE,
)
POLYSEMOUS = 5  # senses
# Function-word and numeral POS classes (conjunction, preposition, particle, adverb, pronoun, numeral, classifier,
# modal, position): the engine's function-word table and number rules render most of them.
FUNCTION_POS = frozenset("cpudrmqyf")


@dataclass
class Stat:
    count: int = 0
    docs: set[str] = field(default_factory=set)
    flags: Counter[str] = field(default_factory=Counter)  # jieba POS flags seen
    example: str = ""
    parts: tuple[str, ...] = ()


def dev_texts(path: Path) -> list[tuple[str, str]]:
    """(id, title + text) of the dev items; a test item is skipped before its text is read."""
    out = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            item = json.loads(line)
            if item.get("split") != "dev":
                continue
            out.append((item["id"], f"{item.get('title') or ''}\n{item['text']}"))
    return out


def corpus_texts(path: Path) -> list[tuple[str, str]]:
    """Passages of a collected corpus file: paragraphs separated by blank lines; '#' lines are comments."""
    out = []
    block: list[str] = []
    n = 0
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("#"):
            continue
        if line.strip():
            block.append(line)
        elif block:
            n += 1
            out.append((f"{path.name}:{n}", "\n".join(block)))
            block = []
    return out


def prepared(texts: list[tuple[str, str]]) -> list[str]:
    """Each text as the counts see it: pinyin glosses removed, folded."""
    return [fold(without_pinyin_glosses(raw)[0]) for _, raw in texts]


def update_sources(path: Path, texts: list[str], cedict: Cedict) -> Counter[str]:
    """Rewrite the source column of a glossary file (see the module docstring); returns how many of each source."""
    out, tally = [], Counter()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            out.append(line)
            continue
        cols = line.split("\t")
        cols += [""] * (4 - len(cols))
        zh, source = cols[0], cols[3]
        if source != "seed" and not (source == "cedict-fix" and zh in cedict.index):
            n = sum(text.count(zh) for text in texts)
            source = f"corpus:{n}" if n >= 2 else "domain"
        cols[3] = source
        tally[source.split(":")[0]] += 1
        out.append("\t".join(cols))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return tally


def tokenizer(glossary_terms: list[str]):  # jieba has no type hints
    """jieba POS tokenizer with every glossary term added, as the gloss engine builds it."""
    import jieba
    import jieba.posseg

    logging.getLogger("jieba").setLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.initialize()
    for zh in glossary_terms:
        tk.add_word(zh, tag="nz")
    return jieba.posseg.POSTokenizer(tk)


def count(texts: list[tuple[str, str]], pos) -> tuple[dict[str, Stat], dict[str, Stat]]:
    words: dict[str, Stat] = defaultdict(Stat)
    phrases: dict[str, Stat] = defaultdict(Stat)
    for (doc, _), text in zip(texts, prepared(texts), strict=True):
        for sentence in split_sentences(text):
            if not HAN_CHAR.search(sentence):
                continue
            tokens = [(w, f) for w, f in pos.cut(sentence, HMM=True) if w.strip()]
            for w, f in tokens:
                if HAN_CHAR.search(w):
                    _add(words[w], doc, f, sentence)
            for n in (2, 3):
                for i in range(len(tokens) - n + 1):
                    gram = tokens[i : i + n]
                    if all(_content(w, f) for w, f in gram):
                        st = phrases["".join(w for w, _ in gram)]
                        st.parts = tuple(w for w, _ in gram)
                        _add(st, doc, "phrase", sentence)
    return words, phrases


def _content(word: str, flag: str) -> bool:
    return bool(HAN_CHAR.fullmatch(word[0])) and flag not in NAME_FLAGS and bool(CONTENT_FLAGS.match(flag))


def _add(st: Stat, doc: str, flag: str, sentence: str) -> None:
    st.count += 1
    st.docs.add(doc)
    st.flags[flag] += 1
    if not st.example or len(sentence) < len(st.example):
        st.example = sentence[:120]


def first_sense(cedict: Cedict, word: str) -> str:
    entries = cedict.index.get(word)
    return entries[0][1].split("/")[0] if entries else ""


def word_flags(cedict: Cedict, word: str, gloss: str, pos_flag: str) -> set[str]:
    flags: set[str] = set()
    if pos_flag in NAME_FLAGS:
        flags.add("name")
    entries = cedict.index.get(word)
    if not entries:
        flags.add("absent")
    else:
        raw = entries[0][1].split("/")[0]
        if _NOISE.search(raw) or clean_sense(raw) is None:
            flags.add("note")
        if REGISTER.search(raw):
            flags.add("register")
        chosen = cedict.sense(word, pos_flag in NAME_FLAGS, noun=pos_flag.startswith("n"))
        if chosen and clean_sense(raw) and chosen != clean_sense(raw):
            flags.add("reranked")
        if sum(d.count("/") + 1 for _, d in entries) >= POLYSEMOUS:
            flags.add("polysemous")
    if HAN_CHAR.search(gloss):
        flags.add("han")
    if len(re.findall(r"[A-Za-z]+", gloss)) >= len(word) + 2:
        flags.add("wordy")
    return flags


def score(st: Stat, flags: set[str], pos_flag: str, length: int) -> float:
    weight = max((WEIGHTS[f] for f in flags), default=BASE_WEIGHT)
    if "name" in flags or "glossary" in flags or "rule" in flags:
        weight = 0.0
    if pos_flag[:1] in FUNCTION_POS or length == 1:
        weight *= 0.3  # particles, numerals and bound single characters: mostly the engine's rules' business
    return st.count * weight * (0.5 if len(st.docs) == 1 else 1.0)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, action="append", help=f"collected text file(s); default {DEFAULT_CORPUS}")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--min-count", type=int, default=2, help="drop words and phrases seen fewer times")
    ap.add_argument("--glossary", help="glossary TSV to test against (default: the packaged one)")
    ap.add_argument("--all", action="store_true", help="also list current glossary terms, names and rule words")
    ap.add_argument("--update-sources", type=Path, metavar="GLOSSARY", help="rewrite that file's source column")
    args = ap.parse_args(argv)

    corpora = args.corpus if args.corpus is not None else [p for p in [DEFAULT_CORPUS] if p.exists()]
    texts = dev_texts(REAL)
    for path in corpora:
        texts += corpus_texts(path)
    cedict = load_cedict()
    if args.update_sources:
        tally = update_sources(args.update_sources, prepared(texts), cedict)
        print(f"{len(texts)} texts; sources of {args.update_sources}: {dict(sorted(tally.items()))}")
        return
    glossary = load_glossary(args.glossary)
    words, phrases = count(texts, tokenizer(list(glossary.entries)))

    # A phrase jieba already keeps whole is listed as a word.
    units = [(zh, st, "word") for zh, st in words.items() if st.count >= args.min_count]
    units += [(zh, st, "phrase") for zh, st in phrases.items() if st.count >= args.min_count and zh not in words]
    translator = load_translator("gloss", **({"glossary": args.glossary} if args.glossary else {}))
    glosses = dict(zip([zh for zh, _, _ in units], translator.translate([zh for zh, _, _ in units]), strict=True))

    word_flag: dict[str, set[str]] = {}
    for zh, st, unit in units:
        if unit != "word":
            continue
        pos_flag = st.flags.most_common(1)[0][0]
        flags = word_flags(cedict, zh, glosses[zh], pos_flag)
        sense = cedict.sense(zh, pos_flag in NAME_FLAGS, noun=pos_flag.startswith("n"))
        if zh in glossary.entries:
            flags.add("glossary")
        elif sense is not None and glosses[zh].lower() != sense.lower():
            flags.add("rule")
        word_flag[zh] = flags
    rows = []
    for zh, st, unit in units:
        pos_flag = st.flags.most_common(1)[0][0]
        if unit == "word":
            flags = word_flag[zh]
            sense = cedict.sense(zh, pos_flag in NAME_FLAGS, noun=pos_flag.startswith("n")) or ""
        else:
            flags, sense = {"literal"}, ""
            if any(word_flag.get(p, set()) & {"absent", "register", "wordy", "han"} for p in st.parts):
                flags.add("bad-part")
            if zh in cedict.index:
                flags.add("reranked")  # CC-CEDICT has the phrase whole, but jieba cuts it
            if HAN_CHAR.search(glosses[zh]):
                flags.add("han")
            if zh in glossary.entries:
                flags.add("glossary")
        if not args.all and {"glossary", "name", "rule"} & flags:
            continue
        rows.append((score(st, flags, pos_flag, len(zh)), zh, st, unit, pos_flag, flags, sense))
    rows.sort(key=lambda r: (-r[0], -r[2].count, r[1]))

    header = ["score", "count", "docs", "zh", "unit", "pos", "flags", "cedict_first", "cedict_sense", "gloss",
              "parts", "example"]
    lines = ["\t".join(header)]
    for sc, zh, st, unit, pos_flag, flags, sense in rows:
        cells = [f"{sc:.2f}", str(st.count), str(len(st.docs)), zh, unit, pos_flag, ",".join(sorted(flags)),
                 first_sense(cedict, zh), sense, glosses[zh], "+".join(st.parts), st.example]
        lines.append("\t".join(c.replace("\t", " ").replace("\n", " ") for c in cells))
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(texts)} texts; {len(words)} words, {len(phrases)} phrases; {len(rows)} candidates → {args.out}")


if __name__ == "__main__":
    main()
