"""Which characters are Han, and folding text to one spelling (full-width → ASCII, Traditional → Simplified)
without changing its length.

HAN is the body of a regex character class: CJK Unified Ideographs with Extension A and the compatibility block
(the Basic Multilingual Plane). Supplementary-plane ideographs (𠮷) are rare in the news read here and are not Han
to these patterns.

fold() is NFKC for full-width digits, letters and punctuation (２０２７ → 2027, ， → ,) and t2s.tsv for Traditional
characters (試 → 试, 廣東 → 广东, 平臺 → 平台). A character whose NFKC form is longer than one character (㎏ → kg,
… → ...) is left as it is, so offset i in the folded string is offset i in the original: evidence spans found on the
folded text slice the original text directly.

t2s.tsv is OpenCC's own character table (TSCharacters, TSCharactersExt), exported into the repository, so the opencc
package is not needed at run time. OpenCC's converters are not used on the text itself: "t2s" keeps the length (all its
tables map n characters to n) but converts phrases by context, so a name would not always fold the same way inside a
sentence as on its own; "tw2sp" also rewrites Taiwan vocabulary and changes the length (網際網路 → 互联网). Character
by character, a gazetteer name folded once matches every spelling of it in any text. The table loads on first use.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources

__all__ = ["HAN", "HAN_CHAR", "HAN_RUN", "has_han", "fold", "t2s", "t2s_rows"]

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN_CHAR = re.compile(f"[{HAN}]")
HAN_RUN = re.compile(f"[{HAN}]+")


def has_han(text: str) -> bool:
    return HAN_CHAR.search(text) is not None


def t2s_rows() -> list[tuple[str, str, str]]:
    """(traditional, simplified, source) rows of t2s.tsv; ValueError names a row that is not one character to one."""
    text = resources.files(__package__).joinpath("t2s.tsv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    rows = []
    for lineno, line in enumerate(lines[1:], start=2):  # the first line is the header
        cells = line.split("\t")
        if len(cells) != 3 or len(cells[0]) != 1 or len(cells[1]) != 1:
            raise ValueError(f"t2s.tsv: row {lineno} is not one character to one character: {line!r}")
        rows.append((cells[0], cells[1], cells[2].strip()))
    return rows


@cache
def t2s() -> dict[str, str]:
    """Traditional → Simplified, one character each."""
    return {t: s for t, s, _ in t2s_rows()}


class _CharMap(dict[int, int]):
    """A str.translate table filled on first sight of each character."""

    def __missing__(self, code: int) -> int:
        ch = chr(code)
        folded = unicodedata.normalize("NFKC", ch)
        out = folded if len(folded) == 1 else ch
        out = t2s().get(out, out)
        self[code] = ord(out)
        return self[code]


_FOLD = _CharMap()


class _T2SMap(dict[int, int]):
    """A str.translate table of Traditional → Simplified only, filled on first sight of each character."""

    def __missing__(self, code: int) -> int:
        self[code] = ord(t2s().get(chr(code), chr(code)))
        return self[code]


_T2S = _T2SMap()


def simplified(text: str) -> str:
    """``text`` with Traditional characters made Simplified, one for one; punctuation and width untouched (what a
    translation engine is given: its vocabulary is Simplified, its punctuation Chinese)."""
    return text.translate(_T2S)


def fold(text: str) -> str:
    """``text`` NFKC- and Traditional→Simplified-folded, with ``len(fold(text)) == len(text)``."""
    out = text.translate(_FOLD)
    assert len(out) == len(text)
    return out
