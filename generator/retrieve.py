"""Hybrid retrieval over a bundle, in Python: the same maths as the browser engine.

Used by the benchmarks (and later `sitebot eval`); docs/bundle-format.md is the contract and
tests check this port ranks as the browser does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import quantise
from .lexical import BM25


@dataclass(frozen=True)
class Hit:
    chunk: int
    url: str
    title: str
    heading: str
    score: float
    dense: float | None
    lexical: float | None


class Retriever:
    """Loads a bundle folder and answers queries: `Retriever(path).search(q, qvec, k=5)`."""

    def __init__(self, bundle: Path, *, float_vectors: np.ndarray | None = None) -> None:
        self.root = Path(bundle)
        self.manifest = json.loads((self.root / "sitebot.json").read_text())
        files, m = self.manifest["files"], self.manifest
        self.params = m["retrieval"]
        meta = json.loads((self.root / files["chunks"]).read_text())
        self.pages, self.chunks = meta["pages"], meta["chunks"]
        lexical = json.loads((self.root / files["lexical"]).read_text())
        self.bm25 = BM25(lexical, k1=self.params["k1"], b=self.params["b"])
        n, dims = m["counts"]["chunks"], m["model"]["dims"]
        q, scales = quantise.from_bytes((self.root / files["vectors"]).read_bytes(), n, dims)
        # float_vectors lets a benchmark compare int8 with the unquantised vectors.
        self.vectors = float_vectors if float_vectors is not None else quantise.dequantise(q, scales)

    def url(self, i: int) -> str:
        page, anchor = self.chunks[i][0], self.chunks[i][1]
        base = self.pages[page]["url"]
        return f"{base}#{anchor}" if anchor else base

    def rank(self, query: str, qvec: np.ndarray | None, *, mode: str = "hybrid") -> tuple[list[tuple[int, float, float | None, float | None]], bool]:
        """Ranked (chunk, score, dense, lexical) and whether the answer is "not found"."""
        p = self.params
        cand = p["candidates"]
        lex_scores = self.bm25.scores(query) if mode in ("hybrid", "lexical") else {}
        lex_list = sorted(lex_scores.items(), key=lambda kv: (-kv[1], kv[0]))[:cand]
        dense_all = None
        dense_list: list[tuple[int, float]] = []
        if qvec is not None and mode in ("hybrid", "dense"):
            dense_all = self.vectors @ qvec.astype(np.float32)
            order = np.lexsort((np.arange(len(dense_all)), -dense_all))[:cand]
            dense_list = [(int(i), float(dense_all[i])) for i in order]
        weight = [c[3] for c in self.chunks]
        fused: dict[int, float] = {}
        if dense_list and lex_list:
            for r, (i, _) in enumerate(dense_list, 1):
                fused[i] = fused.get(i, 0.0) + p["w_dense"] / (p["rrf_k"] + r)
            for r, (i, _) in enumerate(lex_list, 1):
                fused[i] = fused.get(i, 0.0) + p["w_lexical"] / (p["rrf_k"] + r)
        elif dense_list:
            fused = {i: s for i, s in dense_list}
        else:
            fused = {i: s for i, s in lex_list}
        ranked = sorted(((i, s * weight[i]) for i, s in fused.items()), key=lambda t: (-t[1], t[0]))
        if dense_all is not None:
            not_found = float(dense_all.max(initial=-1.0)) < p["min_dense"]
        else:
            not_found = not lex_list
        out = [
            (i, s, float(dense_all[i]) if dense_all is not None else None, lex_scores.get(i))
            for i, s in ranked
        ]
        return out, not_found

    def search(self, query: str, qvec: np.ndarray | None, *, k: int = 5, mode: str = "hybrid") -> list[Hit]:
        ranked, _ = self.rank(query, qvec, mode=mode)
        hits = []
        for i, s, d, lx in ranked[:k]:
            page = self.pages[self.chunks[i][0]]
            hits.append(Hit(i, self.url(i), page["title"], self.chunks[i][2], s, d, lx))
        return hits
