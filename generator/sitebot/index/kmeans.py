"""Spherical k-means for the partitioned dense index (index/partition.py).

Deterministic: k-means++ seeding from a seeded generator, a fixed number of rounds, float64
throughout and ties broken by the lower index, so the same vectors give the same lists and
therefore the same bundle bytes.
"""

from __future__ import annotations

import math

import numpy as np

ROUNDS = 12  # Lloyd rounds; the lists barely move after ~8 on the docs sites measured (bench/ivf.py)
BALANCE = 2.0  # a list holds at most this many times the mean list size (bytes per probe stay bounded)
PREFERENCES = 8  # how many nearest centroids a row may fall back to when its best one is full
MIN_CHUNKS = 2048  # below this a bundle keeps one list: the whole index is a few hundred KB anyway
LIST_ROWS = 150  # rows a list holds on average: ~59 KB at 384 dims, whatever the site's size


def list_count(n: int, rows: int = LIST_ROWS, min_chunks: int = MIN_CHUNKS) -> int:
    """How many lists for n rows: one below `min_chunks`, else lists of ~`rows` rows.

    A fixed list size keeps the bytes of a question (nprobe lists) from growing with the site;
    the centroids file grows instead, at 1/rows of the index. On PostgreSQL's and
    SQLAlchemy's manuals (22–24k chunks) lists of ~75 to ~300 rows found the same share of the
    exhaustive candidates per byte fetched within a few points (bench/ivf.py).
    """
    return 1 if n < min_chunks else max(1, round(n / rows))


def _unit(x: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norm > 0, norm, 1.0)


def _seed(x: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ for cosine: each next centre drawn with probability ∝ (1 − best cosine)²."""
    n = len(x)
    chosen = [int(rng.integers(n))]
    best = x @ x[chosen[0]]
    for _ in range(1, k):
        d = np.maximum(0.0, 1.0 - best) ** 2
        total = d.sum()
        pick = int(rng.integers(n)) if total <= 0 else int(np.searchsorted(np.cumsum(d), rng.random() * total))
        pick = min(pick, n - 1)
        chosen.append(pick)
        best = np.maximum(best, x @ x[pick])
    return x[chosen].copy()


def _assign(x: np.ndarray, centres: np.ndarray, cap: int | None) -> np.ndarray:
    """Each row's list: its nearest centre, or with a cap the nearest of its first PREFERENCES with room.

    With a cap, rows are placed most confident first (highest cosine to their best centre), so
    a full list turns away the rows that sit on its border, which fit the next list about as well.
    """
    sims = x @ centres.T
    if cap is None or len(centres) == 1:
        return np.argmax(sims, axis=1)
    p = min(PREFERENCES, len(centres))
    prefs = np.argsort(-sims, axis=1, kind="stable")[:, :p]
    order = np.argsort(-sims[np.arange(len(x)), prefs[:, 0]], kind="stable")
    room = np.full(len(centres), cap)
    out = np.empty(len(x), dtype=np.int64)
    for i in order:
        for c in prefs[i]:
            if room[c] > 0:
                break
        else:
            c = prefs[i, 0]  # every near list is full: overflow the nearest rather than go far
        out[i] = c
        room[c] -= 1
    return out


def spherical_kmeans(vectors: np.ndarray, k: int, *, seed: int = 0, rounds: int = ROUNDS) -> np.ndarray:
    """The list of each row (int array of len(vectors)), lists numbered 0..k-1, none empty.

    Rows are compared by cosine; centres are the normalised means of their rows. The last
    assignment caps each list at BALANCE × the mean size.
    """
    x = _unit(np.asarray(vectors, dtype=np.float64))
    n = len(x)
    k = max(1, min(k, n))
    if k == 1:
        return np.zeros(n, dtype=np.int64)
    rng = np.random.default_rng(seed)
    centres = _seed(x, k, rng)
    labels = np.zeros(n, dtype=np.int64)
    for _ in range(rounds):
        labels = np.argmax(x @ centres.T, axis=1)
        centres = _centres(x, labels, centres)
    labels = _assign(x, centres, math.ceil(BALANCE * n / k))
    return _renumber(labels)


def _centres(x: np.ndarray, labels: np.ndarray, old: np.ndarray) -> np.ndarray:
    sums = np.zeros_like(old)
    np.add.at(sums, labels, x)
    empty = ~np.any(sums, axis=1)
    sums[empty] = old[empty]  # an emptied list keeps its centre (it may win rows back)
    return _unit(sums)


def _renumber(labels: np.ndarray) -> np.ndarray:
    """Drop empty lists and number the rest by their first row, so the numbering is stable."""
    _, first = np.unique(labels, return_index=True)
    order = np.argsort(first, kind="stable")
    remap = np.empty(labels.max() + 1, dtype=np.int64)
    remap[np.unique(labels)[order]] = np.arange(len(order))
    return remap[labels]
