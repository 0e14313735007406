"""List page or list API → article links."""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass

from bs4 import BeautifulSoup

from zhtext.clean import no_lone_surrogates

from . import _html
from .sources import ListSpec, Source
from .urls import canonical_url


class DiscoverError(ValueError):
    """A list page or list API answered with something we cannot read as a list."""

    def __init__(self, url: str, message: str, kind: str = "list_format"):
        super().__init__(f"{message} ({url})")
        self.url = url
        self.kind = kind  # list_format: unreadable response; empty_list: read fine but no article links


@dataclass(frozen=True)
class Link:
    url: str
    title: str = ""
    date: str = ""  # as the list gives it; the article page's own date wins later


def _dig(data: object, dotted: str, url: str) -> object:
    for key in filter(None, dotted.split(".")):
        if not isinstance(data, dict) or key not in data:
            raise DiscoverError(url, f"list JSON has no {dotted!r}")
        data = data[key]
    return data


def _join(page_url: str, href: str) -> str | None:
    try:
        return urllib.parse.urljoin(page_url, href)
    except ValueError:  # a malformed host ("http://[::1/a") is one bad link, not a bad list
        return None


def _plain_text(fragment: str) -> str:
    """BeautifulSoup(fragment, "lxml").get_text(strip=True), without a parse when the fragment is plain printable
    text (no markup, no character references): then it is the fragment itself, stripped."""
    if "<" not in fragment and "&" not in fragment and fragment.isprintable():
        return fragment.strip()
    return BeautifulSoup(fragment, "lxml").get_text(strip=True)


def _html_links(html: str, selector: str, page_url: str) -> list[Link]:
    html = no_lone_surrogates(html)
    try:
        return _html_links_fast(html, selector, page_url)
    except _html.Unsupported:  # a selector or document the fast path cannot answer for: BeautifulSoup does
        pass
    soup = BeautifulSoup(html, "lxml")
    links = []
    for a in soup.select(selector):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        title = (a.get("title") or a.get_text(" ", strip=True)).strip()
        date_el = a.find_next_sibling(["span", "em"])
        url = _join(page_url, href)
        if url:
            links.append(Link(url, title, date_el.get_text(strip=True) if date_el else ""))
    return links


def _html_links_fast(html: str, selector: str, page_url: str) -> list[Link]:
    """_html_links on libxml2's tree (crawler/_html.py): the same links, without BeautifulSoup and soupsieve."""
    compiled = _html.compile_selector(selector)
    root = _html.open_tree(html)
    if root is None:
        raise _html.Unsupported("no document tree")
    links = []
    for a in _html.select(root, compiled):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        title = (a.get("title") or _html.text(a, " ", True)).strip()
        date_el = next((el for el in a.itersiblings() if el.tag in ("span", "em")), None)
        url = _join(page_url, href)
        if url:
            links.append(Link(url, title, _html.text(date_el, "", True) if date_el is not None else ""))
    return links


def discover(source: Source, spec: ListSpec, text: str, page_url: str | None = None) -> list[Link]:
    """Links to article pages of `source` found in one list response, in list order, without duplicates."""
    page_url = page_url or spec.url
    if spec.kind == "html":
        links = _html_links(text, spec.select, page_url)
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DiscoverError(page_url, f"list is not valid JSON: {exc.msg} at line {exc.lineno}") from exc
        except (ValueError, RecursionError) as exc:  # nesting or numbers beyond the parser's limits
            raise DiscoverError(page_url, f"list JSON is beyond the parser's limits: {type(exc).__name__}") from exc
        items = _dig(data, spec.items, page_url)
        if spec.kind == "json_html":
            if not isinstance(items, str):
                raise DiscoverError(page_url, f"{spec.items!r} is not an HTML string")
            links = _html_links(items, spec.select, page_url)
        else:
            if not isinstance(items, list):
                raise DiscoverError(page_url, f"{spec.items!r} is not a list")
            links = []
            for item in items:
                if not isinstance(item, dict) or not isinstance(item.get(spec.link), str):
                    continue  # one malformed row must not hide the others
                title = _plain_text(no_lone_surrogates(str(item.get(spec.title, ""))))
                date = no_lone_surrogates(str(item.get(spec.date, ""))) if spec.date else ""
                url = _join(page_url, no_lone_surrogates(item[spec.link].strip()))
                if url:
                    links.append(Link(url, title, date))
    seen: set[str] = set()
    result = []
    for link in links:
        try:
            url = canonical_url(link.url)
        except ValueError:  # a malformed href (bad port, bad IPv6 literal) is one bad link, not a bad list
            continue
        if url in seen or not source.is_article(url, spec):
            continue
        seen.add(url)
        result.append(Link(url, link.title, link.date))
    return result
