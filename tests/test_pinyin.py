"""Issue 20, memory: the names' pinyin from a compact table (translate/pinyin.py) must be pypinyin's, item for item.

The oracle is pypinyin itself: lazy_pinyin(text, style=Style.NORMAL, v_to_u=True, errors="default").
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from pypinyin import Style, lazy_pinyin
from pypinyin.constants import PHRASES_DICT

from conftest import real_texts
from translate import pinyin

REPO = Path(__file__).resolve().parents[1]
EDGE = ["", " ", "重庆", "长沙银行行长", "白聪聪张建新", "绿源酶创", "单雄信", "曾国藩", "〇", "㐀", "𠮷野家", "鿕鿖",
        "abc 123 中试", "战略", "女儿", "ＡＢＣ１２３，全角", "中试\n平台\t制表", "一一二二三三", "银行行长行行好"]


def oracle(text: str) -> list[str]:
    return lazy_pinyin(text, style=Style.NORMAL, v_to_u=True, errors="default")


@pytest.mark.parametrize("text", EDGE)
def test_edge_texts(text) -> None:
    assert pinyin.syllables(text) == oracle(text)


def test_real_articles_read_as_pypinyin_reads_them() -> None:
    for text in real_texts(40):
        assert pinyin.syllables(text) == oracle(text), text[:60]


def test_random_text_and_glued_phrases_read_as_pypinyin_reads_them() -> None:
    rnd = random.Random(11)
    phrases = sorted(PHRASES_DICT)
    alphabet = "".join(dict.fromkeys("".join(real_texts(5)) + "〇㐀鿕 a1,.\n"))
    for _ in range(400):
        parts = [rnd.choice(phrases) if rnd.random() < 0.5 else rnd.choice(alphabet) for _ in range(rnd.randint(1, 12))]
        text = "".join(parts)
        assert pinyin.syllables(text) == oracle(text), text


_NEXT_PROCESS = r"""
import json, sys
from translate import names
out = names.person("白聪聪")
print(json.dumps({"pypinyin": "pypinyin" in sys.modules, "out": out,
                  "loads": {k: v for k, v in __import__("zhtext.cache").cache.LOADS.items() if k.startswith("pinyin")}}))
"""


def test_the_next_process_reads_the_table_without_pypinyin(tmp_path) -> None:
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "xdg"))
    runs = [json.loads(subprocess.run([sys.executable, "-c", _NEXT_PROCESS], env=env, cwd=str(REPO), check=True,
                                      capture_output=True, text=True, timeout=300).stdout.strip().splitlines()[-1])
            for _ in range(2)]
    assert runs[0] == {"pypinyin": True, "out": "Bai Congcong", "loads": {"pinyin (built)": 1}}
    assert runs[1] == {"pypinyin": False, "out": "Bai Congcong", "loads": {"pinyin (cache)": 1}}
