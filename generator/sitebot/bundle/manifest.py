"""Write a bundle's files and the manifest, sitebot.json, that names them (DESIGN.md, "The bundle").

    manifest = write_bundle(writer, base_url=…, model_files=…, model_info=describe(model), …)

Everything here is given as plain values, so the manifest's shape is decided in this one
module and nowhere else; `pipeline.generate` only gathers what goes in. The key order of
sitebot.json is part of the format: same input, same bytes.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import BundleError
from ..index import lexical, partition, quantise
from ..index.kmeans import list_count
from ..index.lists import write_partitions
from ..index.lite import METHOD as LITE_METHOD
from ..index.lite import ROWS_PER_FILE, LitePath, table_files
from ..index.model import ModelFiles
from ..index.signatures import units_file
from ..templates import render
from ..text.chunk import Chunk
from ..text.extract import Document
from ..version import VERSION
from .format import FORMAT_VERSION, content_name, dumps, read_manifest
from .writer import BundleWriter, runtime_file

# The lite path's fusion: BM25 weighs 0.45 to 0.85 by how much of the question its best chunk
# holds (the model's path: 0.15 to 0.45). On the installation guide and SQLAlchemy the lite
# vectors alone rank below BM25; fused at these weights they rank above it (bench/lite.py).
# The lite path's chunk vectors are lists of ~LITE_LIST_ROWS rows (13 KB each), of which a question
# probes `nprobe`: the lite path is the first answer, so its vectors must fit its byte budget on
# any site. 100-row lists probed 4 deep ranked as the whole index did: R@5 0.870 on the
# installation guide (1,286 chunks), 0.807 on SQLAlchemy (24,204 chunks) as unpartitioned
# (bench/lite_lists.py). Below LITE_LISTS_FROM chunks one list is no bigger than a probe would be.
LITE_LIST_ROWS = 100
LITE_NPROBE = 4
LITE_LISTS_FROM = LITE_LIST_ROWS * LITE_NPROBE
# From LITE_GROUPS_FROM lists (6,400 chunks; 8.4 KB of centroids) the lite centroids are grouped
# (index/lists.py): √lists groups, of which a question opens LITE_GROUP_PROBE. SQLAlchemy's 242
# centroids were 29 KB of its first answer, a 100,000-chunk site's 103 KB; grouped, a question
# fetches about 10 KB and 23 KB of them (bench/lite_lists.py).
LITE_GROUPS_FROM = 64
LITE_GROUP_PROBE = 4
LITE_RETRIEVAL = {"w_lexical_min": 0.45, "w_lexical_max": 0.85, "nprobe": LITE_NPROBE}

SHARD_CHARS = 16_000  # ~4 KB compressed: a question fetches the few its answers are in, not the whole site

# Content-addressed runtime files: manifest key → (path in the bundle, file in the built
# runtime). widget.js loads the llm and support parts only for bots that need them (LLM
# answers; handoff/leads/feedback/scope).
RUNTIME_PARTS = {
    "worker": ("engine.js", "engine.js"),
    "full": ("full.js", "full.js"),  # the model's encoder, which the worker loads only to run the model
    "llm": ("llm.js", "llm.js"),
    "support": ("support.js", "support.js"),
    "ort_wasm": ("ort/ort-wasm-simd-threaded.wasm", "ort-wasm-simd-threaded.wasm"),
}


def shard_ranges(docs: list[Document], chunks: list[Chunk]) -> list[tuple[int, int]]:
    """Cut the chunks into text shards at page boundaries chosen by each page's URL hash.

    Boundaries depend on URLs, not on sizes, so editing one page changes only the shard
    that holds it (a rebuild uploads little and caches stay warm). About one page in
    `every` ends a shard, with `every` a power of two sized for ~SHARD_CHARS per shard.
    """
    total = sum(len(c.text) for c in chunks)
    ideal = max(1.0, len(docs) * SHARD_CHARS / max(total, 1))
    every = 1 << max(0, round(math.log2(ideal)))
    ends = {p for p, d in enumerate(docs) if int(hashlib.sha256(d.url.encode()).hexdigest()[:8], 16) % every == 0}
    ranges, start = [], 0
    for i, c in enumerate(chunks):
        last = i + 1 == len(chunks) or chunks[i + 1].page != c.page
        if last and (c.page in ends or i + 1 == len(chunks)):
            ranges.append((start, i + 1))
            start = i + 1
    return ranges


def write_bundle(
    writer: BundleWriter,
    *,
    base_url: str,
    model_files: ModelFiles,
    model_info: dict[str, Any],
    max_tokens: int,
    query_max_tokens: int,
    docs: list[Document],
    chunks: list[Chunk],
    quantised: tuple[np.ndarray, np.ndarray],
    records: list[dict[str, Any]],
    retrieval: dict[str, Any],
    settings: dict[str, Any],
    scope_vectors: np.ndarray | None = None,
    title: str | None,
    lexical_index: dict[str, Any] | None = None,
    unit_records: list[bytes] | None = None,
    lite: LitePath | None = None,
    term_shard_bytes: int = partition.SHARD_BYTES,
) -> dict[str, Any]:
    """Add every file of the bundle to `writer` and return the manifest written as sitebot.json.

    `model_info` is `index.model.describe()` of the loaded model; `quantised` the chunk
    vectors as `index.quantise.quantise` gives them (codes, scales); `records` what each page
    was (for conditional re-crawls); `settings` the public bot settings; `title` the demo
    page's heading; `lexical_index` the BM25 index when the caller built it already;
    `unit_records` each chunk's unit signatures (index/signatures.py), one units file per shard;
    `lite` the lite query path's index (index/lite.py), None for a bundle without one.
    `term_shard_bytes` the size the lexical index's term shards are cut at (tests make it small).
    """
    q, scales = quantised
    shards = []
    ranges = shard_ranges(docs, chunks)
    for a, b in ranges:
        shard: dict[str, Any] = {"file": writer.add("text/chunks.json", dumps([c.text for c in chunks[a:b]]))}
        if unit_records is not None:  # fetched with its shard, to mark the answering sentence
            shard["units"] = writer.add("text/units.bin", units_file(unit_records[a:b]))
        shards.append({**shard, "start": a, "count": b - a})
    # Chunk rows and term postings in parts a question fetches a few of (index/partition.py).
    chunk_meta = partition.chunk_files(
        [{"url": d.url, "title": d.title} for d in docs],
        [(c.page, c.anchor, c.heading, round(c.weight, 3)) for c in chunks],
        ranges,
        writer.add,
    )
    lexical_meta = partition.lexical_files(
        lexical_index or lexical.build([c.lexical_text for c in chunks]), writer.add, shard_bytes=term_shard_bytes
    )
    manifest: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "generator": f"sitebot {VERSION}",
        "base_url": base_url,
        "model": {
            "id": model_info["id"],
            "sha256": model_info["sha256"],
            "dims": model_info["dims"],
            "max_tokens": max_tokens,
            "query_max_tokens": query_max_tokens,
            "pooling": "mean",
            "normalize": True,
            "inputs": model_info["inputs"],
            "output": model_info["output"],
            "files": {
                "model": writer.add("model/model.onnx", model_files.model.read_bytes()),
                "tokenizer": writer.add("model/tokenizer.json", model_files.tokenizer.read_bytes()),
            },
        },
        "counts": {"pages": len(docs), "chunks": len(chunks), "shards": len(shards)},
        "quantisation": {"type": "int8", "scale": "per-vector"},
        "files": {
            # k-means lists, probed per question (index/lists.py): bytes per question stay flat.
            "vectors": write_partitions(writer.add, "vectors", q, scales),
            "lexical": writer.add("index/lexical.json", dumps(lexical_meta)),
            "chunks": writer.add("index/chunks.json", dumps(chunk_meta)),
            "shards": shards,
            # Not used by the browser: what each page was, for conditional re-crawls and diffs.
            "sources": writer.add("index/sources.json", dumps(records)),
        },
        "runtime": {key: writer.add(name, runtime_file(built)) for key, (name, built) in RUNTIME_PARTS.items()},
        "retrieval": retrieval,
        "settings": settings,
    }
    if lite is not None:
        manifest["lite"] = lite_section(writer, lite)
    if scope_vectors is not None and len(scope_vectors):
        manifest["files"]["scope"] = writer.add("index/scope.bin", quantise.to_bytes(*quantise.quantise(scope_vectors)))
        manifest["counts"]["scope"] = len(scope_vectors)
    writer.add("widget.js", runtime_file("widget.js"), hashed=False)
    # UI strings other than English, fetched by the widget only for those languages.
    writer.add("i18n.json", runtime_file("i18n.json"), hashed=False)
    writer.add("sitebot.json", dumps(manifest), hashed=False)
    page = {"title": title, "mode": settings["mode"]}
    writer.add("index.html", render("demo.html", settings=page, manifest=manifest).encode(), hashed=False)
    writer.add("snippet.html", render("snippet.html", settings=page).encode(), hashed=False)
    return manifest


def lite_section(writer: BundleWriter, lite: LitePath) -> dict[str, Any]:
    """sitebot.json's `lite` (docs/bundle-format.md "Lite path"), its files added to `writer`.

    The token table is cut into files of a few rows, named by number in one folder whose
    name carries the hash of the whole table: the manifest stays small however big the
    vocabulary. The table depends on the model alone, so a rebuild keeps the same folder and a
    deploy uploads it once; the site's token weights and map are two small hashed files.
    """
    order = np.asarray(lite.vocab.ids, dtype=np.int64)  # file row r is model token ids[r]
    index = lite.index
    files = table_files(index.rows[order], index.row_scales[order])
    folder = content_name("lite/tokens", b"".join(files))
    for i, data in enumerate(files):
        writer.add(f"{folder}/{i}.bin", data, hashed=False)
    section: dict[str, Any] = {
        "method": LITE_METHOD,
        "dims": int(index.codes.shape[1]),
        "vocab": writer.add("lite/vocab.txt", lite.vocab.data),
        "tokenizer": lite.vocab.settings,
        "tokens": {"folder": f"{folder}/", "files": len(files), "rows": ROWS_PER_FILE, "count": len(order)},
        "weights": writer.add("lite/weights.bin", index.weights[order].tobytes()),
        "weight_step": index.weight_step,
        "question_tokens": index.question_tokens,  # a question counts at most so many (lite.py)
        "map": writer.add("lite/map.bin", quantise.to_bytes(index.mapping, index.mapping_scales)),
        # Its chunk vectors are k-means lists like the model's (index/lists.py).
        "vectors": write_partitions(
            writer.add,
            "lite-vectors",
            index.codes,
            index.scales,
            lists=(lists := list_count(len(index.codes), LITE_LIST_ROWS, LITE_LISTS_FROM)),
            groups=round(math.sqrt(lists)) if lists >= LITE_GROUPS_FROM else None,
            group_probe=LITE_GROUP_PROBE,
        ),
        # The lite path's own ranking levers: its cosines are coarser than the model's, so BM25
        # weighs more (bench/lite.py), and its "not found" rule is calibrated on its own scores.
        "retrieval": {**LITE_RETRIEVAL, "not_found": lite.not_found},
    }
    if lite.scope is not None and len(lite.scope.vectors):
        # For a visitor whose model never loads: the scope rules checked on lite vectors.
        section["scope"] = {
            "file": writer.add("lite/scope.bin", quantise.to_bytes(*quantise.quantise(lite.scope.vectors))),
            "count": len(lite.scope.vectors),
            "threshold": lite.scope.threshold,
            "margin": round(lite.scope.margin, 4),
        }
    return section


def previous_records(folder: Path) -> list[dict[str, Any]]:
    """What each page was when the bundle at `folder` was built (url, sha256, etag, last_modified)."""
    try:
        manifest = read_manifest(folder)
        return list(json.loads((folder / manifest["files"]["sources"]).read_text()))
    except (BundleError, OSError, ValueError, KeyError, TypeError):
        return []  # no previous bundle, or an older format: fetch everything
