"""The partitioned dense index: k-means lists, one content-addressed file per list (IVF).

docs/bundle-format.md "Partitioned vectors" is the contract. A question scores the centroids,
then only the rows of its `nprobe` nearest lists, so the bytes it fetches do not grow with
the site. Generic over the vector space: `write_partitions` takes any matrix (float, or int8
codes with their scales) and a file-name stem, so another space (a smaller query encoder's)
is partitioned by the same code, and `Partitions.open` reads whichever manifest entry names it.

    entry = write_partitions(writer.add, "vectors", codes, scales)   # → manifest files.vectors
    parts = Partitions.open(bundle_folder, manifest["files"]["vectors"])
    ids, scores = parts.probe(query_vector, nprobe=8)

With `groups`, the centroids are themselves grouped (k-means over the centroids): the file a
path opens with holds the groups' centroids, and a question fetches the centroids of its
`probe` nearest groups, then its lists among theirs. The centroids file would otherwise grow
with the site (a thousand lists on a 100,000-chunk site: 130 KB before the first answer); two
levels cost one more round trip and about √lists centroids each.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import quantise
from .kmeans import list_count, spherical_kmeans

Add = Callable[[str, bytes], str]  # BundleWriter.add: (name, data) → content-addressed path


def list_bytes(ids: np.ndarray, codes: np.ndarray, scales: np.ndarray) -> bytes:
    """One list file: `count` uint32 chunk ids (ascending), then its rows in the vectors layout."""
    return np.asarray(ids, dtype="<u4").tobytes() + quantise.to_bytes(codes, scales)


def read_list(data: bytes, count: int, dims: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ids, int8 codes, scales) of a list file."""
    ids = np.frombuffer(data, dtype="<u4", count=count).astype(np.int64)
    codes, scales = quantise.from_bytes(data[4 * count :], count, dims)
    return ids, codes, scales


def _as_codes(matrix: np.ndarray, scales: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    if np.asarray(matrix).dtype == np.int8:
        if scales is None:
            raise ValueError("int8 codes need their per-row scales")
        return np.asarray(matrix), np.asarray(scales, dtype=np.float32)
    return quantise.quantise(np.asarray(matrix, dtype=np.float32))


def partition(
    matrix: np.ndarray, scales: np.ndarray | None = None, *, lists: int | None = None, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(codes, scales, labels, centroid vectors) for a float matrix or int8 codes + scales.

    k-means runs on the vectors the browser scores (the dequantised codes); `lists` defaults
    to `kmeans.list_count(n)`. A centroid is its list's normalised mean after the final,
    size-capped assignment.
    """
    codes, sc = _as_codes(matrix, scales)
    n, dims = codes.shape if codes.ndim == 2 else (0, 0)
    if n == 0:
        return codes, sc, np.zeros(0, dtype=np.int64), np.zeros((0, dims), dtype=np.float64)
    x = quantise.dequantise(codes, sc).astype(np.float64)
    labels = spherical_kmeans(x, lists or list_count(n), seed=seed)
    cents = np.zeros((int(labels.max()) + 1, dims))
    np.add.at(cents, labels, x)
    norm = np.linalg.norm(cents, axis=1, keepdims=True)
    return codes, sc, labels, cents / np.where(norm > 0, norm, 1.0)


@dataclass(frozen=True)
class Grouping:
    """The lists renumbered so each group's are consecutive (by group, then by old number)."""

    cents: np.ndarray  # the lists' centroids in the new order
    labels: np.ndarray  # each row's list, in the new numbers
    ranges: list[tuple[int, int]]  # each group's (first list, lists)
    centres: np.ndarray  # each group's centroid: the normalised mean of its lists'


def group_lists(cents: np.ndarray, labels: np.ndarray, groups: int, *, seed: int = 0) -> Grouping:
    """Group the lists of centroids `cents` (rows' lists `labels`) into `groups` by spherical k-means."""
    of = spherical_kmeans(cents, groups, seed=seed)
    order = np.lexsort((np.arange(len(cents)), of))
    g = of[order]
    centres = np.zeros((int(g.max()) + 1, cents.shape[1]))
    np.add.at(centres, g, cents[order])
    norm = np.linalg.norm(centres, axis=1, keepdims=True)
    firsts = np.searchsorted(g, np.arange(len(centres)))
    ranges = [(int(a), int(b - a)) for a, b in zip(firsts, [*firsts[1:], len(g)], strict=True)]
    # np.argsort(order) maps an old list number to its new one.
    return Grouping(cents[order], np.argsort(order)[labels], ranges, centres / np.where(norm > 0, norm, 1.0))


def write_partitions(
    add: Add,
    stem: str,
    matrix: np.ndarray,
    scales: np.ndarray | None = None,
    *,
    lists: int | None = None,
    seed: int = 0,
    groups: int | None = None,
    group_probe: int = 4,
) -> dict[str, Any]:
    """Write the centroids, the list table and one file per list; returns the manifest entry.

    Files: `index/<stem>-centroids.<h>.bin` (centroids in the vectors layout),
    `index/<stem>-lists.<h>.json` ({"dims", "count", "lists": [[file, rows], …]}) and
    `index/<stem>/list.<h>.bin` per list. The entry: {"centroids", "lists", "dims", "count"}.
    With `groups` (fewer than the lists), the centroids file holds the groups' centroids, each
    group's lists' centroids are in `index/<stem>/centroids.<h>.bin`, and the table adds
    "groups": {"probe": group_probe, "files": [[file, first list, lists], …]}.
    """
    codes, sc, labels, cents = partition(matrix, scales, lists=lists, seed=seed)
    n, dims = len(codes), (codes.shape[1] if codes.ndim == 2 else 0)
    top = cents
    group_table: dict[str, Any] | None = None
    if groups and 1 < groups < len(cents):
        grouping = group_lists(cents, labels, groups, seed=seed)
        cents, labels, top = grouping.cents, grouping.labels, grouping.centres
        files = []
        for first, count in grouping.ranges:
            data = quantise.to_bytes(*quantise.quantise(cents[first : first + count]))
            files.append([add(f"index/{stem}/centroids.bin", data), first, count])
        group_table = {"probe": group_probe, "files": files}
    table = []
    for c in range(len(cents)):
        ids = np.flatnonzero(labels == c)
        table.append([add(f"index/{stem}/list.bin", list_bytes(ids, codes[ids], sc[ids])), len(ids)])
    doc: dict[str, Any] = {"dims": dims, "count": n, "lists": table}
    if group_table:
        doc["groups"] = group_table
    return {
        "centroids": add(f"index/{stem}-centroids.bin", quantise.to_bytes(*quantise.quantise(top))),
        "lists": add(f"index/{stem}-lists.json", json.dumps(doc, separators=(",", ":")).encode()),
        "dims": dims,
        "count": n,
    }


def top_ids(scores: np.ndarray, ids: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k best scores, score desc then id asc (the browser's topK order)."""
    order = np.lexsort((ids, -scores))
    return order[:k]


@dataclass
class Partitions:
    """A partitioned dense index read back: the centroids and the lists, loaded on first probe."""

    dims: int
    count: int
    centroid_codes: np.ndarray
    centroid_scales: np.ndarray
    sizes: list[int]
    files: list[str] = field(default_factory=list)
    loader: Callable[[int], tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None
    _lists: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=dict)
    # Two levels (write_partitions' `groups`): the centroid codes above are the groups'; each
    # group is (first list, lists), its lists' centroids loaded on first probe.
    groups: list[tuple[int, int]] = field(default_factory=list)
    group_probe: int = 0
    group_files: list[str] = field(default_factory=list)
    group_loader: Callable[[int], tuple[np.ndarray, np.ndarray]] | None = None
    _groups: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    @classmethod
    def open(cls, root: Path, entry: dict[str, Any]) -> Partitions:
        doc = json.loads((Path(root) / entry["lists"]).read_text())
        grouped = doc.get("groups")
        dims, k = int(doc["dims"]), len(grouped["files"]) if grouped else len(doc["lists"])
        cc, cs = quantise.from_bytes((Path(root) / entry["centroids"]).read_bytes(), k, dims)
        files = [f for f, _ in doc["lists"]]
        sizes = [int(c) for _, c in doc["lists"]]
        parts = cls(dims, int(doc["count"]), cc, cs, sizes, files)
        parts.loader = lambda i: read_list((Path(root) / files[i]).read_bytes(), sizes[i], dims)
        if grouped:
            parts.groups = [(int(first), int(count)) for _, first, count in grouped["files"]]
            parts.group_probe = int(grouped["probe"])
            parts.group_files = [f for f, _, _ in grouped["files"]]
            parts.group_loader = lambda g: quantise.from_bytes(
                (Path(root) / parts.group_files[g]).read_bytes(), parts.groups[g][1], dims
            )
        return parts

    @classmethod
    def from_arrays(
        cls,
        codes: np.ndarray,
        scales: np.ndarray,
        labels: np.ndarray,
        cents: np.ndarray,
        groups: int | None = None,
        group_probe: int = 4,
    ) -> Partitions:
        """In memory, as `write_partitions` would write them (benchmarks try other list counts)."""
        grouping = group_lists(cents, labels, groups) if groups and 1 < groups < len(cents) else None
        if grouping is not None:
            cents, labels = grouping.cents, grouping.labels
        members = [np.flatnonzero(labels == c) for c in range(len(cents))]
        cc, cs = quantise.quantise(cents if grouping is None else grouping.centres)
        parts = cls(codes.shape[1], len(codes), cc, cs, [len(m) for m in members])
        parts._lists = {c: (m, codes[m], scales[m]) for c, m in enumerate(members)}
        if grouping is not None:
            parts.groups = grouping.ranges
            parts._groups = {g: quantise.quantise(cents[a : a + n]) for g, (a, n) in enumerate(grouping.ranges)}
            parts.group_probe = group_probe
        return parts

    @property
    def lists(self) -> int:
        return len(self.sizes)

    def list_rows(self, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if i not in self._lists:
            assert self.loader is not None
            self._lists[i] = self.loader(i)
        return self._lists[i]

    def group_centroids(self, g: int) -> tuple[np.ndarray, np.ndarray]:
        if g not in self._groups:
            assert self.group_loader is not None
            self._groups[g] = self.group_loader(g)
        return self._groups[g]

    def nearest_lists(self, q: np.ndarray, nprobe: int) -> np.ndarray:
        """The `nprobe` lists whose centroids score best for q (score desc, list asc). With
        groups, among the lists of the `group_probe` groups whose centroids score best."""
        s = self.centroid_scales.astype(np.float64) * (self.centroid_codes.astype(np.float64) @ q)
        if not self.groups:
            return top_ids(s, np.arange(len(s)), nprobe)
        chosen = sorted(int(g) for g in top_ids(s, np.arange(len(s)), self.group_probe))
        ids, scores = [], []
        for g in chosen:  # by first list ascending, as the browser concatenates them
            first, count = self.groups[g]
            codes, scales = self.group_centroids(g)
            ids.append(np.arange(first, first + count))
            scores.append(scales.astype(np.float64) * (codes.astype(np.float64) @ q))
        lists, all_scores = np.concatenate(ids), np.concatenate(scores)
        return lists[top_ids(all_scores, lists, nprobe)]

    def probe(self, qvec: np.ndarray, nprobe: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(chunk ids, dense scores in float64) of every row of the probed lists, ids ascending.

        `nprobe` None or ≥ the list count scores every row (the exhaustive search).
        """
        q = np.asarray(qvec, dtype=np.float64)
        chosen = range(self.lists) if not nprobe or nprobe >= self.lists else self.nearest_lists(q, nprobe)
        ids, scores = [], []
        for i in chosen:
            li, lc, ls = self.list_rows(int(i))
            ids.append(li)
            scores.append(ls.astype(np.float64) * (lc.astype(np.float64) @ q))
        if not ids:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        all_ids, all_scores = np.concatenate(ids), np.concatenate(scores)
        order = np.argsort(all_ids, kind="stable")
        return all_ids[order], all_scores[order]

    def matrix(self) -> tuple[np.ndarray, np.ndarray]:
        """All rows as (codes, scales) in chunk order (calibration, benchmarks)."""
        codes = np.zeros((self.count, self.dims), dtype=np.int8)
        scales = np.zeros(self.count, dtype=np.float32)
        for i in range(self.lists):
            li, lc, ls = self.list_rows(i)
            codes[li], scales[li] = lc, ls
        return codes, scales


def entry_files(root: Path, entry: dict[str, Any]) -> list[str]:
    """Every file of a partitioned index: its centroids, its list table and the lists it names."""
    doc = json.loads((Path(root) / entry["lists"]).read_text())
    groups = [f for f, _, _ in doc["groups"]["files"]] if doc.get("groups") else []
    return [entry["centroids"], entry["lists"], *groups, *(f for f, _ in doc["lists"])]
