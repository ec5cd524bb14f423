"""`generate()`: a folder of pages → a static chatbot bundle. Reads top to bottom.

read pages → extract documents → merge duplicates → drop chrome repeated across pages → chunk → embed → index
→ write bundle (titles tidied)
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from .bundle.manifest import previous_records, write_bundle
from .bundle.writer import BundleWriter
from .collect import Collected, Progress, crawl_site, nothing_to_index, read_site_folder
from .errors import ConfigError, SourceError
from .index import lexical, lite, notfound, partition, quantise
from .index import vocab as lite_vocab
from .index.embed import EmbeddingCache, count_tokens, embed_with_cache, token_ids
from .index.endpoint import EndpointEmbedder
from .index.lite import LitePath
from .index.model import default_model, describe, load, model_from_dir, tokenizer_json
from .index.signatures import embed_units, records
from .options import GenerateOptions, GenerateSummary, default_cache_dir, is_url
from .text.boilerplate import drop_repeated
from .text.chunk import Chunk, chunk_document
from .text.extract import Document
from .text.starters import suggest_starters
from .text.titles import bot_title, tidy_titles
from .text.units import signed_units

DEFAULT_RETRIEVAL: dict[str, float | int | str] = {
    "k1": 1.2,
    "b": 0.75,
    "candidates": 50,
    # Score-aware fusion (min-max normalised dense and BM25 scores). "adaptive": BM25's weight
    # goes from w_lexical_min to w_lexical_max with the share of the question's terms its
    # best chunk holds, so an exact identifier leads and a few common words do not
    # (bench/ranking.py measures it against fixed weights). "convex" uses w_dense and
    # w_lexical (3:1, as Weaviate's relative-score fusion); plain reciprocal-rank fusion
    # ("rrf") let chunks that are middling in both lists win (DESIGN.md).
    "fusion": "adaptive",
    "w_dense": 0.75,
    "w_lexical": 0.25,
    "w_lexical_min": 0.15,
    "w_lexical_max": 0.45,
    # A page with several good chunks gains 0.1 × its 2nd best + 0.01 × its 3rd best score.
    "page_bonus": 0.1,
    "rrf_k": 60,
    # The "not found" rule of bundles without a calibrated `not_found` (index/notfound.py),
    # and of an owner who sets `retrieval.min_dense`: below this best cosine, nothing found.
    "min_dense": 0.25,
    # How many of the dense index's k-means lists (~150 chunks each, index/partition.py) a question
    # fetches and scores: the nearest by centroid. 16 kept R@5 within 0.97× of the exhaustive search
    # on PostgreSQL's and SQLAlchemy's manuals, 8 did not on SQLAlchemy's (0.95×); bench/ivf.py.
    "nprobe": 16,
}


def read_documents(opts: GenerateOptions, report: Progress | None = None) -> Collected:
    """Read the site, a folder or a crawl, into documents (the options are validated first)."""
    opts.validate()
    return _read(opts, report or (lambda stage, n, total: None))


def _read(opts: GenerateOptions, report: Progress) -> Collected:
    if is_url(opts.source):
        got = crawl_site(opts, report, previous=previous_records(opts.output))
    else:
        got = read_site_folder(opts, report)
    # Over the whole site at once: chrome is what recurs across its pages (text/boilerplate.py).
    got.docs, removed = drop_repeated(got.docs)
    got.skipped = sorted([*got.skipped, *((url, "only text repeated across the site") for url in removed.emptied)])
    return got


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
        cache = EmbeddingCache(
            (opts.cache_dir or default_cache_dir()) / "embeddings.sqlite" if opts.use_cache else None
        )
        # A large site's chunks and units may go to an embeddings server (index/endpoint.py); the
        # few scope and probe questions are embedded here, as the browser embeds a question.
        remote = _endpoint(opts, model)
        try:
            vectors, embedded = embed_with_cache(
                model,
                [c.embed_text for c in chunks],
                max_tokens=opts.max_tokens,
                cache=cache,
                progress=lambda n: report("embed", n, len(chunks)),
                remote=remote,
            )
            # Each sentence (unit) of a chunk, for the card to mark the one that answers.
            per_chunk = [signed_units(c.text) for c in chunks]
            unit_texts, unit_vectors, _ = embed_units(
                model,
                per_chunk,
                max_tokens=opts.query_max_tokens,
                cache=cache,
                progress=lambda n, total: report("units", n, total),
                remote=remote,
            )
            units = records(per_chunk, unit_texts, unit_vectors)
            # Scope examples, then the allowed questions, embedded as the browser embeds a question.
            scope = support["scope"]
            examples = [*scope["examples"], *scope["allowed"]] if scope else []
            scope_vectors = embed_with_cache(model, examples, max_tokens=opts.query_max_tokens, cache=cache)[0]
            probes = notfound.probe_questions()
            probe_vectors = embed_with_cache(model, probes, max_tokens=opts.query_max_tokens, cache=cache)[0]
        finally:
            cache.close()
        lexical_index = lexical.build([c.lexical_text for c in chunks])
        # The share of the site's words that are the model's everyday words: below a bar (a site
        # not in English) the "not found" rules of both paths leave out the unknown-term test.
        covers = notfound.vocabulary_share(lexical_index, notfound.vocabulary(json.loads(tokenizer_json(files))))
        lite_path = None
        if opts.bot.model != "full":  # "full" is the model alone, as before the lite path
            report("lite", 0, 1)
            lite_path = build_lite_path(
                model,
                files,
                chunks,
                vectors,
                probes,
                opts,
                probe_vectors=probe_vectors,
                units=(unit_texts, unit_vectors),
                vocabulary_covers=covers,
                scope=(examples, scope["threshold"], scope["margin"]) if examples else None,
            )
            report("lite", 1, 1)
        if avatar is not None:
            support["avatar"] = writer.add(f"brand/avatar{Path(str(opts.bot.avatar)).suffix.lower()}", avatar)
        retrieval = {**DEFAULT_RETRIEVAL, **opts.retrieval}
        if {"w_dense", "w_lexical"} & opts.retrieval.keys() and "fusion" not in opts.retrieval:
            retrieval["fusion"] = "convex"  # the owner's fixed weights: the fusion that uses them
        codes, scales = quantise.quantise(vectors)
        if "min_dense" not in opts.retrieval:  # the owner's own threshold wins over the calibrated one
            retrieval["not_found"] = notfound.calibrate(codes, scales, probe_vectors, vocabulary_covers=covers)
        manifest = write_bundle(
            writer,
            base_url=opts.base_url,
            model_files=files,
            model_info=describe(model),
            max_tokens=opts.max_tokens,
            query_max_tokens=opts.query_max_tokens,
            # Citations show titles without the site's name. The chunks keep the full title:
            # embedded without it, SQLAlchemy's manual lost 4 points of recall@5 (bench/ranking.py).
            docs=tidy_titles(docs),
            chunks=chunks,
            quantised=(codes, scales),
            records=got.records,
            retrieval=retrieval,
            settings=(settings := _settings(opts, docs, support)),
            scope_vectors=scope_vectors,
            title=settings["title"],
            lexical_index=lexical_index,
            unit_records=units,
            lite=lite_path,
        )
        if opts.precompress:  # `.br`/`.gz` twins of the large text and wasm files, for hosts that serve them
            # Even with use_cache off: a twin is keyed by its original's sha256, so it is never stale, and
            # brotli at its best takes a minute on the wasm that every build ships unchanged.
            writer.precompress((opts.cache_dir or default_cache_dir()) / "precompressed")
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    index_bytes = sum((opts.output / f).stat().st_size for f in partition.index_files(opts.output, manifest))
    return GenerateSummary(
        output=opts.output,
        pages=len(docs),
        chunks=len(chunks),
        embedded=embedded,
        bundle_bytes=writer.size,
        index_bytes=index_bytes,
        seconds=time.perf_counter() - started,
        skipped=got.skipped,
        duplicates=got.duplicates,
        requests=got.requests,
        not_modified=got.not_modified,
    )


def build_lite_path(
    model: Any,
    files: Any,
    chunks: list[Chunk],
    vectors: Any,
    probes: list[str],
    opts: GenerateOptions,
    *,
    probe_vectors: Any = None,
    units: tuple[list[str], Any] | None = None,
    vocabulary_covers: float = 1.0,
    scope: tuple[list[str], float, float] | None = None,
) -> LitePath | None:
    """The lite query path's files for this site (index/lite.py), or None for a model whose
    tokenizer the browser's small WordPiece tokenizer cannot reproduce (index/vocab.py).

    Besides the chunks, the map is fitted on the chunks' sentences (`units`: texts and their
    model vectors) and the probe questions (`probe_vectors`), when given: short texts like a
    visitor's question, and many more of them than a small site has chunks. `vocabulary_covers`
    is notfound.vocabulary_share of the site, as for the full path's rule: without it the lite
    path took French words for unknown terms, refused many answerable questions on the French
    Debian Reference and found 56 % of their pages in the top 5 instead of 91 % (bench/lite.py).
    `scope` is the scope rules' questions (examples, then allowed) with the owner's threshold and
    margin: a visitor whose model never loads has them checked on the lite path.
    """
    vocabulary = lite_vocab.build(tokenizer_json(files), order="sorted")
    if vocabulary is None:
        return None
    table = lite.cached_table(model, opts.cache_dir or default_cache_dir())
    chunk_ids = token_ids(model, [c.embed_text for c in chunks], max_tokens=opts.max_tokens)
    probe_ids = token_ids(model, probes, max_tokens=opts.query_max_tokens)
    fit = []
    if units is not None and len(units[0]):
        fit.append((token_ids(model, units[0], max_tokens=opts.query_max_tokens), np.asarray(units[1])))
    if probe_vectors is not None and len(probes):
        fit.append((probe_ids, np.asarray(probe_vectors)))
    index = lite.build(table, chunk_ids, vectors, special=lite.special_ids(model), fit=fit)
    # The probes are scored on the lite path as the browser scores a question there, so the
    # lite path gets its own "not found" thresholds (its cosines are not the model's).
    probe_lite = lite.query_vectors_fast(probe_ids, index)
    rule = notfound.calibrate(index.codes, index.scales, probe_lite, vocabulary_covers=vocabulary_covers)
    scope_rule = None
    if scope is not None:
        texts, threshold, margin = scope
        scope_rule = lite.scope_rule(
            token_ids(model, texts, max_tokens=opts.query_max_tokens), index, threshold, margin
        )
    return LitePath(index, vocabulary, rule, scope_rule)


def _endpoint(opts: GenerateOptions, model: Any) -> EndpointEmbedder | None:
    """The embeddings endpoint of `--embed-endpoint`, its key from the environment, or None."""
    if not opts.embed_endpoint:
        return None
    return EndpointEmbedder.from_env(
        opts.embed_endpoint,
        opts.embed_model or model.files.id,
        batch_size=opts.embed_batch_size,
        concurrency=opts.embed_concurrency,
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


def _settings(opts: GenerateOptions, docs: list[Document], support: dict[str, Any] | None = None) -> dict[str, Any]:
    settings: dict[str, Any] = dict(vars(opts.bot))
    if opts.bot.starters is None:
        settings["starters"] = suggest_starters(
            tidy_titles(docs)
        )  # the fallback quotes titles: without the site's name
    if not opts.bot.title:
        settings["title"] = bot_title(docs)  # the site's name, shown as the panel's title (widget: applyOwnerTexts)
    if opts.bot.mode == "llm" and opts.llm is not None:
        settings["llm"] = opts.llm.manifest()
    support = dict(support or {})
    avatar = support.pop("avatar", None)  # an avatar file's path in the bundle
    settings["avatar"] = avatar or (str(opts.bot.avatar) if opts.bot.avatar is not None else None)
    if support.get("scope"):
        scope = support["scope"]
        support["scope"] = {**scope, "examples": len(scope["examples"]), "allowed": len(scope["allowed"])}
    return {**settings, **support}
