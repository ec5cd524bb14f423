"""Cut documents into chunks that fit the model: heading-aware, sentence-bounded, overlapping.

A chunk never crosses from one section into a sibling: a section that is too long is split
on sentence boundaries, with the last sentence(s) repeated at the start of the next piece;
a section with almost no text of its own (a heading followed by sub-headings) is merged
into the first section under it. Token counts come from the model's own tokenizer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .extract import Document, Section
from .rows import SEP, parse_row

Counter = Callable[[Sequence[str]], list[int]]
SEPARATOR = " › "
_SENTENCE = re.compile(r"(?<=[.!?:;])\s+(?=[\"'(\[]?[A-Z0-9])|\n+")


@dataclass(frozen=True)
class Chunk:
    page: int  # index of the page in the build
    url: str  # page url (no anchor)
    anchor: str
    title: str
    headings: tuple[str, ...]
    text: str
    weight: float = 1.0

    @property
    def heading(self) -> str:
        return SEPARATOR.join(self.headings)

    @property
    def prefix(self) -> str:
        return "\n".join(p for p in (self.title, self.heading) if p)

    @property
    def embed_text(self) -> str:
        """What the model embeds: the page title and heading path, then the text."""
        return f"{self.prefix}\n{self.text}" if self.prefix else self.text

    @property
    def lexical_text(self) -> str:
        return f"{self.title}\n{self.heading}\n{self.text}"


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]


def split_units(text: str, units: frozenset[str] = frozenset()) -> list[tuple[str, bool]]:
    """The text's units in order, each (text, ends its line): a line in `units` (a table row, a
    "Term: definition" pair) is one unit; any other line is cut into sentences."""
    out: list[tuple[str, bool]] = []
    for line in text.split("\n"):
        line = line.strip()
        parts = [line] if line in units else split_sentences(line)
        out += [(p, i == len(parts) - 1) for i, p in enumerate(parts)]
    return out


def _merge_tiny(sections: list[Section], tokens: Counter, min_tokens: int) -> list[Section]:
    """Fold near-empty parent sections into the first section below them; drop empty ones."""
    out = list(sections)
    counts = tokens([s.text for s in out]) if out else []
    merged: list[Section] = []
    for i, s in enumerate(out):
        if counts[i] < min_tokens and i + 1 < len(out) and out[i + 1].level > s.level:
            nxt = out[i + 1]
            out[i + 1] = Section(
                anchor=s.anchor or nxt.anchor,
                headings=nxt.headings,
                level=s.level,
                text=f"{s.text}\n{nxt.text}".strip(),
                units=s.units | nxt.units,
            )
            counts[i + 1] += counts[i]
        elif s.text.strip():
            merged.append(s)
    return merged


def _join(units: list[tuple[str, bool]], idx: list[int]) -> str:
    """The units as text: a newline after a unit that ends its line, else a space."""
    return "".join(units[j][0] + ("\n" if units[j][1] else " ") for j in idx).rstrip()


def _pack(sentences: list[tuple[str, bool]], sizes: list[int], budget: int, overlap: int) -> list[str]:
    """Greedy packing of units (sentences, rows) into pieces of at most `budget` tokens, with
    overlap; lines keep their newlines."""
    pieces: list[str] = []
    cur: list[int] = []
    total = 0
    for i, n in enumerate(sizes):
        if cur and total + n > budget:
            pieces.append(_join(sentences, cur))
            # Start the next piece with the tail sentences that fit in `overlap` tokens.
            keep: list[int] = []
            kept = 0
            for j in reversed(cur):
                if kept + sizes[j] > overlap or kept + sizes[j] + n > budget:
                    break
                keep.insert(0, j)
                kept += sizes[j]
            cur, total = keep, kept
        cur.append(i)
        total += n
    if cur:
        pieces.append(_join(sentences, cur))
    return pieces


def _split_long_row(row: str, count: Counter, budget: int) -> list[str] | None:
    """A row too long for one chunk as several rows, each with the row's key and as many of its
    cells as fit (a cell keeps its header); None when it is not a row or one cell alone is too long."""
    parsed = parse_row(row)
    if parsed is None:
        return None
    key = [parsed.key] if parsed.key else []
    cells = [f"{c.header}: {c.value}" if c.header else c.value for c in parsed.cells]
    sizes = count([SEP.join(key + [c]) for c in cells])
    if max(sizes) > budget:
        return None
    parts: list[list[str]] = []
    total = budget + 1
    for cell, n in zip(cells, sizes, strict=True):
        if total + n > budget:  # n counts the key again for each cell: errs on the short side
            parts.append(list(key))
            total = 0
        parts[-1].append(cell)
        total += n
    return [SEP.join(p) for p in parts]


def _split_long_sentence(sentence: str, n_tokens: int, budget: int) -> list[str]:
    words = sentence.split()
    parts = max(1, -(-n_tokens // budget))
    per = max(1, -(-len(words) // parts))
    return [" ".join(words[i : i + per]) for i in range(0, len(words), per)]


def chunk_document(
    doc: Document, page: int, *, count: Counter, max_tokens: int, overlap: int, min_tokens: int = 24
) -> list[Chunk]:
    """Chunks of one document; each embed_text fits in `max_tokens` model tokens."""
    sections = _merge_tiny(doc.sections, count, min_tokens)
    protos = [Chunk(page, doc.url, s.anchor, doc.title, s.headings, "", doc.weight) for s in sections]
    split = [split_units(s.text, s.units) for s in sections]
    # One tokenizer call for the whole document: prefixes and sentences together.
    texts = [p.prefix for p in protos] + [sent for sents in split for sent, _ in sents]
    sizes = count(texts)
    prefix_sizes, sentence_sizes = sizes[: len(protos)], iter(sizes[len(protos) :])
    chunks: list[Chunk] = []
    for proto, sentences, prefix_tokens in zip(protos, split, prefix_sizes, strict=True):
        # Two special tokens, the prefix (+1 for its newline), and a small margin because
        # counting sentences one by one can differ by a token from counting them joined.
        budget = max(16, max_tokens - 2 - (prefix_tokens + 1 if proto.prefix else 0) - 4)
        flat: list[tuple[str, bool]] = []
        flat_sizes: list[int] = []
        for sent, eol in sentences:
            n = next(sentence_sizes)
            if n > budget:
                rows = _split_long_row(sent, count, budget) if eol else None
                parts = rows or _split_long_sentence(sent, n, budget)
                # Rows split from one row are lines each; the words of a cut sentence run on.
                flat += [(p, eol and (rows is not None or i == len(parts) - 1)) for i, p in enumerate(parts)]
                flat_sizes += count(parts)
            else:
                flat.append((sent, eol))
                flat_sizes.append(n)
        for piece in _pack(flat, flat_sizes, budget, overlap):
            chunks.append(Chunk(page, doc.url, proto.anchor, doc.title, proto.headings, piece, doc.weight))
    return chunks
