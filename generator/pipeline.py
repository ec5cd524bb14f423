"""`generate()`: a folder of pages → a static chatbot bundle. Reads top to bottom.

    read pages → extract documents → merge duplicates → chunk → embed → index → write bundle
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from . import lexical, quantise
from .bundle import BundleWriter, dumps, runtime_file
from .chunk import Chunk, chunk_document
from .embed import EmbeddingCache, count_tokens, embed_with_cache
from .errors import SourceError
from .extract import Document, Skipped, extract
from .model import default_model, describe, load, model_from_dir
from .sources import read_folder
from .templates import render

FORMAT_VERSION = 1

DEFAULT_RETRIEVAL: dict[str, float | int | str] = {
    "k1": 1.2, "b": 0.75, "candidates": 50,
    # Score-aware fusion (min-max normalised dense and BM25 scores, weighted 3:1, as
    # Weaviate's relative-score fusion does by default). Plain reciprocal-rank fusion let
    # chunks that are middling in both lists win (DESIGN.md); "rrf" is still selectable.
    "fusion": "convex", "w_dense": 0.75, "w_lexical": 0.25, "rrf_k": 60,
    # Below this best cosine the bot says it found nothing (off-topic questions score
    # 0.07–0.29 on the demo site, real ones 0.27 and up).
    "min_dense": 0.25,
}


@dataclass
class BotSettings:
    """Public settings shipped in sitebot.json (never secrets)."""

    title: str = "Ask this site"
    greeting: str = "Hi! Ask me a question about this site."
    placeholder: str = "Ask a question"
    not_found: str = "I couldn't find that on this site."
    accent: str = "#2563eb"
    position: str = "right"
    mode: str = "extractive"


@dataclass
class GenerateOptions:
    """Everything `generate` needs; only `source` and `output` are required."""

    source: Path
    output: Path
    base_url: str = "/"
    selector: str = ""
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    model_dir: Path | None = None
    max_tokens: int = 128
    overlap: int = 24
    query_max_tokens: int = 128
    cache_dir: Path | None = None
    use_cache: bool = True
    bot: BotSettings = field(default_factory=BotSettings)
    retrieval: dict[str, float | int] = field(default_factory=dict)


@dataclass
class GenerateSummary:
    output: Path
    pages: int
    chunks: int
    embedded: int
    bundle_bytes: int
    index_bytes: int
    seconds: float
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (dropped url, kept url)


Progress = Callable[[str, int, int | None], None]  # (stage, advance, total)


def default_cache_dir() -> Path:
    env = os.environ.get("SITEBOT_CACHE_DIR")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sitebot"


def _read(opts: GenerateOptions, progress: Progress) -> tuple[list[Document], list[tuple[str, str]], list[tuple[str, str]]]:
    docs: list[Document] = []
    skipped: list[tuple[str, str]] = []
    by_hash: dict[str, Document] = {}
    dupes: list[tuple[str, str]] = []
    for page in read_folder(
        opts.source, base_url=opts.base_url, include=opts.include, exclude=opts.exclude, skip=(opts.output,)
    ):
        progress("read", 1, None)
        try:
            doc = extract(page, selector=opts.selector)
        except Skipped as s:
            skipped.append((page.path, str(s)))
            continue
        if not doc.text.strip():
            skipped.append((page.path, "no text"))
            continue
        # Exact duplicates (same title and text) are one page: keep the shortest URL.
        key = hashlib.sha256(f"{doc.title}\0{doc.text}".encode()).hexdigest()
        seen = by_hash.get(key)
        if seen is not None:
            keep, drop = sorted((seen, doc), key=lambda d: (len(d.url), d.url))
            if keep is doc:
                docs[docs.index(seen)] = doc
                by_hash[key] = doc
            dupes.append((drop.url, keep.url))
            continue
        by_hash[key] = doc
        docs.append(doc)
    return docs, skipped, dupes


def generate(opts: GenerateOptions, progress: Progress | None = None) -> GenerateSummary:
    """Build the bundle at `opts.output`; raises a SitebotError subclass on user errors."""
    started = time.perf_counter()
    report: Progress = progress or (lambda stage, n, total: None)
    files = model_from_dir(opts.model_dir) if opts.model_dir else default_model()
    writer = BundleWriter(opts.output)
    try:
        docs, skipped, dupes = _read(opts, report)
        if not docs:
            if skipped:
                raise SourceError(
                    f"{opts.source} has no page to index: all {len(skipped)} readable files were skipped "
                    f"({', '.join(sorted({r for _, r in skipped}))})"
                )
            raise SourceError(
                f"{opts.source} has no readable pages (.html, .htm, .md, .markdown or .txt); "
                "give the folder your site is built into"
            )
        model = load(files)
        chunks = chunk_all(docs, model, opts, report)
        cache = EmbeddingCache((opts.cache_dir or default_cache_dir()) / "embeddings.sqlite" if opts.use_cache else None)
        try:
            vectors, embedded = embed_with_cache(
                model, [c.embed_text for c in chunks], max_tokens=opts.max_tokens, cache=cache,
                progress=lambda n: report("embed", n, len(chunks)),
            )
        finally:
            cache.close()
        manifest = _write(writer, opts, files, model, docs, chunks, vectors)
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    index_bytes = sum((opts.output / manifest["files"][k]).stat().st_size for k in ("vectors", "lexical", "chunks"))
    return GenerateSummary(
        output=opts.output, pages=len(docs), chunks=len(chunks), embedded=embedded, bundle_bytes=writer.size,
        index_bytes=index_bytes, seconds=time.perf_counter() - started, skipped=skipped, duplicates=dupes,
    )


def chunk_all(docs: list[Document], model: Any, opts: GenerateOptions, report: Progress | None = None) -> list[Chunk]:
    """Chunk every document with the model's tokenizer (also used by the benchmarks)."""
    count = lambda texts: count_tokens(model, texts)  # noqa: E731
    chunks: list[Chunk] = []
    for i, doc in enumerate(docs):
        chunks.extend(chunk_document(doc, i, count=count, max_tokens=opts.max_tokens, overlap=opts.overlap))
        if report:
            report("chunk", 1, len(docs))
    if not chunks:
        raise SourceError(f"{opts.source} has pages but no text to index")
    return chunks


def read_documents(opts: GenerateOptions, report: Progress | None = None) -> tuple[list[Document], list[tuple[str, str]], list[tuple[str, str]]]:
    """Read and extract the site: (documents, skipped, duplicates)."""
    return _read(opts, report or (lambda stage, n, total: None))


SHARD_CHARS = 48_000  # ~12 KB gzipped: a question fetches a few of these, not the whole site


def _write(writer: BundleWriter, opts: GenerateOptions, files: Any, model: Any, docs: list[Document],
           chunks: list[Chunk], vectors: np.ndarray) -> dict[str, Any]:
    q, scales = quantise.quantise(vectors)
    shards: list[dict[str, Any]] = []
    start, size = 0, 0
    for i, c in enumerate(chunks + [None]):  # type: ignore[list-item]
        if c is None or (size + len(c.text) > SHARD_CHARS and i > start):
            texts = [x.text for x in chunks[start:i]]
            shards.append({"file": writer.add("text/chunks.json", dumps(texts)), "start": start, "count": i - start})
            start, size = i, 0
        if c is not None:
            size += len(c.text)
    meta = {
        "pages": [{"url": d.url, "title": d.title} for d in docs],
        "chunks": [[c.page, c.anchor, c.heading, round(c.weight, 3)] for c in chunks],
    }
    retrieval = {**DEFAULT_RETRIEVAL, **opts.retrieval}
    info = describe(model)
    manifest: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "generator": "sitebot 0.1.0",
        "base_url": opts.base_url,
        "model": {
            "id": info["id"], "sha256": info["sha256"], "dims": info["dims"],
            "max_tokens": opts.max_tokens, "query_max_tokens": opts.query_max_tokens,
            "pooling": "mean", "normalize": True, "inputs": info["inputs"], "output": info["output"],
            "files": {
                "model": writer.add("model/model.onnx", files.model.read_bytes()),
                "tokenizer": writer.add("model/tokenizer.json", files.tokenizer.read_bytes()),
            },
        },
        "counts": {"pages": len(docs), "chunks": len(chunks), "shards": len(shards)},
        "quantisation": {"type": "int8", "scale": "per-vector"},
        "files": {
            "vectors": writer.add("index/vectors.bin", quantise.to_bytes(q, scales)),
            "lexical": writer.add("index/lexical.json", dumps(lexical.build([c.lexical_text for c in chunks]))),
            "chunks": writer.add("index/chunks.json", dumps(meta)),
            "shards": shards,
        },
        "runtime": {
            "worker": writer.add("engine.js", runtime_file("engine.js")),
            "ort_wasm": writer.add("ort/ort-wasm-simd-threaded.wasm", runtime_file("ort-wasm-simd-threaded.wasm")),
        },
        "retrieval": retrieval,
        "settings": dict(vars(opts.bot)),
    }
    writer.add("widget.js", runtime_file("widget.js"), hashed=False)
    writer.add("sitebot.json", dumps(manifest), hashed=False)
    writer.add("index.html", render("demo.html", settings=opts.bot, manifest=manifest).encode(), hashed=False)
    writer.add("snippet.html", render("snippet.html", settings=opts.bot).encode(), hashed=False)
    return manifest
