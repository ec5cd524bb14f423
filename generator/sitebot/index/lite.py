"""The lite query path: a question's vector without running the model in the browser.

At build time every token of the model's vocabulary is run through the model once, alone
("[CLS] token [SEP]"); its output at the token is that token's static vector. A question's
lite vector is then a weighted sum of its tokens' rows in a table, and the browser fetches
only those rows (docs/bundle-format.md, "Lite path").

The static vectors are reduced by PCA to `DIMS` dimensions. A question's static sum weighs
each token by its idf on this site. That sum sits in another space than the model's sentence
vectors of the chunks, so it goes through a map fitted to the site: ridge regression from
texts' static sums onto their model vectors, reduced by PCA to `DIMS`. The texts are the
chunks, their sentences (text/units.py, embedded anyway to mark answers) and the probe
questions (index/notfound.py): question-sized texts, several per chunk. The ridge shrinks the
map towards the static sum read as a model vector as it is (both bases map back to the model's
own space), not towards zero. Fitted on its 264 chunks alone, the demo site's map overfitted
(6 of 12 questions' pages in the top 5, BM25 alone 5); with the sentences, probes and prior,
8 (bench/lite.py). The chunks' lite vectors are their model vectors in that space: this
ranked better than static vectors on both sides, at 128 dims as well as at 384.

    raw = token_outputs(model, cache_dir)                 # (vocab, model dims), cached per model
    lite = build(raw, chunk_ids, vectors, special=special_ids(model))
    q = query_vector(ids, lite)                           # the browser's sum, in Python
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import quantise
from .model import LoadedModel

DIMS = 128  # of the lite space: 132 bytes a token row and a chunk, against 388 for MiniLM's vectors
ROWS_PER_FILE = 8  # token rows per table file: 1,056 B, so a question of 20 tokens fetches ~27 KB with headers
RIDGE = 10.0  # of the map's regression towards its prior, on unit-length static sums (bench/lite.py)
BATCH = 1024  # tokens per model run when building the table; chunks per batch when summing rows
# Tokens whose idf is below this share of the highest weigh 0 (idf 1.6 on SQLAlchemy: in over a
# fifth of its chunks). On the demo, the guide and SQLAlchemy a question then fetches about 25 %
# fewer token-table files, and lite R@5 went 0.667 → 0.750, 0.870 → 0.883, 0.807 → 0.818 (0.25
# and 0.35 lost on SQLAlchemy).
COMMON = 0.15
METHOD = "static-tokens-ridge-pca-1"  # what the browser computes; the build behind it may change
# A question counts at most this many distinct tokens of weight, the heaviest first (then the first
# asked): each is a table file to fetch, and a visitor who pastes a paragraph (up to 128 tokens) fetched
# about a hundred. On the demo, the guide and SQLAlchemy 24 ranks every question as no cap does (20
# lost one of the guide's, 16 two); the 100k bench's first question had 29.
QUESTION_TOKENS = 24
# A visitor whose model never loads (Save-Data, bot.model = "lite") has the scope rules' example
# questions checked on the lite path: by the plain sum of the question's token rows (every token
# that weighs anything on the site counts alike, through no map). The site's map is fitted to its
# pages: on a six-page shop every question came out alike through it. Those cosines are coarser
# than the model's, so a question must beat the allowed questions by this much more than the
# owner's margin. At the defaults (0.5, 0.05 + 0.05), keywords or examples caught 52.5-62.5 % of
# bench/scope.py's personal-advice questions and blocked 1.4-4.3 % of its ordinary ones, on the
# tests' six-page pharmacy, the demo, the guide and SQLAlchemy (the model: 67.5 % and 1.4 %); the
# held-out sets 40-60 % and 0-5 % (the model: 60-65 % and 0 %). `python bench/scope.py --lite BUNDLE`.
SCOPE_MARGIN_EXTRA = 0.05


@dataclass(frozen=True)
class LiteIndex:
    """The lite path of one bundle. The token table depends on the model alone, so it is the same
    files from one rebuild to the next (a deploy uploads it once); what depends on the site is
    small: each token's weight and the map into the chunks' space."""

    rows: np.ndarray  # (vocab, DIMS) int8: each token's static vector, reduced (model only)
    row_scales: np.ndarray  # (vocab,) float32
    weights: np.ndarray  # (vocab,) uint8: the token's idf on this site, in steps of weight_step; 0 adds nothing
    weight_step: float
    mapping: np.ndarray  # (DIMS, DIMS) int8: static sums → the chunks' lite space, one scale per row
    mapping_scales: np.ndarray  # (DIMS,) float32
    codes: np.ndarray  # (chunks, DIMS) int8: the chunks' lite vectors
    scales: np.ndarray  # (chunks,) float32
    question_tokens: int | None = QUESTION_TOKENS  # None: a bundle without the cap counts them all


@dataclass(frozen=True)
class LiteScope:
    """The scope rules' questions (examples first, then the allowed ones) as `static_vector`s,
    and the threshold and margin they are checked with on the lite path."""

    vectors: np.ndarray  # (questions, DIMS) float32, the token table's space; zero: no token weighs
    threshold: float
    margin: float


@dataclass(frozen=True)
class LitePath:
    """What the bundle writer needs for the lite path: the index, the vocabulary file
    (index/vocab.py LiteVocab, whose row order the table's files follow), the path's own
    calibrated "not found" rule (index/notfound.py) and its scope questions, if any."""

    index: LiteIndex
    vocab: Any
    not_found: dict[str, Any]
    scope: LiteScope | None = None


def token_outputs(model: LoadedModel, cache_dir: Path | None) -> np.ndarray:
    """(vocab, dims) float32: the model's output at each token run alone, cached by model sha256.

    About 25 s for MiniLM's 30,522 tokens on two cores, so it is kept under `cache_dir`
    (even for a build without the embedding cache: it depends on the model's bytes alone).
    """
    path = cache_dir / "tokentable" / f"{model.sha256[:32]}.npy" if cache_dir else None
    size = model.tokenizer.get_vocab_size()
    if path and path.is_file():
        try:
            table = np.load(path)
            if table.shape == (size, model.dims):
                return table
        except (OSError, ValueError):
            pass  # a damaged cache file is rebuilt
    table = np.zeros((size, model.dims), dtype=np.float32)
    for start in range(0, size, BATCH):
        ids = np.array([[model.cls_id, t, model.sep_id] for t in range(start, min(size, start + BATCH))], np.int64)
        feed = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        if "token_type_ids" in model.inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        table[start : start + len(ids)] = model.session.run([model.output], feed)[0][:, 1]
    if path:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp.npy")
            np.save(tmp, table)
            tmp.replace(path)
        except OSError:
            pass  # no cache is slower, not wrong
    return table


@dataclass(frozen=True)
class StaticTable:
    """The model-only part of the lite path: the token table as the browser reads it (int8 rows
    and scales) and the PCA basis it was reduced with (the map's prior reads it back)."""

    rows: np.ndarray
    row_scales: np.ndarray
    basis: np.ndarray


def static_table(raw: np.ndarray, dims: int = DIMS) -> StaticTable:
    """`token_outputs` reduced by PCA to `dims` and quantised: the same for every site of a model."""
    dims = min(dims, raw.shape[1])
    basis = _basis(raw, dims)
    rows, row_scales = quantise.quantise(((raw - raw.mean(axis=0)) @ basis).astype(np.float32))
    return StaticTable(rows, row_scales, basis)


def cached_table(model: LoadedModel, cache_dir: Path | None, dims: int = DIMS) -> StaticTable:
    """`static_table(token_outputs(model, cache_dir), dims)`, itself kept under `cache_dir` by the
    model's sha256: every build of a test suite or a CI job would otherwise redo the PCA."""
    path = cache_dir / "tokentable" / f"{model.sha256[:32]}-{dims}.npz" if cache_dir else None
    if path and path.is_file():
        try:
            with np.load(path) as z:
                return StaticTable(z["rows"], z["row_scales"], z["basis"])
        except (OSError, ValueError, KeyError):
            pass  # a damaged cache file is rebuilt
    table = static_table(token_outputs(model, cache_dir), dims)
    if path:
        try:
            tmp = path.with_suffix(".tmp.npz")
            np.savez(tmp, rows=table.rows, row_scales=table.row_scales, basis=table.basis)
            tmp.replace(path)
        except OSError:
            pass  # no cache is slower, not wrong
    return table


def special_ids(model: LoadedModel) -> list[int]:
    """The tokenizer's special tokens ([CLS], [SEP], [PAD], [UNK], [MASK]…): their rows stay zero."""
    vocab = model.tokenizer.get_vocab(with_added_tokens=True)
    specials = {t.content for t in model.tokenizer.get_added_tokens_decoder().values() if t.special}
    return sorted({vocab[s] for s in specials if s in vocab} | {model.cls_id, model.sep_id})


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


def _basis(x: np.ndarray, k: int) -> np.ndarray:
    """The top-k principal directions of `x` (dims, k), each signed so its largest entry is positive.

    The sign fix makes the basis, and so the bundle's bytes, the same whichever way LAPACK
    happens to orient an eigenvector. From the (dims, dims) scatter matrix, not an SVD of `x`:
    the same directions, but 4 s instead of 43 s for MiniLM's 30,522 token rows on two busy
    cores, and a site of 100,000 chunks costs one matrix product.
    """
    centred = np.asarray(x, dtype=np.float64) - np.asarray(x, dtype=np.float64).mean(axis=0)
    values, vectors = np.linalg.eigh(centred.T @ centred)
    keep = np.argsort(-values, kind="stable")[: min(k, len(x))]
    basis = vectors[:, keep]
    if basis.shape[1] < k:  # fewer rows than dims: pad with zero directions
        basis = np.pad(basis, ((0, 0), (0, k - basis.shape[1])))
    flip = np.sign(basis[np.argmax(np.abs(basis), axis=0), np.arange(k)])
    return basis * np.where(flip == 0, 1.0, flip)


def _sums(ids: Sequence[np.ndarray], weighted: np.ndarray) -> np.ndarray:
    """Per chunk, the sum of `weighted` rows over its tokens (repeats counted), in batches."""
    out = np.zeros((len(ids), weighted.shape[1]), dtype=np.float64)
    for start in range(0, len(ids), BATCH):
        part = ids[start : start + BATCH]
        lengths = np.array([len(t) for t in part])
        if not lengths.sum():
            continue
        flat = np.concatenate([np.asarray(t, dtype=np.int64) for t in part])
        owner = np.repeat(np.arange(len(part)), lengths)
        np.add.at(out[start : start + len(part)], owner, weighted[flat])
    return out


def idf(ids: Sequence[np.ndarray], vocab: int) -> np.ndarray:
    """log((n + 1) / (df + 0.5)) per token over the chunks, at least 0: rare tokens weigh most."""
    df = np.zeros(vocab)
    for t in ids:
        df[np.unique(np.asarray(t, dtype=np.int64))] += 1
    return np.maximum(np.log((len(ids) + 1) / (df + 0.5)), 0.0)


def build(
    table: StaticTable,
    chunk_ids: Sequence[np.ndarray],
    vectors: np.ndarray,
    *,
    special: Sequence[int] = (),
    dims: int = DIMS,
    fit: Sequence[tuple[Sequence[np.ndarray], np.ndarray]] = (),
) -> LiteIndex:
    """The lite path's table, weights, map and chunk vectors for one site.

    `table` is `cached_table` (or `static_table` of `token_outputs`), `chunk_ids` each chunk's token ids as embedded (special tokens
    may be included: they weigh 0), `vectors` the chunks' model vectors (float). `fit` adds
    more (token ids, model vectors) pairs the map is fitted on besides the chunks: the
    pipeline gives the chunks' sentences and the probe questions.
    """
    rows, row_scales, table_basis = table.rows, table.row_scales, table.basis
    vocab, dims = rows.shape
    static = quantise.dequantise(rows, row_scales).astype(np.float64)  # as the browser reads them
    exact = idf(chunk_ids, vocab)
    exact[list(special)] = 0.0
    step = float(exact.max() / 255) if exact.max() > 0 else 1.0
    weights = np.clip(np.rint(exact / step), 0, 255).astype(np.uint8)
    weighted = (weights.astype(np.float64) * step)[:, None] * static
    vectors = np.asarray(vectors, dtype=np.float64)
    basis = _basis(vectors, dims) if len(vectors) else np.zeros((table_basis.shape[0], dims))
    y = _unit(vectors @ basis) if len(vectors) else np.zeros((0, dims))
    x = [_unit(_sums(chunk_ids, weighted))]  # each text's static sum, paired with its model vector
    targets = [y]
    for ids, v in fit:
        if len(ids):
            x.append(_unit(_sums(ids, weighted)))
            targets.append(_unit(np.asarray(v, dtype=np.float64) @ basis))
    xs, ys = np.vstack(x), np.vstack(targets)
    # Ridge map from a text's static sum to its model vector in the reduced space, shrunk
    # towards `prior`: the static sum read as a model vector as it is (both come out of the
    # same model). On a small site the data alone overfit 128×128 numbers (the demo's 264
    # chunks ranked worse than BM25); the prior and the sentences keep it sane there.
    prior = table_basis.T @ basis
    mapping = np.linalg.solve(xs.T @ xs + RIDGE * np.eye(dims), xs.T @ ys + RIDGE * prior)
    map_codes, map_scales = quantise.quantise(mapping.astype(np.float32))
    codes, scales = quantise.quantise(y.astype(np.float32))
    # A token in a large share of the chunks ("the", "how", "with") says little about which chunk a
    # question wants, and its row is one more file to fetch: in a question it weighs 0, and the
    # browser skips it. The map is fitted with it still in the texts' sums: fitted without, it
    # ranked worse (the guide's R@5 0.857 against 0.883).
    weights = np.where(exact < COMMON * exact.max(), 0, weights).astype(np.uint8)
    return LiteIndex(rows, row_scales, weights, step, map_codes, map_scales, codes, scales)


def settings() -> dict[str, Any]:
    """The build's settings, for benchmarks to print beside their figures."""
    return {"method": METHOD, "dims": DIMS, "ridge": RIDGE, "weights": "site idf", "fit": "chunks+units+probes"}


def counted(ids: Sequence[int], lite: LiteIndex) -> list[int]:
    """The question's tokens that count, in order (repeats kept): those that weigh anything, and of
    more than `question_tokens` distinct ones, the heaviest (equal weights: the first asked)."""
    kept = [t for t in ids if 0 <= t < len(lite.rows) and lite.weights[t]]
    cap = lite.question_tokens
    distinct = list(dict.fromkeys(kept))
    if cap is None or len(distinct) <= cap:
        return kept
    keep = set(sorted(distinct, key=lambda t: -int(lite.weights[t]))[:cap])  # stable: ties by first place
    return [t for t in kept if t in keep]


def _row_sum(ids: Sequence[int], lite: LiteIndex, weighted: bool) -> list[float]:
    """Σ over the tokens that count, in order, of weight·scale·row (or scale·row when not
    `weighted`), dimension by dimension in float64: the browser's sums, in its order."""
    dims = lite.rows.shape[1]
    v = [0.0] * dims
    for t in counted(ids, lite):
        f = float(lite.row_scales[t])
        if weighted:
            f = float(lite.weights[t]) * lite.weight_step * f
        row = lite.rows[t].tolist()
        for d in range(dims):
            v[d] += f * row[d]
    return v


def _normalised(v: list[float]) -> np.ndarray | None:
    """v / ‖v‖ (the norm summed in order) rounded to float32; None for a zero vector."""
    norm = 0.0
    for x in v:
        norm += x * x
    if norm == 0:
        return None
    return (np.array(v) / math.sqrt(norm)).astype(np.float32)


def query_vector(ids: Sequence[int], lite: LiteIndex) -> np.ndarray | None:
    """A question's lite vector as the browser computes it (runtime_js/src/engine/lite.js).

    Σ over the tokens that count (`counted`), in order, of weight · row (float64), then that sum through the map,
    then normalised and rounded to float32; each sum runs in the same order as the browser's,
    so the two agree to the bit. None when no token weighs anything (keywords alone answer).
    """
    v = _row_sum(ids, lite, weighted=True)
    if not any(v):
        return None
    dims = len(v)
    m = lite.mapping.tolist()
    ms = lite.mapping_scales.tolist()
    u = [0.0] * dims
    for i in range(dims):
        if v[i]:
            f = v[i] * ms[i]
            mi = m[i]
            for j in range(dims):
                u[j] += f * mi[j]
    return _normalised(u)


def static_vector(ids: Sequence[int], lite: LiteIndex) -> np.ndarray | None:
    """The scope check's vector of a question on the lite path, as the browser computes it
    (lite.js embedStatic): Σ scale·row over its tokens that count (`counted`), in order, each
    alike (float64), then normalised and rounded to float32. None when no token weighs."""
    return _normalised(_row_sum(ids, lite, weighted=False))


def scope_rule(per_question: Sequence[Sequence[int]], lite: LiteIndex, threshold: float, margin: float) -> LiteScope:
    """The scope questions' `static_vector`s (a zero row for one no token weighs), with the
    owner's threshold and margin, widened for the lite path's coarser cosines."""
    dims = lite.rows.shape[1]
    rows = [static_vector(ids, lite) for ids in per_question]
    vectors = np.array([np.zeros(dims, np.float32) if r is None else r for r in rows], dtype=np.float32)
    return LiteScope(vectors.reshape(len(rows), dims), threshold, margin + SCOPE_MARGIN_EXTRA)


def query_vectors_fast(per_question: Sequence[Sequence[int]], lite: LiteIndex) -> np.ndarray:
    """`query_vector` of many questions at once in numpy, for the build's "not found" calibration:
    the same vectors to rounding (the calibration keeps 4 decimals), without the browser's
    summation order. Questions whose tokens weigh nothing are left out."""
    w = lite.weights.astype(np.float64) * lite.weight_step * lite.row_scales.astype(np.float64)
    static = lite.rows.astype(np.float64) * w[:, None]
    mapping = lite.mapping.astype(np.float64) * lite.mapping_scales.astype(np.float64)[:, None]
    out = []
    for ids in per_question:
        ids = np.asarray(counted(ids, lite), dtype=np.int64)
        u = static[ids].sum(axis=0) @ mapping if len(ids) else np.zeros(mapping.shape[1])
        norm = np.linalg.norm(u)
        if norm > 0:
            out.append(u / norm)
    return np.asarray(out, dtype=np.float32).reshape(-1, mapping.shape[1])


def table_files(rows: np.ndarray, row_scales: np.ndarray, per_file: int = ROWS_PER_FILE) -> list[bytes]:
    """The table cut into files of `per_file` rows, each laid out like a vectors file."""
    return [
        quantise.to_bytes(rows[start : start + per_file], row_scales[start : start + per_file])
        for start in range(0, len(rows), per_file)
    ]
