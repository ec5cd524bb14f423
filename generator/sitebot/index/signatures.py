"""Unit signatures: the sign bits of each unit's vector, so the browser marks the answering
sentence without running the model on it (docs/bundle-format.md, "Units files").

    records, embedded = unit_records(model, [signed_units(c.text) for c in chunks], max_tokens=…, cache=cache)
    units_file(records[a:b])  → the bytes of one text shard's units file

A chunk's record is one byte, n = how many of its units are signed, then n signatures of
ceil(dims / 8) bytes: bit d of a signature (byte d // 8, bit d % 8, least significant first)
is set when the unit's vector has d > 0. A chunk of one unit gets n = 0: its chunk vector
already stands for it (text/units.py signed_units picks the units). The browser scores a unit as
sqrt(pi/2) / sqrt(dims) · Σ_d q[d]·(±1), which is close to the cosine of q with the unit
(the mean of |x| over a random unit vector's coordinates is sqrt(2/pi)/sqrt(dims)); at
48 bytes a unit (MiniLM) it marked the same sentences as the float vectors (bench/marking.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .embed import EmbeddingCache, embed_with_cache
from .endpoint import EndpointEmbedder
from .model import LoadedModel


def signatures(vectors: np.ndarray) -> np.ndarray:
    """(n, dims) floats → (n, ceil(dims/8)) bytes of sign bits, dimension d at byte d//8, bit d%8."""
    return np.packbits(vectors > 0, axis=1, bitorder="little")


def unit_records(
    model: LoadedModel,
    per_chunk: Sequence[Sequence[str]],
    *,
    max_tokens: int,
    cache: EmbeddingCache,
    progress: Callable[[int, int], None] | None = None,
    remote: EndpointEmbedder | None = None,
) -> tuple[list[bytes], int]:
    """Each chunk's record, from its units to sign (text/units.py signed_units), and how many
    distinct units were embedded (not in the cache).

    Units are embedded as the browser embeds a question (`max_tokens` = the query's): that is
    how the browser embedded them when it scored them at question time. `progress(n, total)`
    counts distinct units done.
    """
    distinct, vectors, embedded = embed_units(
        model, per_chunk, max_tokens=max_tokens, cache=cache, progress=progress, remote=remote
    )
    return records(per_chunk, distinct, vectors), embedded


def embed_units(
    model: LoadedModel,
    per_chunk: Sequence[Sequence[str]],
    *,
    max_tokens: int,
    cache: EmbeddingCache,
    progress: Callable[[int, int], None] | None = None,
    remote: EndpointEmbedder | None = None,
) -> tuple[list[str], np.ndarray, int]:
    """The distinct units of all chunks, their vectors (as `unit_records` embeds them) and how
    many were embedded; the lite path fits its map on them too (index/lite.py)."""
    distinct = list(dict.fromkeys(u for units in per_chunk for u in units))
    step = (lambda n: progress(n, len(distinct))) if progress else None
    vectors, embedded = embed_with_cache(
        model, distinct, max_tokens=max_tokens, cache=cache, progress=step, remote=remote
    )
    return distinct, vectors, embedded


def records(per_chunk: Sequence[Sequence[str]], distinct: Sequence[str], vectors: np.ndarray) -> list[bytes]:
    """Each chunk's record from `embed_units`' distinct units and vectors."""
    signs = signatures(vectors)
    row = {u: i for i, u in enumerate(distinct)}
    return [
        bytes([len(units)]) + b"".join(signs[row[u]].tobytes() for u in units) if units else b"\0"
        for units in per_chunk
    ]


def units_file(records: Sequence[bytes]) -> bytes:
    """A text shard's units file: its chunks' records, in chunk order."""
    return b"".join(records)
