"""The real zh→en reference set (tests/fixtures/translate_refs.jsonl) and the scorer of bench/translate_quality.py.

The set's shape is asserted here; its scores are printed by the bench, never asserted (the test split is frozen).
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from zhtext.script import fold

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "tests" / "fixtures" / "translate_refs.jsonl"
EXTRACT_REAL = ROOT / "tests" / "fixtures" / "extract_real.jsonl"
FIELDS = ("id", "split", "lang", "url", "title", "zh", "en", "notes")


def _load_bench():
    spec = importlib.util.spec_from_file_location("translate_quality", ROOT / "bench" / "translate_quality.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tq = _load_bench()
ITEMS = [json.loads(line) for line in DATASET.read_text(encoding="utf-8").splitlines() if line.strip()]


# --- the set ---------------------------------------------------------------------------------------------------------

def test_size_and_scripts():
    langs = Counter(it["lang"] for it in ITEMS)
    assert len(ITEMS) >= 44
    assert langs["zh-Hant"] >= 16
    assert set(langs) == {"zh", "zh-Hant"}


def test_fields_and_ids():
    for it in ITEMS:
        assert set(it) == set(FIELDS), it["id"]
        assert all(isinstance(it[f], str) for f in FIELDS), it["id"]
        assert all(it[f].strip() for f in FIELDS if f != "title"), it["id"]  # a stored copy may lack a title
        assert re.fullmatch(r"tr-\d{3}", it["id"])
        assert it["split"] in ("dev", "test")
        assert it["url"].startswith(("http://", "https://"))
    ids = [it["id"] for it in ITEMS]
    assert len(set(ids)) == len(ids)


def test_splits_are_balanced_per_script():
    counts = Counter((it["split"], it["lang"]) for it in ITEMS)
    for lang in ("zh", "zh-Hant"):
        assert abs(counts["dev", lang] - counts["test", lang]) <= 1, lang


def test_excerpts_are_short_distinct_and_from_distinct_pages():
    for it in ITEMS:
        assert 30 <= len(it["zh"]) <= 160, it["id"]
    assert len({it["url"] for it in ITEMS}) == len(ITEMS)
    assert len({fold(it["zh"]) for it in ITEMS}) == len(ITEMS)


def test_lang_matches_the_script():
    # Traditional items hold characters that fold to Simplified; Simplified items hold none.
    for it in ITEMS:
        changed = fold(it["zh"]) != it["zh"]
        assert changed == (it["lang"] == "zh-Hant"), it["id"]


def test_no_page_of_the_labelled_extraction_set():
    # Only the URLs are read: the extraction set's test texts are frozen.
    urls = {json.loads(line)["url"] for line in EXTRACT_REAL.read_text(encoding="utf-8").splitlines() if line.strip()}
    assert not [it["id"] for it in ITEMS if it["url"] in urls]


def test_references_are_english():
    for it in ITEMS:
        assert tq.cjk_share([it["en"]]) == 0.0, it["id"]
        assert it["en"][:1].isupper() or it["en"][:1] in "'[", it["id"]


def test_every_reference_keeps_every_number_of_its_source():
    lost = {}
    for it in ITEMS:
        expected, kept = tq.number_counts(it["zh"], it["en"])
        if kept != expected:
            lost[it["id"]] = (expected, kept)
    assert not lost
    # The check has work to do: scaled amounts in both scripts (万/亿 and 萬/億).
    assert any(re.search(r"\d\s*[万亿]", it["zh"]) for it in ITEMS if it["lang"] == "zh")
    assert any(re.search(r"\d\s*[萬億]", it["zh"]) for it in ITEMS if it["lang"] == "zh-Hant")
    assert sum(tq.number_counts(it["zh"], it["en"])[0] for it in ITEMS) >= 100


# --- the scorer ------------------------------------------------------------------------------------------------------

def test_cjk_share():
    assert tq.cjk_share(["abc中"]) == 0.25
    assert tq.cjk_share(["a b", "中文"]) == 0.5  # whitespace is not counted
    assert tq.cjk_share(["，。「」"]) == 1.0  # CJK punctuation left in the output counts
    assert tq.cjk_share([]) == 0.0
    assert tq.cjk_share(["   "]) == 0.0


def test_number_counts_scale_and_script():
    assert tq.number_counts("总投资1.7亿元", "a total investment of 170 million yuan") == (1, 1)
    assert tq.number_counts("总投资1.7亿元", "total investment 1.7 hundred million yuan") == (1, 1)
    assert tq.number_counts("總投資1.7億元", "總 cast 資為 1.7 億") == (1, 0)  # bare digits: the scale is lost
    assert tq.number_counts("總投資1.7億元", "170,000,000 yuan") == (1, 1)
    assert tq.number_counts("到2027年培育20个以上", "20 or more by 2027") == (2, 2)
    assert tq.number_counts("到2027年培育20个以上", "more by 2027") == (2, 1)
    assert tq.number_counts("二十个平台", "twenty platforms") == (1, 1)
    assert tq.number_counts("6月11日", "June 11") == (2, 2)
    assert tq.number_counts("工业和信息化部印发通知", "") == (0, 0)  # agency names are not numbers


def test_score_groups_by_split_and_script():
    pytest.importorskip("sacrebleu")
    items = [
        {"split": "dev", "lang": "zh", "zh": "到2027年", "en": "By 2027, twenty platforms."},
        {"split": "dev", "lang": "zh-Hant", "zh": "投資1.7億元", "en": "An investment of 170 million yuan."},
        {"split": "test", "lang": "zh", "zh": "中试平台投用", "en": "The pilot platform was put into use."},
    ]
    outputs = ["By 2027, twenty platforms.", "投資 1.7 億", "The pilot platform was put into use."]
    groups = tq.score_groups(items, outputs)
    assert set(groups) == {"dev", "test"}
    assert set(groups["dev"]) == {"all", "zh", "zh-Hant"}
    assert set(groups["test"]) == {"all", "zh"}
    assert groups["dev"]["zh"]["chrf"] == 100.0
    assert groups["dev"]["zh"]["numbers_kept_share"] == 1.0
    assert groups["dev"]["zh-Hant"]["numbers_kept"] == 0
    assert groups["dev"]["zh-Hant"]["cjk"] == 0.5  # 投資1.7億: 3 of 6
    assert groups["dev"]["all"]["n"] == 2
    assert groups["test"]["all"]["bleu"] == 100.0


def test_chrf_and_bleu():
    pytest.importorskip("sacrebleu")
    refs = ["The ministry issued a notice on pilot platforms.", "Twenty platforms by 2027."]
    assert tq.chrf(refs, refs) == pytest.approx(100.0)
    assert tq.bleu(refs, refs) == pytest.approx(100.0)
    assert tq.chrf(["xyz qqq", "vvv"], refs) < 10
    partial = tq.chrf(["The ministry issued a notice.", "Twenty platforms."], refs)
    assert 30 < partial < 100


def test_cedict_first_baseline():
    baseline = tq.CedictFirst()
    out = baseline("生物制造中试平台")
    assert "pilot" in out.lower()
    assert not re.search(r"[\u4e00-\u9fff]", out)  # every word of this phrase is a CC-CEDICT headword
    assert "Zzqqz" in baseline("Zzqqz")  # an unknown token stays as written


def test_load_items_filters_splits():
    dev = tq.load_items(DATASET, ["dev"])
    assert dev and {it["split"] for it in dev} == {"dev"}
    assert len(tq.load_items(DATASET)) == len(ITEMS)


def test_show_refuses_the_test_split():
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "translate_quality.py"), "--split", "test", "--show"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "frozen" in done.stderr
