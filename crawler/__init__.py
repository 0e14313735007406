"""Crawler stage: sources registry, polite fetching, decoding, list discovery, article parsing and attachments.

Flow: load_sources() → fetch(list) → decode → discover() → fetch(article) → decode → parse_article().
Failures are typed (FetchError.kind, DiscoverError.kind, ParseError.kind) so the pipeline can record them as data.
"""

from .attachments import AttachmentLink, AttachmentText, extract_text, find_attachments
from .decode import Decoded, decode
from .discover import DiscoverError, Link, discover
from .fetch import Fetched, FetchError, Politeness, fetch, host_of, status_kind
from .parse import PARSER_VERSION, Parsed, ParseError, normalize_date, parse_article, policy_key
from .policy import (
    HOPELESS_AFTER_RUNS,
    LASTING_KINDS,
    SourceStatus,
    backing_off,
    conditional_headers,
    edited,
    fragment_hash,
    host_delays,
    is_lasting,
    links_to_fetch,
    lists_outcome,
    needs_fallback,
    recheck_cutoff,
    source_status,
    stops_source,
    unchanged_page,
)
from .record import article_record
from .sources import ListSpec, ParseRules, Source, SourceConfigError, load_sources
from .urls import canonical_url

__all__ = [
    "AttachmentLink", "AttachmentText", "extract_text", "find_attachments",
    "Decoded", "decode", "DiscoverError", "Link", "discover", "FetchError", "Fetched", "Politeness", "fetch",
    "host_of", "status_kind", "PARSER_VERSION", "ParseError", "Parsed", "normalize_date", "parse_article", "policy_key",
    "canonical_url", "ListSpec", "ParseRules", "Source", "SourceConfigError", "load_sources", "article_record",
    # crawl decisions (policy.py)
    "HOPELESS_AFTER_RUNS", "LASTING_KINDS", "SourceStatus", "backing_off", "conditional_headers", "edited",
    "fragment_hash", "host_delays", "is_lasting", "links_to_fetch", "lists_outcome", "needs_fallback",
    "recheck_cutoff", "source_status", "stops_source", "unchanged_page",
]
