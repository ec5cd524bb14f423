"""Bytes on the wire: the bundle's `.br`/`.gz` twins, sent by `sitebot serve` with the
Content-Encoding the client accepts, and fetched that way by Chromium on the demo page."""

from __future__ import annotations

import gzip
import http.client
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import brotli
import pytest

from conftest import build
from sitebot.index.lists import entry_files
from sitebot.serve import serve_in_thread


def manifest_of(bundle: Path) -> dict[str, Any]:
    return json.loads((bundle / "sitebot.json").read_text())


def test_twins_decompress_to_the_original_and_binaries_have_none(examples_bundle: Path) -> None:
    m = manifest_of(examples_bundle)
    compressible = [
        m["runtime"]["ort_wasm"],
        m["runtime"]["worker"],
        m["model"]["files"]["tokenizer"],
        m["files"]["lexical"],
        json.loads((examples_bundle / m["files"]["lexical"]).read_text())["shards"][0]["file"],  # a term shard
        m["files"]["shards"][0]["file"],
        "widget.js",
    ]
    for name in compressible:
        original = (examples_bundle / name).read_bytes()
        br = (examples_bundle / f"{name}.br").read_bytes()
        gz = (examples_bundle / f"{name}.gz").read_bytes()
        assert brotli.decompress(br) == original, name
        assert gzip.decompress(gz) == original, name
        assert len(br) < 0.9 * len(original) and len(gz) < 0.9 * len(original), name
        assert gz[4:8] == b"\0\0\0\0", f"{name}.gz carries a timestamp: rebuilds would differ"
    # int8 weights and vectors barely compress: no twins for them.
    for name in (m["model"]["files"]["model"], *entry_files(examples_bundle, m["files"]["vectors"])[2:]):
        assert not (examples_bundle / f"{name}.br").exists() and not (examples_bundle / f"{name}.gz").exists()
    # The browser asks for the original names only: the manifest names no twin.
    assert ".br" not in json.dumps(m) and ".gz" not in json.dumps(m)


def test_no_precompress_writes_no_twins_and_a_rebuild_replaces_a_bundle_with_twins(
    site: Path, tmp_path: Path, cache_dir: Path
) -> None:
    out = build(site, tmp_path / "b", env={"SITEBOT_CACHE_DIR": str(cache_dir)})
    assert list(out.rglob("*.br")) and list(out.rglob("*.gz"))
    build(site, out, "--no-precompress", env={"SITEBOT_CACHE_DIR": str(cache_dir)})  # twins are the bundle's own
    assert not list(out.rglob("*.br")) and not list(out.rglob("*.gz"))
    project = tmp_path / "project"
    shutil.copytree(site, project / "site")
    (project / "sitebot.toml").write_text('source = "site"\n[bundle]\nprecompress = false\n')
    again = build(project, tmp_path / "c", env={"SITEBOT_CACHE_DIR": str(cache_dir)})
    assert not list(again.rglob("*.br")) and not list(again.rglob("*.gz"))


@pytest.fixture(scope="module")
def served(examples_bundle: Path) -> Iterator[str]:
    server, url = serve_in_thread(examples_bundle)
    yield url
    server.shutdown()
    server.server_close()


def fetch(url: str, path: str, accept: str | None, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """The raw answer: status, headers (lower-case names) and the body as sent, not decoded."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {} if accept is None else {"Accept-Encoding": accept}
    conn.request(method, "/" + path, headers=headers)
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, body


def test_serve_sends_the_twin_the_client_accepts(served: str, examples_bundle: Path) -> None:
    wasm = manifest_of(examples_bundle)["runtime"]["ort_wasm"]
    original = (examples_bundle / wasm).read_bytes()
    cases = {
        "gzip, deflate, br, zstd": "br",
        "gzip": "gzip",
        "br;q=0, gzip;q=0.5": "gzip",
        "*": "br",
        "identity": None,
        None: None,
    }
    for accept, encoding in cases.items():
        status, headers, body = fetch(served, wasm, accept)
        assert status == 200
        assert headers.get("content-encoding") == encoding, accept
        assert headers["content-type"] == "application/wasm"  # the original's type, so ort compiles while streaming
        assert "Accept-Encoding" in headers["vary"]
        assert int(headers["content-length"]) == len(body)
        plain = {"br": brotli.decompress, "gzip": gzip.decompress, None: bytes}[encoding](body)
        assert plain == original, accept
    status, headers, body = fetch(served, wasm, "br", method="HEAD")
    assert (status, headers["content-encoding"], body) == (200, "br", b"")
    assert int(headers["content-length"]) == (examples_bundle / f"{wasm}.br").stat().st_size
    # Asking for the twin itself gets its bytes as they are, not encoded twice.
    status, headers, body = fetch(served, f"{wasm}.br", "br, gzip")
    assert status == 200 and "content-encoding" not in headers
    assert body == (examples_bundle / f"{wasm}.br").read_bytes()
    # A file without twins is sent plain whatever the client accepts.
    vectors = entry_files(examples_bundle, manifest_of(examples_bundle)["files"]["vectors"])[-1]
    status, headers, body = fetch(served, vectors, "br, gzip")
    assert "content-encoding" not in headers and body == (examples_bundle / vectors).read_bytes()


def test_serve_keeps_the_connection_open_between_requests(served: str, examples_bundle: Path) -> None:
    """A first answer makes dozens of small requests: they must not each pay for a new connection."""
    manifest = manifest_of(examples_bundle)
    vectors = entry_files(examples_bundle, manifest["files"]["vectors"])[-1]
    parts = urlsplit(served)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    sockets = set()
    try:
        for path, accept in (("sitebot.json", "br"), (manifest["runtime"]["ort_wasm"], "gzip"), (vectors, None)):
            conn.request("GET", "/" + path, headers={"Accept-Encoding": accept} if accept else {})
            r = conn.getresponse()
            body = r.read()
            assert r.status == 200 and r.version == 11 and not r.will_close, path
            assert len(body) == int(r.getheader("Content-Length"))
            sockets.add(id(conn.sock))
        # A file that is not there is answered, and the next request still goes through.
        conn.request("GET", "/no-such-file.json")
        r = conn.getresponse()
        r.read()
        assert r.status == 404
    finally:
        conn.close()
    assert len(sockets) == 1


@pytest.mark.browser
def test_chromium_gets_the_bot_compressed_and_it_answers(page: Any, served: str, examples_bundle: Path) -> None:
    m = manifest_of(examples_bundle)
    encodings: dict[str, str | None] = {}
    page.on(
        "response", lambda r: encodings.__setitem__(urlsplit(r.url).path.lstrip("/"), r.headers.get("content-encoding"))
    )
    page.goto(served + "index.html")
    page.wait_for_function("() => window.sitebot && window.sitebot.search")
    page.evaluate("() => window.sitebot.ready({model: true})")
    answer = page.evaluate("(q) => window.sitebot.ask(q)", "How do I get my money back?")
    assert answer["citations"] and answer["answer"].strip()
    for name in (m["runtime"]["ort_wasm"], m["files"]["lexical"], m["model"]["files"]["tokenizer"], "widget.js"):
        assert encodings.get(name) in ("br", "gzip"), (name, encodings.get(name))
    assert page.problems == []
