"""zhtext's character folding as self-filling str.translate tables, for the hot paths of the gloss and the fidelity check.

zhtext.clean.to_ascii translates with a table of the full-width characters only: str.translate then looks up every other
character, misses, and handles a KeyError (about 100 ns a character; Chinese text and English with a curly quote are
all misses). These tables learn each character's result on first sight, so later lookups hit. The results are those of
zhtext's functions, character for character (both map one character to one character).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from zhtext.clean import to_ascii
from zhtext.script import fold

__all__ = ["ascii_folded", "asciified"]


class _SelfFilling(dict[int, str]):
    def __init__(self, per_char: Callable[[str], str]) -> None:
        super().__init__()
        self.per_char = per_char

    def __missing__(self, code: int) -> str:
        out = self[code] = self.per_char(chr(code))
        return out


_FOLD_ASCII = _SelfFilling(lambda ch: to_ascii(fold(ch)))
_ASCII = _SelfFilling(to_ascii)
# What to_ascii changes (zhtext.clean._FULLWIDTH): full-width ASCII and the ideographic space. English rarely holds
# any, so asciified() looks first and most texts are returned as they are.
_FULLWIDTH = re.compile("[\uff01-\uff5e\u3000]")


def ascii_folded(text: str) -> str:
    """to_ascii(fold(text)) in one pass: Traditional → Simplified, NFKC width folding, full-width ASCII → ASCII."""
    return text.translate(_FOLD_ASCII)


def asciified(text: str) -> str:
    """to_ascii(text)."""
    return text if _FULLWIDTH.search(text) is None else text.translate(_ASCII)
