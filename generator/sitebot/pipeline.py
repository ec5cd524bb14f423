"""`generate()`: a folder of pages → a static chatbot bundle. Reads top to bottom.

    read pages → extract documents → merge duplicates → chunk → embed → index → write bundle
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from .index import lexical
from .index import quantise
from .bundle.format import FORMAT_VERSION, dumps
from .bundle.writer import BundleWriter, runtime_file
from .text.chunk import Chunk, chunk_document
from .index.embed import EmbeddingCache, count_tokens, embed_with_cache
from .errors import ConfigError, SourceError
from .text.extract import Document
from .index.model import default_model, describe, load, model_from_dir
from .options import GenerateOptions, GenerateSummary, default_cache_dir, is_url
from .collect import Collected, Progress, crawl_site, nothing_to_index, read_site_folder
from .text.starters import suggest_starters
from .templates import render
from .version import VERSION

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


def _previous_records(output: Path) -> list[dict[str, Any]]:
    """Per-URL records of the bundle already at the output path, if any."""
    try:
        manifest = json.loads((output / "sitebot.json").read_text())
        return list(json.loads((output / manifest["files"]["sources"]).read_text()))
    except (OSError, ValueError, KeyError, TypeError):
        return []  # no previous bundle, or an older format: fetch everything


def read_documents(opts: GenerateOptions, report: Progress | None = None) -> Collected:
    """Read the site, a folder or a crawl, into documents (the options are validated first)."""
    opts.validate()
    return _read(opts, report or (lambda stage, n, total: None))


def _read(opts: GenerateOptions, report: Progress) -> Collected:
    if is_url(opts.source):
        return crawl_site(opts, report, previous=_previous_records(opts.output))
    return read_site_folder(opts, report)


def generate(opts: GenerateOptions, progress: Progress | None = None) -> GenerateSummary:
    """Build the bundle at `opts.output`; raises a SitebotError subclass on user errors."""
    started = time.perf_counter()
    report: Progress = progress or (lambda stage, n, total: None)
    opts.validate()
    support, avatar = _support(opts)
    files = model_from_dir(opts.model_dir) if opts.model_dir else default_model()
    writer = BundleWriter(opts.output)
    try:
        got = _read(opts, report)
        docs = got.docs
        if not docs:
            raise nothing_to_index(opts.source, got.skipped)
        model = load(files)
        chunks = chunk_all(docs, model, opts, report)
        cache = EmbeddingCache((opts.cache_dir or default_cache_dir()) / "embeddings.sqlite" if opts.use_cache else None)
        try:
            vectors, embedded = embed_with_cache(
                model, [c.embed_text for c in chunks], max_tokens=opts.max_tokens, cache=cache,
                progress=lambda n: report("embed", n, len(chunks)),
            )
            # Scope examples, then the allowed questions, embedded as the browser embeds a question.
            scope = support["scope"]
            examples = [*scope["examples"], *scope["allowed"]] if scope else []
            scope_vectors = embed_with_cache(model, examples, max_tokens=opts.query_max_tokens, cache=cache)[0]
        finally:
            cache.close()
        if avatar is not None:
            support["avatar"] = writer.add(f"brand/avatar{Path(str(opts.bot.avatar)).suffix.lower()}", avatar)
        manifest = _write(writer, opts, files, model, docs, chunks, vectors, got.records,
                          support=support, scope_vectors=scope_vectors)
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    index_bytes = sum((opts.output / manifest["files"][k]).stat().st_size for k in ("vectors", "lexical", "chunks"))
    return GenerateSummary(
        output=opts.output, pages=len(docs), chunks=len(chunks), embedded=embedded, bundle_bytes=writer.size,
        index_bytes=index_bytes, seconds=time.perf_counter() - started, skipped=got.skipped,
        duplicates=got.duplicates, requests=got.requests, not_modified=got.not_modified,
    )


def _support(opts: GenerateOptions) -> tuple[dict[str, Any], bytes | None]:
    """The manifest's handoff, lead, feedback and scope settings, and the avatar's bytes when it is a file."""
    from .bot import support

    settings: dict[str, Any] = {s: support.normalise(s, getattr(opts, s)) for s in support.SECTIONS}
    avatar = str(opts.bot.avatar) if opts.bot.avatar is not None else None
    if avatar is None or support.is_avatar_url(avatar):
        return settings, None
    try:
        return settings, support.read_avatar(Path(avatar))
    except ValueError as e:  # validate() read it; the file changed since
        raise ConfigError(f"'bot.avatar' {e}; give an image file or an https:// URL") from None


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


SHARD_CHARS = 48_000  # ~12 KB gzipped: a question fetches a few of these, not the whole site


def _shard_ranges(docs: list[Document], chunks: list[Chunk]) -> list[tuple[int, int]]:
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


def _settings(opts: GenerateOptions, docs: list[Document], support: dict[str, Any] | None = None) -> dict[str, Any]:
    settings: dict[str, Any] = dict(vars(opts.bot))
    if opts.bot.starters is None:
        settings["starters"] = suggest_starters(docs)
    if opts.bot.mode == "llm" and opts.llm is not None:
        settings["llm"] = opts.llm.manifest()
    support = dict(support or {})
    avatar = support.pop("avatar", None)  # an avatar file's path in the bundle
    settings["avatar"] = avatar or (str(opts.bot.avatar) if opts.bot.avatar is not None else None)
    if support.get("scope"):
        scope = support["scope"]
        support["scope"] = {**scope, "examples": len(scope["examples"]), "allowed": len(scope["allowed"])}
    return {**settings, **support}


def _write(writer: BundleWriter, opts: GenerateOptions, files: Any, model: Any, docs: list[Document],
           chunks: list[Chunk], vectors: np.ndarray, records: list[dict[str, Any]], *,
           support: dict[str, Any] | None = None, scope_vectors: np.ndarray | None = None) -> dict[str, Any]:
    q, scales = quantise.quantise(vectors)
    shards = [
        {"file": writer.add("text/chunks.json", dumps([c.text for c in chunks[a:b]])), "start": a, "count": b - a}
        for a, b in _shard_ranges(docs, chunks)
    ]
    meta = {
        "pages": [{"url": d.url, "title": d.title} for d in docs],
        "chunks": [[c.page, c.anchor, c.heading, round(c.weight, 3)] for c in chunks],
    }
    retrieval = {**DEFAULT_RETRIEVAL, **opts.retrieval}
    info = describe(model)
    manifest: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "generator": f"sitebot {VERSION}",
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
            # Not used by the browser: what each page was, for conditional re-crawls and diffs.
            "sources": writer.add("index/sources.json", dumps(records)),
        },
        "runtime": {
            "worker": writer.add("engine.js", runtime_file("engine.js")),
            # Parts widget.js loads only for bots that need them (LLM answers; handoff/leads/feedback/scope).
            "llm": writer.add("llm.js", runtime_file("llm.js")),
            "support": writer.add("support.js", runtime_file("support.js")),
            "ort_wasm": writer.add("ort/ort-wasm-simd-threaded.wasm", runtime_file("ort-wasm-simd-threaded.wasm")),
        },
        "retrieval": retrieval,
        "settings": _settings(opts, docs, support),
    }
    if scope_vectors is not None and len(scope_vectors):
        manifest["files"]["scope"] = writer.add("index/scope.bin", quantise.to_bytes(*quantise.quantise(scope_vectors)))
        manifest["counts"]["scope"] = len(scope_vectors)
    writer.add("widget.js", runtime_file("widget.js"), hashed=False)
    # UI strings other than English, fetched by the widget only for those languages.
    writer.add("i18n.json", runtime_file("i18n.json"), hashed=False)
    writer.add("sitebot.json", dumps(manifest), hashed=False)
    writer.add("index.html", render("demo.html", settings=opts.bot, manifest=manifest).encode(), hashed=False)
    writer.add("snippet.html", render("snippet.html", settings=opts.bot).encode(), hashed=False)
    return manifest
