"""Crawler stage: sources registry, polite fetching, decoding, list discovery and article parsing.

Flow: load_sources() → fetch(list) → decode → discover() → fetch(article) → decode → parse_article().
Failures are typed (FetchError.kind, DiscoverError.kind, ParseError.kind) so the pipeline can record them as data.
"""

from .decode import Decoded, decode
from .discover import DiscoverError, Link, discover
from .fetch import Fetched, FetchError, Politeness, fetch, host_of
from .parse import PARSER_VERSION, Parsed, ParseError, normalize_date, parse_article
from .sources import ListSpec, ParseRules, Source, SourceConfigError, load_sources

__all__ = [
    "Decoded", "decode", "DiscoverError", "Link", "discover", "FetchError", "Fetched", "Politeness", "fetch",
    "host_of", "PARSER_VERSION", "ParseError", "Parsed", "normalize_date", "parse_article", "ListSpec", "ParseRules",
    "Source", "SourceConfigError", "load_sources",
]
