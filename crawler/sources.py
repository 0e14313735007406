"""The source registry: crawler/sources.toml (or a user file) → frozen Source objects, validated strictly."""

from __future__ import annotations

import re
import tomllib
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

from .urls import host_of


class SourceConfigError(ValueError):
    """A sources file is malformed; the message names the file, source and key at fault."""


@dataclass(frozen=True)
class ListSpec:
    url: str  # absolute
    kind: str  # html | json | json_html | rss | atom
    name: str = ""  # shown in source health; defaults to the URL path
    select: str = "a"
    items: str = ""
    link: str = "url"
    title: str = "title"
    date: str = ""
    doc_number: str = ""  # json: the row key holding the document's 文号
    link_also: str = ""  # json: a path inside a row to more article URLs (Xinhua's linkUrls.*.linkUrl)
    fallback: bool = False  # read only when every primary list of the source failed
    # Links found here may live on another host (gov.cn's library carries MIIT/NDRC documents); such articles are
    # parsed with the rules of the source whose site they are on.
    article_host: str = ""  # host[:port] of the articles; default the source's host
    article_pattern: str = ""  # default the source's article_pattern


@dataclass(frozen=True)
class ParseRules:
    title: str = ""
    body: str = ""
    date: str = ""
    meta_title: str = ""
    meta_date: str = ""
    meta_source: str = ""
    source: str = ""  # element holding "来源：…"
    drop: str = "script, style"
    metadata_table: str = ""


@dataclass(frozen=True)
class Source:
    name: str
    label: str
    base: str
    article_pattern: str
    lists: tuple[ListSpec, ...]
    parse: ParseRules = field(default_factory=ParseRules)
    delay: float = 5.0
    official: bool = False  # a ministry/government site: its documents are re-checked for edits and withdrawals
    # Other hosts whose article pages are this site's own (Xinhua's provincial channels, its old www.xinhuanet.com):
    # {host: GB/T 2260 province code, or "" when the channel is not a province's}. Parsed with this source's rules.
    article_hosts: Mapping[str, str] = field(default_factory=dict, hash=False)

    @property
    def host(self) -> str:
        return host_of(self.base)

    @property
    def site_hosts(self) -> frozenset[str]:
        """The hosts whose article pages this source's `article_pattern` and parse rules are for."""
        return frozenset({self.host, *self.article_hosts})

    def region_hint(self, url: str) -> str | None:
        """The province code of the channel an article URL is on (sd.news.cn → 370000), else None."""
        return self.article_hosts.get(host_of(url)) or None

    @property
    def primary_lists(self) -> tuple[ListSpec, ...]:
        return tuple(lst for lst in self.lists if not lst.fallback)

    @property
    def fallback_lists(self) -> tuple[ListSpec, ...]:
        return tuple(lst for lst in self.lists if lst.fallback)

    @property
    def hosts(self) -> frozenset[str]:
        """The allow-list: the site itself, its list hosts and the hosts its lists point to."""
        found = set(self.site_hosts)
        for lst in self.lists:
            found.add(host_of(lst.url))
            if lst.article_host:
                found.add(lst.article_host)
        return frozenset(found)

    def is_article(self, url: str, spec: ListSpec | None = None) -> bool:
        parts = urllib.parse.urlsplit(url)
        hosts = {spec.article_host} if spec and spec.article_host else self.site_hosts
        pattern = spec.article_pattern if spec and spec.article_pattern else self.article_pattern
        return parts.netloc.lower() in hosts and re.search(pattern, parts.path) is not None

    def rebased(self, hosts: Mapping[str, str]) -> Source:
        """The same source served elsewhere (the demo's localhost sample site): {real host: "http://127.0.0.1:port"}.

        Every URL and host on a mapped host moves; paths and queries stay, so URL patterns still apply.
        """

        def move(url: str) -> str:
            parts = urllib.parse.urlsplit(url)
            target = hosts.get(parts.netloc.lower())
            if target is None:
                return url
            new = urllib.parse.urlsplit(target)
            return urllib.parse.urlunsplit((new.scheme, new.netloc, parts.path, parts.query, parts.fragment))

        def move_host(host: str) -> str:
            return host_of(hosts[host]) if host in hosts else host

        lists = tuple(replace(lst, url=move(lst.url), article_host=move_host(lst.article_host)) for lst in self.lists)
        article_hosts = {move_host(h): code for h, code in self.article_hosts.items()}
        return replace(self, base=move(self.base).rstrip("/"), lists=lists, article_hosts=article_hosts)


def by_site_host(sources: Sequence[Source]) -> dict[str, Source]:
    """{host: the source whose pages live there}: an article is parsed with the rules of its site (gov.cn's library
    carries MIIT pages) and keeps that site's region hint."""
    return {host: s for s in sources for host in s.site_hosts}


_SOURCE_KEYS = {"name", "label", "base", "article_pattern", "lists", "parse", "delay", "official", "article_hosts"}
_REGION_CODE = re.compile(r"^(?:\d{6})?$")
_LIST_KEYS = {f for f in ListSpec.__dataclass_fields__}
_PARSE_KEYS = {f for f in ParseRules.__dataclass_fields__}
_KINDS = {"html", "json", "json_html", "rss", "atom"}


def default_sources_path() -> Path:
    return Path(str(resources.files("crawler").joinpath("sources.toml")))


def load_sources(path: str | Path | None = None) -> list[Source]:
    path = Path(path) if path else default_sources_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SourceConfigError(f"{path}: cannot read sources file: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SourceConfigError(f"{path}: invalid TOML: {exc}") from exc
    unknown = set(data) - {"source"}
    if unknown:
        raise SourceConfigError(f"{path}: unknown top-level key(s): {', '.join(sorted(unknown))}")
    sources = [_source(path, i, raw) for i, raw in enumerate(data.get("source", []))]
    if not sources:
        raise SourceConfigError(f"{path}: no [[source]] entries")
    names = [s.name for s in sources]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise SourceConfigError(f"{path}: duplicate source name(s): {', '.join(sorted(dupes))}")
    return sources


def _source(path: Path, index: int, raw: dict) -> Source:
    where = f"{path}: source #{index + 1} ({raw.get('name', '?')})"
    unknown = set(raw) - _SOURCE_KEYS
    if unknown:
        raise SourceConfigError(f"{where}: unknown key(s): {', '.join(sorted(unknown))}")
    for key in ("name", "label", "base", "article_pattern", "lists"):
        if key not in raw:
            raise SourceConfigError(f"{where}: missing required key {key!r}")
    base = str(raw["base"]).rstrip("/")
    if urllib.parse.urlsplit(base).scheme not in ("http", "https"):
        raise SourceConfigError(f"{where}: base {base!r} must be an http(s) URL")
    try:
        re.compile(raw["article_pattern"])
    except re.error as exc:
        raise SourceConfigError(f"{where}: article_pattern is not a valid regex: {exc}") from exc
    lists = []
    for j, lst in enumerate(raw["lists"]):
        lwhere = f"{where}: lists #{j + 1}"
        if not isinstance(lst, dict):
            raise SourceConfigError(f"{lwhere}: must be a table")
        unknown = set(lst) - _LIST_KEYS
        if unknown:
            raise SourceConfigError(f"{lwhere}: unknown key(s): {', '.join(sorted(unknown))}")
        if "url" not in lst or "kind" not in lst:
            raise SourceConfigError(f"{lwhere}: needs 'url' and 'kind'")
        if lst["kind"] not in _KINDS:
            raise SourceConfigError(f"{lwhere}: kind {lst['kind']!r} is not one of {', '.join(sorted(_KINDS))}")
        url = urllib.parse.urljoin(base + "/", lst["url"])
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise SourceConfigError(f"{lwhere}: url {lst['url']!r} is not an http(s) URL")
        if host_of(url) != host_of(base) and not lst.get("fallback"):
            raise SourceConfigError(f"{lwhere}: url {lst['url']!r} is not on {base} (only fallback lists may be elsewhere)")
        if lst.get("article_pattern"):
            try:
                re.compile(lst["article_pattern"])
            except re.error as exc:
                raise SourceConfigError(f"{lwhere}: article_pattern is not a valid regex: {exc}") from exc
        for key in ("fallback",):
            if key in lst and not isinstance(lst[key], bool):
                raise SourceConfigError(f"{lwhere}: {key} must be true or false")
        lists.append(ListSpec(**{**lst, "url": url, "name": lst.get("name") or urllib.parse.urlsplit(url).path}))
    parse = raw.get("parse", {})
    unknown = set(parse) - _PARSE_KEYS
    if unknown:
        raise SourceConfigError(f"{where}: parse: unknown key(s): {', '.join(sorted(unknown))}")
    try:
        delay = float(raw.get("delay", 5.0))
    except (TypeError, ValueError) as exc:
        raise SourceConfigError(f"{where}: delay must be a number of seconds") from exc
    if not isinstance(raw.get("official", False), bool):
        raise SourceConfigError(f"{where}: official must be true or false")
    article_hosts = raw.get("article_hosts", {})
    if not isinstance(article_hosts, dict):
        raise SourceConfigError(f"{where}: article_hosts must be a table of host = \"province code\"")
    for host, code in article_hosts.items():
        if not isinstance(code, str) or not _REGION_CODE.match(code) or host != host.lower() or "/" in host:
            raise SourceConfigError(f"{where}: article_hosts: {host!r} = {code!r} must be a lower-case host and a "
                                    "six-digit GB/T 2260 code or \"\"")
    return Source(
        name=str(raw["name"]),
        label=str(raw["label"]),
        base=base,
        article_pattern=raw["article_pattern"],
        lists=tuple(lists),
        parse=ParseRules(**parse),
        delay=delay,
        official=raw.get("official", False),
        article_hosts=dict(article_hosts),
    )
