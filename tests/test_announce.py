"""extract.announce: the packaged model matches the featuriser, scores behave, and training is deterministic.

Behaviour only, no quality claims (those are the training script's cross-validation and the bench). Every example text
below was written for these tests.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import re
import subprocess
import sys
from importlib import resources as _res
from pathlib import Path

import pytest

from extract import announce
from zhtext.script import fold

ROOT = Path(__file__).resolve().parents[1]
MODEL_PATH = Path(str(_res.files("extract") / "data" / announce.MODEL_FILE))
BUCKET_NAME = re.compile(r"^([tl]):(\d+)$")

NOTICE = (
    "工业和信息化部办公厅 国家发展改革委办公厅关于公布首批生物制造中试能力建设平台名单的通知",
    "各省、自治区、直辖市工业和信息化主管部门、发展改革委：根据《关于开展生物制造中试能力建设平台培育工作的通知》，"
    "经地方推荐、专家评审和网上公示，现将首批生物制造中试能力建设平台名单予以公布。入选平台覆盖食品及添加剂、"
    "医药、化工和酶制剂等领域，请各平台加快提升中试服务能力。",
)
GENERAL_POLICY = (
    "关于印发《某省制造业中试基地建设实施方案》的通知",
    "各市人民政府：现将《某省制造业中试基地建设实施方案》印发给你们。方案提出，围绕新材料、高端装备、集成电路、"
    "新能源汽车和人工智能等产业，到2027年建设省级制造业中试基地30个，推动科技成果中试熟化。",
)
OPENING = (
    "某市合成生物中试平台揭牌运行",
    "日前，由某大学牵头建设的合成生物中试平台在某市高新区揭牌运行。平台配备发酵罐和分离纯化装备，"
    "面向酶制剂和食品配料开展中试服务。",
)
FORUM = (
    "2025某地生物产业发展论坛举行",
    "近日，2025某地生物产业发展论坛在某市举行，与会专家围绕生物医药、新材料和人工智能等议题展开交流，"
    "并介绍了当地产业园区、孵化器和人才政策。",
)
ENGLISH = (
    "Province opens its first biomanufacturing pilot platform",
    "A biomanufacturing pilot platform built by a provincial university opened on Monday. The pilot-scale platform "
    "offers fermentation and purification services for enzyme and food ingredient makers.",
)


def folded(item: tuple[str, str]) -> tuple[str, str]:
    return fold(item[0]), fold(item[1])


@pytest.fixture(scope="module")
def model() -> dict:
    return announce._model()


# --- the packaged model -----------------------------------------------------------------------------------------------


def test_model_file_is_small_package_data_with_its_provenance(model):
    assert MODEL_PATH.stat().st_size < 300 * 1024
    assert model["format"] == announce.MODEL_FORMAT
    assert model["version"]
    assert isinstance(model["intercept"], float)
    assert model["buckets"] > 0 and model["buckets"] & (model["buckets"] - 1) == 0  # a power of two
    assert re.fullmatch(r"[0-9a-f]{64}", model["training"]["data_sha256"])
    assert announce.load(MODEL_PATH) == model


def test_every_weight_is_a_feature_the_featuriser_emits(model):
    buckets = model["buckets"]
    unknown = []
    for name in model["weights"]:
        if name in announce.STRUCTURAL:
            continue
        m = BUCKET_NAME.match(name)
        if not (m and m.group(1) in announce.NGRAM_PREFIXES and 0 <= int(m.group(2)) < buckets):
            unknown.append(name)
    assert unknown == []
    assert set(announce.STRUCTURAL) <= set(model["weights"])  # the model was trained on this featuriser's features


def test_features_are_the_structural_names_plus_buckets_in_range(model):
    for title, body in map(folded, (NOTICE, GENERAL_POLICY, OPENING, ("", ""))):
        feats = announce.features(title, body, "zh")
        assert set(announce.STRUCTURAL) <= set(feats)
        grams = set(feats) - set(announce.STRUCTURAL)
        assert all(BUCKET_NAME.match(g) and int(g.split(":")[1]) < model["buckets"] for g in grams)
        assert all(math.isfinite(v) for v in feats.values())
    english = announce.features(*ENGLISH, "en")
    assert english["lang_en"] == 1.0 and english["title_pilot"] == 1.0


def test_ngram_buckets_use_a_stable_hash():
    # zlib.crc32, not hash(): the same bucket in every process, whatever PYTHONHASHSEED says
    code = "from extract import announce; print(announce.bucket('t', '中试平台', 4096))"
    env = {**os.environ, "PYTHONHASHSEED": "123"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert int(out.stdout) == announce.bucket("t", "中试平台", 4096)


# --- the featuriser ignores datelines, bylines, source lines and the repeated title -------------------------------------


def test_features_do_not_depend_on_datelines_bylines_or_source_lines():
    title, body = folded(OPENING)
    noisy = fold(
        f"{OPENING[0]}\n2025-06-18 09:30  来源：某某日报  责任编辑：张三\n本报记者 李四\n"
        f"新华社北京6月18日电 {OPENING[1]}\n【编辑：王五】"
    )
    assert announce.features(title, noisy, "zh") == announce.features(title, body, "zh")


def test_an_untitled_item_reads_its_headline_from_the_first_line():
    title, body = folded(OPENING)
    assert announce.features("", f"{title}\n{body}", "zh") == announce.features(title, body, "zh")


def test_english_datelines_are_cut_off():
    title, body = ENGLISH
    with_dateline = f"HANGZHOU, June 18 (Xinhua) -- {body}"
    assert announce.features(title, with_dateline, "en") == announce.features(title, body, "en")


# --- scores ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("item", [NOTICE, GENERAL_POLICY, OPENING, FORUM, ("", "")])
def test_score_is_a_probability_and_deterministic(item):
    title, body = folded(item)
    first = announce.score(title, body, "zh")
    assert 0.0 <= first.value <= 1.0
    assert announce.score(title, body, "zh") == first
    assert len(first.top) <= 5
    for name, contribution in first.top:
        assert name in announce.STRUCTURAL or name.startswith(("title_ngrams[", "lead_ngrams["))
        assert isinstance(contribution, float) and contribution != 0.0


def test_reasons_are_the_strongest_contributions_first():
    s = announce.score(*folded(NOTICE), "zh")
    assert 3 <= len(s.top) <= 5
    sizes = [abs(c) for _, c in s.top]
    assert sizes == sorted(sizes, reverse=True)
    assert len(s.reasons()) == len(s.top) and all(isinstance(r, str) for r in s.reasons())


def test_a_clear_announcement_scores_above_a_general_manufacturing_policy():
    assert announce.score(*folded(NOTICE), "zh").value > announce.score(*folded(GENERAL_POLICY), "zh").value


def test_an_opening_scores_above_a_forum():
    assert announce.score(*folded(OPENING), "zh").value > announce.score(*folded(FORUM), "zh").value


def test_traditional_script_reads_as_zh_and_other_languages_are_refused():
    title, body = folded(OPENING)
    assert announce.score(title, body, "zh-Hant") == announce.score(title, body, "zh")
    with pytest.raises(ValueError):
        announce.score(title, body, "fr")


def test_score_is_the_logistic_of_the_weighted_features():
    # a hand-made model: one structural weight and one n-gram bucket
    title, body = folded(OPENING)
    buckets = 16
    gram = f"t:{announce.bucket('t', '揭', buckets)}"
    x = announce.features(title, body, "zh", buckets=buckets)
    tiny = {"format": announce.MODEL_FORMAT, "buckets": buckets, "intercept": -1.0,
            "weights": {"title_pilot": 2.0, gram: 0.5}}  # fmt: skip
    z = -1.0 + 2.0 * x["title_pilot"] + 0.5 * x[gram]
    s = announce.score(title, body, "zh", model=tiny)
    assert s.value == pytest.approx(1.0 / (1.0 + math.exp(-z)))
    assert dict(s.top)["title_pilot"] == 2.0
    assert any(name.startswith("title_ngrams[") and "揭" in name for name, _ in s.top)


# --- training -------------------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("sklearn") is None, reason="scikit-learn (the train extra) is absent")
def test_training_twice_writes_identical_bytes(tmp_path):
    outs = []
    for i, seed in enumerate(("1", "2")):
        out = tmp_path / f"model{i}.json"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "scripts/train_announce.py", "--repeats", "1", "--out", str(out)],
            cwd=ROOT, env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    trained = json.loads(outs[0])
    assert trained["buckets"] == announce._model()["buckets"]
    assert set(announce.STRUCTURAL) <= set(trained["weights"])
