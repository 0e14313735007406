"""A fast path for reading HTML: one lxml tree, the simple CSS selectors the registry uses, BeautifulSoup's text rules.

parse and discover used to build a BeautifulSoup tree and run soupsieve over it; on a 6 KB article page that costs
more than trafilatura's whole extraction. libxml2 builds the tree BeautifulSoup("…", "lxml") would build (bs4 feeds
the same parser and keeps its events), so this module reads that tree directly and answers exactly as bs4 +
soupsieve would:

- selectors: compounds of a tag, #id, .class and [attr] joined by descendant (space) or child (>) combinators, as in
  crawler/sources.toml. Anything else (pseudo-classes, attribute values, *, escapes, non-ASCII names) is Unsupported
  and the caller falls back to BeautifulSoup, so an unusual selector keeps soupsieve's answer (or error).
  Classes are split on any whitespace, as bs4 splits the class attribute; tag names compare lower-case.
- text: Tag.get_text(separator, strip): strings in document order, without comments and processing instructions;
  strings inside <script>, <style>, <template>, <rt>, <rp> count only for that element itself (bs4's Script,
  Stylesheet… string classes); a string of ASCII whitespace alone becomes " " or "\\n" outside <pre>/<textarea>.
- decompose: the element's subtree leaves the tree but its tail text stays a separate string, as after bs4's
  decompose() (the element stays behind empty, under a name no selector matches).

open_tree() returns None when libxml2 gives no tree or more than one top-level element, so the caller falls back
there too.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

__all__ = ["Unsupported", "Selector", "compile_selector", "open_tree", "select", "select_one", "text", "decompose"]

# bs4's string containers (HTMLTreeBuilder.DEFAULT_STRING_CONTAINERS) and whitespace-preserving tags
_CONTAINERS = frozenset({"rt", "rp", "style", "script", "template"})
_PRESERVE = frozenset({"pre", "textarea"})
_ASCII_SPACES = frozenset("\x20\x0a\x09\x0c\x0d")
_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"  # an identifier that is also an XPath name
_SIMPLE = re.compile(rf"#{_NAME}|\.{_NAME}|\[{_NAME}\]")
_COMPOUND = re.compile(rf"({_NAME})?((?:#{_NAME}|\.{_NAME}|\[{_NAME}\])*)")
_TOKENS = re.compile(r"\s*>\s*|\s+|[^\s>]+")
_CLASSES = re.compile(r"\S+")  # bs4 splits class="…" on any whitespace (nonwhitespace_re)
_DROPPED = "pw.dropped"  # a "." is outside _NAME: no selector reaches a decomposed element


class Unsupported(Exception):
    """The fast path cannot promise BeautifulSoup's answer here; use BeautifulSoup."""


@dataclass(frozen=True)
class _Compound:
    tag: str | None
    ids: tuple[str, ...]
    classes: tuple[str, ...]
    attrs: tuple[str, ...]

    def matches(self, el) -> bool:
        if self.tag is not None and el.tag != self.tag:
            return False
        if any(el.get("id") != i for i in self.ids):
            return False
        if self.classes:
            have = _CLASSES.findall(el.get("class") or "")
            if any(c not in have for c in self.classes):
                return False
        return all(el.get(a) is not None for a in self.attrs)

    def xpath(self) -> str:
        # ids and attributes exactly; classes as a superset (substring), checked exactly in Python afterwards
        return (f"//{self.tag or '*'}" + "".join(f"[@id='{i}']" for i in self.ids)
                + "".join(f"[contains(@class,'{c}')]" for c in self.classes) + "".join(f"[@{a}]" for a in self.attrs))


@dataclass(frozen=True)
class _Chain:
    compounds: tuple[_Compound, ...]  # left to right
    combinators: tuple[str, ...]  # between compounds: " " or ">"

    @property
    def exact_xpath(self) -> bool:
        return len(self.compounds) == 1 and not self.compounds[0].classes

    def matches(self, el) -> bool:
        return self._match(el, len(self.compounds) - 1)

    def _match(self, el, i: int) -> bool:
        if not self.compounds[i].matches(el):
            return False
        if i == 0:
            return True
        parent = el.getparent()
        if self.combinators[i - 1] == ">":
            return parent is not None and self._match(parent, i - 1)
        while parent is not None:
            if self._match(parent, i - 1):
                return True
            parent = parent.getparent()
        return False


@dataclass(frozen=True)
class Selector:
    chains: tuple[_Chain, ...]
    xpath: etree.XPath


def _compound(token: str) -> _Compound:
    m = _COMPOUND.fullmatch(token)
    if not m or not token:
        raise Unsupported(token)
    simple = _SIMPLE.findall(m.group(2))
    return _Compound(
        tag=m.group(1).lower() if m.group(1) else None,
        ids=tuple(s[1:] for s in simple if s[0] == "#"),
        classes=tuple(s[1:] for s in simple if s[0] == "."),
        attrs=tuple(s[1:-1].lower() for s in simple if s[0] == "["),
    )


def _chain(part: str) -> _Chain:
    compounds: list[_Compound] = []
    combinators: list[str] = []
    pending: str | None = None
    for token in _TOKENS.findall(part.strip()):
        if not token.strip():
            pending = pending or " "
        elif token.strip() == ">":
            if pending == ">" or not compounds:
                raise Unsupported(part)
            pending = ">"
        else:
            if compounds:
                if pending is None:
                    raise Unsupported(part)
                combinators.append(pending)
            elif pending == ">":
                raise Unsupported(part)
            compounds.append(_compound(token))
            pending = None
    if not compounds or pending == ">":
        raise Unsupported(part)
    return _Chain(tuple(compounds), tuple(combinators))


@functools.lru_cache(maxsize=512)
def _compile(selector: str) -> Selector | None:
    try:
        parts = [p for p in selector.split(",")]
        if not all(p.strip() for p in parts):
            return None  # "a,,b" or a trailing comma: soupsieve's syntax error, not ours to answer
        chains = tuple(_chain(p) for p in parts)
        xpath = etree.XPath(" | ".join(chain.compounds[-1].xpath() for chain in chains))
    except (Unsupported, etree.XPathError):
        return None
    return Selector(chains, xpath)


def compile_selector(selector: str) -> Selector:
    """A selector of the supported subset; Unsupported otherwise (the caller uses BeautifulSoup)."""
    compiled = _compile(selector)
    if compiled is None:
        raise Unsupported(selector)
    return compiled


def open_tree(html: str):
    """The root element libxml2 builds for `html`, as BeautifulSoup(html, "lxml") sees it; None without one."""
    try:
        parser = etree.HTMLParser(recover=True)
        parser.feed(html)
        root = parser.close()
    except (ValueError, etree.LxmlError):  # BeautifulSoup meets the same refusal and answers for it
        return None
    if root is None or not isinstance(root.tag, str):
        return None
    # Content after </html> can make more top-level elements; BeautifulSoup keeps them beside the first and
    # searches them all. Rare: leave such documents to it.
    if any(isinstance(el.tag, str) for el in (*root.itersiblings(preceding=True), *root.itersiblings())):
        return None
    return root


def select(root, selector: str | Selector) -> list:
    """Every element matching the selector, in document order, once each (soup.select)."""
    sel = selector if isinstance(selector, Selector) else compile_selector(selector)
    found = sel.xpath(root)
    if len(sel.chains) == 1 and sel.chains[0].exact_xpath:
        return found
    return [el for el in found if any(chain.matches(el) for chain in sel.chains)]


def select_one(root, selector: str | Selector):
    """The first element in document order matching the selector, or None (soup.select_one)."""
    sel = selector if isinstance(selector, Selector) else compile_selector(selector)
    for el in sel.xpath(root):
        if any(chain.matches(el) for chain in sel.chains):
            return el
    return None


def _context(el) -> tuple[str | None, int]:
    """The innermost string container above `el` and how many <pre>/<textarea> enclose it."""
    container, preserve = None, 0
    node = el.getparent()
    while node is not None:
        if container is None and node.tag in _CONTAINERS:
            container = node.tag
        if node.tag in _PRESERVE:
            preserve += 1
        node = node.getparent()
    return container, preserve


def _strings(el) -> Iterator[tuple[str, str | None, bool]]:
    """(string, its container tag or None, inside pre/textarea) for every text node under `el`, in order."""
    outer, preserve = _context(el)
    containers: list[str | None] = [outer]
    if el.tag in _CONTAINERS:
        containers.append(el.tag)
    if el.tag in _PRESERVE:
        preserve += 1
    if el.text:
        yield el.text, containers[-1], preserve > 0
    stack = [(el, iter(el))]
    while stack:
        node, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if not stack:
                break
            if node.tag in _CONTAINERS:
                containers.pop()
            if node.tag in _PRESERVE:
                preserve -= 1
            if node.tail:
                yield node.tail, containers[-1], preserve > 0
            continue
        if isinstance(child.tag, str):
            if child.tag in _CONTAINERS:
                containers.append(child.tag)
            if child.tag in _PRESERVE:
                preserve += 1
            if child.text:
                yield child.text, containers[-1], preserve > 0
            stack.append((child, iter(child)))
        elif child.tail:  # a comment or processing instruction: its own text is not a string, its tail is
            yield child.tail, containers[-1], preserve > 0


def text(el, separator: str = "", strip: bool = False) -> str:
    """el.get_text(separator, strip) of the same element in BeautifulSoup's tree."""
    wanted = el.tag if el.tag in _CONTAINERS else None
    out = []
    for s, container, preserve in _strings(el):
        if container != wanted:
            continue
        if not preserve and all(ch in _ASCII_SPACES for ch in s):
            s = "\n" if "\n" in s else " "
        if strip:
            s = s.strip()
            if not s:
                continue
        out.append(s)
    return separator.join(out)


def decompose(el) -> None:
    """Remove `el` and its subtree; its tail stays behind as a separate string, as after bs4's decompose()."""
    if el.getparent() is None:
        raise Unsupported("decompose() of the root element")
    # Emptied in place rather than removed: removing would take the tail along, and setting a tail through the API
    # refuses control characters libxml2 accepted. Its name matches no selector of the supported subset.
    el.clear(keep_tail=True)
    el.tag = _DROPPED
