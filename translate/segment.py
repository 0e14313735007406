"""Sentence splitting for Chinese news and policy text. Pure functions, no dependencies.

Sentences end at 。！？；!? (a run of them counts as one end, e.g. ！？) and at newlines. Closing
quotes and brackets that follow the end mark stay with the sentence they close: 他说：“好。”下一句
splits after ”, not between 。 and ”. ASCII "." never ends a sentence (decimals: 3.5亿).
"""

from __future__ import annotations

__all__ = ["split_sentences", "split_paragraphs", "SENTENCE_ENDS", "CLOSERS"]

SENTENCE_ENDS = frozenset("。！？；!?")
CLOSERS = frozenset("”’」』》〉）)】〕]}\"'")


def split_sentences(text: str) -> list[str]:
    """Split text into sentences; each item is stripped and none is empty."""
    sentences: list[str] = []
    start = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            _emit(sentences, text[start:i])
            i += 1
            start = i
        elif ch in SENTENCE_ENDS:
            i += 1
            while i < n and text[i] in SENTENCE_ENDS:
                i += 1
            while i < n and text[i] in CLOSERS:
                i += 1
            _emit(sentences, text[start:i])
            start = i
        else:
            i += 1
    _emit(sentences, text[start:])
    return sentences


def split_paragraphs(text: str) -> list[str]:
    """Split on newlines (\\r\\n too), keeping empty paragraphs so the layout survives a round trip."""
    return [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]


def _emit(sentences: list[str], piece: str) -> None:
    piece = piece.strip()  # str.strip also removes the ideographic space U+3000
    if piece:
        sentences.append(piece)
