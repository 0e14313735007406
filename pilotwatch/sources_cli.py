"""`pilotwatch sources test NAME [TARGET]`: one list or one article of a configured source, read with that source's
rules, and what they find — so an operator sees a changed site template before a run depends on it.

Nothing is stored: no database is opened. Targets:

    none         every primary list (fallback lists too with --all-lists, or only --list), then the first article
                 link found
    http(s) URL  one of the source's list URLs (after canonical_url) → that list; an article URL of the source → the
                 article; with --list, the URL is read as that list's response (a list's second page, say)
    file         bytes saved from the site: with --list, that list's response; otherwise an article page

The report is the same facts as text or as one JSON object. Exit 0 when the rules found what they should; 1 when a
list failed or yielded no article links, or the article failed or has no title or body ("the template changed");
usage errors (unknown source or list, a URL that belongs to neither) are click errors, exit 2.

Every string from a site is printed as text only: terminal escape sequences and control characters are removed
(newlines survive only in the body's start).
"""

from __future__ import annotations

import contextlib
import json
import re
import urllib.parse
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

import crawler

from .config import Config
from .research import terminal_safe

BODY_START = 300  # characters of the body shown
_WHITESPACE = re.compile(r"\s+")
EMPTY_LIST = "list yielded no article links (selector or template changed?)"


def _line(text: object) -> str:
    """Site text for one line: whitespace runs (newlines and tabs too) become one space, terminal control goes."""
    return terminal_safe(_WHITESPACE.sub(" ", str(text))).strip() if text is not None else ""


def _block(text: str) -> str:
    """Site text that keeps its line breaks; tabs become spaces, other control characters go."""
    lines = (_line(part) for part in text.replace("\r\n", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def _is_url(target: str) -> bool:
    return urllib.parse.urlsplit(target).scheme.lower() in ("http", "https")


def find_source(sources: Sequence[crawler.Source], name: str) -> crawler.Source:
    for source in sources:
        if source.name == name:
            return source
    known = ", ".join(s.name for s in sources)
    raise click.BadParameter(f"unknown source {name!r} (known: {known})", param_hint="NAME")


def find_list(source: crawler.Source, choice: str) -> crawler.ListSpec:
    """A list of `source` by its name or its 1-based number in the registry (fallback lists included)."""
    for spec in source.lists:
        if spec.name == choice:
            return spec
    if choice.isdigit() and 1 <= int(choice) <= len(source.lists):
        return source.lists[int(choice) - 1]
    known = "; ".join(f"{i} {spec.name}" for i, spec in enumerate(source.lists, 1))
    raise click.BadParameter(f"{source.name} has no list {choice!r} (its lists: {known})", param_hint="--list")


class _Tester:
    """Reads pages of one source as a run would (allow-list, politeness, caps, parse rules by host), storing nothing."""

    def __init__(self, config: Config, sources: Sequence[crawler.Source], source: crawler.Source,
                 stack: contextlib.ExitStack, limit: int):
        self.config, self.source, self.stack, self.limit = config, source, stack, limit
        self.now = datetime.now(UTC)
        # an article is parsed with the rules of the source whose site it is on (gov.cn's library carries MIIT pages)
        self.by_host = crawler.by_site_host(sources)
        self.politeness = crawler.Politeness(delay=config.delay, host_delays=crawler.host_delays(sources, config.delay),
                                             jitter=config.jitter, obey_robots=config.obey_robots,
                                             user_agent=config.user_agent)
        self._client = None
        self._reader: crawler.Sandbox | None = None

    def reader(self) -> crawler.Sandbox:
        """The parsing worker a run uses (time and memory budget), started at the first page: a hostile page costs
        `parse_timeout` at most, here as in a run."""
        if self._reader is None:
            self._reader = crawler.Sandbox(timeout=self.config.parse_timeout,
                                           max_memory=self.config.parse_max_memory_mb * 2**20 or None)
            self.stack.callback(self._reader.close)
        return self._reader

    def fetch(self, url: str) -> crawler.Fetched:
        if self._client is None:  # built only when a page is fetched: reading a file needs no network
            from .pipeline import build_client

            self._client = self.stack.enter_context(build_client(self.config))
        return crawler.fetch(self._client, url, allowed_hosts=self.source.hosts, politeness=self.politeness,
                             max_bytes=self.config.max_bytes, retries=self.config.retries,
                             deadline=self.config.request_deadline)

    # --- lists ---------------------------------------------------------------------------------------------------

    def list_from_web(self, spec: crawler.ListSpec, url: str | None = None) -> tuple[dict, list[crawler.Link]]:
        url = url or spec.url
        try:
            fetched = self.fetch(url)
        except crawler.FetchError as exc:
            return self._list_dict(spec, url, exc.status, error=_fetch_error(exc)), []
        return self.list_from_bytes(spec, fetched.final_url, fetched.content, fetched.content_type,
                                    status=fetched.status, url=url)

    def list_from_bytes(self, spec: crawler.ListSpec, page_url: str, content: bytes, content_type: str | None,
                        *, status: int | None = None, url: str | None = None) -> tuple[dict, list[crawler.Link]]:
        url = url or page_url
        try:
            links = crawler.discover(self.source, spec, crawler.decode(content, content_type).text, page_url)
        except crawler.DiscoverError as exc:
            return self._list_dict(spec, url, status, error={"kind": exc.kind, "message": _line(exc)}), []
        error = None if links else {"kind": "empty_list", "message": EMPTY_LIST}
        report = self._list_dict(spec, url, status, error=error, found=len(links))
        report["links"] = [{"date": _line(link.date), "title": _line(link.title), "url": _line(link.url)}
                           for link in links[: self.limit]]
        return report, links

    def _list_dict(self, spec: crawler.ListSpec, url: str, status: int | None, *, error: dict | None,
                   found: int = 0) -> dict:
        return {"name": _line(spec.name), "url": _line(url), "fallback": spec.fallback, "status": status,
                "found": found, "links": [], "error": error}

    # --- articles ------------------------------------------------------------------------------------------------

    def article_from_web(self, url: str) -> dict:
        try:
            fetched = self.fetch(url)
        except crawler.FetchError as exc:
            return self._article_dict(url, exc.status, self._rules_source(url), error=_fetch_error(exc))
        return self.article_from_bytes(url, fetched.content, fetched.content_type, status=fetched.status,
                                       final_url=fetched.final_url)

    def article_from_bytes(self, url: str, content: bytes, content_type: str | None, *, status: int | None = None,
                           final_url: str | None = None) -> dict:
        rules_source = self._rules_source(url)
        report = self._article_dict(url, status, rules_source)
        decoded = crawler.decode(content, content_type)
        report["encoding"] = decoded.encoding
        try:
            parsed = self.reader().parse_article(decoded.text, url, rules_source.parse, now=self.now)
        except crawler.ParseError as exc:
            report["error"] = {"kind": exc.kind, "message": _line(exc)}
            return report
        except Exception as exc:  # noqa: BLE001 - a hostile page must end in a report, as it would in a run
            report["error"] = {"kind": "unexpected", "message": _line(f"{type(exc).__name__}: {exc}")}
            return report
        report.update({
            "title": _line(parsed.title), "published_at": parsed.published_at,
            "source_name": _line(parsed.source_name) or None, "issuer": _line(parsed.issuer) or None,
            "doc_number": _line(parsed.doc_number) or None, "written_date": parsed.written_date,
            "body_length": len(parsed.body), "body_start": _block(parsed.body[:BODY_START]),
            "truncated": parsed.truncated,
            "attachments": [{"ext": a.ext, "title": _line(a.title), "url": _line(a.url)}
                            for a in crawler.find_attachments(decoded.text, final_url or url)],
        })
        if not report["title"]:
            report["error"] = {"kind": "empty_title", "message": "the article's title is empty"}
        elif not parsed.body.strip():
            report["error"] = {"kind": "empty_body", "message": "the article's body is empty"}
        return report

    def _rules_source(self, url: str) -> crawler.Source:
        return self.by_host.get(crawler.host_of(url), self.source)

    def _article_dict(self, url: str, status: int | None, rules_source: crawler.Source, *,
                      error: dict | None = None) -> dict:
        return {"url": _line(url), "status": status, "rules": rules_source.name, "encoding": None, "title": None,
                "published_at": None, "source_name": None, "issuer": None, "doc_number": None,
                "written_date": None, "body_length": 0, "body_start": "", "truncated": False, "attachments": [],
                "error": error}


def _fetch_error(exc: crawler.FetchError) -> dict:
    return {"kind": exc.kind, "message": _line(exc.message)}


def _problems(result: dict) -> list[str]:
    problems = [f"list {lst['name']}: {lst['error']['kind']}: {lst['error']['message']}"
                for lst in result["lists"] if lst["error"]]
    article = result["article"]
    if article and article["error"]:
        problems.append(f"article {article['url']}: {article['error']['kind']}: {article['error']['message']}")
    if result["mode"] == "lists" and article is None:
        problems.append("no article tested: no list yielded an article link")
    return problems


def source_test(config: Config, sources: Sequence[crawler.Source], name: str, target: str | None, *,
                list_choice: str | None = None, page_url: str | None = None, all_lists: bool = False,
                limit: int = 5, as_json: bool = False) -> int:
    """Run the test, print its report (text or one JSON object) and return the exit code: 0 ok, 1 broken.

    Usage errors raise click.BadParameter / click.UsageError (exit 2) before anything is fetched."""
    source = find_source(sources, name)
    spec = find_list(source, list_choice) if list_choice else None
    if all_lists and (target or spec):
        raise click.UsageError("--all-lists reads every list of the source: give neither TARGET nor --list")
    if page_url is not None and (target is None or _is_url(target)):
        raise click.UsageError("--url names the page a file TARGET was saved from; it needs a file TARGET")
    if page_url is not None and not _is_url(page_url):
        raise click.BadParameter(f"{page_url!r} is not an http(s) URL", param_hint="--url")
    file_path = None
    if target is not None and not _is_url(target):
        file_path = Path(target)
        if not file_path.is_file():
            raise click.BadParameter(f"{target!r} is neither an http(s) URL nor a readable file", param_hint="TARGET")

    result: dict[str, Any] = {"source": source.name, "target": _line(target) if target else None, "mode": "",
                              "lists": [], "article": None}
    with contextlib.ExitStack() as stack:
        tester = _Tester(config, sources, source, stack, limit)
        if target is None:
            result["mode"] = "lists"
            specs = (spec,) if spec else source.lists if all_lists else source.primary_lists
            first: crawler.Link | None = None
            for one in specs:
                report, links = tester.list_from_web(one)
                result["lists"].append(report)
                first = first or (links[0] if links else None)
            if first is not None:
                result["article"] = tester.article_from_web(first.url)
        elif file_path is not None:
            try:
                content = file_path.read_bytes()
            except OSError as exc:
                raise click.BadParameter(f"cannot read {target!r}: {exc.strerror}", param_hint="TARGET") from None
            if spec:
                result["mode"] = "list"
                result["lists"].append(tester.list_from_bytes(spec, page_url or spec.url, content, None)[0])
            else:
                result["mode"] = "article"
                result["article"] = tester.article_from_bytes(page_url or source.base + "/", content, None)
        else:
            mode, chosen, url = _classify(source, target, spec)
            result["mode"] = mode
            if chosen is not None:
                result["lists"].append(tester.list_from_web(chosen, url)[0])
            else:
                result["article"] = tester.article_from_web(url)
    problems = _problems(result)
    result["problems"] = problems
    result["ok"] = not problems
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        for line in format_report(result, source):
            click.echo(line)
    return 1 if problems else 0


def _classify(source: crawler.Source, target: str, spec: crawler.ListSpec | None
              ) -> tuple[str, crawler.ListSpec | None, str]:
    """What a URL target is: ("list", its spec, the URL to fetch) or ("article", None, the canonical URL)."""
    try:
        url = crawler.canonical_url(target)
    except ValueError:
        raise click.BadParameter(f"{target!r} is not a valid URL", param_hint="TARGET") from None
    if spec is not None:
        return "list", spec, target
    for one in source.lists:
        if crawler.canonical_url(one.url) == url:
            return "list", one, one.url
    if source.is_article(url) or any(source.is_article(url, one) for one in source.lists):
        return "article", None, url
    raise click.BadParameter(f"URL is neither a list nor an article of {source.name}: {_line(target)}",
                             param_hint="TARGET")


def format_report(result: dict, source: crawler.Source) -> list[str]:
    """The report as terminal lines (every site string in `result` is already terminal-safe)."""
    lines = [f"source {source.name}: {source.label}"]
    for lst in result["lists"]:
        lines.append(f"{'fallback ' if lst['fallback'] else ''}list {lst['name']}")
        lines.append(f"  url     {lst['url']}")
        lines.append(f"  status  {lst['status'] if lst['status'] is not None else 'file'}")
        if lst["error"] and lst["error"]["kind"] != "empty_list":
            lines.append(f"  FAILED  {lst['error']['kind']}: {lst['error']['message']}")
            continue
        lines.append(f"  links   {lst['found']} article links" + ("" if lst["found"] else " — selector or template changed?"))
        lines += [f"    {link['date'] or '-'}  {link['title'] or '-'}  {link['url']}" for link in lst["links"]]
    article = result["article"]
    if article is not None:
        lines.append(f"article {article['url']}")
        lines.append(f"  status        {article['status'] if article['status'] is not None else 'file'}")
        lines.append(f"  rules         {article['rules']}")
        if article["encoding"]:
            lines.append(f"  encoding      {article['encoding']}")
        if article["error"] and article["error"]["kind"] not in ("empty_title", "empty_body"):
            lines.append(f"  FAILED        {article['error']['kind']}: {article['error']['message']}")
        else:
            for key in ("title", "published_at", "source_name", "issuer", "doc_number", "written_date"):
                lines.append(f"  {key:13} {article[key] or '-'}")
            cut = " (cut at the size cap)" if article["truncated"] else ""
            lines.append(f"  body          {article['body_length']} characters{cut}")
            lines += [f"    | {line}" for line in article["body_start"].split("\n") if line]
            lines.append(f"  attachments   {len(article['attachments'])}")
            lines += [f"    {a['ext']}  {a['title']}  {a['url']}" for a in article["attachments"]]
    for problem in result["problems"]:
        lines.append(f"problem: {problem}")
    lines.append("ok: the rules found article links and a complete article" if result["ok"] and result["mode"] == "lists"
                 else "ok" if result["ok"] else f"FAILED: {len(result['problems'])} problem(s)")
    return lines
