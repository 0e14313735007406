"""A fast path for reading HTML: one lxml tree, cssselect's XPath for the simple selectors the registry uses,
BeautifulSoup's text rules.

parse and discover used to build a BeautifulSoup tree and run soupsieve over it; on a 6 KB article page that costs
more than trafilatura's whole extraction. libxml2 builds the tree BeautifulSoup("…", "lxml") would build (bs4 feeds
the same parser and keeps its events), so this module reads that tree directly and answers exactly as bs4 +
soupsieve would:

- selectors: cssselect translates them to XPath, limited to compounds of a tag, #id, .class and [attr] joined by
  descendant (space) or child (>) combinators, as in crawler/sources.toml. Anything else (pseudo-classes, attribute
  values, a bare *, other combinators, names outside ASCII identifiers) is Unsupported and the caller falls back to
  BeautifulSoup, so an unusual selector keeps soupsieve's answer (or error). Classes are split on any whitespace, as
  bs4 splits the class attribute (cssselect's XPath splits on ASCII spaces only); tag names compare lower-case;
  nothing inside a <template> matches, as soupsieve does not look there.
- text: Tag.get_text(separator, strip): strings in document order, without comments and processing instructions;
  strings inside <script>, <style>, <template>, <rt>, <rp> count only for that element itself (bs4's Script,
  Stylesheet… string classes); a string of ASCII whitespace alone becomes " " or "\\n" outside <pre>/<textarea>.
- decompose: the element's subtree leaves the tree but its tail text stays a separate string, as after bs4's
  decompose() (the element stays behind empty, under a name no selector matches).

open_tree() returns None when libxml2 gives no tree, more than one top-level element or a tree cut at its depth
limit, so the caller falls back there too.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

import cssselect
from cssselect.parser import Attrib, Class, CombinedSelector, Element, Hash
from lxml import etree

__all__ = ["Unsupported", "Selector", "compile_selector", "open_tree", "select", "select_one", "text", "decompose"]

Selector = etree.XPath  # a compiled selector

# bs4's string containers (HTMLTreeBuilder.DEFAULT_STRING_CONTAINERS) and whitespace-preserving tags
_CONTAINERS = frozenset({"rt", "rp", "style", "script", "template"})
_PRESERVE = frozenset({"pre", "textarea"})
_ASCII_SPACES = frozenset("\x20\x0a\x09\x0c\x0d")
# names as soupsieve reads them, in ASCII (after cssselect unescapes): "#1x" is its syntax error, cssselect's id
_NAME = re.compile(r"-?[A-Za-z_][A-Za-z0-9_-]*")
_DROPPED = "pw.dropped"  # no identifier has a ".": no selector reaches a decomposed element
_NS = "urn:pilotwatch:html"
_AT_MAX_DEPTH = etree.XPath("boolean(/" + "/".join(["*"] * 256) + ")")  # an element with 255 ancestors


class Unsupported(Exception):
    """The fast path cannot promise BeautifulSoup's answer here; use BeautifulSoup."""


class _Translator(cssselect.GenericTranslator):
    lower_case_element_names = True  # libxml2's HTML parser lower-cases tag and attribute names
    lower_case_attribute_names = True

    def xpath_class(self, class_selector: Class) -> cssselect.xpath.XPathExpr:
        # bs4 splits class="…" on any whitespace (U+3000, form feed…), normalize-space() only on four ASCII ones
        name = self.xpath_literal(class_selector.class_name)
        condition = f"contains(@class, {name}) and pw:has-class(@class, {name})"
        return self.xpath(class_selector.selector).add_condition(condition)


def _has_class(_context, values: list[str], name: str) -> bool:
    return any(name in value.split() for value in values)


def _check(node, compound: bool = False) -> None:
    """Raise Unsupported unless `node` (a cssselect parse tree) stays within the subset described above."""
    if isinstance(node, CombinedSelector) and node.combinator in (" ", ">"):
        _check(node.selector)
        _check(node.subselector)
    elif isinstance(node, Attrib) and node.operator == "exists" and node.namespace is None:
        _check_name(node.attrib)
        _check(node.selector, compound=True)
    elif isinstance(node, (Class, Hash)):
        _check_name(node.class_name if isinstance(node, Class) else node.id)
        _check(node.selector, compound=True)
    elif not (isinstance(node, Element) and node.namespace is None):
        raise Unsupported(repr(node))
    elif node.element is None:
        if not compound:  # a bare * would also match decomposed elements
            raise Unsupported("*")
    else:
        _check_name(node.element)


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise Unsupported(name)


@functools.lru_cache(maxsize=512)
def _compile(selector: str) -> Selector | None:
    try:
        parsed = cssselect.parse(selector)
        for one in parsed:
            if one.pseudo_element is not None:
                raise Unsupported(selector)
            _check(one.parsed_tree)
        translator = _Translator()
        # soupsieve does not navigate into a <template>'s contents ("not part of the document"): nothing there matches
        xpath = "(" + " | ".join(translator.selector_to_xpath(one) for one in parsed) + ")[not(ancestor::template)]"
        return etree.XPath(xpath, namespaces={"pw": _NS}, extensions={(_NS, "has-class"): _has_class})
    except (Unsupported, cssselect.SelectorError, etree.XPathError):
        return None


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
    # libxml2's tree silently ends at 256 levels of nesting, where BeautifulSoup (fed by events) goes on
    if _AT_MAX_DEPTH(root):
        return None
    return root


def select(root, selector: str | Selector) -> list:
    """Every element matching the selector, in document order, once each (soup.select)."""
    return (selector if isinstance(selector, Selector) else compile_selector(selector))(root)


def select_one(root, selector: str | Selector):
    """The first element in document order matching the selector, or None (soup.select_one)."""
    return next(iter(select(root, selector)), None)


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
