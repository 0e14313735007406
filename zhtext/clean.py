"""Clean-up of decoded text: lone surrogates and full-width ASCII."""

from __future__ import annotations

import re

__all__ = ["no_lone_surrogates", "to_ascii"]

_SURROGATE = re.compile("[\ud800-\udfff]")
# Full-width ASCII (！ to ～) and the ideographic space, as they appear in gov.cn pages.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def no_lone_surrogates(text: str) -> str:
    """Join surrogate pairs into their character and make a lone surrogate U+FFFD.

    They come from a UTF-16 page cut mid-pair, unicode_escape pages, or JSON, which may legally carry half a pair
    ("\\ud83d"); lxml and SQLite refuse strings holding them.
    """
    if _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def to_ascii(text: str) -> str:
    """Map full-width digits, letters and ASCII punctuation to ASCII; leave CJK punctuation alone."""
    return text.translate(_FULLWIDTH)
