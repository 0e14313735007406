"""zhtext.numerals against cn2an (PyPI) on the numerals our stages read, measured in one run.

    .venv/bin/pip install cn2an   # not a project dependency
    .venv/bin/python bench/numerals_vs_cn2an.py

Each case is a snippet of policy or news text, the numeral a stage's pattern cuts out of it, and the value a reader
wants. The first five are the runs on which extract/quantities.py and translate/numbers.py used to disagree, with
the answers decided in zhtext/numerals.py. Both libraries get the same numeral: zhtext.numerals.to_number and
cn2an.cn2an(numeral, "smart") (an exception counts as "no numeral"). The last column is cn2an.transform on the whole
snippet, its text mode, which shows what happens when the context is left to the library.
"""

from __future__ import annotations

import subprocess
import sys
import time
import unicodedata
import warnings
from decimal import Decimal
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from zhtext.numerals import to_number  # noqa: E402

# (snippet, numeral as the caller cuts it, wanted value or None for "no numeral")
DISAGREED = [
    ("唯一一家", "一一", 11),  # digit by digit; the caller decides that here it is a word
    ("一九九八年", "一九九八", 1998),
    ("近千万元", "千万", 10_000_000),
    ("十百", "十百", None),
    ("万一出现问题", "万一", None),
]
REAL = [
    ("四十三个平台", "四十三", 43),
    ("二〇二五年", "二〇二五", 2025),
    ("二○二七年", "二○二七", 2027),
    ("两千家企业", "两千", 2000),
    ("投资1.5万元", "1.5万", 15_000),
    ("增长三点五个百分点", "三点五", Decimal("3.5")),
    ("零点五", "零点五", Decimal("0.5")),
    ("百分之二十的企业", "二十", 20),
    ("十二个", "十二", 12),
    ("一百零五家", "一百零五", 105),
    ("一千零五项", "一千零五", 1005),
    ("第一批", "一", 1),
    ("第十三届", "十三", 13),
    ("三千五百万元", "三千五百万", 35_000_000),
    ("三亿五千万元", "三亿五千万", 350_000_000),
    ("五千万元", "五千万", 50_000_000),
    ("产值三万亿元", "三万亿", 3 * 10**12),
    ("二十余项", "二十", 20),
    ("一百二十家", "一百二十", 120),
    ("两百家企业", "两百", 200),
    ("四千余家", "四千", 4000),
    ("九十九个", "九十九", 99),
    ("十万吨", "十万", 100_000),
    ("一万五千吨", "一万五千", 15_000),
    ("三千五家", "三千五", 3500),
    ("两万三", "两万三", 23_000),
    ("一亿五", "一亿五", 150_000_000),
    ("六月十一日", "十一", 11),
    ("三十一日", "三十一", 31),
    ("十二月", "十二", 12),
    ("投资1亿2000万元", "1亿2000万", 120_000_000),
    ("投资1,200万元", "1,200万", 12_000_000),
    ("上百家", "百", 100),
    ("数十家", "十", 10),
]


def _cn2an(numeral: str) -> Decimal | None:
    import cn2an

    try:
        return Decimal(str(cn2an.cn2an(numeral, "smart")))
    except (ValueError, KeyError, TypeError):
        return None


def _transform(text: str) -> str:
    import cn2an

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cn2an.transform(text, "cn2an")


def _import_seconds(module: str) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return float(out.stdout)


def _show(v: Decimal | int | None) -> str:
    return "-" if v is None else f"{Decimal(v).normalize():f}"


def _pad(text: str, width: int) -> str:
    """Left-align in a terminal, where a Chinese character takes two columns."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - used)


def main() -> None:
    try:
        version = metadata.version("cn2an")
    except metadata.PackageNotFoundError:
        sys.exit("cn2an is not installed: .venv/bin/pip install cn2an")
    cases = DISAGREED + REAL
    right = {"zhtext": [0, 0], "cn2an": [0, 0]}  # [the five, the real-text ones]
    print(f"{'text':<20}{'numeral':<12}{'wanted':>15}{'zhtext':>15}{'cn2an':>15}  cn2an.transform(text)")
    for i, (text, numeral, wanted) in enumerate(cases):
        ours, theirs = to_number(numeral), _cn2an(numeral)
        group = 0 if i < len(DISAGREED) else 1
        for name, got in (("zhtext", ours), ("cn2an", theirs)):
            right[name][group] += (got is None and wanted is None) or (got is not None and wanted is not None
                                                                        and got == wanted)
        mark = "" if ours == theirs else "  ≠"
        print(f"{_pad(text, 20)}{_pad(numeral, 12)}{_show(wanted):>15}{_show(ours):>15}{_show(theirs):>15}  "
              f"{_transform(text)}{mark}")
    for text in ("千万不要忘记", "一一对应", "十分重要"):
        print(f"{_pad(text, 20)}{'':<12}{'(a word)':>15}{'':>30}  {_transform(text)}")

    numerals = [n for _, n, _ in cases] * 200
    t = time.perf_counter()
    for n in numerals:
        to_number(n)
    ours_us = (time.perf_counter() - t) / len(numerals) * 1e6
    t = time.perf_counter()
    for n in numerals:
        _cn2an(n)
    theirs_us = (time.perf_counter() - t) / len(numerals) * 1e6
    requires = metadata.requires("cn2an") or []

    n5, nr = len(DISAGREED), len(REAL)
    print()
    print(f"right on the five disagreements: zhtext {right['zhtext'][0]}/{n5}, cn2an {version} {right['cn2an'][0]}/{n5}")
    print(f"right on the real-text numerals: zhtext {right['zhtext'][1]}/{nr}, cn2an {version} {right['cn2an'][1]}/{nr}")
    print(f"per numeral: zhtext {ours_us:.1f} µs, cn2an {theirs_us:.1f} µs; "
          f"import: zhtext.numerals {_import_seconds('zhtext.numerals') * 1000:.0f} ms, "
          f"cn2an {_import_seconds('cn2an') * 1000:.0f} ms; cn2an requires {', '.join(requires) or 'nothing'}")
    better = sum(right["zhtext"]) > sum(right["cn2an"])
    print("verdict: keep zhtext.numerals (cn2an refuses bare magnitudes, ○ as zero, 一亿五 and 1,200万, and its text "
          "mode turns words into numbers)" if better else "verdict: cn2an serves")


if __name__ == "__main__":
    main()
