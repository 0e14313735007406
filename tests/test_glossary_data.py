"""The shipped glossary (translate/glossary.tsv) as data: size, shape, provenance, clean English, numbers kept,
sorted and unique; its loader's tolerance of shorter user glossaries; and gloss renderings it exists to fix."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from translate import load_translator
from translate.fidelity import number_words
from translate.glossary import load_glossary
from zhtext.numerals import NUMERAL_CHARS, cn_to_int, is_bare

GLOSSARY = Path(__file__).resolve().parents[1] / "translate" / "glossary.tsv"
# The order kinds appear in the file, as its header lists them.
KINDS = ("central", "party", "academy", "local", "media", "zone", "policy", "sector", "bio", "enzyme", "chem", "usage")
SOURCE = re.compile(r"seed|cedict-fix|domain|corpus:\d+")
# What CC-CEDICT definitions carry and an English rendering must not: classifiers, pinyin, alternatives, notes.
MARKUP = ("CL:", "[", "|", "variant of", "old variant", "see also", "abbr.", "surname")
SEED_ENTRIES = 263  # the hand-made glossary this file grew from; none may be lost
NOMENCLATURE = frozenset({"chem", "enzyme"})  # 丁二酸 succinic acid: 二 is part of the name, not a count
_HAN = re.compile(r"[\u3400-\u9fff]")


def _rows() -> list[tuple[int, list[str]]]:
    return [(n, line.split("\t")) for n, line in enumerate(GLOSSARY.read_text(encoding="utf-8").splitlines(), 1)
            if line.strip() and not line.startswith("#")]


def _numbers(zh: str) -> list[int]:
    """The numbers a Chinese term states: runs of numeral characters, each cut into the longest readable numerals
    (十四五 → 14, 5). A lone 一 (一批 "a batch", 一流 "first-class") and bare magnitudes (千万 "must") are words."""
    values = []
    for run in re.findall(f"[{NUMERAL_CHARS}]+", zh):
        if run == "一" or is_bare(run):
            continue
        i = 0
        while i < len(run):
            j = next((j for j in range(len(run), i, -1) if cn_to_int(run[i:j]) is not None), i + 1)
            value = cn_to_int(run[i:j])
            if value is not None and run[i:j] != "一":
                values.append(value)
            i = j
    return values


def _states(en: str, n: int) -> bool:
    digits = {g.replace(",", "") for g in re.findall(r"\d[\d,]*", en)}
    lower = en.lower()
    return str(n) in digits or number_words(n) in lower or number_words(n, ordinal=True) in lower


# --- the file -------------------------------------------------------------------------------------


def test_at_least_a_thousand_entries() -> None:
    assert len(load_glossary(str(GLOSSARY)).entries) >= 1000


def test_every_line_has_four_columns_a_known_kind_and_a_source() -> None:
    for n, cols in _rows():
        assert len(cols) == 4, (n, cols)
        zh, en, kind, source = cols
        assert zh and en and zh == zh.strip() and en == en.strip(), (n, cols)
        assert kind in KINDS, (n, kind)
        assert SOURCE.fullmatch(source), (n, source)


def test_header_documents_every_kind_and_source() -> None:
    header = "\n".join(line for line in GLOSSARY.read_text(encoding="utf-8").splitlines() if line.startswith("#"))
    assert "zh<TAB>en<TAB>kind<TAB>source" in header
    for word in (*KINDS, "seed", "cedict-fix", "corpus:<n>", "domain"):
        assert re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", header), word


def test_seed_entries_are_kept() -> None:
    sources = [cols[3] for _, cols in _rows()]
    assert sources.count("seed") == SEED_ENTRIES
    assert {s.split(":")[0] for s in sources} == {"seed", "cedict-fix", "corpus", "domain"}


def test_no_cedict_markup_or_chinese_in_english() -> None:
    for n, (zh, en, _kind, _source) in _rows():
        assert not any(mark in en for mark in MARKUP), (n, zh, en)
        assert not _HAN.search(en), (n, zh, en)


def test_numbers_in_the_chinese_survive_in_the_english() -> None:
    for n, (zh, en, kind, _source) in _rows():
        for group in re.findall(r"\d+", zh):  # Arabic digits always, locants of chemical names included
            assert group in re.findall(r"\d+", en), (n, zh, en)
        if kind in NOMENCLATURE:
            continue
        for value in _numbers(zh):
            assert _states(en, value), (n, zh, en, value)


def test_number_reading_of_terms() -> None:
    assert _numbers("十四五") == [14, 5] and _numbers("二十大") == [20] and _numbers("三中全会") == [3]
    assert _numbers("一批") == [] and _numbers("千万") == [] and _numbers("产业") == []
    assert _states("14th Five-Year Plan", 14) and _states("14th Five-Year Plan", 5)
    assert not _states("Five-Year Plan", 14) and _states("Third Plenary Session", 3)


def test_sorted_by_kind_then_chinese_without_duplicates() -> None:
    rows = [cols for _, cols in _rows()]
    kinds = [cols[2] for cols in rows]
    blocks = [k for i, k in enumerate(kinds) if i == 0 or k != kinds[i - 1]]
    assert blocks == [k for k in KINDS if k in kinds], blocks  # one block per kind, in the header's order
    for kind in blocks:
        zh = [cols[0] for cols in rows if cols[2] == kind]
        assert zh == sorted(zh), kind
    all_zh = [cols[0] for cols in rows]
    assert len(all_zh) == len(set(all_zh))


# --- the loader ------------------------------------------------------------------------------------


def test_loader_reads_the_source_column_and_tolerates_shorter_user_glossaries(tmp_path: Path) -> None:
    entries = load_glossary(str(GLOSSARY)).entries
    assert entries["丁二酸"].kind == "chem" and entries["工信部"].source == "seed"
    path = tmp_path / "user.tsv"
    path.write_text("# mine\n中试\tPILOT\tpolicy\n酶\tenzyme\n发酵\tfermentation\tbio\tdomain\textra\n", encoding="utf-8")
    user = load_glossary(str(path)).entries
    assert (user["中试"].kind, user["中试"].source) == ("policy", "")
    assert (user["酶"].en, user["酶"].kind, user["酶"].source) == ("enzyme", "", "")
    assert (user["发酵"].kind, user["发酵"].source) == ("bio", "domain")


# --- renderings the glossary exists for ------------------------------------------------------------


@pytest.fixture(scope="module")
def gloss():
    return load_translator("gloss")


def _one(tr, zh: str) -> str:
    (en,) = tr.translate([zh])
    return en.lower()


def test_chemical_names(gloss) -> None:
    assert "succinic acid" in _one(gloss, "丁二酸")
    assert "male adult" not in _one(gloss, "丁二酸")
    assert "1,3-propanediol" in _one(gloss, "以葡萄糖为原料生产1,3-丙二醇")
    assert "glucose" in _one(gloss, "葡萄糖") and "c6h12o6" not in _one(gloss, "葡萄糖")


def test_policy_phrases(gloss) -> None:
    en = _one(gloss, "上下游协同创新")
    assert "upstream and downstream" in en and "innovation" in en and "bring forth" not in en
    assert "guidance through standards" in _one(gloss, "规范引领")
    assert "crane" not in _one(gloss, "规范引领")


@pytest.mark.parametrize(
    ("zh", "en"),
    [("牵头", "lead"), ("工艺", "process"), ("生物", "biological"), ("创新", "innovation"),
     ("科研院所", "research institutes"), ("中试放大", "pilot-scale scale-up")],
)
def test_word_renderings(gloss, zh: str, en: str) -> None:
    assert _one(gloss, zh) == en


def test_a_policy_sentence_reads_as_policy_prose(gloss) -> None:
    en = _one(gloss, "支持科研院所牵头开展中试放大，提升发酵工艺水平，推动丁二酸等生物基化学品产业化。")
    for part in ("research institutes", "lead", "pilot-scale scale-up", "fermentation process", "succinic acid",
                 "bio-based chemicals"):
        assert part in en, (part, en)
    for wrong in ("handicraft", "arts and crafts", "lead along", "male adult", "organism"):
        assert wrong not in en, (wrong, en)
