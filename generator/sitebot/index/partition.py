"""The lexical index and the chunk metadata, cut into files a question fetches a few of.

A browser asking one question needs the postings of its few terms and the pages of the
results it shows, not the whole site's. So (docs/bundle-format.md):

- the BM25 index is split by term: terms sorted (by UTF-16 code units, as JavaScript compares
  strings), cut into content-addressed shards of about `shard_bytes` each, and one small meta
  file lists the first term of each shard. Each posting carries its chunk's length, so no
  array of every chunk's length is fetched;
- the chunk rows (anchor, heading) and the pages they reference are split by chunk-id range
  (the text shards' ranges), and one small meta file holds what ranking needs for any chunk:
  the first chunk of each page (chunks are in page order) and the weights that are not 1.

    meta, files = lexical_files(lexical.build(texts))   # meta → index/lexical…json, files → index/terms…json
    read_lexical(folder, meta)                           # back to the one-dict form BM25 reads
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .lists import entry_files

# Raw JSON per term shard. A question fetches about one shard a term, so smaller shards carry fewer
# other terms' postings: `bench/partitions.py --shard-bytes 2000 4000 8000` on SQLAlchemy gives a
# first question 69, 78 and 96 KB gzip, for 1,108, 703 and 429 shard files.
SHARD_BYTES = 4_000

# How a shard file is stored: (name, bytes) → its path in the bundle (BundleWriter.add).
Add = Callable[[str, bytes], str]


def dumps(obj: Any) -> bytes:
    """Compact JSON as bundle/format.py writes it (the index stage sits below the bundle stage)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


def term_order(term: str) -> bytes:
    """The sort key of terms: UTF-16 code units, the order of JavaScript's `<` on strings."""
    return term.encode("utf-16-be")


def _triples(flat: list[int], dl: Sequence[int]) -> list[int]:
    """(chunk delta, tf) pairs → (chunk delta, tf, chunk length) triples."""
    out: list[int] = []
    doc = 0
    for j in range(0, len(flat), 2):
        doc += flat[j]
        out += [flat[j], flat[j + 1], dl[doc]]
    return out


def lexical_files(index: dict[str, Any], add: Add, *, shard_bytes: int = SHARD_BYTES) -> dict[str, Any]:
    """Write the term shards of `index` (lexical.build's dict) through `add`; return the meta file's content."""
    shards: list[dict[str, str]] = []
    part: dict[str, list[int]] = {}
    size = 0

    def flush() -> None:
        nonlocal part, size
        if part:
            shards.append({"first": next(iter(part)), "file": add("index/terms.json", dumps(part))})
        part, size = {}, 0

    for term in sorted(index["terms"], key=term_order):
        postings = _triples(index["terms"][term], index["dl"])
        part[term] = postings
        size += len(dumps({term: postings}))
        if size >= shard_bytes:
            flush()
    flush()
    return {"stopwords": index["stopwords"], "n": index["n"], "avgdl": index["avgdl"], "shards": shards}


def chunk_files(
    pages: list[dict[str, Any]],
    rows: list[tuple[int, str, str, float]],
    ranges: list[tuple[int, int]],
    add: Add,
) -> dict[str, Any]:
    """Write one part per chunk range (its rows and the pages they reference); return the meta file's content.

    `rows` are (page index, anchor, heading path, weight) per chunk, in page order.
    """
    if any(a[0] > b[0] for a, b in zip(rows, rows[1:], strict=False)):
        raise ValueError("chunks must be in page order for the page-start array")  # a bug, not a user error
    starts: list[int] = []
    for i, row in enumerate(rows):
        while len(starts) <= row[0]:
            starts.append(i)
    starts += [len(rows)] * (len(pages) - len(starts))  # pages without chunks at the end
    parts = []
    first = 0  # every page is in some part: one without chunks goes with the part after it (or the last)
    for j, (a, b) in enumerate(ranges):
        last = len(pages) - 1 if j + 1 == len(ranges) else rows[b - 1][0]
        part = {"page": first, "pages": pages[first : last + 1], "chunks": [[r[1], r[2]] for r in rows[a:b]]}
        first = last + 1
        parts.append({"file": add("index/rows.json", dumps(part)), "start": a, "count": b - a})
    return {"n": len(rows), "starts": starts, "weights": weight_runs([r[3] for r in rows]), "parts": parts}


def weight_runs(weights: Sequence[float]) -> list[list[float]]:
    """[[first chunk, chunks, weight], …] for the runs of equal weights that are not 1.0. Weights
    below 1 come in runs (a page's repeated boilerplate, a section weighed down): as one entry a
    chunk, a 100,000-chunk site's meta file carried 36,000 of them (40 KB of a first answer)."""
    runs: list[list[float]] = []
    for i, w in enumerate(weights):
        if w == 1.0:
            continue
        if runs and runs[-1][0] + runs[-1][1] == i and runs[-1][2] == w:
            runs[-1][1] += 1
        else:
            runs.append([i, 1, w])
    return runs


def weight_of(meta: dict[str, Any]) -> list[float]:
    """Every chunk's weight from the meta file's runs."""
    weights = [1.0] * meta["n"]
    for first, count, w in meta["weights"]:
        weights[int(first) : int(first) + int(count)] = [w] * int(count)
    return weights


def read_lexical(folder: Path, meta: dict[str, Any]) -> dict[str, Any]:
    """The whole index from its meta file and shards, in lexical.build's form (for BM25 in Python)."""
    dl = [0] * meta["n"]
    terms: dict[str, list[int]] = {}
    for shard in meta["shards"]:
        for term, triples in json.loads((folder / shard["file"]).read_text()).items():
            doc = 0
            flat: list[int] = []
            for j in range(0, len(triples), 3):
                doc += triples[j]
                dl[doc] = triples[j + 2]
                flat += [triples[j], triples[j + 1]]
            terms[term] = flat
    return {"stopwords": meta["stopwords"], "n": meta["n"], "avgdl": meta["avgdl"], "dl": dl, "terms": terms}


def page_of(starts: list[int], chunk: int) -> int:
    """The page of a chunk: the last page whose first chunk is at or before it (empty pages skipped)."""
    return bisect_right(starts, chunk) - 1


def read_chunks(folder: Path, meta: dict[str, Any]) -> tuple[list[dict[str, Any]], list[list[Any]]]:
    """All pages and chunk rows ([page, anchor, heading, weight]) from the meta file and its parts."""
    pages: dict[int, dict[str, Any]] = {}
    rows: list[list[Any]] = []
    weights = weight_of(meta)
    for part in sorted(meta["parts"], key=lambda p: p["start"]):
        data = json.loads((folder / part["file"]).read_text())
        for j, page in enumerate(data["pages"]):
            pages[data["page"] + j] = page
        for j, (anchor, heading) in enumerate(data["chunks"]):
            i = part["start"] + j
            rows.append([page_of(meta["starts"], i), anchor, heading, weights[i]])
    # Every page is in a part, but a bundle without chunks has no parts at all.
    return [pages.get(p, {"url": "", "title": ""}) for p in range(len(meta["starts"]))], rows


def bundle_chunks(folder: Path, manifest: dict[str, Any]) -> tuple[list[dict[str, Any]], list[list[Any]]]:
    """A bundle's pages and chunk rows: `pages, rows = bundle_chunks(folder, read_manifest(folder))`."""
    return read_chunks(folder, json.loads((folder / manifest["files"]["chunks"]).read_text()))


def index_files(folder: Path, manifest: dict[str, Any]) -> list[str]:
    """Every index file of a bundle: the vectors' lists, the two meta files, the term shards and the parts."""
    files = manifest["files"]
    lexical = json.loads((folder / files["lexical"]).read_text())
    chunks = json.loads((folder / files["chunks"]).read_text())
    return [
        *entry_files(folder, files["vectors"]),
        files["lexical"],
        files["chunks"],
        *(s["file"] for s in lexical["shards"]),
        *(p["file"] for p in chunks["parts"]),
    ]
