"""List page or list API → article links."""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

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
    doc_number: str = ""  # 文号, when the list gives it (MIIT's document library); the page's own wins later


_SHANGHAI = timezone(timedelta(hours=8))


def _dig(data: object, dotted: str, url: str) -> list[object]:
    """The values at a dotted path: `key` steps into an object, a number into an array, `*` into every element of an
    array. One value without `*`; with `*`, elements lacking the rest of the path are skipped (one bad row).

    A path that meets null, or an object without the key that holds no array or object at all (an API's empty
    envelope, {"code":200,"msg":"操作成功","data":null}), is `empty_list`: the API answered with nothing. Any other
    miss is `list_format`."""
    values, fanned = [data], False
    for key in filter(None, dotted.split(".")):
        step = []
        for value in values:
            if key == "*" and isinstance(value, list):
                step.extend(value)
            elif key.isdigit() and isinstance(value, list) and int(key) < len(value):
                step.append(value[int(key)])
            elif isinstance(value, dict) and key in value:
                step.append(value[key])
            elif not fanned:
                if value is None or (isinstance(value, dict) and not any(
                        isinstance(v, (dict, list)) and v for v in value.values())):
                    raise DiscoverError(url, f"the API answered without rows (nothing at {dotted!r})", kind="empty_list")
                raise DiscoverError(url, f"list JSON has no {dotted!r}")
        values, fanned = step, fanned or key == "*"
    if not fanned and values == [None]:
        raise DiscoverError(url, f"the API answered without rows ({dotted!r} is null)", kind="empty_list")
    return values


def _rows(data: object, spec: ListSpec, url: str) -> list[object]:
    values = _dig(data, spec.items, url)
    if "*" in spec.items.split("."):
        return values
    if not isinstance(values[0], list):
        raise DiscoverError(url, f"{spec.items!r} is not a list")
    return values[0]


def _field(item: dict, path: str) -> list[str]:
    """Strings at a dotted path inside one row (`linkUrls.*.linkUrl`); numbers as text; nothing when absent."""
    try:
        values = _dig(item, path, "")
    except DiscoverError:
        return []
    return [str(v) for v in values if isinstance(v, (str, int, float)) and not isinstance(v, bool)]


def _date_text(value: str) -> str:
    """A list's date as text the parser reads: epoch seconds or milliseconds (MIIT's `deploytime`) become
    Beijing time; anything else is kept as given."""
    if value.isdigit() and len(value) in (10, 13):
        seconds = int(value) / (1000 if len(value) == 13 else 1)
        return datetime.fromtimestamp(seconds, _SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    return value


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
    elif spec.kind in ("rss", "atom"):
        links = _feed_links(text, page_url)
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DiscoverError(page_url, f"list is not valid JSON: {exc.msg} at line {exc.lineno}") from exc
        except (ValueError, RecursionError) as exc:  # nesting or numbers beyond the parser's limits
            raise DiscoverError(page_url, f"list JSON is beyond the parser's limits: {type(exc).__name__}") from exc
        if spec.kind == "json_html":
            values = _dig(data, spec.items, page_url)
            items = values[0] if len(values) == 1 else None
            if not isinstance(items, str):
                raise DiscoverError(page_url, f"{spec.items!r} is not an HTML string")
            links = _html_links(items, spec.select, page_url)
        else:
            links = _json_links(_rows(data, spec, page_url), spec, page_url)
    seen: set[str] = set()
    result = []
    for link in links:
        try:
            url = _upgraded(canonical_url(link.url), source)
        except ValueError:  # a malformed href (bad port, bad IPv6 literal) is one bad link, not a bad list
            continue
        if url in seen or not source.is_article(url, spec):
            continue
        seen.add(url)
        result.append(Link(url, link.title, link.date, link.doc_number))
    return result


def _json_links(items: list[object], spec: ListSpec, page_url: str) -> list[Link]:
    links = []
    for item in items:
        if not isinstance(item, dict):
            continue  # one malformed row must not hide the others
        title = _plain_text(no_lone_surrogates(str(item.get(spec.title, ""))))
        date = _date_text(no_lone_surrogates((_field(item, spec.date) or [""])[0])) if spec.date else ""
        number = no_lone_surrogates((_field(item, spec.doc_number) or [""])[0]).strip() if spec.doc_number else ""
        url = _join(page_url, no_lone_surrogates(item[spec.link].strip())) if isinstance(item.get(spec.link),
                                                                                           str) else None
        if url:
            links.append(Link(url, title, date, number))
        # A multi-link row (Xinhua's contentType "Link") lists its real articles apart; its title and time are the
        # row's, not theirs, so those links carry neither.
        for extra in _field(item, spec.link_also) if spec.link_also else []:
            joined = _join(page_url, no_lone_surrogates(extra.strip()))
            if joined:
                links.append(Link(joined))
    return links


def _feed_links(text: str, page_url: str) -> list[Link]:
    """RSS 0.9x/1.0/2.0 or Atom entries: link, title, and the publication (else update) time in Beijing time."""
    import feedparser  # only needed for feed lists

    feed = feedparser.parse(text, response_headers={"content-location": page_url})
    if feed.bozo and not feed.entries:
        raise DiscoverError(page_url, f"not a readable RSS or Atom feed: {feed.get('bozo_exception', 'unknown error')}")
    links = []
    for entry in feed.entries:
        href = entry.get("link") or next((x.get("href") for x in entry.get("links", []) if x.get("href")), "")
        url = _join(page_url, no_lone_surrogates(href.strip())) if href else None
        if not url:
            continue
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")  # struct_time in UTC
        date = (datetime(*stamp[:6], tzinfo=UTC).astimezone(_SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
                if stamp else "")
        links.append(Link(url, _plain_text(no_lone_surrogates(entry.get("title", ""))), date))
    return links


def _upgraded(url: str, source: Source) -> str:
    """http:// → https:// for a host of a source reached over https (MIIT lists its own pages as http://): one
    document, one URL."""
    if url.startswith("http://") and source.base.startswith("https://"):
        parts = urllib.parse.urlsplit(url)
        if parts.netloc.lower() in source.hosts:
            return urllib.parse.urlunsplit(("https", *parts[1:]))
    return url
