"""Embed through an OpenAI-compatible embeddings endpoint serving the bundle's model (`--embed-endpoint`).

For a site too large to embed on one machine: text-embeddings-inference, infinity-emb, vLLM or
Ollama, typically on a GPU. The rules:

- The URL is the endpoint itself when its path ends in `/embeddings`; otherwise `/embeddings` is
  appended, as OpenAI clients do with a base URL (`http://gpu:8080/v1` → `…/v1/embeddings`).
- `POST {"model": NAME, "input": [texts]}` → `{"data": [{"index": i, "embedding": [...]}]}`, in
  batches of `batch_size` texts with up to `concurrency` requests in flight.
- 429, 5xx, timeouts and dropped connections are retried with exponential backoff (Retry-After
  honoured, capped); after `retries` retries the build stops with one sentence. Any other status
  stops it at once: retrying a 401 or a 404 cannot help.
- The key comes from SITEBOT_EMBED_KEY only (sent as `Authorization: Bearer`), never from
  sitebot.toml or the URL (config.py refuses both).
- Texts are cut to the bundle's token budget with the bundle's own tokenizer before they are
  sent, so the server embeds exactly the tokens a local build would, whatever its own limit.
- Before the first batch, a sample is embedded both here and locally: the browser embeds questions
  with the bundle's ONNX model, so vectors from another model would rank nonsense. Any cosine
  below MIN_COSINE refuses the endpoint. Vectors are L2-normalised like local ones, and the caller
  stores them in the same cache, under the same keys.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import email.utils
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import EndpointError
from .model import LoadedModel

KEY_ENV = "SITEBOT_EMBED_KEY"
MIN_COSINE = 0.99
SAMPLE = 8


def endpoint_url(url: str) -> str:
    """The URL to POST to: as given when it ends in /embeddings, else with /embeddings appended."""
    base = url.rstrip("/")
    return base if base.endswith("/embeddings") else base + "/embeddings"


def clip_texts(model: LoadedModel, texts: Sequence[str], *, max_tokens: int) -> list[str]:
    """Each text cut where the local embedder truncates it (max_tokens with [CLS] and [SEP])."""
    out = []
    for text, enc in zip(texts, model.tokenizer.encode_batch(list(texts)), strict=True):
        if len(enc.ids) <= max_tokens:
            out.append(text)
            continue
        # The last kept token is the (max-2)th real one, after [CLS]; cut the text at its end.
        end = enc.offsets[max_tokens - 2][1]
        out.append(text[:end])
    return out


@dataclass
class EndpointEmbedder:
    """Embeds texts through `url`; `model_name` is sent as `model` (default: the bundle model's id)."""

    url: str
    model_name: str
    key: str | None = None
    batch_size: int = 64
    concurrency: int = 4
    retries: int = 4
    backoff: float = 0.5  # seconds before the first retry, doubled each time
    timeout: float = 60.0
    checked: bool = field(default=False, init=False)
    requests: int = field(default=0, init=False)

    @classmethod
    def from_env(cls, url: str, model_name: str, **kw: Any) -> EndpointEmbedder:
        """The embedder with its key from SITEBOT_EMBED_KEY, if set."""
        return cls(url=url, model_name=model_name, key=os.environ.get(KEY_ENV) or None, **kw)

    def check(
        self,
        model: LoadedModel,
        texts: Sequence[str],
        *,
        max_tokens: int,
        local_embed: Callable[[list[str]], np.ndarray],
    ) -> None:
        """Refuse an endpoint whose vectors for a sample of `texts` differ from the local model's
        (`local_embed`, index/embed.py's, passed in: that module already imports this one)."""
        sample = clip_texts(model, list(texts[:SAMPLE]), max_tokens=max_tokens)
        remote = self.embed(sample, dims=model.dims)
        local = local_embed(sample)
        worst = float(np.min(np.sum(remote * local, axis=1)))
        if worst < MIN_COSINE:
            raise EndpointError(
                f"the embeddings endpoint {self.url} serves another model than the bundle's {model.files.id!r} "
                f"(cosine {worst:.3f} with the local model on a sample, below {MIN_COSINE}); "
                f"serve {model.files.id} there, or pick its name with --embed-model"
            )
        self.checked = True

    def embed(self, texts: Sequence[str], *, dims: int, progress: Callable[[int], None] | None = None) -> np.ndarray:
        """L2-normalised float32 vectors for `texts` (already clipped), in order."""
        if not texts:
            return np.zeros((0, dims), dtype=np.float32)
        work = lambda: asyncio.run(self._embed_all(list(texts), dims, progress))  # noqa: E731
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return work()
        # Called from code that runs an event loop (Playwright's sync API, Jupyter): asyncio.run
        # cannot nest, so the requests run on a loop of their own in another thread.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(work).result()

    async def _embed_all(self, texts: list[str], dims: int, progress: Callable[[int], None] | None) -> np.ndarray:
        import httpx

        out = np.zeros((len(texts), dims), dtype=np.float32)
        gate = asyncio.Semaphore(self.concurrency)
        headers = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        limits = httpx.Limits(max_connections=self.concurrency)
        async with httpx.AsyncClient(timeout=self.timeout, headers=headers, limits=limits) as client:

            async def one(start: int) -> None:
                async with gate:
                    batch = texts[start : start + self.batch_size]
                    out[start : start + len(batch)] = await self._post(client, batch, dims)
                if progress:
                    progress(len(batch))

            tasks = [asyncio.create_task(one(s)) for s in range(0, len(texts), self.batch_size)]
            try:
                await asyncio.gather(*tasks)
            finally:
                for t in tasks:
                    t.cancel()
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)

    async def _post(self, client: Any, batch: list[str], dims: int) -> np.ndarray:
        import httpx

        url = endpoint_url(self.url)
        why, asked = "", None
        for attempt in range(self.retries + 1):
            if attempt:
                # Exponential backoff, or the server's own Retry-After when longer (capped at a minute).
                await asyncio.sleep(max(self.backoff * 2 ** (attempt - 1), min(asked or 0.0, 60.0)))
            asked = None
            self.requests += 1
            try:
                r = await client.post(url, json={"model": self.model_name, "input": batch})
            except httpx.TimeoutException:
                why = "timed out"
                continue
            except httpx.TransportError as e:
                why = f"could not be reached ({type(e).__name__})"
                continue
            if r.status_code == 429 or r.status_code >= 500:
                why = f"answered {r.status_code}"
                asked = _retry_after(r.headers.get("retry-after"))
                continue
            if r.status_code != 200:
                raise EndpointError(self._refusal(r.status_code, r.text))
            return self._vectors(r, len(batch), dims)
        raise EndpointError(
            f"the embeddings endpoint {url} {why} after {self.retries + 1} attempts; "
            "check that the server is up, or build without --embed-endpoint to embed locally"
        )

    def _refusal(self, status: int, body: str) -> str:
        url = endpoint_url(self.url)
        if status in (401, 403):
            hint = f"set the key in the {KEY_ENV} environment variable"
        elif status == 404:
            hint = "give the server's OpenAI-compatible base URL (often ending in /v1) or its /embeddings URL"
        else:
            hint = f"check that it serves the model {self.model_name!r} (--embed-model)"
        detail = " ".join(body.split())[:160]
        return f"the embeddings endpoint {url} answered {status}" + (f" ({detail})" if detail else "") + f"; {hint}"

    def _vectors(self, r: Any, n: int, dims: int) -> np.ndarray:
        url = endpoint_url(self.url)
        try:
            data = r.json()["data"]
            rows = sorted(data, key=lambda d: d["index"])
            vectors = np.array([d["embedding"] for d in rows], dtype=np.float32)
        except (ValueError, KeyError, TypeError):
            raise EndpointError(
                f"the embeddings endpoint {url} did not answer as an OpenAI-compatible embeddings API "
                '(expected {"data": [{"index": …, "embedding": […]}]}); check the URL'
            ) from None
        if vectors.ndim != 2 or vectors.shape[0] != n:
            raise EndpointError(f"the embeddings endpoint {url} returned {len(rows)} vectors for {n} texts")
        if vectors.shape[1] != dims:
            raise EndpointError(
                f"the embeddings endpoint {url} returns {vectors.shape[1]}-dimensional vectors but the bundle's "
                f"model has {dims}; serve the bundle's model there"
            )
        return vectors


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (a number or an HTTP date), or None."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
