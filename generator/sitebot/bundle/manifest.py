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
from ..index import lexical, quantise
from ..index.model import ModelFiles
from ..index.partition import write_partitions
from ..index.signatures import units_file
from ..templates import render
from ..text.chunk import Chunk
from ..text.extract import Document
from ..version import VERSION
from .format import FORMAT_VERSION, dumps, read_manifest
from .writer import BundleWriter, runtime_file

SHARD_CHARS = 48_000  # ~12 KB gzipped: a question fetches a few of these, not the whole site

# Content-addressed runtime files: manifest key → (path in the bundle, file in the built
# runtime). widget.js loads the llm and support parts only for bots that need them (LLM
# answers; handoff/leads/feedback/scope).
RUNTIME_PARTS = {
    "worker": ("engine.js", "engine.js"),
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
) -> dict[str, Any]:
    """Add every file of the bundle to `writer` and return the manifest written as sitebot.json.

    `model_info` is `index.model.describe()` of the loaded model; `quantised` the chunk
    vectors as `index.quantise.quantise` gives them (codes, scales); `records` what each page
    was (for conditional re-crawls); `settings` the public bot settings; `title` the demo
    page's heading; `lexical_index` the BM25 index when the caller built it already;
    `unit_records` each chunk's unit signatures (index/signatures.py), one units file per shard.
    """
    q, scales = quantised
    shards = []
    for a, b in shard_ranges(docs, chunks):
        shard: dict[str, Any] = {"file": writer.add("text/chunks.json", dumps([c.text for c in chunks[a:b]]))}
        if unit_records is not None:  # fetched with its shard, to mark the answering sentence
            shard["units"] = writer.add("text/units.bin", units_file(unit_records[a:b]))
        shards.append({**shard, "start": a, "count": b - a})
    meta = {
        "pages": [{"url": d.url, "title": d.title} for d in docs],
        "chunks": [[c.page, c.anchor, c.heading, round(c.weight, 3)] for c in chunks],
    }
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
            # k-means lists, probed per question (index/partition.py): bytes per question stay flat.
            "vectors": write_partitions(writer.add, "vectors", q, scales),
            "lexical": writer.add(
                "index/lexical.json", dumps(lexical_index or lexical.build([c.lexical_text for c in chunks]))
            ),
            "chunks": writer.add("index/chunks.json", dumps(meta)),
            "shards": shards,
            # Not used by the browser: what each page was, for conditional re-crawls and diffs.
            "sources": writer.add("index/sources.json", dumps(records)),
        },
        "runtime": {key: writer.add(name, runtime_file(built)) for key, (name, built) in RUNTIME_PARTS.items()},
        "retrieval": retrieval,
        "settings": settings,
    }
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


def previous_records(folder: Path) -> list[dict[str, Any]]:
    """What each page was when the bundle at `folder` was built (url, sha256, etag, last_modified)."""
    try:
        manifest = read_manifest(folder)
        return list(json.loads((folder / manifest["files"]["sources"]).read_text()))
    except (BundleError, OSError, ValueError, KeyError, TypeError):
        return []  # no previous bundle, or an older format: fetch everything
