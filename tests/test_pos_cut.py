"""Issue 20, memory: the host finder's part-of-speech cut (extract/pos.py) over the dictionary the gloss shares
(zhtext/wordcut.py) must be jieba.posseg's cut, pair for pair, and the process must hold one dictionary.

The oracle is jieba itself: a jieba.Tokenizer with the same words added, wrapped in jieba.posseg.POSTokenizer (which is
what extract/hosts.py used before).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import jieba
import jieba.posseg
import pytest

from conftest import real_texts
from extract import hosts, pos
from zhtext import wordcut

REPO = Path(__file__).resolve().parents[1]

EDGE_TEXTS = [
    "", " ", "中", "由鲁商集团牵头建设", "董家口经开区", "岱山经开新材料科技发展有限公司", "COVID-19疫苗 mRNA技术\r\n第二行\t制表",
    "a+b#c&d._%-e", "5G基站2025年建成1.5万个", "★中试★", "𠮷野家", "一一二二三三", "中试中试中试中试中试中试中试中试中试中试",
    "ＡＢＣ１２３，全角", "生物制造中试能力建设平台", "张国清白聪聪张建新在北京调研", "abc123 def 4.5", "鿕鿖丂",
]


@pytest.fixture(scope="module")
def cutter() -> pos.PosCutter:
    return hosts._pos_tokenizer()


@pytest.fixture(scope="module")
def oracle(tmp_path_factory) -> jieba.posseg.POSTokenizer:
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = str(tmp_path_factory.mktemp("jieba"))
    jieba.setLogLevel(60)
    tokenizer.initialize()
    for word, tag in hosts.added_words():
        tokenizer.add_word(word, tag=tag)
    return jieba.posseg.POSTokenizer(tokenizer)


def pairs(oracle, text: str) -> list[tuple[str, str]]:
    return [(p.word, p.flag) for p in oracle.cut(text)]


def test_regexes_are_posseg_s() -> None:
    for ours, theirs in [(pos.RE_HAN_DETAIL, jieba.posseg.re_han_detail), (pos.RE_SKIP_DETAIL, jieba.posseg.re_skip_detail),
                         (pos.RE_HAN_INTERNAL, jieba.posseg.re_han_internal),
                         (pos.RE_SKIP_INTERNAL, jieba.posseg.re_skip_internal), (pos.RE_ENG, jieba.posseg.re_eng),
                         (pos.RE_NUM, jieba.posseg.re_num)]:
        assert (ours.pattern, ours.flags) == (theirs.pattern, theirs.flags)


def test_cuts_real_articles_as_posseg_does(cutter, oracle) -> None:
    for text in real_texts(80) + EDGE_TEXTS:
        assert list(cutter.cut(text)) == pairs(oracle, text), text[:60]


def test_cuts_random_text_as_posseg_does(cutter, oracle) -> None:
    rnd = random.Random(20)
    alphabet = "".join(dict.fromkeys("".join(real_texts(5)) + "中试平台鲁商董家口经开 abc123.%-#&_\n丂鿕"))
    for _ in range(400):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 40)))
        assert list(cutter.cut(text)) == pairs(oracle, text), text


def test_the_compact_hmm_is_posseg_s_viterbi(cutter) -> None:
    from jieba.posseg import char_state_tab_P, emit_P, start_P, trans_P
    from jieba.posseg.viterbi import viterbi

    hmm = cutter.hmm
    rnd = random.Random(5)
    common = "".join(dict.fromkeys(ch for ch in "".join(real_texts(10)) if "\u4e00" <= ch <= "\u9fd5"))
    rare = "".join(chr(c) for c in range(0x9f00, 0x9fd6))  # few or no states listed: jieba tries them all
    for _ in range(300):
        text = "".join(rnd.choice(common if rnd.random() < 0.9 else rare) for _ in range(rnd.randint(1, 12)))
        _, route = viterbi(text, char_state_tab_P, start_P, trans_P, emit_P)
        assert [hmm.names[s] for s in hmm.viterbi(text)] == route, text


def test_the_added_words_change_what_add_word_changes() -> None:
    dictionary = "中试 120 vn\n平台 3000 n\n中试平台 5 n\n生物 2000 n\n制造 2500 vn\n张 800 q\n".encode()
    words = [("生物制造", "nz"), ("中试能力", "nz"), ("张国清", "nt"), ("平台", "nt")]
    freq, total, tags = wordcut.read_dictionary(dictionary)
    base_freq, base_total = jieba.Tokenizer.gen_pfdict(__import__("io").BytesIO(dictionary))
    assert (freq, total) == (base_freq, base_total)
    changed, new_total, new_tags, force = wordcut.added(freq, total, tags, words, jieba.Tokenizer())
    oracle = jieba.Tokenizer()
    oracle.FREQ, oracle.total, oracle.initialized = dict(freq), total, True
    for word, tag in words:
        oracle.add_word(word, tag=tag)
    assert {**freq, **changed} == oracle.FREQ and new_total == oracle.total and force == []
    assert new_tags == {"生物制造": "nz", "中试能力": "nz", "张国清": "nt", "平台": "nt"}
    assert "中试" not in changed and changed["中试能"] == 0  # a new prefix; an old one is not repeated
    index, blob = wordcut.shard_tables(freq, tags)
    words_view = wordcut.Words(wordcut.Dictionary(total, index, blob), new_total, changed, new_tags)
    assert words_view.full_freq() == oracle.FREQ
    assert words_view.tag("平台") == "nt" and words_view.tag("制造") == "vn" and words_view.tag("没有") is None
    with pytest.raises(ValueError, match="line 2"):
        wordcut.read_dictionary("中试 120 vn\n平台 many n\n".encode())


_ONE_PROCESS = r"""
import json, sys
from extract import hosts, tag_article
from translate import gloss, load_translator
from zhtext import cache
text = "山东省生物制造中试能力建设平台由鲁商集团牵头，依托青岛科技大学建设，位于董家口经开区。"
tags = tag_article("鲁商集团建设中试平台", text)
load_translator("gloss").translate([text])
print(json.dumps({
    "same_dictionary": hosts._pos_tokenizer().words.base is gloss._resources(None).segmenter.base,
    "loads": {k: v for k, v in cache.LOADS.items() if k.startswith(("jieba", "gloss-words", "hosts-words", "posseg-hmm"))},
    "posseg": "jieba.posseg" in sys.modules,
    "dictionary_hashed": __import__("zhtext.wordcut").wordcut._base_key.cache_info().misses,
}))
"""


def _one_process(tmp_path: Path) -> dict:
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "xdg"))
    out = subprocess.run([sys.executable, "-c", _ONE_PROCESS], env=env, cwd=str(REPO), capture_output=True, text=True,
                         check=True, timeout=300)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_tagger_and_gloss_share_one_dictionary_and_never_import_posseg(tmp_path) -> None:
    first = _one_process(tmp_path)
    assert first["same_dictionary"] is True and first["posseg"] is False
    assert first["dictionary_hashed"] == 1  # jieba's 13 MB dict.txt read and hashed once, not once per stage
    assert first["loads"] == {"jieba-dict (built)": 1, "hosts-words (built)": 1, "posseg-hmm (built)": 1,
                              "gloss-words (built)": 1}
    second = _one_process(tmp_path)  # the next process reads every table back
    assert second["loads"] == {"jieba-dict (cache)": 1, "hosts-words (cache)": 1, "posseg-hmm (cache)": 1,
                               "gloss-words (cache)": 1}
