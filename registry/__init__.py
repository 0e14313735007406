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

# Part of what a built registry is stamped with (store.registry_inputs): bump it when build rules change, so the
# next run rebuilds even though no record or override changed.
RULES_VERSION = "1"

__all__ = ["RULES_VERSION", "EVENT_ORDER", "RULES", "STATUS_RANK", "Event", "Override", "Platform", "Record", "Registry", "Step",
           "build", "record_from_row"]
