"""Platform lists laid out as tables: one Row per platform, with its cells by column role.

Official lists (首批生物制造中试能力建设平台名单, a province's 中试平台 list) are a table in an article body or an
attachment. crawler/attachments.py and the page parser hand such a table over as text in one of these shapes:

    tabs             DOCX tables and XLSX sheets: a row a line, cells joined by tabs (XLSX drops empty trailing cells,
                     and a vertically merged cell is empty below its first row)
    pipes            an HTML table flattened by the page parser: "1 | 北京 | 国家动力电池创新中心 | 2016年6月 |"
    spaced           cells separated by runs of two or more spaces
    single spaces    PDF text from pypdf: "1 食品及添加剂生物制造中试平台 江南大学 江苏省无锡市 食品及添加剂"; a cell
                     too wide for its column comes out as two pieces, on the same line or the next
    one cell a line  PDF text where every cell, the header's too, is a line of its own
    numbered         "1. 江南大学食品及添加剂生物制造中试平台 江南大学 江苏无锡"
    glued            a copy that lost every separator: "序号中试平台名称依托单位拟建设类型1舟山市海洋生物制造中试平台浙江省
                     海洋开发研究院市级中试平台2舟山市…" (read only under a glued 序号 header, see _glued)

A table starts at a header: short labels, on one line or one a line, that name at least two of the roles below, one of
them the platform's name or its hosts (a list of 创新中心 or of projects is not a list of platforms):

    index    序号, 编号
    name     平台名称, 中试平台名称, 基地名称, 名称
    hosts    牵头单位, 建设单位, 依托单位, 申报单位, 单位名称, 企业名称, 建设主体 … (several such columns are merged)
    place    所在地, 地区, 省份, 所在省份, 城市, 推荐单位 (a province's department stands for the province) …
    sector   方向, 领域, 重点方向, 产品领域, 所属行业 …
    other    类型, 级别, 备注, 联系人 … (kept by label in Row.other)

Rows. When the header starts with 序号, rows are anchored at their numbers, which run 1, 2, 3 … at line starts (or
start again at 1 after a group heading such as 二、生物医药方向); the text between two anchors is the row, so wrapped
cells stay in it, while page numbers (— 3 —), a header repeated on a new page and group headings are taken out.
Without 序号, each line is a row (tabs, pipes, spaces), or each group of N lines when the header had one label a line,
up to the first line that does not read as one.

Cells. Tabs and pipes delimit cells by position. Otherwise the row's pieces (split at any whitespace) are grouped into
the columns by the best-scoring segmentation: a cell that fits its column's role scores (a name ends in 平台, 基地 or
中心; each host in 大学, 公司, 研究所 …; a place is a place name), each join of two pieces costs (more across a run of
spaces than across a line break or one space), and an empty cell costs. A wrapped cell is joined without the break.

Lists in running prose (江南大学牵头建设的…平台（江苏省无锡市）；…) are not read here: only tables.

Bounds: only lines holding a header word are looked at (a regex skips the rest); a header candidate reads at most a
window of lines ahead, and a table resumes the scan after its end; a row has at most _MAX_PIECES pieces to segment,
a cell at most _MAX_GROUP; at most MAX_ROWS rows are returned. A megabyte of text is read in well under a second.

Cells are not mapped to sector ids, places or canonical hosts here: the tagger runs its matchers on the cells' spans.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache

from zhtext.script import HAN

from . import resources

MAX_ROWS = 5_000  # per text; the national list has 43 rows, a province's a few dozen
_MAX_COLUMNS = 12
_MAX_HEADER_LINE = 200  # characters; a header is a line of short labels
_MAX_LABEL = 14
_WINDOW_LINES = 80  # lines searched for the next row's number (a row of one cell a line, wrapped, spans ~15)
_FIRST_ROW_LINES = 6  # lines between the header and row 1 (a title repeated, a group heading)
_MAX_PIECES = 40  # a row of more pieces than this is not a row


@dataclass(frozen=True)
class Cell:
    """A cell, or one host of a hosts cell. ``start``/``end`` span it in the text that was read (the cell as written).
    ``text`` is the cell to match on: as written, but a wrapped cell's pieces joined (中国科学院天津工业生物 + 技术研究所
    without the line break; Latin words with one space). ``at(i)`` is the offset in the text read of ``text[i]``."""

    text: str
    start: int
    end: int
    offsets: tuple[int, ...] = field(default=(), repr=False, compare=False)  # per character of text, when joined

    def at(self, i: int) -> int:
        return self.offsets[i] if self.offsets else self.start + i


@dataclass(frozen=True)
class Row:
    """One platform in a list table.

    ``index``: the number in the 序号 column, else the row's place in its table (from 1). ``start``/``end`` span the
    row, number included. ``hosts`` are the units of the hosts column(s), a cell split at 、 ; , and at line breaks
    after a complete unit name. ``place`` and ``sector`` are the raw cells; an empty one in a table with delimited
    cells (tabs, pipes: a merged cell) is the one of the row above. ``section`` is the group heading the row sits
    under (二、生物医药方向), which names the sector of lists grouped that way; ``other`` holds the cells of columns with
    no role, by header label."""

    index: int
    start: int
    end: int
    name: Cell | None
    hosts: tuple[Cell, ...]
    place: Cell | None
    sector: Cell | None
    section: Cell | None = None
    other: tuple[tuple[str, Cell], ...] = ()


# --- the header ----------------------------------------------------------------------------------------------------

_H = f"[{HAN}]"
_PAREN = r"(?:\([^()]{1,12}\))?"  # a note in the label: 投资(万元), 牵头单位(联合单位)
# Tried in this order on each label (fullmatch): 推荐单位 is a place before it is a unit.
_ROLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("index", re.compile(r"序号|编号|序|No\.?", re.IGNORECASE)),
    ("place", re.compile(r"(?:所在|所属)?(?:地|地区|地市|城市|省份|省|省市|市|市州|区域|区县)"
                         r"(?:\((?:区|自治区)?[、,]?(?:市|直辖市)?[、,]?(?:区|市|兵团)?\))?"
                         r"|推荐(?:单位|部门|地区|省份|地方)|属地")),
    ("hosts", re.compile(f"{_H}{{0,8}}(?:单位|企业|机构|主体)(?:名称)?{_PAREN}")),
    ("name", re.compile(f"(?:{_H}{{0,10}}(?:平台|基地|中试){_H}{{0,4}})?名称|(?:中试)?平台|基地")),
    ("sector", re.compile(f"{_H}{{0,6}}(?:方向|领域|行业){_PAREN}")),
    ("other", re.compile(f"{_H}{{0,6}}(?:类型|类别|级别|层级|批次|备注|说明|联系人|电话|联系方式|时间|日期|年份|规模|金额|"
                         f"投资|面积|人数|状态|简介|内容|地址){_PAREN}")),
)
_ROLE_NAMES = ("name", "hosts", "place", "sector")
_HEADER_HINT = re.compile("名称|单位|企业|主体|序号|编号|方向|领域|所在|地区|省份|推荐|平台|基地|地市|城市")
_SPLIT = re.compile(r"[^\s|]+")  # the pieces of a line: runs between whitespace and pipes
_HAN_CHAR = re.compile(_H)


@lru_cache(maxsize=4096)
def _role(label: str) -> str | None:
    if len(label) > _MAX_LABEL:
        return None
    return next((role for role, rx in _ROLES if rx.fullmatch(label)), None)


@dataclass(frozen=True)
class _Header:
    end: int  # end of its last line
    roles: tuple[str, ...]  # per column: index | name | hosts | place | sector | other
    labels: tuple[str, ...]
    one_a_line: bool  # the labels were one a line (PDF layout)
    delimiter: str  # "\t", "|" or "" (whitespace)


def _labels(text: str, start: int, end: int) -> list[str]:
    """The labels of a header line. Two-character labels spaced out for width (序 号, 方 向) are joined."""
    out: list[tuple[str, int]] = []
    for m in _SPLIT.finditer(text, start, end):
        label = m.group()
        if (out and len(label) == 1 and len(out[-1][0]) == 1 and _HAN_CHAR.match(label) and _HAN_CHAR.match(out[-1][0])
                and m.start() - out[-1][1] == 1):
            out[-1] = (out[-1][0] + label, m.end())
        else:
            out.append((label, m.end()))
    return [label for label, _ in out]


def _header_line(text: str, start: int, end: int, *, loose: bool) -> list[tuple[str, str]] | None:
    """(label, role) per column when the line holds header labels only; with ``loose``, also a line of short labels
    with at least two known roles, whose unknown labels become "other"."""
    if end - start > _MAX_HEADER_LINE:
        return None
    labels = _labels(text, start, end)
    if not labels or len(labels) > _MAX_COLUMNS:
        return None
    roles = [_role(label) for label in labels]
    if all(roles):
        return [(label, role) for label, role in zip(labels, roles, strict=True) if role]
    if not loose or len(labels) < 2 or sum(r in _ROLE_NAMES for r in roles) < 2:
        return None
    if any(len(label) > 10 or any(c.isdigit() for c in label) for label in labels):
        return None
    return [(label, role or "other") for label, role in zip(labels, roles, strict=True)]


def _qualifies(roles: list[str]) -> bool:
    named = {r for r in roles if r in _ROLE_NAMES}
    return len(named) >= 2 and bool(named & {"name", "hosts"}) and len(roles) <= _MAX_COLUMNS


def _find_header(text: str, start: int, end: int) -> _Header | None:
    """The header whose first line is text[start:end]; labels one a line continue on the lines below."""
    first = _header_line(text, start, end, loose=True)
    if first is None:
        return None
    line = text[start:end]
    columns, last_end = list(first), end
    if not _qualifies([r for _, r in first]):  # labels one a line, or a header wrapped over two lines
        for s, e in _lines(text, end + 1):
            more = _header_line(text, s, e, loose=False)
            if more is None or len(columns) + len(more) > _MAX_COLUMNS:
                break
            columns += more
            last_end = e
    roles = [r for _, r in columns]
    if not _qualifies(roles):
        return None
    delimiter = "\t" if "\t" in line else "|" if "|" in line else ""
    return _Header(last_end, tuple(roles), tuple(label for label, _ in columns),
                   one_a_line=len(first) == 1 and len(columns) > 1, delimiter=delimiter)


# --- lines ---------------------------------------------------------------------------------------------------------

def _line_end(text: str, start: int) -> int:
    end = text.find("\n", start)
    return len(text) if end < 0 else end


def _lines(text: str, start: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each line from ``start`` (a line start) on; end excludes the newline."""
    n = len(text)
    while start <= n:
        end = _line_end(text, start)
        yield start, end
        if end >= n:
            return
        start = end + 1


# A row's number at a line start: "1", "1.", "1、", "(1)"; not "1.5万吨" or "2025年".
_ANCHOR = re.compile(r"[ \t|]*\(?(\d{1,4})(?:\)|[.、](?!\d)|(?=[\s|])|\Z) *")
_PAGE_NUMBER = re.compile(r"\s*(?:[-—–]+\s*\d{1,4}\s*[-—–]+|第\s*\d{1,4}\s*页(?:\s*[,/]?\s*共\s*\d{1,4}\s*页)?"
                          r"|\d{1,4}\s*/\s*\d{1,4})\s*")
_RULE = re.compile(r"[\s|:\-]*-[\s|:\-]*")  # a Markdown table's |---|---| line
# A group heading: 一、食品及添加剂方向, (二)生物医药, 第三组 … on a line of its own, short, no sentence in it.
_HEADING = re.compile(r"\s*(?:[一二三四五六七八九十]{1,3}[、.]|\([一二三四五六七八九十]{1,3}\)"
                      r"|第[一二三四五六七八九十]{1,3}[类组批部分])\s*[^。;\n]{1,40}")
_PROSE = re.compile("。")  # a sentence: a table's rows hold none, so it ends the table


def _noise(text: str, s: int, e: int, header: _Header, titles: frozenset[str]) -> bool:
    """A line inside a table that belongs to no row: blank, a page number, a Markdown rule, or the title or header
    repeated at the top of a new page."""
    line = text[s:e].strip()
    if not line or _PAGE_NUMBER.fullmatch(line) or _RULE.fullmatch(line) or line in titles:
        return True
    labels = _labels(text, s, e)
    return len(labels) <= len(header.labels) and all(label in header.labels for label in labels)


# --- fitting pieces to columns -------------------------------------------------------------------------------------

_NAME_END = re.compile(r"(?:平台|基地|中心|中试线|实验室|工厂|车间|园)(?:\([^()]{1,16}\))?$|方向\)$")
_ORG_END = re.compile(r"(?:大学|学院|学校|公司|集团|研究院|研究所|科学院|中心|实验室|医院|院|所|厂|局|委员会|管委会|协会|学会|"
                      r"联盟|基地|园区|站)(?:\([^()]{0,16}\))?$")
_DEPARTMENT_END = re.compile(r"(?:厅|局|委|委员会|办公室|兵团)$")  # 推荐单位: 江苏省工业和信息化厅 stands for Jiangsu


@cache
def _place_rx() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(a cell made of place names: 江苏无锡, 山东省济南市, 天津市; a province or city name at a cell's start)."""
    names: set[str] = set()
    for p in resources.provinces():
        names.update(n for n in (p.name, p.short, *p.aliases_zh) if len(n) >= 2)
    for c in resources.cities():
        names.update(n for n in (c.name, *c.aliases) if len(n) >= 2)
    alternation = "|".join(sorted(map(re.escape, names), key=len, reverse=True))
    chain = re.compile(f"(?:(?:{alternation})(?:省|市|自治区|自治州|地区|盟)?|{_H}{{1,6}}(?:区|县|市|旗))+")
    return chain, re.compile(alternation)


def _is_place(s: str) -> bool:
    if len(s) > 20:
        return False
    chain, start = _place_rx()
    return chain.fullmatch(s) is not None or (start.match(s) is not None and _DEPARTMENT_END.search(s) is not None)


def _split_hosts(s: str) -> list[str]:
    return [p for p in re.split(r"[、;,]", s) if p]


@lru_cache(maxsize=8192)
def _fit(role: str, s: str) -> float:
    """How well a cell's text fits its column's role."""
    if role == "name":
        return 3 if _NAME_END.search(s) else (-2 if len(s) > 60 else 0)
    if role == "hosts":
        parts = _split_hosts(s)
        if parts and all(_ORG_END.search(p) for p in parts):
            return 3
        return -2 if len(s) > 120 or _is_place(s) else 0
    if role == "place":
        return 3 if _is_place(s) else (-2 if len(s) > 14 else 0)
    if role == "sector":
        return 1 if len(s) <= 20 else -2
    return -1 if len(s) > 40 else 0


_EMPTY = -3.0  # an empty cell
# A join across a line break, one space, a run of spaces or a tab; "" joins the pieces of glued text (see _glued).
_JOIN = {"\n": -1.0, " ": -1.0, "  ": -3.0, "": 0.0}
_MAX_GROUP = 8  # pieces in one cell


@dataclass(frozen=True)
class _Piece:
    start: int
    end: int
    sep: str  # the separator before it: "\n", " " or "  " (a run of spaces, a tab, a pipe); "" for the first or glued


def _pieces(text: str, spans: list[tuple[int, int]]) -> list[_Piece]:
    out: list[_Piece] = []
    for n, (start, end) in enumerate(spans):
        prev_end = -1
        for m in _SPLIT.finditer(text, start, end):
            if prev_end < 0:
                sep = "\n" if n and out else ""
            else:
                gap = text[prev_end:m.start()]
                sep = "  " if len(gap) >= 2 or "\t" in gap or "|" in gap else " "
            out.append(_Piece(m.start(), m.end(), sep))
            prev_end = m.end()
    return out


def _joined(text: str, pieces: list[_Piece]) -> str:
    """The pieces' text: touching pieces (glued text) as written, a wrapped Chinese cell's without the break, others
    one space apart."""
    out = text[pieces[0].start:pieces[0].end] if pieces else ""
    for prev, p in zip(pieces, pieces[1:], strict=False):
        piece = text[p.start:p.end]
        touching = p.start == prev.end or (_HAN_CHAR.match(piece) and _HAN_CHAR.match(out[-1]))
        out += ("" if touching else " ") + piece
    return out


def _segment(text: str, pieces: list[_Piece], roles: tuple[str, ...]) -> tuple[list[list[_Piece]], float]:
    """The pieces as len(roles) consecutive, possibly empty, cells: the segmentation with the best total score, and
    that score."""
    m, k = len(pieces), len(roles)
    if m == k:  # the common case, a piece per column: kept when each piece fits its column
        fits = [_fit(r, text[p.start:p.end]) for r, p in zip(roles, pieces, strict=True)]
        if all(f > 0 for f, r in zip(fits, roles, strict=True) if r != "other"):
            return [[p] for p in pieces], sum(fits)
    # every candidate cell pieces[i-g:i]: its text and what its joins cost, once for all columns
    groups = {(i, g): (_joined(text, pieces[i - g:i]), sum(_JOIN[p.sep] for p in pieces[i - g + 1:i]))
              for i in range(1, m + 1) for g in range(1, min(i, _MAX_GROUP) + 1)}
    neg = float("-inf")
    best = [[neg] * (k + 1) for _ in range(m + 1)]
    back = [[0] * (k + 1) for _ in range(m + 1)]
    best[0][0] = 0.0
    for j in range(1, k + 1):
        role = roles[j - 1]
        for i in range(m + 1):
            for g in range(min(i, _MAX_GROUP) + 1):  # cell j is pieces[i-g:i]
                prev = best[i - g][j - 1]
                if prev == neg:
                    continue
                if g:
                    cell, joins = groups[i, g]
                    score = prev + _fit(role, cell) + joins
                else:
                    score = prev + _EMPTY
                if score > best[i][j]:
                    best[i][j], back[i][j] = score, g
    if best[m][k] == neg:  # more pieces than k cells of _MAX_GROUP can hold
        return [[] for _ in roles], neg
    cells: list[list[_Piece]] = []
    i = m
    for j in range(k, 0, -1):
        g = back[i][j]
        cells.append(pieces[i - g:i])
        i -= g
    return cells[::-1], best[m][k]


def _delimited(text: str, s: int, e: int, sep: str, width: int, *, numbered: bool = False
               ) -> list[list[_Piece]] | None:
    """A tab or pipe row's cells by position (as pieces), padded to ``width``; None when the line is not one.
    ``numbered``: the line starts after the row's number, before the delimiter that ends the number's cell."""
    if sep not in text[s:e]:
        return None
    bounds = [s - 1, *(i for i in range(s, e) if text[i] == sep), e]
    raw = [(a + 1, b) for a, b in zip(bounds, bounds[1:], strict=False)]
    if numbered or sep == "|":  # the rest of the number's cell; the outer pipes of "| a | b |"
        if raw and not text[raw[0][0]:raw[0][1]].strip():
            raw = raw[1:]
    if sep == "|":
        if raw and not text[raw[-1][0]:raw[-1][1]].strip():
            raw = raw[:-1]
    if len(raw) < 2 <= width:
        return None
    cells = [_pieces(text, [span]) for span in raw[:width]]  # cells beyond the header have no label: dropped
    return cells + [[] for _ in range(width - len(cells))]


def _cell(text: str, pieces: list[_Piece]) -> Cell | None:
    return _joined_cell(text, pieces) if pieces else None


def _joined_cell(text: str, pieces: list[_Piece]) -> Cell:
    joined = _joined(text, pieces)
    if len(joined) == pieces[-1].end - pieces[0].start:  # as written
        return Cell(joined, pieces[0].start, pieces[-1].end)
    offsets: list[int] = []
    for p in pieces:
        if offsets and joined[len(offsets)] == " ":
            offsets.append(p.start - 1)  # the joining space stands for the whitespace before the piece
        offsets += range(p.start, p.end)
    return Cell(joined, pieces[0].start, pieces[-1].end, tuple(offsets))


def _hosts(text: str, pieces: list[_Piece]) -> tuple[Cell, ...]:
    """The units of a hosts cell: split at 、 ; , outside brackets, and between two pieces when the first ends a unit's
    name (units listed one a line)."""
    cuts: list[int] = []
    depth = 0
    for p in pieces:
        for i in range(p.start, p.end):
            c = text[i]
            if c == "(":
                depth += 1
            elif c == ")":
                depth = max(0, depth - 1)
            elif depth == 0 and c in "、;,":
                cuts.append(i)
    out: list[Cell] = []
    bounds = [-1, *cuts, len(text) + 1]
    for a, b in zip(bounds, bounds[1:], strict=False):
        clipped = [_Piece(max(p.start, a + 1), min(p.end, b), p.sep) for p in pieces if p.end > a + 1 and p.start < b]
        group: list[_Piece] = []
        for p in (p for p in clipped if p.end > p.start):
            if group and _ORG_END.search(_joined(text, group)):
                out.append(_joined_cell(text, group))
                group = []
            group.append(p)
        if group:
            out.append(_joined_cell(text, group))
    return tuple(out)


# --- tables --------------------------------------------------------------------------------------------------------

@dataclass
class _Table:
    """Turns each row's cells into a Row; carries a merged (empty) place or sector cell down in delimited layouts."""

    text: str
    header: _Header
    titles: frozenset[str]
    section: Cell | None = None
    last_place: Cell | None = None
    last_sector: Cell | None = None

    def row(self, index: int, start: int, cells: list[list[_Piece]], delimited: bool) -> Row | None:
        """None when the cells are not a platform's row: no name and no host, or a sentence or long text in them."""
        name = place = sector = None
        hosts: list[Cell] = []
        other: list[tuple[str, Cell]] = []
        for role, label, pieces in zip(self.header.roles, self.header.labels, cells, strict=True):
            cell = _cell(self.text, pieces)
            if cell is None or role == "index":
                continue
            if _PROSE.search(cell.text) or len(cell.text) > 150:
                return None
            if role == "hosts":
                hosts += _hosts(self.text, pieces)
            elif role == "name" and name is None:
                name = cell
            elif role == "place" and place is None:
                place = cell
            elif role == "sector" and sector is None:
                sector = cell
            else:
                other.append((label, cell))
        if name is None and not hosts:
            return None
        if delimited:
            place, sector = place or self.last_place, sector or self.last_sector
        self.last_place, self.last_sector = place, sector
        end = max((p.end for c in cells for p in c), default=start)
        return Row(index=index, start=start, end=end, name=name, hosts=tuple(hosts), place=place, sector=sector,
                   section=self.section, other=tuple(other))

    def cells(self, spans: list[tuple[int, int]], roles: tuple[str, ...], *, numbered: bool = False,
              last: bool = False) -> tuple[list[list[_Piece]], bool] | None:
        """A row's cells from its lines: by position when delimited, else segmented; None if it has too many pieces.
        The last row of a table (``last``) has no next number to end it: it takes as many of its lines as score best
        (what follows it is a note: （其余35个平台从略）, 注：…)."""
        if self.header.delimiter:
            cells = _delimited(self.text, *spans[0], self.header.delimiter, len(roles), numbered=numbered)
            if cells is not None:
                return cells, True
        best: tuple[float, list[list[_Piece]]] | None = None
        for n in range(1 if last else len(spans), len(spans) + 1):
            pieces = _pieces(self.text, spans[:n])
            if len(pieces) > _MAX_PIECES:
                break
            cells, score = _segment(self.text, pieces, roles)
            if best is None or score > best[0]:
                best = (score, cells)
        return (best[1], False) if best is not None else None

    def numbered(self, after: int, budget: int) -> tuple[list[Row], int]:
        """Rows anchored at 1, 2, 3 … at line starts (again 1 after a group heading); (rows, end of the table)."""
        roles = self.header.roles[1:]
        rows: list[Row] = []
        anchor = self._first_anchor(after)
        longest = 0  # lines of the longest row so far: the last row has no more
        while anchor is not None and len(rows) < budget:
            m = anchor
            number = int(m.group(1))
            spans, anchor, heading, ended = self._row_lines(m, number)
            if anchor is None:
                spans = spans[:longest or len(roles) + 2]
            longest = max(longest, len(spans))
            found = self.cells(spans, roles, numbered=True, last=anchor is None)
            if found is None:
                break
            cells, delimited = found
            row = self.row(number, m.start() + len(m.group()) - len(m.group().lstrip(" \t|")), [[], *cells],
                           delimited)
            if row is None:
                break
            rows.append(row)
            if heading is not None:
                self.section = heading
            if ended:
                break
        return rows, (rows[-1].end if rows else after)

    def _first_anchor(self, after: int) -> re.Match[str] | None:
        for n, (s, e) in enumerate(_lines(self.text, after)):
            if n >= _FIRST_ROW_LINES:
                return None
            if m := _ANCHOR.match(self.text, s, e):
                return m
            if _HEADING.fullmatch(self.text, s, e):
                self.section = _stripped(self.text, s, e)
            elif not _noise(self.text, s, e, self.header, self.titles) and len(self.text[s:e].strip()) > 40:
                return None
        return None

    def _row_lines(self, m: re.Match[str], number: int
                   ) -> tuple[list[tuple[int, int]], re.Match[str] | None, Cell | None, bool]:
        """The lines of the row numbered at ``m`` up to the next number (its match), the group heading met on the
        way, and whether a sentence ended the table."""
        text = self.text
        first_end = _line_end(text, m.end())
        spans = [(m.end(), first_end)]
        heading: Cell | None = None
        if first_end >= len(text):
            return spans, None, None, True
        for n, (s, e) in enumerate(_lines(text, first_end + 1)):
            if n >= _WINDOW_LINES:
                break
            nxt = _ANCHOR.match(text, s, e)
            if nxt and int(nxt.group(1)) in (number + 1, 1 if heading is not None else number + 1):
                return spans, nxt, heading, False
            if _PROSE.search(text, s, e):
                return spans, None, None, True
            if _HEADING.fullmatch(text, s, e):
                heading = _stripped(text, s, e)
            elif not _noise(text, s, e, self.header, self.titles):
                spans.append((s, e))
        return spans, None, None, True

    def plain(self, after: int, budget: int) -> tuple[list[Row], int]:
        """Rows without numbers: a line each (tabs, pipes, spaces), or N lines each when the labels were one a line.
        The table ends at the first line that does not read as a row."""
        text, roles = self.text, self.header.roles
        rows: list[Row] = []
        group: list[tuple[int, int]] = []
        skipped = 0
        for s, e in _lines(text, after):
            if len(rows) >= budget or not text[s:e].strip() or skipped > _FIRST_ROW_LINES:
                break
            if not group and _HEADING.fullmatch(text, s, e):
                self.section = _stripped(text, s, e)
                continue
            if _noise(text, s, e, self.header, self.titles):
                skipped += 1
                continue
            skipped = 0
            group.append((s, e))
            if self.header.one_a_line and len(group) < len(roles):
                continue
            spans, group = group, []
            found = self.cells(spans, roles)
            if found is None:
                break
            cells, delimited = found
            if not delimited and not (len(roles) <= sum(map(len, cells)) <= len(roles) + 2 and _fits(self.text, roles, cells)):
                break
            row = self.row(len(rows) + 1, spans[0][0], cells, delimited)
            if row is None:
                break
            rows.append(row)
        return rows, (rows[-1].end if rows else after)


def _stripped(text: str, start: int, end: int) -> Cell | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Cell(text[start:end], start, end) if start < end else None


def _fits(text: str, roles: tuple[str, ...], cells: list[list[_Piece]]) -> bool:
    """An undelimited row without a number must show its name (or, lacking a name column, its host) as one."""
    key = "name" if "name" in roles else "hosts"
    return all(_fit(role, _joined(text, pieces)) > 0 for role, pieces in zip(roles, cells, strict=True)
               if role == key)


# --- glued tables ----------------------------------------------------------------------------------------------
# Some copies of a list lose every separator: "序号中试平台名称依托单位拟建设类型1舟山市海洋生物制造中试平台浙江省海洋开发
# 研究院市级中试平台2舟山市…". The header is then read against a closed list of labels (the open label patterns above
# would swallow their neighbours), the rows at their numbers 1, 2, 3 …, and the cells at the ends of words that end a
# name, a unit or a place, scored as for the other layouts.

_GLUED_LABELS = re.compile(
    "(?P<name>(?:中试)?(?:平台|基地)名称)"
    "|(?P<hosts>(?:牵头|建设|依托|申报|承建|共建|运营|承担)(?:单位|企业|主体)(?:名称)?|单位名称|企业名称)"
    "|(?P<place>所在(?:地区|地市|城市|省份|地)|推荐(?:单位|部门)|地区|省份|城市|地市)"
    "|(?P<sector>(?:重点|建设|产品|所属|技术|服务|产业)?(?:方向|领域)|所属行业)"
    "|(?P<other>拟?(?:建设|认定|申报)?(?:类型|类别|级别)|备注)"
)
_GLUED_HEADER = re.compile("序号(?=" + _GLUED_LABELS.pattern + ")")
# where a glued cell may end: after a platform head, a unit's suffix or an administrative unit
_GLUED_CUT = re.compile("平台|基地|中心|大学|学院|公司|集团|研究院|研究所|实验室|医院|省|市|区|县")
_GLUED_ROW = 200  # characters of one glued row at most


def _glued(text: str, budget: int) -> list[Row]:
    rows: list[Row] = []
    for h in _GLUED_HEADER.finditer(text):
        if rows and h.start() < rows[-1].end:
            continue
        labels, pos = [], h.end()
        while (m := _GLUED_LABELS.match(text, pos)) and len(labels) < _MAX_COLUMNS:
            labels.append((m.group(), m.lastgroup or "other"))
            pos = m.end()
        roles = tuple(role for _, role in labels)
        if not _qualifies(list(roles)):
            continue
        header = _Header(pos, ("index", *roles), ("序号", *(label for label, _ in labels)), False, "")
        table = _Table(text, header, frozenset())
        found: list[Row] = []
        number = 1
        start = pos + len(text[pos:pos + 8]) - len(text[pos:pos + 8].lstrip())
        while len(found) < budget - len(rows) and text.startswith(str(number), start):
            content = start + len(str(number))
            nxt = re.compile(rf"(?<!\d){number + 1}(?!\d)").search(text, content + 4, content + _GLUED_ROW)
            end = nxt.start() if nxt else _glued_end(text, content)
            cuts = [content, *(m.end() for m in _GLUED_CUT.finditer(text, content, end)), end]
            pieces = [_Piece(a, b, "") for a, b in zip(cuts, cuts[1:], strict=False) if b > a][:_MAX_PIECES]
            cells, _ = _segment(text, pieces, roles)
            row = table.row(number, start, [[], *cells], False) if _fits(text, roles, cells) else None
            if row is None:
                break
            found.append(row)
            if nxt is None:
                break
            number, start = number + 1, nxt.start()
        if len(found) >= 2:
            rows += found
    return rows


def _glued_end(text: str, start: int) -> int:
    """The end of a glued table's last row: a sentence's end, a line break or the row's length cap."""
    stop = re.compile(r"[。;\n]").search(text, start, start + _GLUED_ROW)
    return stop.start() if stop else min(len(text), start + _GLUED_ROW)


def _lines_above(text: str, start: int, count: int) -> list[tuple[int, int]]:
    """Up to ``count`` non-blank lines ending before ``start`` (a line start), nearest last, each cut to a header's
    length."""
    out: list[tuple[int, int]] = []
    end = start - 1
    while end >= 0 and len(out) < count:
        s = text.rfind("\n", 0, end) + 1
        if text[s:end].strip():
            out.append((s, min(end, s + _MAX_HEADER_LINE)))
        end = s - 1
    return out[::-1]


def find_rows(text: str) -> list[Row]:
    """The platform rows of every list table in ``text`` (folded with zhtext.script.fold), in text order.

    [] when no line is a header naming platform columns, or no table under one has at least two rows."""
    rows: list[Row] = []
    pos, n = 0, len(text)
    # Only lines with a header word are looked at; the regex skips the others.
    while len(rows) < MAX_ROWS and (hint := _HEADER_HINT.search(text, pos)):
        start = text.rfind("\n", 0, hint.start()) + 1
        end = _line_end(text, start)
        pos = end + 1
        if hint.start() - start > _MAX_HEADER_LINE:
            continue
        # the lines above: a title a PDF repeats on every page, a group heading
        above = _lines_above(text, start, 3)
        line = text[start:min(end, start + _MAX_HEADER_LINE)].strip()
        if above and line == text[slice(*above[-1])].strip():
            continue  # a line just like the one before it (a header repeated over and over) has had its chance
        header = _find_header(text, start, end)
        if header is None or header.end >= n:
            continue
        table = _Table(text, header, frozenset(text[s:e].strip() for s, e in above))
        if above and _HEADING.fullmatch(text, *above[-1]):
            table.section = _stripped(text, *above[-1])  # 一、食品及添加剂方向 above the table
        read = table.numbered if header.roles[0] == "index" else table.plain
        found, table_end = read(header.end + 1, MAX_ROWS - len(rows))
        if len(found) >= 2:
            rows += found
            pos = _line_end(text, table_end) + 1
    glued = _glued(text, MAX_ROWS - len(rows)) if "序号" in text else []
    if glued:  # no glued header is a line-based one (it has no separators), so the two never overlap
        rows = sorted(rows + glued, key=lambda r: r.start)
    return rows
