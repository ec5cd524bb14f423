"""Embed texts with the sentence model: length-grouped batches, mean pooling, L2 norm, a cache.

Batches hold texts of exactly the same token length, so there is no padding at all: no
wasted compute, and each text's vector does not depend on which texts it was batched with
(which keeps rebuilds byte-identical whether a vector came from the cache or not).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..cachefile import is_corrupt, open_cache, set_aside
from .model import LoadedModel

if TYPE_CHECKING:
    from .endpoint import EndpointEmbedder

Progress = Callable[[int], None]
CACHE_SLICE = 2048


def token_ids(model: LoadedModel, texts: Sequence[str], *, max_tokens: int) -> list[list[int]]:
    """Token ids with [CLS]/[SEP], truncated like HF tokenizers do: first max-1 ids, then [SEP]."""
    out = []
    for enc in model.tokenizer.encode_batch(list(texts)):
        ids = enc.ids
        if len(ids) > max_tokens:
            ids = ids[: max_tokens - 1] + [model.sep_id]
        out.append(ids)
    return out


def count_tokens(model: LoadedModel, texts: Sequence[str]) -> list[int]:
    """Token counts without the two special tokens (what a chunk's text costs)."""
    return [len(e.ids) - 2 for e in model.tokenizer.encode_batch(list(texts))]


def embed_ids(
    model: LoadedModel, ids: Sequence[Sequence[int]], *, batch_tokens: int = 4096, progress: Progress | None = None
) -> np.ndarray:
    """Vectors (float32, L2-normalised) for pre-tokenised texts."""
    result = np.zeros((len(ids), model.dims), dtype=np.float32)
    by_len: dict[int, list[int]] = defaultdict(list)
    for i, seq in enumerate(ids):
        by_len[len(seq)].append(i)
    for length in sorted(by_len):
        members = by_len[length]
        size = max(1, batch_tokens // length)
        for start in range(0, len(members), size):
            rows = members[start : start + size]
            input_ids = np.array([ids[r] for r in rows], dtype=np.int64)
            feed = {"input_ids": input_ids, "attention_mask": np.ones_like(input_ids)}
            if "token_type_ids" in model.inputs:
                feed["token_type_ids"] = np.zeros_like(input_ids)
            hidden = model.session.run([model.output], feed)[0]
            pooled = hidden.mean(axis=1)  # no padding, so the mask is all ones
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            result[rows] = pooled / np.maximum(norms, 1e-12)
            if progress:
                progress(len(rows))
    return result


def embed_texts(model: LoadedModel, texts: Sequence[str], *, max_tokens: int) -> np.ndarray:
    return embed_ids(model, token_ids(model, texts, max_tokens=max_tokens))


class EmbeddingCache:
    """Vectors kept between builds, keyed by (model sha256, max tokens, text hash).

    A corrupt cache file is moved aside and started afresh (cachefile.py), also when the
    damage only shows while reading or writing: then this build embeds what it cannot read.
    """

    SCHEMA = "CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB)"

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.db: sqlite3.Connection | None = open_cache(path, self.SCHEMA) if path is not None else None

    def _restart(self, e: sqlite3.Error) -> None:
        """Replace a cache found corrupt in use; any other database error is a bug and propagates."""
        if not is_corrupt(e) or self.db is None or self.path is None:
            raise e
        self.db.close()
        set_aside(self.path, e)
        self.db = open_cache(self.path, self.SCHEMA)

    @staticmethod
    def key(model_sha: str, max_tokens: int, text: str) -> str:
        return hashlib.sha256(f"{model_sha}\0{max_tokens}\0{text}".encode()).hexdigest()

    def get_many(self, keys: Sequence[str], dims: int) -> dict[str, np.ndarray]:
        try:
            return self._get_many(keys, dims)
        except sqlite3.DatabaseError as e:
            self._restart(e)
            return {}

    def _get_many(self, keys: Sequence[str], dims: int) -> dict[str, np.ndarray]:
        if self.db is None:
            return {}
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            q = f"SELECT key, vec FROM vectors WHERE key IN ({','.join('?' * len(part))})"
            for k, blob in self.db.execute(q, part):
                v = np.frombuffer(blob, dtype=np.float32)
                if v.shape[0] == dims:
                    found[k] = v
        return found

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        try:
            self._put_many(items)
        except sqlite3.DatabaseError as e:
            self._restart(e)
            self._put_many(items)

    def _put_many(self, items: dict[str, np.ndarray]) -> None:
        if self.db is None or not items:
            return
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                ((k, v.astype(np.float32).tobytes()) for k, v in items.items()),
            )

    def close(self) -> None:
        if self.db is not None:
            self.db.close()


def embed_with_cache(
    model: LoadedModel,
    texts: Sequence[str],
    *,
    max_tokens: int,
    cache: EmbeddingCache,
    progress: Progress | None = None,
    remote: EndpointEmbedder | None = None,
) -> tuple[np.ndarray, int]:
    """Vectors for `texts`, embedding only those not in the cache. Returns (vectors, embedded).

    With `remote`, what is not cached is embedded through that endpoint (index/endpoint.py), checked
    against the local model before its first batch, and cached under the same keys as local vectors.
    """
    keys = [EmbeddingCache.key(model.sha256, max_tokens, t) for t in texts]
    found = cache.get_many(keys, model.dims)
    todo = [i for i, k in enumerate(keys) if k not in found]
    vectors = np.zeros((len(texts), model.dims), dtype=np.float32)
    for i, k in enumerate(keys):
        if k in found:
            vectors[i] = found[k]
    if progress and len(todo) < len(texts):
        progress(len(texts) - len(todo))
    # Slices are saved as they finish, so an interrupted build keeps most of its work.
    for start in range(0, len(todo), CACHE_SLICE):
        part = todo[start : start + CACHE_SLICE]
        fresh = (
            _embed_remote(model, remote, [texts[i] for i in part], max_tokens=max_tokens, progress=progress)
            if remote is not None
            else embed_ids(model, token_ids(model, [texts[i] for i in part], max_tokens=max_tokens), progress=progress)
        )
        vectors[part] = fresh
        cache.put_many({keys[i]: fresh[j] for j, i in enumerate(part)})
    return vectors, len(todo)


def _embed_remote(
    model: LoadedModel, remote: EndpointEmbedder, texts: list[str], *, max_tokens: int, progress: Progress | None
) -> np.ndarray:
    from .endpoint import clip_texts

    if not remote.checked:  # only when something is to be sent: a fully cached build sends nothing
        remote.check(
            model, texts, max_tokens=max_tokens, local_embed=lambda s: embed_texts(model, s, max_tokens=max_tokens)
        )
    return remote.embed(clip_texts(model, texts, max_tokens=max_tokens), dims=model.dims, progress=progress)
