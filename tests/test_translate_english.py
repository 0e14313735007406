"""English an analyst can read (self-written unit checks; the quality measure is bench/translate_quality.py on the
frozen real references): Traditional folded first, names from the shared gazetteer or in Hanyu Pinyin, companies in
their English form, document titles and 在…中 reordered, fidelity on Traditional, paraphrased generic bodies, and an
article glossed during an engine outage translated again once the engine is back."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from test_llm import llm, server  # noqa: F401 - fixtures: a local OpenAI-compatible endpoint
from test_pipeline import local_sources, run_once

import translate
from store import open_store
from translate.fidelity import check, missing_numbers
from translate.names import english
from zhtext.gazetteer import english_names

CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def gloss():
    return translate.load_translator("gloss").load()


def one(engine, zh: str) -> str:
    (en,) = engine.translate([zh])
    return en


def test_traditional_is_read_as_simplified(gloss):
    en = one(gloss, "工業和信息化部將投入400億元支持上下游協同創新。")
    assert "Ministry of Industry and Information Technology" in en and "40 billion yuan" in en
    assert "upstream and downstream" in en and not CJK.search(en)
    assert one(gloss, "工業和信息化部") == one(gloss, "工业和信息化部")


def test_the_fidelity_check_reads_traditional_too():
    assert check("工業和信息化部投入400億元", "The ministry invests 40 billion yuan") == ["MIIT"]
    assert missing_numbers("規模達1.5萬噸", "1.5 tonnes") == [] and missing_numbers("規模達1.5萬噸", "scale") == ["1.5"]


@pytest.mark.parametrize("zh, en", [
    ("（记者白聪聪张建新）", "(Reporter Bai Congcong, Zhang Jianxin)"),  # two reporters glued: two names
    ("新华社北京6月11日电（记者 王磊 李娜）", "reporter Wang Lei, Li Na"),
    ("欧阳明表示", "Ouyang Ming"),  # a two-character surname
    ("单小琴说", "Shan Xiaoqin"),  # 单 as a surname reads Shan
])
def test_people_are_named_in_pinyin_surname_first(gloss, zh, en):
    out = one(gloss, zh)
    assert en in out and not CJK.search(out), out


def test_a_byline_marker_before_prose_is_not_taken_for_names(gloss):
    out = one(gloss, "记者从市科技局获悉，该平台已投用。")
    assert "Bureau of Science and Technology" in out and "Cong" not in out


@pytest.mark.parametrize("zh, en", [
    ("武汉绿源酶创生物科技有限公司", "Lüyuan Meichuang Biotechnology Co., Ltd."),  # the place is dropped
    ("安徽华恒生物科技股份有限公司", "Huaheng Biotechnology Co., Ltd."),
    ("凯赛生物材料有限公司", "Kaisai Biomaterials Co., Ltd."),  # no place: the two characters before the industry
])
def test_companies_read_brand_industry_legal_form(gloss, zh, en):
    assert one(gloss, f"{zh}与江南大学签约") .startswith(en)


def test_names_come_from_the_gazetteer_the_tagger_uses(gloss):
    """One source of English names: the gloss of an institution or place is the tagger's English for it."""
    for zh in ("江南大学", "中国科学院天津工业生物技术研究所", "青岛市", "东湖高新区"):
        assert zh in english_names()
        en = english(zh)
        assert en and en in one(gloss, f"{zh}发布")
    assert "subprovincial" not in one(gloss, "青岛的中试平台")  # never a CC-CEDICT note
    assert one(gloss, "海淀区").startswith("Haidian District") and english("海淀区") == "Haidian District"  # a division without a table name: its stem in pinyin


def test_no_chinese_is_left_even_for_characters_no_dictionary_has(gloss):
    assert not CJK.search(one(gloss, "𫖮彧喆䶮在会上发言"))


def test_document_titles_read_kind_on_subject(gloss):
    out = one(gloss, "工业和信息化部办公厅关于开展生物制造中试能力建设平台培育工作的通知")
    assert "Notice on" in out and not out.endswith("notice")
    assert "Guiding Opinions on" in one(gloss, "印发《关于推动生物制造高质量发展的指导意见》")


def test_a_localizer_closing_zai_is_dropped(gloss):
    out = one(gloss, "在平台建设中发挥作用")
    assert out.startswith("In ") and " in " not in out.lower()[3:] and "middle" not in out


def test_generic_bodies_paraphrased_by_an_engine_are_not_missing():
    assert check("由主管部门负责审核", "Reviewed by the competent department") == []
    assert check("由主管部门负责审核", "Reviewed by the regulatory authorities") == []
    assert check("由主管部门负责审核", "Reviewed carefully") == ["competent authorities"]


def test_titles_and_bodies_go_in_one_request(llm):  # noqa: F811 - pytest fixture
    engine = translate.load_translator("llm", url=llm.base, model="m")
    english = translate.translate_article(engine, "中试平台揭牌。", "2025年6月11日，3家企业入选。\n平台已投用。")
    assert len(llm.requests) == 1 and llm.requests[0].sentences[0] == "中试平台揭牌。"
    assert english.title_en and english.body_en.count("\n") == 1


def test_articles_glossed_during_an_outage_are_translated_again_when_the_engine_is_back(
        config, sample_hosts, tmp_path, llm):  # noqa: F811 - pytest fixture
    down = replace(config, translate_engine="llm", llm_url="http://127.0.0.1:9/v1", llm_model="m")
    run_once(down, local_sources(sample_hosts), tmp_path)
    st = open_store(config.db)
    glossed = st.query("SELECT count(*) AS n FROM articles WHERE translation_engine = 'gloss' AND translation_fallback = 1")
    total = st.db["articles"].count
    assert glossed[0]["n"] == total > 0
    st.close()

    again = run_once(down, local_sources(sample_hosts), tmp_path)  # still down: the glosses stand, none redone
    assert again.translated == 0

    back = replace(down, llm_url=llm.base, llm_timeout=5.0)
    report = run_once(back, local_sources(sample_hosts), tmp_path)
    assert report.translated == total and report.engine == "llm"
    st = open_store(config.db)
    rows = st.query("SELECT translation_engine, translation_fallback FROM articles")
    assert {(r["translation_engine"], r["translation_fallback"]) for r in rows} == {("llm", 0)}
    st.close()
    assert run_once(back, local_sources(sample_hosts), tmp_path).translated == 0  # nothing pending any more


def test_llm_timeout_is_a_setting(tmp_path):
    from pilotwatch.config import ConfigError, load_config

    cfg = load_config(env={"PILOTWATCH_LLM_TIMEOUT": "240"}, overrides={"db": str(tmp_path / "x.db")})
    assert cfg.llm_timeout == 240.0
    with pytest.raises(ConfigError, match="llm_timeout"):
        load_config(env={"PILOTWATCH_LLM_TIMEOUT": "0"}, overrides={"db": str(tmp_path / "x.db")})
