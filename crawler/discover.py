"""List page or list API → article links."""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass

from bs4 import BeautifulSoup

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


def _html_links(html: str, selector: str, page_url: str) -> list[Link]:
    soup = BeautifulSoup(html, "lxml")
    links = []
    for a in soup.select(selector):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        title = (a.get("title") or a.get_text(" ", strip=True)).strip()
        date_el = a.find_next_sibling(["span", "em"])
        links.append(Link(urllib.parse.urljoin(page_url, href), title, date_el.get_text(strip=True) if date_el else ""))
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
                title = BeautifulSoup(str(item.get(spec.title, "")), "lxml").get_text(strip=True)
                date = str(item.get(spec.date, "")) if spec.date else ""
                links.append(Link(urllib.parse.urljoin(page_url, item[spec.link].strip()), title, date))
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
