"""Tables and definition lists as lines of text (docs/bundle-format.md, "Chunk text").

A data table becomes one row line per body row (rows.py), each cell with its column header, so a
row read alone (in a chunk, in a card) still says what its values are. A layout table (one
column, nested tables, headings inside, role=presentation) is not a table of data: None, and the
walker reads it as plain text. A definition list becomes "Term: definition" lines when a pair is
short; a long definition (Sphinx's API entries) stays prose under its term.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from .rows import cell_text, format_row

_SPACES = re.compile(r"\s+")
# Elements that break a line of text: inline text inside them is not glued to its neighbours.
_BREAKS = frozenset(
    "p div li ul ol dl dt dd pre blockquote table tr td th br hr figure figcaption section article "
    "h1 h2 h3 h4 h5 h6 caption details summary address".split()
)
MAX_SPAN = 100  # colspan/rowspan beyond this is a page's mistake (or an attack), not a layout
DL_LINE_CHARS = 300  # a term and definition longer than this are read as prose, not as one line


def flat_text(node: LexborNode) -> str:
    """The node's text on one line: text nodes glued as the page shows them (so "<b>x</b>y" is
    "xy"), a space where a block starts or ends. A stack, not recursion (pages choose depth)."""
    out: list[str] = []
    todo: list[LexborNode | None] = [node]
    while todo:
        n = todo.pop()
        if n is None:
            out.append(" ")
            continue
        if n.tag == "-text":
            out.append(n.text(deep=False) or "")
        elif n.tag and not n.tag.startswith("-"):
            if n.tag in _BREAKS:
                out.append(" ")
                todo.append(None)
            todo.extend(reversed(list(n.iter(include_text=True))))
    return _SPACES.sub(" ", "".join(out)).strip()


def _span(node: LexborNode, name: str) -> int:
    try:
        return min(MAX_SPAN, max(1, int(node.attributes.get(name) or 1)))
    except ValueError:
        return 1


def _own_rows(table: LexborNode) -> list[tuple[LexborNode, bool]]:
    """(tr, in <thead>) for the table's rows in document order."""
    rows = []
    for tr in table.css("tr"):
        parent = tr.parent
        rows.append((tr, parent is not None and parent.tag == "thead"))
    return rows


def _cells(tr: LexborNode) -> list[LexborNode]:
    return [c for c in tr.iter() if c.tag in ("td", "th")]


def is_layout(table: LexborNode) -> bool:
    """Whether the table only lays things out (no rows of data to keep as rows)."""
    if (table.attributes.get("role") or "").lower() in ("presentation", "none"):
        return True
    # (css() matches the node itself too.)
    if any(n.mem_id != table.mem_id for n in table.css("table, h1, h2, h3, h4, h5, h6, pre")):
        return True
    widest = 0
    for tr, _ in _own_rows(table):
        widest = max(widest, sum(1 for c in _cells(tr) if flat_text(c)))
    return widest < 2


def table_lines(table: LexborNode) -> list[tuple[str, bool]] | None:
    """The table's lines, each (text, is a row line), or None for a layout table."""
    if is_layout(table):
        return None
    rows = _own_rows(table)
    # The grid, spans expanded: each cell's text in every column it covers and, for a rowspan,
    # in every row below it too, so each row line reads on its own.
    grid: list[dict[int, tuple[str, bool]]] = []  # column → (text, first column of its span)
    carry: dict[int, tuple[str, int, bool]] = {}  # column → (text, rows left, first column of its span)
    for tr, _ in rows:
        line: dict[int, tuple[str, bool]] = {}
        for c, (text, left, first) in list(carry.items()):
            line[c] = (text, first)
            if left > 1:
                carry[c] = (text, left - 1, first)
            else:
                del carry[c]
        col = 0
        for cell in _cells(tr):
            while col in line:
                col += 1
            text = cell_text(flat_text(cell))
            down = _span(cell, "rowspan")
            for k in range(_span(cell, "colspan")):
                line[col + k] = (text, k == 0)
                if down > 1:
                    carry[col + k] = (text, down - 1, k == 0)
            col += _span(cell, "colspan")
        grid.append(line)
    head = [i for i, (tr, in_head) in enumerate(rows) if in_head]
    if not head:  # no <thead>: leading rows of <th> only are the header
        for i, (tr, _) in enumerate(rows):
            cells = _cells(tr)
            if not cells or any(c.tag != "th" for c in cells):
                break
            head.append(i)
        if len(head) == len(rows):
            head = []
    headers: dict[int, str] = {}
    for i in head:
        for col, slot in sorted(grid[i].items()):
            if slot[0] and slot[0] not in headers.get(col, ""):
                headers[col] = f"{headers[col]} {slot[0]}" if col in headers else slot[0]
    out: list[tuple[str, bool]] = []
    caption = table.css_first("caption")
    if caption is not None and flat_text(caption):
        out.append((flat_text(caption), False))
    for i, line in enumerate(grid):
        if i in head:
            continue
        slots = [(col, s[0]) for col, s in sorted(line.items()) if s[1] and s[0]]
        if not slots:
            continue
        if headers:
            key = slots[0][1] if slots[0][0] == 0 else ""
            rest = slots[1:] if key else slots
            text = format_row(key, [(headers.get(col, "").rstrip(":").strip(), v) for col, v in rest])
        else:
            text = format_row("", [("", v) for _, v in slots])
        out.append((text, len(slots) > 1))
    return out


def dl_groups(dl: LexborNode) -> list[tuple[list[LexborNode], list[LexborNode]]]:
    """The list's (terms, definitions) groups: dt's then the dd's after them (a <div> around a
    group, which HTML allows, is looked through)."""
    groups: list[tuple[list[LexborNode], list[LexborNode]]] = []
    items: list[LexborNode] = []
    for child in dl.iter():
        if child.tag == "div":
            items += [c for c in child.iter() if c.tag in ("dt", "dd")]
        elif child.tag in ("dt", "dd"):
            items.append(child)
    for item in items:
        if item.tag == "dt" and (not groups or groups[-1][1]):
            groups.append(([item], []))
        elif item.tag == "dt":
            groups[-1][0].append(item)
        elif not groups:
            groups.append(([], [item]))
        else:
            groups[-1][1].append(item)
    return groups


def dl_line(terms: list[LexborNode], defs: list[LexborNode]) -> str | None:
    """ "Term: definition" for a short pair, or None when the definition is to be read as prose
    (long, or holding blocks a line cannot: lists, tables, code, nested lists)."""
    term = ", ".join(t for t in (flat_text(n) for n in terms) if t)
    if any(d.css_first("dl, table, pre, ul, ol, h1, h2, h3, h4, h5, h6") is not None for d in defs):
        return None
    definition = " ".join(t for t in (flat_text(d) for d in defs) if t)
    if not term or not definition or len(term) + len(definition) > DL_LINE_CHARS:
        return None
    return f"{term} {definition}" if term.endswith(":") else f"{term}: {definition}"
