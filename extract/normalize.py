"""Length-preserving normalisation: every character maps to exactly one character.

NFKC folds full-width digits, letters and punctuation (２０２７ → 2027, ， → ,); t2s.tsv folds Traditional characters to
Simplified (試 → 试, 廣東 → 广东, 平臺 → 平台). A character whose NFKC form is longer than one character (㎏ → kg,
… → ...) is left as it is, so offset i in the normalised string is offset i in the original: evidence spans found on
the normalised text slice the original text directly.

t2s.tsv is OpenCC's own character table (TSCharacters, TSCharactersExt), exported into the repository, so the opencc
package is not needed at run time. OpenCC's converters are not used on the text itself: "t2s" keeps the length (all its
tables map n characters to n) but converts phrases by context, so a name would not always fold the same way inside a
sentence as on its own; "tw2sp" also rewrites Taiwan vocabulary and changes the length (網際網路 → 互联网). Character
by character, a gazetteer name folded once matches every spelling of it in any text.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from . import resources


class _CharMap(dict[int, int]):
    """A str.translate table filled on first sight of each character."""

    def __init__(self, t2s: dict[str, str]) -> None:
        super().__init__()
        self._t2s = t2s

    def __missing__(self, code: int) -> int:
        ch = chr(code)
        folded = unicodedata.normalize("NFKC", ch)
        out = folded if len(folded) == 1 else ch
        out = self._t2s.get(out, out)
        self[code] = ord(out)
        return self[code]


@cache
def _table() -> _CharMap:
    return _CharMap(resources.t2s())


def normalize(text: str) -> str:
    """Return ``text`` NFKC- and Traditional→Simplified-folded, with ``len(result) == len(text)``."""
    out = text.translate(_table())
    assert len(out) == len(text)
    return out
