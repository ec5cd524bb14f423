"""`sitebot generate --embed-endpoint`: a build embedded by an OpenAI-compatible server (tests/embed_server.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from conftest import EXAMPLES, invoke_cli, one_error_line, run_cli, write_toml
from embed_server import EmbedState, embed_server  # noqa: F401 - the fixture
from sitebot.index import quantise
from sitebot.index.embed import embed_texts
from sitebot.index.model import DEFAULT_MODEL_ID, default_model, load
from sitebot.retrieve import Retriever


def generate(out: Path, cache: Path, *extra: str, env: dict[str, str] | None = None, source: Path = EXAMPLES) -> object:
    return run_cli(
        "generate", str(source), "-o", str(out), "--base-url", "/", *extra,
        env={"SITEBOT_CACHE_DIR": str(cache), **(env or {})},
    )  # fmt: skip


def vectors(bundle: Path) -> np.ndarray:
    r = Retriever(bundle)
    v = quantise.dequantise(r.codes, r.scales)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_a_build_through_the_endpoint_equals_a_local_one_and_fills_the_same_cache(
    embed_server: EmbedState, examples_bundle: Path, tmp_path: Path, new_cache: Path
) -> None:
    cache = new_cache
    r = generate(
        tmp_path / "remote", cache, "--embed-endpoint", embed_server.url + "/v1", env={"SITEBOT_EMBED_KEY": "k-123"}
    )
    assert r.returncode == 0, r.stderr
    # The key from the environment, as a Bearer token, on every request; the bundle model's id as `model`.
    assert embed_server.log and {(e.auth, e.model) for e in embed_server.log} == {("Bearer k-123", DEFAULT_MODEL_ID)}
    # Batched (never more than 64 texts a request, most of them full) and concurrent.
    sizes = embed_server.sizes
    assert max(sizes) == 64 and sum(sizes) > 3 * 64, sizes
    assert embed_server.max_in_flight() > 1
    bundle = tmp_path / "remote"
    assert "k-123" not in "".join(p.read_text(errors="ignore") for p in bundle.rglob("*") if p.is_file())

    # The same vectors as the local build, and the same answers.
    local, remote = vectors(examples_bundle), vectors(bundle)
    assert local.shape == remote.shape
    assert np.min(np.sum(local * remote, axis=1)) >= 0.999
    model = load(default_model())
    questions = [json.loads(line)["q"] for line in (EXAMPLES / "questions.jsonl").read_text().splitlines() if line]
    a, b = Retriever(examples_bundle), Retriever(bundle)
    for q in questions:
        qvec = embed_texts(model, [q], max_tokens=128)[0]
        assert [h.url for h in a.search(q, qvec, k=3)] == [h.url for h in b.search(q, qvec, k=3)], q

    # A rebuild sends nothing: every vector is in the cache, and the model check is not needed.
    embed_server.log.clear()
    r = generate(tmp_path / "again", cache, "--embed-endpoint", embed_server.url + "/v1")
    assert r.returncode == 0, r.stderr
    assert embed_server.log == []
    # A local build reuses what the endpoint embedded: the vectors were cached under the local keys.
    r = generate(tmp_path / "local", cache)
    assert r.returncode == 0, r.stderr
    assert "(0 embedded," in r.stderr, r.stderr


def test_an_endpoint_that_answers_503_twice_is_retried(
    embed_server: EmbedState, site: Path, tmp_path: Path, new_cache: Path
) -> None:
    embed_server.fail_first = 2
    out, cache = tmp_path / "out", new_cache
    r = generate(out, cache, "-q", "--embed-endpoint", embed_server.url + PATH_V1, source=site)
    assert r.returncode == 0, r.stderr
    assert [e.status for e in embed_server.log[:3]] == [503, 503, 200]
    assert (out / "sitebot.json").is_file()


PATH_V1 = "/v1/embeddings"  # the endpoint's own URL is taken as given


def test_an_endpoint_that_stays_down_stops_the_build_with_one_sentence(
    embed_server: EmbedState, tmp_path: Path
) -> None:
    embed_server.fail_first = 1000
    r = generate(tmp_path / "out", tmp_path / "cache", "--embed-endpoint", embed_server.url + "/v1")
    line = one_error_line(r)
    assert "answered 503 after 5 attempts" in line and "--embed-endpoint" in line, line
    assert not (tmp_path / "out").exists()


def test_an_endpoint_serving_another_model_is_refused(embed_server: EmbedState, site: Path, tmp_path: Path) -> None:
    embed_server.shuffle = True
    r = generate(tmp_path / "out", tmp_path / "cache", "--embed-endpoint", embed_server.url + "/v1", source=site)
    line = one_error_line(r)
    assert f"serves another model than the bundle's '{DEFAULT_MODEL_ID}'" in line, line
    assert not (tmp_path / "out").exists()
    # Refused on the sample: not a single batch of the build was sent after it.
    assert sum(embed_server.sizes) <= 8


@pytest.mark.parametrize(
    ("toml", "flag", "said"),
    [
        ('[embed]\nendpoint = "http://127.0.0.1:9/v1"\napi_key = "sk-1"\n', None, "'embed.api_key' is a secret"),
        ('[embed]\nendpoint = "http://127.0.0.1:9/v1?api_key=sk-1"\n', None, "has a key in its query"),
        ("", "http://user:sk-1@127.0.0.1:9/v1", "carries credentials"),
    ],
)
def test_a_key_outside_the_environment_is_refused(tmp_path: Path, toml: str, flag: str | None, said: str) -> None:
    write_toml(tmp_path, f'source = "{EXAMPLES / "site"}"\n' + toml)
    r = invoke_cli("generate", "-o", str(tmp_path / "out"), *(["--embed-endpoint", flag] if flag else []), cwd=tmp_path)
    line = one_error_line(r)
    assert said in line and "SITEBOT_EMBED_KEY" in line and "sk-1" not in line, line
    assert not (tmp_path / "out").exists()


def test_the_library_call_counts_progress_and_cuts_texts_as_the_local_model_does(
    embed_server: EmbedState, tmp_path: Path
) -> None:
    from sitebot.index.embed import EmbeddingCache, embed_with_cache
    from sitebot.index.endpoint import EndpointEmbedder

    model = load(default_model())
    cache = EmbeddingCache(tmp_path / "embeddings.sqlite")
    # One text far over the 128-token budget: the server (which cuts at 512) must get it cut at 128.
    texts = [f"Refunds for order {i} take {i % 9 + 2} working days." for i in range(150)] + ["refund policy " * 200]
    embed_with_cache(model, texts[:20], max_tokens=128, cache=cache)  # these are cached, so not sent
    seen: list[int] = []
    remote = EndpointEmbedder(embed_server.url + "/v1", DEFAULT_MODEL_ID)
    got, embedded = embed_with_cache(model, texts, max_tokens=128, cache=cache, progress=seen.append, remote=remote)
    assert embedded == 131 and sum(seen) == len(texts) and len(seen) > 2
    assert sum(embed_server.sizes) == 131 + 8  # the texts, and the model check's sample of 8
    local = embed_texts(model, texts, max_tokens=128)
    assert np.min(np.sum(got * local, axis=1)) >= 0.999
    assert np.allclose(np.linalg.norm(got, axis=1), 1, atol=1e-5)
    cache.close()
