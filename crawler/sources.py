"""The source registry: crawler/sources.toml (or a user file) → frozen Source objects, validated strictly."""

from __future__ import annotations

import re
import tomllib
import urllib.parse
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path


class SourceConfigError(ValueError):
    """A sources file is malformed; the message names the file, source and key at fault."""


@dataclass(frozen=True)
class ListSpec:
    url: str  # absolute, on the source's base
    kind: str  # html | json | json_html
    select: str = "a"
    items: str = ""
    link: str = "url"
    title: str = "title"
    date: str = ""


@dataclass(frozen=True)
class ParseRules:
    title: str = ""
    body: str = ""
    date: str = ""
    meta_title: str = ""
    meta_date: str = ""
    meta_source: str = ""
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

    @property
    def host(self) -> str:
        return urllib.parse.urlsplit(self.base).netloc.lower()

    def is_article(self, url: str) -> bool:
        parts = urllib.parse.urlsplit(url)
        return parts.netloc.lower() == self.host and re.search(self.article_pattern, parts.path) is not None

    def rebased(self, new_base: str) -> Source:
        """The same source served elsewhere (the demo's localhost sample site): every list URL moves with it."""
        new_base = new_base.rstrip("/")
        lists = tuple(replace(lst, url=new_base + lst.url[len(self.base):]) for lst in self.lists)
        return replace(self, base=new_base, lists=lists)


_SOURCE_KEYS = {"name", "label", "base", "article_pattern", "lists", "parse", "delay"}
_LIST_KEYS = {f for f in ListSpec.__dataclass_fields__}
_PARSE_KEYS = {f for f in ParseRules.__dataclass_fields__}
_KINDS = {"html", "json", "json_html"}


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
        if not url.startswith(base + "/"):
            raise SourceConfigError(f"{lwhere}: url {lst['url']!r} is not on {base}")
        lists.append(ListSpec(**{**lst, "url": url}))
    parse = raw.get("parse", {})
    unknown = set(parse) - _PARSE_KEYS
    if unknown:
        raise SourceConfigError(f"{where}: parse: unknown key(s): {', '.join(sorted(unknown))}")
    try:
        delay = float(raw.get("delay", 5.0))
    except (TypeError, ValueError) as exc:
        raise SourceConfigError(f"{where}: delay must be a number of seconds") from exc
    return Source(
        name=str(raw["name"]),
        label=str(raw["label"]),
        base=base,
        article_pattern=raw["article_pattern"],
        lists=tuple(lists),
        parse=ParseRules(**parse),
        delay=delay,
    )
