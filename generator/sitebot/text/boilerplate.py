"""Site chrome that extraction could not see: text blocks repeated at the edges of many pages.

Pages read from the whole <body> (no <main>, <article> or selector) keep whatever chrome their
generator wrote as plain divs, tables or paragraphs: prev/next bars, "Download the ebook"
ribbons, breadcrumbs, taglines, footers. Tags and class names catch most of it
(text/extract.py); what is left is found by repetition, over all the body-read pages of a build:

- A block is a line of section text, compared in a folded form: Unicode-normalised, case and
  whitespace folded, digits read as 0 ("Page 3 of 12", "last modified on 2022-01-20"), and,
  for a short line, as a second form, with the page's own title parts read as one placeholder
  (breadcrumbs and bars that name the page they are on).
- A folded block is repeated when it is on at least REPEATED_PAGES pages and at least
  REPEATED_SHARE (10 %) of the body-read pages. A site template is on most pages, or on a whole
  kind of page (SQLite's C API pages, 32 % of its site); a line that starts or ends a few pages
  is often content: PostgreSQL's "Release date: 2025-02-13" (20 pages, 2 %, alike once digits
  are folded) and "(1 row)" under examples (6 %) went at 3 %, none of its lines at 10 %.
- Only the runs of repeated blocks that touch the top or the bottom of a page go. Chrome
  sits around the content; a repeated line inside it (an admonition's "Note", a table's header,
  a line of code, a sentence two pages share) is content, and stays.
- A repeated block of KEEP_WORDS words (of letters) or more is a sentence that says something
  (a delivery promise, a disclaimer): it stays on one page, the one with the shortest URL, so
  the bot can still answer from it once; shorter ones (bars, menus, taglines) go from every page.

Pages with a <main>/<article> are left as they are. The result depends on the set of
documents, not on their order. Counting keeps two 8-byte hashes for each line in a page's edges
(one when the line does not name the page), at most 1.3 KB a page: 130 MB for 100,000 long pages.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import numpy as np

from .extract import Document, Section

REPEATED_PAGES = 3
REPEATED_SHARE = 0.1
KEEP_WORDS = 8
# Only lines this close to a page's top or bottom are counted and may go (chrome is at the edges).
EDGE_LINES = 40
# Longer lines are paragraphs of content, never compared (folding them is most of this pass's time).
MAX_LINE = 1_000

_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")
_TITLE_SPLIT = re.compile(r"\s+[|·•—–:»›/-]+\s+|:\s+")
_TITLE_MARK = "\x00"
_WORD = re.compile(r"[^\W\d_]{2,}")  # words of letters: "« Prev · Chapter 3 of 12 · Next »" has 4


@dataclass
class Removed:
    """What drop_repeated took out: per-page line counts and the pages left with no text."""

    lines: int = 0
    chars: int = 0
    pages: int = 0  # pages that lost at least one line
    emptied: list[str] = field(default_factory=list)  # URLs of pages that had nothing else


def _fold(text: str) -> str:
    return _SPACE.sub(" ", _DIGITS.sub("0", unicodedata.normalize("NFKC", text).casefold())).strip()


def _title_parts(title: str) -> list[str]:
    """The title and its parts ("Shipping — Acme Books" → both, "shipping", "acme books"),
    folded, longest first; parts under 4 characters are too likely to be ordinary words."""
    whole = _fold(title)
    parts = {whole, *(p.strip() for p in _TITLE_SPLIT.split(whole))}
    return sorted((p for p in parts if len(p) >= 4), key=lambda p: (-len(p), p))


def _says_something(line: str) -> bool:
    """Whether a line is a sentence of KEEP_WORDS words or more, not a bar, menu or tagline."""
    return len(_WORD.findall(line, 0, 300)) >= KEEP_WORDS


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little", signed=True)


def _keys(line: str, parts: list[str]) -> tuple[int, int]:
    """The line's two folded forms, hashed: as it is, and with the page's title parts marked."""
    folded = _fold(line)
    titled = folded
    if not _says_something(line):  # a sentence that names its page is about the page: content
        for p in parts:
            titled = titled.replace(p, _TITLE_MARK)
    return _hash(folded), _hash(titled)


def _lines(doc: Document) -> list[tuple[int, int, str]]:
    """(section index, line index, line) for every non-empty line of the document, in order."""
    return [(i, j, ln) for i, s in enumerate(doc.sections) for j, ln in enumerate(s.text.split("\n")) if ln.strip()]


def _edges(n: int) -> Iterator[int]:
    """Indexes of the lines near the top and the bottom of a page of n lines, each once."""
    yield from range(min(n, EDGE_LINES))
    yield from range(max(EDGE_LINES, n - EDGE_LINES), n)


def _counted(docs: list[Document]) -> frozenset[int]:
    """The keys that are on enough of `docs`' pages (each page counted once per key): few, as
    each is on a tenth of the pages at least."""
    per_page: list[np.ndarray] = []
    for doc in docs:
        lines, parts = _lines(doc), _title_parts(doc.title)
        keys = {k for i in _edges(len(lines)) if len(lines[i][2]) <= MAX_LINE for k in _keys(lines[i][2], parts)}
        per_page.append(np.fromiter(keys, dtype=np.int64, count=len(keys)))
    if not per_page:
        return frozenset()
    keys, counts = np.unique(np.concatenate(per_page), return_counts=True)
    need = max(REPEATED_PAGES, math.ceil(REPEATED_SHARE * len(docs)))
    return frozenset(keys[counts >= need].tolist())


def _edge_runs(lines: list[tuple[int, int, str]], repeated: frozenset[int], parts: list[str]) -> list[int]:
    """Indexes of the lines in the runs of repeated lines that start at the top or end at the bottom."""

    def is_repeated(line: str) -> bool:
        return len(line) <= MAX_LINE and not repeated.isdisjoint(_keys(line, parts))

    top = 0
    while top < min(len(lines), EDGE_LINES) and is_repeated(lines[top][2]):
        top += 1
    bottom = len(lines)
    while bottom > max(top, len(lines) - EDGE_LINES) and is_repeated(lines[bottom - 1][2]):
        bottom -= 1
    return [*range(top), *range(bottom, len(lines))]


def drop_repeated(docs: list[Document]) -> tuple[list[Document], Removed]:
    """`docs` with the chrome repeated at the edges of their body-read pages taken out (see the
    module's docstring); pages left with no text are left out. The order of `docs` is kept."""
    removed = Removed()
    body = [d for d in docs if d.body_root]
    repeated = _counted(body)
    if not repeated:
        return docs, removed
    # Which lines go on each page; a long repeated line stays on the page with the shortest URL.
    drops: dict[int, list[tuple[int, int, str]]] = {}
    keeper: dict[str, tuple[int, str]] = {}
    for doc in body:
        lines = _lines(doc)
        run = [lines[i] for i in _edge_runs(lines, repeated, _title_parts(doc.title))]
        if run:
            drops[id(doc)] = run
        for _, _, line in run:
            if _says_something(line):
                key = _fold(line)
                keeper[key] = min(keeper.get(key, (len(doc.url), doc.url)), (len(doc.url), doc.url))
    out: list[Document] = []
    for doc in docs:
        run = drops.get(id(doc))
        if not run:
            out.append(doc)
            continue
        gone = {(i, j) for i, j, line in run if keeper.get(_fold(line), (0, ""))[1] != doc.url}
        if not gone:
            out.append(doc)
            continue
        sections = _without(doc.sections, gone)
        removed.pages += 1
        removed.lines += len(gone)
        removed.chars += sum(len(line) for i, j, line in run if (i, j) in gone)
        if any(s.text.strip() for s in sections):
            out.append(replace(doc, sections=sections))
        else:
            removed.emptied.append(doc.url)
    return out, removed


def _without(sections: list[Section], gone: set[tuple[int, int]]) -> list[Section]:
    """The sections without the lines `gone`; a section whose text was all chrome disappears
    (one that had no text, a heading above its subsections, stays)."""
    out: list[Section] = []
    for i, s in enumerate(sections):
        lines = s.text.split("\n")
        kept = [ln for j, ln in enumerate(lines) if (i, j) not in gone]
        text = "\n".join(kept).strip("\n")
        if text or not s.text:
            out.append(replace(s, text=text))
    return out
