"""Clean-up of decoded text: lone surrogates, full-width ASCII, and the pinyin glosses of mirror sites."""

from __future__ import annotations

import re

__all__ = ["no_lone_surrogates", "to_ascii", "without_pinyin_glosses"]

_SURROGATE = re.compile("[\ud800-\udfff]")
# Full-width ASCII (！ to ～) and the ideographic space, as they appear in gov.cn pages.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
# Reposting mirrors gloss characters with their toned pinyin: 產(chǎn)業(yè), 區(qū). A gloss is a bracketed syllable with a
# tone mark right after a Han character, so "(a)", "(kg)" and "(MIIT)" stay.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_PINYIN_GLOSS = re.compile(rf"(?<=[\u3400-\u9fff])\((?=[a-zü]*[{_TONED}])[a-zü{_TONED}]{{1,6}}\)")


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


def without_pinyin_glosses(text: str) -> tuple[str, list[int] | None]:
    """The text without pinyin glosses, and for each character kept its offset in `text` (None when there was
    nothing to remove), so that spans found in the clean text can be mapped back to the text as written."""
    if _PINYIN_GLOSS.search(text) is None:
        return text, None
    pieces: list[str] = []
    origin: list[int] = []
    last = 0
    for m in _PINYIN_GLOSS.finditer(text):
        pieces.append(text[last : m.start()])
        origin.extend(range(last, m.start()))
        last = m.end()
    pieces.append(text[last:])
    origin.extend(range(last, len(text)))
    return "".join(pieces), origin
