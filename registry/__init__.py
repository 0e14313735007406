"""The platform registry: one row per platform across articles, reposts, lists and re-crawls.

A pure stage between the store and the digest: stored platform records (the tagger's per-platform records, one per
mention or list row) go in, platforms with their events and the programmes' steps come out. Records merge into a
platform by explainable rules, each event keeping the rule that attached it (see build.py); curators' overrides
(merge, split, rename, not-a-platform) are applied on every rebuild, so they survive re-runs and re-tagging.
"""

from .build import (
    EVENT_ORDER,
    RULES,
    STATUS_RANK,
    Event,
    Override,
    Platform,
    Record,
    Registry,
    Step,
    build,
    record_from_row,
)

__all__ = ["EVENT_ORDER", "RULES", "STATUS_RANK", "Event", "Override", "Platform", "Record", "Registry", "Step",
           "build", "record_from_row"]
