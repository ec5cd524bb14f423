"""A real OpenAI-compatible embeddings server on 127.0.0.1 for `--embed-endpoint` tests.

It computes real vectors with the bundle's own ONNX model (sitebot.index.embed), truncating each
input at the model's 512 tokens as text-embeddings-inference does, and records every request.

    def test_x(embed_server):
        embed_server.fail_first = 2        # the next two POSTs answer 503
        embed_server.shuffle = True        # vectors of "another model": the dimensions permuted
        ...  # sitebot generate SITE --embed-endpoint embed_server.url + "/v1"
        embed_server.log                   # [Logged(status, size, auth, start, end)]

Why not a packaged server: infinity-emb's ONNX backend needs torch (a multi-GB CUDA wheel set
from PyPI) and a Hugging Face model folder; TEI, vLLM and Ollama are not Python packages that run
on CPU here. This server speaks the same wire format (README, "Large sites").
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from loopback import CorsHandler, LoopbackServer

PATH = "/v1/embeddings"


@dataclass
class Logged:
    """One POST as the server saw it."""

    status: int
    size: int  # texts in the request's `input`
    auth: str | None
    model: str
    start: float
    end: float


class EmbedState:
    """What the server serves and what it saw; `model_dir` serves another model folder (bench/embed_endpoint.py)."""

    def __init__(self, model_dir: Path | None = None) -> None:
        from sitebot.index.model import default_model, load, model_from_dir

        self.model = load(model_from_dir(model_dir) if model_dir else default_model())
        self.lock = threading.Lock()
        self.log: list[Logged] = []
        self.fail_first = 0
        self.shuffle = False
        self.delay = 0.02  # per request, so that concurrent requests overlap visibly
        self.url = ""

    @property
    def sizes(self) -> list[int]:
        return [e.size for e in self.log if e.status == 200]

    def max_in_flight(self) -> int:
        """The most requests the server was answering at one moment."""
        events = sorted([(e.start, 1) for e in self.log] + [(e.end, -1) for e in self.log])
        now = best = 0
        for _, step in events:
            now += step
            best = max(best, now)
        return best


class EmbedHandler(CorsHandler):
    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        state: EmbedState = self.server.state
        start = time.monotonic()
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        texts = body.get("input") or []
        with state.lock:
            failing = state.fail_first > 0
            state.fail_first -= 1 if failing else 0
        status, payload = (503, {"error": "loading"}) if failing else (200, self._embed(state, texts))
        time.sleep(state.delay)
        out = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)
        with state.lock:
            state.log.append(
                Logged(
                    status,
                    len(texts),
                    self.headers.get("Authorization"),
                    body.get("model", ""),
                    start,
                    time.monotonic(),
                )
            )

    def _embed(self, state: EmbedState, texts: list[str]) -> dict[str, Any]:
        from sitebot.index.embed import embed_texts

        with state.lock:  # one ONNX session; requests still overlap in their I/O and delay
            vectors = embed_texts(state.model, texts, max_tokens=512)
        if state.shuffle:
            vectors = vectors[:, np.random.default_rng(0).permutation(vectors.shape[1])]
        data = [{"object": "embedding", "index": i, "embedding": v.tolist()} for i, v in enumerate(vectors)]
        return {"object": "list", "data": data[::-1], "model": "served"}  # out of order: clients sort by index


def start_embed_server(model_dir: Path | None = None) -> tuple[LoopbackServer, EmbedState]:
    """The server, started; close the first when done."""
    state = EmbedState(model_dir)
    server = LoopbackServer(EmbedHandler, state=state)
    state.url = server.url
    return server, state


@pytest.fixture
def embed_server() -> Iterator[EmbedState]:
    server, state = start_embed_server()
    with server:
        yield state
