"""Row lines: how a table row is written in chunk text (docs/bundle-format.md, "Chunk text").

A row line is one line of cells joined by " · " (space, U+00B7, space), at least two of them,
none empty. A cell under a column header is written "Header: value"; the row's key (its first
cell, when the table has a header row) is written bare. runtime_js/src/shared/rows.js reads
them with the same rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SEP = " · "
# A header is short and has no colon of its own; anything else before ": " is a bare value.
_HEADED = re.compile(r"([^:\n]{1,80}?): (.+)", re.S)
MAX_ROW_CHARS = 4000  # longer than any row a reader takes in at once: prose, not a row


@dataclass(frozen=True)
class Cell:
    header: str  # "" for a cell with no column header
    value: str


@dataclass(frozen=True)
class Row:
    key: str  # "" when the row has no bare first cell
    cells: tuple[Cell, ...]


def cell_text(text: str) -> str:
    """A cell's text made safe to join: a " · " of its own would read as a cell boundary."""
    return text.replace(SEP, " • ").strip()


def format_row(key: str, cells: list[tuple[str, str]]) -> str:
    """("Germany", [("Carrier", "DHL")]) → "Germany · Carrier: DHL"; empty values are left out."""
    parts = [key] if key else []
    parts += [f"{h}: {v}" if h and h != v else v for h, v in cells if v]
    return SEP.join(parts)


def parse_row(line: str) -> Row | None:
    """The row a line holds, or None when it is not a row line (prose, a one-cell line)."""
    if "\n" in line or len(line) > MAX_ROW_CHARS or SEP not in line:
        return None
    parts = [p.strip() for p in line.split(SEP)]
    if len(parts) < 2 or not all(parts):
        return None
    cells = []
    for p in parts:
        m = _HEADED.fullmatch(p)
        cells.append(Cell(m.group(1), m.group(2)) if m else Cell("", p))
    if not cells[0].header:
        return Row(cells[0].value, tuple(cells[1:]))
    return Row("", tuple(cells))
