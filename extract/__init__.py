"""extract: tag an article as a biomanufacturing pilot-platform announcement, with sectors and provinces.

Public API (other packages depend on these names)::

    tag_article(title, body, *, published=None, threshold=None) -> Tagging
    Tagging(is_platform_announcement, mentions_pilot_platform, tags, reasons, announcement_score, platforms, flags)
    Tag(field, value, code, evidence, part, start, end, attrs)
    Platform(name, event, level, part, start, end, evidence, hosts, sectors, places)   one per platform mentioned
    SECTORS, SECTOR_LABELS, TAGGER_VERSION

Rules and gazetteers live in data files under extract/data/ (see extract/resources.py), loaded once per process on
first use. This package imports no other PilotWatch package. Errors: ``resources.DataError`` (a ValueError) when a
data file is malformed; tag_article itself raises nothing for any str input.
"""

from __future__ import annotations

from typing import Any

from .model import SECTOR_LABELS, SECTORS, Platform, Tag, Tagging

# Bump when rules or data change, so stored tags can be recomputed: major = API, minor = rules, patch = data.
TAGGER_VERSION = "0.5.0"

__all__ = ["SECTOR_LABELS", "SECTORS", "TAGGER_VERSION", "Platform", "Tag", "Tagging", "tag_article"]


def __getattr__(name: str) -> Any:
    # The tagger's modules (rules, matchers) import on first use, so the CLI can read SECTOR_LABELS at start-up.
    if name == "tag_article":
        from .tagger import tag_article

        return tag_article
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
