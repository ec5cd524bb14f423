"""Hybrid retrieval over a bundle, in Python: the same maths as the browser engine.

Used by the benchmarks (and later `sitebot eval`); docs/bundle-format.md is the contract and
tests check this port ranks as the browser does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .bundle.format import read_manifest
from .errors import BundleError
from .index import lite, notfound, partition, quantise, vocab
from .index.lexical import BM25
from .index.lists import Partitions, top_ids


@dataclass(frozen=True)
class LiteTable:
    """A bundle's lite path, read back: the index in the files' row order, and each model token
    id's row (the vocabulary file's order, index/vocab.py), so questions tokenised here with the
    model's tokenizer give the rows the browser's tokenizer gives."""

    index: lite.LiteIndex
    row_of: dict[int, int]
    tokenizer: Any
    max_tokens: int

    @classmethod
    def read(cls, root: Path, manifest: dict[str, Any]) -> LiteTable:
        from tokenizers import Tokenizer

        section, model = manifest["lite"], manifest["model"]
        dims, tokens = section["dims"], section["tokens"]
        parts = [
            quantise.from_bytes(data, len(data) // (dims + 4), dims)
            for data in ((root / f"{tokens['folder']}{i}.bin").read_bytes() for i in range(tokens["files"]))
        ]
        rows = np.concatenate([p[0] for p in parts])
        row_scales = np.concatenate([p[1] for p in parts])
        mapping, mapping_scales = quantise.from_bytes((root / section["map"]).read_bytes(), dims, dims)
        weights = np.frombuffer((root / section["weights"]).read_bytes(), dtype=np.uint8)
        index = lite.LiteIndex(
            rows,
            row_scales,
            weights,
            section["weight_step"],
            mapping,
            mapping_scales,
            rows[:0],
            row_scales[:0],
            section.get("question_tokens"),
        )
        tokenizer_json = (root / model["files"]["tokenizer"]).read_bytes()
        order = vocab.build(tokenizer_json, order=section["tokenizer"].get("order", "id"))
        if order is None:
            raise BundleError(f"{root}'s lite path has a tokenizer this sitebot cannot read; rebuild it")
        tokenizer = Tokenizer.from_str(tokenizer_json.decode())
        tokenizer.no_padding()
        tokenizer.no_truncation()
        row_of = {model_id: row for row, model_id in enumerate(order.ids)}
        max_tokens = model.get("query_max_tokens") or model.get("max_tokens") or 128
        return cls(index, row_of, tokenizer, max_tokens)

    def rows(self, texts: list[str]) -> list[list[int]]:
        """Each text's token rows, as the browser's tokenizer gives them (-1: not in the vocabulary file)."""
        out = []
        for enc in self.tokenizer.encode_batch(list(texts)):
            ids = enc.ids
            if len(ids) > self.max_tokens:  # HF's truncation: the first max-1 ids, then the closing token
                ids = ids[: self.max_tokens - 1] + ids[-1:]
            out.append([self.row_of.get(i, -1) for i in ids])
        return out

    def vectors(self, texts: list[str]) -> list[np.ndarray | None]:
        """Each question's lite vector (None: no token weighs anything), as the browser computes it."""
        return [lite.query_vector(rows, self.index) for rows in self.rows(texts)]

    def static_vectors(self, texts: list[str]) -> list[np.ndarray | None]:
        """Each question's vector for the scope rules on the lite path (lite.static_vector)."""
        return [lite.static_vector(rows, self.index) for rows in self.rows(texts)]


@dataclass(frozen=True)
class Hit:
    chunk: int
    url: str
    title: str
    heading: str
    score: float
    dense: float | None
    lexical: float | None


PATHS = ("full", "lite")  # the browser's query paths (docs/bundle-format.md "Lite path")


class Retriever:
    """Loads a bundle folder and answers queries: `Retriever(path).search(q, qvec, k=5)`.

    `path="lite"` ranks as the browser's lite path: the lite vectors, the lite path's weights
    and "not found" rule, and query vectors from `lite_vectors` instead of the model.
    """

    def __init__(self, bundle: Path, *, float_vectors: np.ndarray | None = None, path: str = "full") -> None:
        self.root = Path(bundle)
        self.manifest = read_manifest(self.root)  # a folder that is not a bundle: one BundleError sentence
        files, m = self.manifest["files"], self.manifest
        self.params = m["retrieval"]
        # The browser fetches parts of these as questions need them; a port reads them all.
        chunk_meta = json.loads((self.root / files["chunks"]).read_text())
        self.pages, self.chunks = partition.read_chunks(self.root, chunk_meta)
        lexical = partition.read_lexical(self.root, json.loads((self.root / files["lexical"]).read_text()))
        self.bm25 = BM25(lexical, k1=self.params["k1"], b=self.params["b"])
        # The dense index: k-means lists, of which a question scores only the nprobe nearest.
        self.dense = Partitions.open(self.root, files["vectors"])
        # float_vectors lets a benchmark compare int8 with the unquantised vectors (scored exhaustively).
        self.float_vectors = float_vectors
        self._words: frozenset[str] | None = None
        self.path = path
        self.lite: LiteTable | None = None
        if path == "lite":
            section = m.get("lite")
            if not isinstance(section, dict):
                raise BundleError(
                    f'{self.root} has no lite path (built with bot.model = "full", or its model\'s tokenizer is not '
                    "WordPiece); rebuild it with `sitebot generate`, or evaluate --path full"
                )
            self.params = {**self.params, **section["retrieval"]}
            self.dense = Partitions.open(self.root, section["vectors"])  # the lite chunk vectors' lists
            self.lite = LiteTable.read(self.root, m)
        elif path != "full":
            raise BundleError(f"unknown query path {path!r}; use one of {', '.join(PATHS)}")

    @property
    def codes(self) -> np.ndarray:
        """All chunks' int8 codes in chunk order (calibration and benchmarks; the ranking probes lists)."""
        return self.dense.matrix()[0]

    @property
    def scales(self) -> np.ndarray:
        return self.dense.matrix()[1]

    @property
    def words(self) -> frozenset[str]:
        """The everyday words of the bundle's model vocabulary (read on first use)."""
        if self._words is None:
            tokenizer = json.loads((self.root / self.manifest["model"]["files"]["tokenizer"]).read_text())
            self._words = notfound.vocabulary(tokenizer)
        return self._words

    def dense_scores(self, qvec: np.ndarray) -> np.ndarray:
        """Dense scores of all chunks (exhaustive), in float64 like the browser (fewer ties than float32)."""
        q = np.asarray(qvec, dtype=np.float64)
        if self.float_vectors is not None:
            return self.float_vectors.astype(np.float64) @ q
        ids, scores = self.dense.probe(q)
        out = np.empty(self.dense.count)
        out[ids] = scores
        return out

    def dense_probe(self, qvec: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(ids, scores) of the chunks the browser scores: the rows of the `nprobe` nearest lists."""
        if self.float_vectors is not None:
            return np.arange(len(self.float_vectors)), self.dense_scores(qvec)
        return self.dense.probe(qvec, self.params.get("nprobe"))

    def url(self, i: int) -> str:
        page, anchor = self.chunks[i][0], self.chunks[i][1]
        base = self.pages[page]["url"]
        return f"{base}#{anchor}" if anchor else base

    def rank(
        self, query: str, qvec: np.ndarray | None, *, mode: str = "hybrid"
    ) -> tuple[list[tuple[int, float, float | None, float | None]], bool]:
        """Ranked (chunk, score, dense, lexical) and whether the answer is "not found".

        `mode` is "hybrid" (the browser's), or "dense" / "lexical" alone for benchmarks.
        """
        p = self.params
        cand = p["candidates"]
        lex_scores = self.bm25.scores(query) if mode in ("hybrid", "lexical") else {}
        lex_list = sorted(lex_scores.items(), key=lambda kv: (-kv[1], kv[0]))[:cand]
        dense_all: dict[int, float] | None = None  # the probed chunks' scores; the others are not scored
        dense_list: list[tuple[int, float]] = []
        if qvec is not None and mode in ("hybrid", "dense") and query.strip():
            ids, scored = self.dense_probe(qvec)
            dense_list = [(int(ids[j]), float(scored[j])) for j in top_ids(scored, ids, cand)]
            dense_all = dict(zip(ids.tolist(), scored.tolist(), strict=True))
        weight = [c[3] for c in self.chunks]
        fused: dict[int, float] = {}
        both = bool(dense_list and lex_list)
        if not dense_list:
            fused = dict(lex_list)
        elif not lex_list:
            fused = dict(dense_list)
        elif p.get("fusion") == "rrf":
            for r, (i, _) in enumerate(dense_list, 1):
                fused[i] = p["w_dense"] / (p["rrf_k"] + r)
            for r, (i, _) in enumerate(lex_list, 1):
                fused[i] = fused.get(i, 0.0) + p["w_lexical"] / (p["rrf_k"] + r)
        else:
            w_dense, w_lex = p["w_dense"], p["w_lexical"]
            if p.get("fusion") == "adaptive":
                # BM25 leads as far as its best chunk holds the question's terms (an identifier
                # it matches exactly); the vectors lead when it matches only some common words.
                cover = self.bm25.coverage(query, lex_list[0][0])
                w_lex = p["w_lexical_min"] + (p["w_lexical_max"] - p["w_lexical_min"]) * cover
                w_dense = 1 - w_lex
            # Convex fusion of min-max normalised scores over the candidates.
            top_d, low_d = dense_list[0][1], dense_list[-1][1]
            span = (top_d - low_d) or 1.0
            top_l = lex_list[0][1]
            ids = [i for i, _ in dense_list] + [i for i, _ in lex_list if i not in dict(dense_list)]
            for i in ids:
                # A lexical candidate outside the probed lists has no dense score: it counts as the
                # last dense candidate's (normalised 0), as one scored below it would.
                d = max(0.0, (dense_all.get(i, low_d) - low_d) / span)  # type: ignore[union-attr]
                fused[i] = w_dense * d + w_lex * (lex_scores.get(i, 0.0) / top_l)
        scores = {i: s * weight[i] for i, s in fused.items()}
        if both and p.get("page_bonus"):
            scores = self._page_bonus(scores, p["page_bonus"])
        ranked = sorted(scores.items(), key=lambda t: (-t[1], t[0]))
        if dense_all is not None:
            unknown = 0.0
            if p.get("not_found"):  # only a calibrated bundle weighs the question's unknown terms
                terms = self.bm25.query_terms(query)
                unknown = notfound.unknown_share(terms, self.bm25, self.words)
            # The best cosine among the probed chunks (the nearest lists hold the nearest chunks).
            not_found = notfound.not_found(dense_list[0][1] if dense_list else -1.0, unknown, p)
        else:
            not_found = not lex_list
        out = [(i, s, dense_all.get(i) if dense_all is not None else None, lex_scores.get(i)) for i, s in ranked]
        return out, not_found

    def _page_bonus(self, scores: dict[int, float], alpha: float) -> dict[int, float]:
        """Each chunk gains alpha·(its page's 2nd best score) + alpha²·(3rd best): a page with
        several good chunks moves up, and a page's own chunks keep their order."""
        by_page: dict[int, list[float]] = {}
        for i, s in scores.items():
            by_page.setdefault(self.chunks[i][0], []).append(s)
        bonus: dict[int, float] = {}
        for page, found in by_page.items():
            found.sort(reverse=True)
            b = 0.0
            if len(found) > 1:
                b += alpha * found[1]
            if len(found) > 2:
                b += alpha * alpha * found[2]
            bonus[page] = b
        return {i: s + bonus[self.chunks[i][0]] for i, s in scores.items()}

    def search(self, query: str, qvec: np.ndarray | None, *, k: int = 5, mode: str = "hybrid") -> list[Hit]:
        ranked, _ = self.rank(query, qvec, mode=mode)
        hits = []
        for i, s, d, lx in ranked[:k]:
            page = self.pages[self.chunks[i][0]]
            hits.append(Hit(i, self.url(i), page["title"], self.chunks[i][2], s, d, lx))
        return hits
