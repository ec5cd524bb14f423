"""The lite query path: a question's vector without running the model in the browser.

At build time every token of the model's vocabulary is run through the model once, alone
("[CLS] token [SEP]"); its output at the token is that token's static vector. A question's
lite vector is then a weighted sum of its tokens' rows in a table, and the browser fetches
only those rows (docs/bundle-format.md, "Lite path").

A sum of static vectors sits in another space than the model's sentence vectors of the
chunks, so the table is fitted to this site: the chunks' own static sums are mapped by ridge
regression onto their model vectors, reduced by PCA to `DIMS` dimensions. The mapping is
linear, so it is folded into the rows: a row is idf(token) · (static vector · map), and
the question's vector is the plain sum of its rows, normalised. The chunks' lite vectors
are their model vectors in the same PCA space. Measured on two docs sites (bench/lite.py),
this ranked better than static vectors on both sides, at 128 dims as well as at 384.

    raw = token_outputs(model, cache_dir)                 # (vocab, model dims), cached per model
    lite = build(raw, chunk_ids, vectors, special=model_special_ids(model))
    q = query_vector(ids, lite.rows, lite.row_scales)      # the browser's sum, in Python
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
ROWS_PER_FILE = 16  # token rows per table file: ~2 KB, so a question of 12 tokens fetches ~25 KB
RIDGE = 0.1  # of the map's regression, on unit-length static sums
BATCH = 1024  # tokens per model run when building the table; chunks per batch when summing rows
METHOD = "static-tokens-ridge-pca-1"


@dataclass(frozen=True)
class LiteIndex:
    rows: np.ndarray  # (vocab, DIMS) int8: idf-weighted, mapped token rows
    row_scales: np.ndarray  # (vocab,) float32; 0 for a token that adds nothing (special tokens)
    codes: np.ndarray  # (chunks, DIMS) int8: the chunks' lite vectors
    scales: np.ndarray  # (chunks,) float32


@dataclass(frozen=True)
class LitePath:
    """What the bundle writer needs for the lite path: the index, the vocabulary file
    (index/vocab.py LiteVocab, whose row order the table's files follow) and the path's own
    calibrated "not found" rule (index/notfound.py)."""

    index: LiteIndex
    vocab: Any
    not_found: dict[str, Any]


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
    happens to orient a singular vector.
    """
    centred = x - x.mean(axis=0)
    _, _, vt = np.linalg.svd(centred.astype(np.float64), full_matrices=False)
    basis = vt[:k].T
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
    raw: np.ndarray,
    chunk_ids: Sequence[np.ndarray],
    vectors: np.ndarray,
    *,
    special: Sequence[int] = (),
    dims: int = DIMS,
) -> LiteIndex:
    """The token table and chunk vectors of the lite path for one site.

    `raw` is `token_outputs`, `chunk_ids` each chunk's token ids as embedded (special tokens
    may be included: their rows are zero), `vectors` the chunks' model vectors (float).
    """
    vocab = raw.shape[0]
    dims = min(dims, raw.shape[1])
    static = (raw - raw.mean(axis=0)) @ _basis(raw, dims)  # token vectors, reduced
    weights = idf(chunk_ids, vocab)
    weights[list(special)] = 0.0
    x = _unit(_sums(chunk_ids, weights[:, None] * static))  # the chunks' static sums
    vectors = np.asarray(vectors, dtype=np.float64)
    y = _unit(vectors @ _basis(vectors, dims)) if len(vectors) else np.zeros((0, dims))
    # Ridge map x → y; folded into the rows, since a question's vector is a sum of rows.
    mapping = np.linalg.solve(x.T @ x + RIDGE * np.eye(dims), x.T @ y)
    rows, row_scales = quantise.quantise((weights[:, None] * (static @ mapping)).astype(np.float32))
    row_scales = np.where(weights > 0, row_scales, 0.0).astype(np.float32)
    codes, scales = quantise.quantise(y.astype(np.float32))
    return LiteIndex(rows, row_scales, codes, scales)


def query_vector(ids: Sequence[int], rows: np.ndarray, row_scales: np.ndarray) -> np.ndarray | None:
    """A question's lite vector as the browser computes it (runtime_js/src/engine/lite.js).

    The rows are summed in float64 in token order, the length summed dimension by dimension,
    and the result rounded to float32, so the two sides agree to the bit. None when no token
    carries weight (the question is then answered by keywords alone).
    """
    v = np.zeros(rows.shape[1], dtype=np.float64)
    for t in ids:
        if 0 <= t < len(rows) and row_scales[t] != 0:
            v += float(row_scales[t]) * rows[t].astype(np.float64)
    norm = 0.0
    for x in v.tolist():
        norm += x * x
    if norm == 0:
        return None
    return (v / math.sqrt(norm)).astype(np.float32)


def table_files(rows: np.ndarray, row_scales: np.ndarray, per_file: int = ROWS_PER_FILE) -> list[bytes]:
    """The table cut into files of `per_file` rows, each laid out like a vectors file."""
    return [
        quantise.to_bytes(rows[start : start + per_file], row_scales[start : start + per_file])
        for start in range(0, len(rows), per_file)
    ]
