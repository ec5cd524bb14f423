"""int8 vectors with one float32 scale per vector, as stored in vectors.<h>.bin."""

from __future__ import annotations

import numpy as np


def quantise(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-vector symmetric int8: v ≈ scale · q, scale = max|v| / 127."""
    vectors = np.asarray(vectors, dtype=np.float32)
    peak = np.abs(vectors).max(axis=1) if len(vectors) else np.zeros(0, np.float32)
    scales = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    q = np.clip(np.rint(vectors / scales[:, None]), -127, 127).astype(np.int8)
    return q, scales


def dequantise(q: np.ndarray, scales: np.ndarray) -> np.ndarray:
    return q.astype(np.float32) * scales[:, None]


def to_bytes(q: np.ndarray, scales: np.ndarray) -> bytes:
    """int8 rows, zero-padded to a multiple of 4 bytes, then little-endian float32 scales."""
    raw = q.astype(np.int8).tobytes()
    raw += b"\0" * (-len(raw) % 4)
    return raw + scales.astype("<f4").tobytes()


def from_bytes(data: bytes, n: int, dims: int) -> tuple[np.ndarray, np.ndarray]:
    q = np.frombuffer(data, dtype=np.int8, count=n * dims).reshape(n, dims)
    off = n * dims + (-(n * dims) % 4)
    scales = np.frombuffer(data, dtype="<f4", count=n, offset=off)
    return q, scales
