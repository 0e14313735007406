"""zhtext: the one Chinese-numeral grammar, date pieces, Han ranges, Traditional→Simplified folding, clean-up."""

from __future__ import annotations

import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from zhtext.clean import no_lone_surrogates, to_ascii
from zhtext.dates import DAY, MONTH, YEAR, date_part, day_of, iso_date, month_of
from zhtext.numerals import arabic_value, cn_to_int, is_bare, is_digit_string, to_number
from zhtext.script import HAN_RUN, fold, has_han, t2s

ROOT = Path(__file__).resolve().parents[1]


# The five on which extract/quantities.py and translate/numbers.py used to disagree, as now decided.
@pytest.mark.parametrize(("zh", "value"), [
    ("一一", 11),  # digit by digit, like 一九九八; in running text (唯一一家, 一一对应) the caller decides it is a word
    ("一九九八", 1998),
    ("千万", 10_000_000),  # a bare magnitude: 近千万元; 千万不要 "by no means" is the caller's call
    ("十百", None),  # places must fall
    ("万一", None),  # 10,001 or 11,000? In text it is the word "in case"
])
def test_the_disagreements_decided(zh: str, value: int | None) -> None:
    assert cn_to_int(zh) == value


@pytest.mark.parametrize(("zh", "value"), [
    ("一", 1), ("两", 2), ("零", 0), ("〇", 0), ("十", 10), ("十二", 12), ("四十三", 43), ("一百零五", 105),
    ("一千零五", 1005), ("一千零十", 1010), ("二百十", 210), ("两千", 2000), ("两百", 200), ("二〇二五", 2025),
    ("二○二五", 2025), ("三万五千", 35_000), ("三千五百万", 35_000_000), ("三亿五千万", 350_000_000),
    ("一万零五百", 10_500), ("三万亿", 3 * 10**12), ("三万五千亿", 35 * 10**11), ("十万", 100_000),
    # the abbreviated tail, as spoken
    ("三千五", 3500), ("一万五", 15_000), ("一亿五", 150_000_000), ("两百五", 250),
    # bare magnitudes
    ("百", 100), ("千", 1000), ("百万", 10**6), ("万亿", 10**12),
])
def test_numerals(zh: str, value: int) -> None:
    assert cn_to_int(zh) == value


@pytest.mark.parametrize("zh", ["", "二三十", "两两", "二十两", "零百", "亿万", "百五", "万万", "一亿亿", "十二a",
                                "一" * 25, "百十"])
def test_not_numerals(zh: str) -> None:
    assert cn_to_int(zh) is None


def test_doubtful_shapes_are_named_for_callers() -> None:
    assert is_digit_string("一一") and is_digit_string("二〇二五") and not is_digit_string("一")
    assert is_bare("千万") and is_bare("百") and not is_bare("十五") and not is_bare("十") and not is_bare("两百")


def test_arabic_and_decimal_numbers() -> None:
    assert arabic_value("1.2亿") == 120_000_000 and arabic_value("1亿2000万") == 120_000_000
    assert arabic_value("1,200") == 1200
    assert to_number("1.5万") == 15_000 and to_number("三点五") == Decimal("3.5") and to_number("四十三") == 43
    assert to_number("三点") is None and to_number("百分之二十") is None


def test_date_pieces() -> None:
    ymd = re.compile(rf"(?P<y>{YEAR})年(?P<m>{MONTH})月(?P<d>{DAY})日")
    for text, iso in [("2025年6月11日", "2025-06-11"), ("二〇二五年十二月三十一日", "2025-12-31"),
                      ("二○二五年六月十一日", "2025-06-11"), ("2025年2月31日", None)]:
        m = ymd.fullmatch(text)
        assert m is not None, text
        assert iso_date(date_part(m["y"]), month_of(m["m"]), day_of(m["d"])) == iso, text
    assert month_of("十三") is None and day_of("32") is None and date_part("０６") is None


def test_han_ranges_and_folding() -> None:
    assert has_han("中试") and has_han("㐀") and not has_han("Pilot 2025")
    assert HAN_RUN.findall("中试platform平台") == ["中试", "平台"]
    assert fold("廣東省平臺試點２０２７年，") == "广东省平台试点2027年,"
    odd = "㎏…試"
    assert len(fold(odd)) == len(odd)
    assert t2s()["試"] == "试"


def test_clean_up() -> None:
    assert no_lone_surrogates("a\ud83d\ude00b\ud800") == "a😀b\ufffd"
    assert no_lone_surrogates("中试") == "中试"
    no_lone_surrogates("\udfff\ud83d").encode("utf-8")
    assert to_ascii("２０２５，ＡＢ　。") == "2025,AB 。"


def test_import_loads_no_table() -> None:
    code = "import sys, zhtext, zhtext.script as s; print(s.t2s.cache_info().currsize)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "0"


def test_pinyin_glosses_of_mirror_sites_are_removed_with_their_offsets() -> None:
    from zhtext.clean import without_pinyin_glosses

    text = "合成生物產(chǎn)業(yè) 5(kg) 工信部(MIIT) 項目(a) 區(qū)"
    clean, origin = without_pinyin_glosses(text)
    assert clean == "合成生物產業 5(kg) 工信部(MIIT) 項目(a) 區"  # only toned syllables after a Han character go
    assert origin is not None and len(origin) == len(clean)
    assert all(text[o] == c for o, c in zip(origin, clean, strict=True))
    assert without_pinyin_glosses("生物制造(a)中试") == ("生物制造(a)中试", None)


def test_simplified_changes_only_the_script():
    from zhtext.script import simplified

    assert simplified("工業和信息化部，４００億元（試行）") == "工业和信息化部，４００亿元（试行）"  # width and punctuation kept
