"""Article page → fields. Site selectors first (they are precise where they hit), trafilatura for the rest.

Dates are Asia/Shanghai wall-clock time, stored as ISO "YYYY-MM-DDTHH:MM:SS+08:00" (or the date alone).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone

from bs4 import BeautifulSoup

from zhtext.clean import no_lone_surrogates
from zhtext.dates import YEAR_AR
from zhtext.script import HAN

from . import _html
from .attachments import AttachmentLink, _may_name_documents, attachments_in_soup, attachments_in_tree
from .sources import ParseRules

PARSER_VERSION = "3"
SHANGHAI = timezone(timedelta(hours=8))  # China has one time zone and no DST
MAX_TITLE = 500
MAX_BODY = 200_000  # characters; longer bodies are cut (and flagged) rather than stored whole

_DATE = re.compile(
    # separators may be bare spaces: news.cn renders its header time as "<em>2025</em> <em>12</em>/<em>18</em>"
    rf"(?P<y>{YEAR_AR})(?:\s*[-年/.]\s*|\s+)(?P<m>\d{{1,2}})(?:\s*[-月/.]\s*|\s+)(?P<d>\d{{1,2}})\s*日?"
    r"(?:[\sT-]*(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
)
# 文号 such as 工信厅联消费函〔2025〕186号 / 国办发〔2025〕35号; official documents print it alone under the title.
_DOC_NUMBER = re.compile(rf"^[{HAN}]{{2,16}}[〔\[［(（]\s*{YEAR_AR}\s*[〕\]］)）]\s*\d{{1,5}}\s*号$")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_TITLE_SUFFIX = re.compile(r"\s*[-_|—]+\s*(新华网|中国政府网|科技日报|中华人民共和国[^-_|]*|国家发展和改革委员会|工业和信息化部)[^-_|]*$")
_META_LABELS = {"发文机关": "issuer", "发文字号": "doc_number", "成文日期": "written_date", "发布日期": "published",
                "标题": "title", "主题分类": "topic", "索引号": "index_number"}


class ParseError(ValueError):
    kind = "parse"

    def __init__(self, url: str, message: str):
        super().__init__(f"{message} ({url})")
        self.url = url


@dataclass(frozen=True)
class Parsed:
    url: str
    title: str
    body: str  # paragraphs separated by "\n"
    published_at: str | None
    source_name: str | None = None
    doc_number: str | None = None  # 文号, e.g. 工信部联消费〔2025〕123号
    issuer: str | None = None  # 发文机关 as written
    written_date: str | None = None  # 成文日期 (differs from the publication date)
    truncated: bool = False
    meta: dict[str, str] = field(default_factory=dict)
    attachments: tuple[AttachmentLink, ...] = ()  # document links, found on the same tree (crawler.find_attachments)


def normalize_date(text: str | None) -> str | None:
    """First date in `text` as ISO in Asia/Shanghai; None if there is none or it is impossible."""
    if not text:
        return None
    m = _DATE.search(text)
    if not m:
        return None
    y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
    try:
        date(y, mo, d)  # 2025年2月31日 is no date
    except ValueError:
        return None
    if m["H"] is None:
        return f"{y:04d}-{mo:02d}-{d:02d}"
    hour, minute, sec = int(m["H"]), int(m["M"]), int(m["S"] or 0)
    if hour > 23 or minute > 59 or sec > 59:
        return f"{y:04d}-{mo:02d}-{d:02d}"
    return f"{y:04d}-{mo:02d}-{d:02d}T{hour:02d}:{minute:02d}:{sec:02d}+08:00"


def _best_date(candidates: list[str | None], now: datetime) -> str | None:
    """The first date found, upgraded with a time of day from a later candidate for the same day.

    Dates after `now` are dropped: a "future" date is a scheduled event or a JS string, never the publication date.
    """
    latest = now.astimezone(SHANGHAI).isoformat(timespec="seconds")
    dates = [d for d in map(normalize_date, candidates) if d and d <= latest]
    if not dates:
        return None
    first = dates[0]
    if "T" not in first:
        return next((d for d in dates if d.startswith(first + "T")), first)
    return first


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _meta(soup: BeautifulSoup, name: str) -> str | None:
    if not name:
        return None
    tag = soup.find("meta", attrs={"name": name}) or soup.find("meta", attrs={"property": name})
    content = tag.get("content") if tag else None
    return _clean(content) if isinstance(content, str) and content.strip() else None


def _select(soup: BeautifulSoup, selector: str):
    """The first element of the first comma-separated selector that matches: alternatives are tried in the order
    written (soup.select_one("a, b") would return whichever comes first in the page, e.g. an outer wrapper)."""
    for part in filter(None, (p.strip() for p in selector.split(","))):
        el = soup.select_one(part)
        if el is not None:
            return el
    return None


def _first_text(soup: BeautifulSoup, selector: str) -> str | None:
    for part in filter(None, (p.strip() for p in selector.split(","))):
        el = soup.select_one(part)
        text = _clean(el.get_text(" ", strip=True)) if el else ""
        if text:
            return text
    return None


def _source_label(text: str | None) -> str | None:
    """来源：科技日报 → 科技日报; a bare organisation name stays as it is."""
    if not text:
        return None
    m = re.search(r"来源\s*[:：]\s*([^\s|｜]+)", text)
    if m:
        return m.group(1)
    return text if re.fullmatch(f"[{HAN}·（）]{{2,30}}", text) else None


def _trafilatura_date(html: str) -> str | None:
    from trafilatura import extract_metadata

    meta = extract_metadata(html, extensive=False)  # the extensive guesser turns a bare year into January 1
    return meta.date if meta is not None else None


def _body_text(el) -> str:
    blocks = el.find_all(["p", "div", "li", "h2", "h3", "h4", "tr"], recursive=True)
    paragraphs: list[str] = []
    if blocks:
        for block in blocks:
            if block.find(["p", "div", "li", "tr"]):  # a container: its children carry the text
                continue
            text = _clean(block.get_text(" ", strip=True))
            if text:
                paragraphs.append(text)
    if not paragraphs:
        paragraphs = [_clean(line) for line in el.get_text("\n").splitlines() if _clean(line)]
    return "\n".join(paragraphs)


def _metadata_table(soup: BeautifulSoup, selector: str) -> dict[str, str]:
    found: dict[str, str] = {}
    if not selector:
        return found
    for table in soup.select(selector):
        cells = table.find_all("td")
        for label_cell, value_cell in zip(cells, cells[1:], strict=False):
            label = re.sub(r"[\s\u3000:：]", "", label_cell.get_text())
            key = _META_LABELS.get(label)
            if key and key not in found:
                value = _clean(value_cell.get_text(" ", strip=True))
                if value:
                    found[key] = value
    return found


def parse_article(html: str, url: str, rules: ParseRules, *, now: datetime | None = None,
                  base_url: str | None = None) -> Parsed:
    """The article in a page; base_url: where the page was finally served from (after redirects), which document
    links resolve against (default: url)."""
    now = now or datetime.now(UTC)
    html = no_lone_surrogates(html)  # lxml refuses them
    base_url = base_url or url
    try:
        page: _SoupPage | _LxmlPage = _LxmlPage(html, rules)
    except _html.Unsupported:  # a selector or a document the fast path cannot answer for: BeautifulSoup does
        page = _SoupPage(html)
    try:
        return _parse(page, html, url, base_url, rules, now)
    except _html.Unsupported:  # found out while reading (the root element is to be dropped): start again
        return _parse(_SoupPage(html), html, url, base_url, rules, now)


def _parse(page: _SoupPage | _LxmlPage, html: str, url: str, base_url: str, rules: ParseRules,
           now: datetime) -> Parsed:
    # document links first, on the whole page: the rules' drop may remove the block they sit in
    attachments = (page.attachments(base_url) if _may_name_documents(html) or _may_name_documents(base_url)
                   else [])
    table = page.metadata_table(rules.metadata_table)
    page.drop(rules.drop)

    title = table.get("title") or page.meta(rules.meta_title) or page.first_text(rules.title)
    if not title:
        og = page.meta("og:title")
        page_title = page.page_title()
        # a heading that the <title> repeats is the article's; a lone <h1> may be the site logo's hidden text
        heading = next((t for t in page.headings() if len(t) >= 4 and page_title.startswith(t)), None)
        title = og or heading or page.first_text("h1") or _TITLE_SUFFIX.sub("", page_title).strip() or None

    body = page.body(rules.body) if rules.body else ""
    if len(body) < 20:
        body = _trafilatura_body(html) or body
    if not title:
        raise ParseError(url, "no title found")
    if not body:
        raise ParseError(url, "no body text found")

    published = _best_date([
        table.get("published"), page.meta(rules.meta_date), page.first_text(rules.date),
        page.meta("firstpublishedtime"), page.meta("PubDate"),
    ], now) or _best_date([_trafilatura_date(html)], now)
    doc_number = table.get("doc_number") or next(
        (line for line in body.split("\n")[:6] if _DOC_NUMBER.match(line)), None)
    truncated = len(body) > MAX_BODY
    return Parsed(
        url=url,
        title=title[:MAX_TITLE],
        body=body[:MAX_BODY],
        published_at=published,
        source_name=page.meta(rules.meta_source) or _source_label(page.first_text(rules.source)),
        doc_number=doc_number,
        issuer=table.get("issuer"),
        written_date=_best_date([table.get("written_date")], now),
        truncated=truncated,
        meta={k: v for k, v in table.items() if k not in ("title",)},
        attachments=tuple(attachments),
    )


def _parts(selector: str) -> list[str]:
    return [p for p in (p.strip() for p in selector.split(",")) if p]


class _SoupPage:
    """The page as BeautifulSoup + soupsieve read it: the reference behaviour, and the fallback of _LxmlPage."""

    def __init__(self, html: str):
        self.soup = BeautifulSoup(html, "lxml")

    def attachments(self, base_url: str) -> list[AttachmentLink]:
        return attachments_in_soup(self.soup, base_url)

    def metadata_table(self, selector: str) -> dict[str, str]:
        return _metadata_table(self.soup, selector)

    def drop(self, selectors: str) -> None:
        for selector in _parts(selectors):
            for el in self.soup.select(selector):
                el.decompose()

    def meta(self, name: str) -> str | None:
        return _meta(self.soup, name)

    def first_text(self, selector: str) -> str | None:
        return _first_text(self.soup, selector)

    def page_title(self) -> str:
        return _clean(self.soup.title.get_text(" ", strip=True)) if self.soup.title else ""

    def headings(self) -> Iterator[str]:
        return (_clean(h.get_text(" ", strip=True)) for h in self.soup.find_all(["h1", "h2"]))

    def body(self, selector: str) -> str:
        el = _select(self.soup, selector)
        return _body_text(el) if el is not None else ""


class _LxmlPage:
    """The same reads on libxml2's tree (crawler/_html.py): several times faster, the same answers. Raises
    _html.Unsupported up front when a selector of the rules is outside the subset it can promise that for."""

    _BLOCKS = ("p", "div", "li", "h2", "h3", "h4", "tr")
    _CONTAINERS = ("p", "div", "li", "tr")

    def __init__(self, html: str, rules: ParseRules):
        for selector in (rules.title, rules.body, rules.date, rules.source, rules.drop, rules.metadata_table, "h1"):
            for part in _parts(selector):
                _html.compile_selector(part)
        if rules.metadata_table:
            _html.compile_selector(rules.metadata_table)
        root = _html.open_tree(html)
        if root is None:
            raise _html.Unsupported("no document tree")
        self.root = root
        self._metas: tuple[dict[str, object], dict[str, object]] | None = None

    def attachments(self, base_url: str) -> list[AttachmentLink]:
        return attachments_in_tree(self.root, base_url)

    def metadata_table(self, selector: str) -> dict[str, str]:
        found: dict[str, str] = {}
        if not selector:
            return found
        for table in _html.select(self.root, selector):
            cells = list(table.iterdescendants("td"))
            for label_cell, value_cell in zip(cells, cells[1:], strict=False):
                label = re.sub(r"[\s\u3000:：]", "", _html.text(label_cell))
                key = _META_LABELS.get(label)
                if key and key not in found:
                    value = _clean(_html.text(value_cell, " ", True))
                    if value:
                        found[key] = value
        return found

    def drop(self, selectors: str) -> None:
        for selector in _parts(selectors):
            for el in _html.select(self.root, selector):
                _html.decompose(el)

    def meta(self, name: str) -> str | None:
        if not name:
            return None
        if self._metas is None:  # read once, after the drops (as soup.find would see the page then)
            names: dict[str, object] = {}
            properties: dict[str, object] = {}
            for el in self.root.iter("meta"):
                if (value := el.get("name")) is not None:
                    names.setdefault(value, el)
                if (value := el.get("property")) is not None:
                    properties.setdefault(value, el)
            self._metas = (names, properties)
        tag = self._metas[0].get(name)
        if tag is None:
            tag = self._metas[1].get(name)
        content = tag.get("content") if tag is not None else None  # type: ignore[attr-defined]
        return _clean(content) if isinstance(content, str) and content.strip() else None

    def first_text(self, selector: str) -> str | None:
        for part in _parts(selector):
            el = _html.select_one(self.root, part)
            text = _clean(_html.text(el, " ", True)) if el is not None else ""
            if text:
                return text
        return None

    def page_title(self) -> str:
        el = next(self.root.iter("title"), None)
        return _clean(_html.text(el, " ", True)) if el is not None else ""

    def headings(self) -> Iterator[str]:
        return (_clean(_html.text(h, " ", True)) for h in self.root.iter("h1", "h2"))

    def body(self, selector: str) -> str:
        el = next((found for part in _parts(selector) if (found := _html.select_one(self.root, part)) is not None),
                  None)
        if el is None:
            return ""
        paragraphs: list[str] = []
        for block in el.iterdescendants(*self._BLOCKS):
            if next(block.iterdescendants(*self._CONTAINERS), None) is not None:  # a container: its children carry the text
                continue
            text = _clean(_html.text(block, " ", True))
            if text:
                paragraphs.append(text)
        if not paragraphs:
            paragraphs = [_clean(line) for line in _html.text(el, "\n").splitlines() if _clean(line)]
        return "\n".join(paragraphs)


def _trafilatura_body(html: str) -> str:
    import trafilatura  # heavy: loaded only when a page needs generic extraction

    # precision mode: recall mode pulls in 浏览次数/打印/关闭, bylines and copyright lines on government pages
    text = trafilatura.extract(html, include_comments=False, include_tables=True, favor_precision=True)
    return "\n".join(_clean(line) for line in (text or "").splitlines() if _clean(line))


_BRACKETS = str.maketrans({"[": "〔", "［": "〔", "(": "〔", "（": "〔", "【": "〔", "]": "〕", "］": "〕", ")": "〕",
                           "）": "〕", "】": "〕"})


def policy_key(doc_number: str | None) -> str | None:
    """One spelling per 文号 (工信部联消费[2025]236号 = 工信部联消费〔2025〕236号), the identity of a policy document.

    The 文号's prefix is the issuing body's code (工信部, 发改, 国办发…), so the key already names the issuer; reposts on
    gov.cn and the ministry's own page carry the same 文号 and so share one key.
    """
    if not doc_number:
        return None
    import unicodedata

    key = unicodedata.normalize("NFKC", doc_number).translate(_BRACKETS)
    key = re.sub(r"\s+", "", key)
    return key if re.fullmatch(rf"[{HAN}]{{2,16}}〔\d{{4}}〕\d{{1,5}}号", key) else None
