"""Crawler stage: sources registry, polite fetching, decoding, list discovery, article parsing and attachments.

Flow: load_sources() → fetch(list) → decode → discover() → fetch(article) → decode → parse_article().
Failures are typed (FetchError.kind, DiscoverError.kind, ParseError.kind) so the pipeline can record them as data.
"""

from .attachments import AttachmentLink, AttachmentText, extract_text, find_attachments
from .decode import Decoded, decode
from .discover import DiscoverError, Link, discover
from .fetch import (
    ROBOTS_MAX_BYTES,
    Fetched,
    FetchError,
    Politeness,
    RobotsAnswer,
    Unreachable,
    fetch,
    host_of,
    read_robots,
    status_kind,
)
from .parse import PARSER_VERSION, Parsed, ParseError, normalize_date, parse_article, policy_key
from .policy import (
    ATTACHMENT_ATTEMPTS,
    BLOCKING_KINDS,
    HOPELESS_AFTER_RUNS,
    LASTING_KINDS,
    SourceStatus,
    attachment_given_up,
    block_scope,
    conditional_headers,
    edited,
    fragment_hash,
    host_delays,
    is_lasting,
    links_to_fetch,
    lists_outcome,
    needs_fallback,
    offline_cause,
    read_again_later,
    recheck_cutoff,
    scope_blocked,
    source_status,
    unchanged_page,
)
from .record import article_record
from .sandbox import READER_FAULTS, Sandbox, SandboxError
from .sources import ListSpec, ParseRules, Source, SourceConfigError, by_site_host, load_sources
from .urls import canonical_url

__all__ = [
    "AttachmentLink", "AttachmentText", "extract_text", "find_attachments",
    "READER_FAULTS", "Sandbox", "SandboxError",  # parsing in a worker with a time and memory budget (sandbox.py)
    "Decoded", "decode", "DiscoverError", "Link", "discover", "FetchError", "Fetched", "Politeness", "fetch",
    "ROBOTS_MAX_BYTES", "RobotsAnswer", "Unreachable", "read_robots",
    "host_of", "status_kind", "PARSER_VERSION", "ParseError", "Parsed", "normalize_date", "parse_article", "policy_key",
    "canonical_url", "by_site_host", "ListSpec", "ParseRules", "Source", "SourceConfigError", "load_sources", "article_record",
    # crawl decisions (policy.py)
    "ATTACHMENT_ATTEMPTS", "HOPELESS_AFTER_RUNS", "LASTING_KINDS", "SourceStatus", "attachment_given_up",
    "conditional_headers", "edited", "fragment_hash", "host_delays", "is_lasting", "links_to_fetch",
    "lists_outcome", "needs_fallback", "read_again_later", "recheck_cutoff", "source_status", "block_scope", "scope_blocked", "BLOCKING_KINDS",
    "unchanged_page", "offline_cause",
]
