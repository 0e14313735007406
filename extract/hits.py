"""The hit type shared by the entity extractors (hosts, issuers, targets, dates, money).

A hit is a span of the normalised text the extractor was given, plus the value and attrs of the Tag it becomes (see
model.py for what each field's value and attrs mean). Normalisation keeps one character per character, so the span
also slices the original text: ``to_tag`` takes the evidence from there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .model import Tag


@dataclass(frozen=True)
class Hit:
    field: str  # host | issuer | target | date | money
    value: str
    start: int
    end: int
    attrs: tuple[tuple[str, str], ...] = ()
    key: str = ""  # identity for de-duplication: a canonical name, or the value with its attrs
    as_written: bool = False  # value is text[start:end]: take it from the original (keeps Traditional characters)

    def attr(self, name: str, default: str = "") -> str:
        return dict(self.attrs).get(name, default)

    def to_tag(self, part: str, original: str) -> Tag:
        """The Tag for this hit, with evidence (and an as-written value) sliced from ``original``."""
        evidence = original[self.start : self.end]
        value = evidence if self.as_written else self.value
        return Tag(self.field, value, None, evidence, part, self.start, self.end, self.attrs)


def unique(hits: Iterable[Hit]) -> list[Hit]:
    """The first hit of each (field, key), in the order given."""
    seen: set[tuple[str, str]] = set()
    out = []
    for h in hits:
        k = (h.field, h.key or h.value)
        if k not in seen:
            seen.add(k)
            out.append(h)
    return out
