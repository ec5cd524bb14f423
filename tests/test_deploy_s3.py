"""`sitebot deploy` to s3://: a real S3-compatible server (moto's, in a subprocess on 127.0.0.1)
and, for a failure half way, a TCP proxy in front of it that dies mid-deploy."""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import invoke_cli, run_cli
from sitebot.deploy import deploy
from test_deploy import assert_order, changed, named, tree, versions  # noqa: F401 - versions is a fixture

boto3 = pytest.importorskip("boto3")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{url}/moto-api/", timeout=1)
            break
        except httpx.TransportError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("moto's S3 server did not start")
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Credentials from the environment only, as in CI; nothing read from ~/.aws."""
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_MAX_ATTEMPTS"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing-key-id")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing-secret-key")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def s3(url: str) -> Any:
    return boto3.client("s3", endpoint_url=url)


def objects(client: Any, bucket: str, prefix: str, like: Path | None = None) -> dict[str, str]:
    """key under prefix → sha256 of the object's bytes as a browser gets them (gzip undone).

    An object whose ETag (S3's MD5 of a single-part object's stored bytes) is the MD5 of the file
    of the same name in the bundle `like` holds that file's bytes, so it is not downloaded: a lite
    bundle has ~3,800 token table files, and fetching each from moto after every deploy took
    minutes of CI. Every other object is read.
    """
    out = {}
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)  # 1,000 keys a page
    for obj in (o for page in pages for o in page.get("Contents", [])):
        name = obj["Key"][len(prefix) :]
        local = like / name if like is not None else None
        if local is not None and local.is_file() and not local.is_symlink():
            data = local.read_bytes()
            if obj["ETag"].strip('"') == hashlib.md5(data).hexdigest():
                out[name] = hashlib.sha256(data).hexdigest()
                continue
        got = client.get_object(Bucket=bucket, Key=obj["Key"])
        body = got["Body"].read()
        body = gzip.decompress(body) if got.get("ContentEncoding") == "gzip" else body
        out[name] = hashlib.sha256(body).hexdigest()
    return out


def plain(folder: Path) -> dict[str, str]:
    """The bundle's files less its `.br`/`.gz` twins: S3 holds each file once (gzipped when it pays)."""
    files = tree(folder)
    return {p: sha for p, sha in files.items() if not (p.endswith((".br", ".gz")) and p[:-3] in files)}


def test_s3_headers_order_changed_files_and_prune(versions: list[Path], moto_url: str) -> None:
    v1, v2, v3 = versions
    c = s3(moto_url)
    c.create_bucket(Bucket="site")
    c.put_object(Bucket="site", Key="index.html", Body=b"<h1>home</h1>")  # outside the prefix
    foreign = {"robots.txt": b"User-agent: *", "text/chunks.000000000000.json": b"[]"}  # under it; one looks like ours
    for name, data in foreign.items():
        c.put_object(Bucket="site", Key=f"chatbot/{name}", Body=data)
    target = "s3://site/chatbot"

    r1 = deploy(v1, target, endpoint_url=moto_url)
    assert set(r1.uploaded) == set(plain(v1))
    assert r1.operations[0] == ("put", ".sitebot-deploy.json")  # new names recorded before they are written
    assert r1.operations[-1] == ("put", ".sitebot-deploy.json")
    assert_order(r1.operations, v1)
    live = objects(c, "site", "chatbot/", like=v1)
    assert all(live[p] == sha for p, sha in plain(v1).items())

    @functools.cache
    def head(path: str) -> dict[str, Any]:
        h = c.head_object(Bucket="site", Key=f"chatbot/{path}")
        return {"type": h["ContentType"], "cache": h["CacheControl"], "encoding": h.get("ContentEncoding")}

    immutable = "public, max-age=31536000, immutable"
    runtime = json.loads((v1 / "sitebot.json").read_text())["runtime"]
    # S3 cannot choose per request: what compresses is stored gzipped (every browser takes gzip), under its own name.
    assert head(runtime["ort_wasm"]) == {"type": "application/wasm", "cache": immutable, "encoding": "gzip"}
    assert head(runtime["worker"]) == {"type": "text/javascript; charset=utf-8", "cache": immutable, "encoding": "gzip"}
    # The token table's ~3,800 numbered files go through the same upload as any other binary:
    # its first and last stand for them (each HEAD to moto costs CI time).
    tokens = json.loads((v1 / "sitebot.json").read_text())["lite"]["tokens"]
    table = sorted(p for p in named(v1) if p.startswith(tokens["folder"]))
    assert len(table) == tokens["files"]
    for path in sorted(named(v1) - set(table[1:-1])):
        assert head(path)["cache"] == immutable
        if path.endswith((".onnx", ".bin")):
            # A binary is stored gzipped only when the build found it worth a twin (the lite path's
            # token weights); int8 models and vectors are not.
            twin = (v1 / f"{path}.gz").is_file()
            assert head(path)["type"] == "application/octet-stream"
            assert head(path)["encoding"] == ("gzip" if twin else None), path
        if path.endswith(".json"):
            assert head(path)["type"] == "application/json"
    wasm = c.get_object(Bucket="site", Key=f"chatbot/{runtime['ort_wasm']}")["Body"].read()
    assert gzip.decompress(wasm) == (v1 / runtime["ort_wasm"]).read_bytes()
    assert len(wasm) < 0.5 * (v1 / runtime["ort_wasm"]).stat().st_size
    assert not any(key.endswith((".br", ".gz")) for key in live)  # no twin objects
    assert head("sitebot.json") == {"type": "application/json", "cache": "no-cache", "encoding": "gzip"}
    assert head("widget.js") == {
        "type": "text/javascript; charset=utf-8",
        "cache": "public, max-age=300, must-revalidate",
        "encoding": "gzip",
    }
    assert head("index.html")["type"] == "text/html; charset=utf-8"
    stored = c.get_object(Bucket="site", Key="chatbot/sitebot.json")["Body"].read()
    assert (
        c.head_object(Bucket="site", Key="chatbot/sitebot.json")["Metadata"]["sha256"]
        == hashlib.sha256(stored).hexdigest()
    )

    r2 = deploy(v2, target, endpoint_url=moto_url)
    assert set(r2.uploaded) == {p for p in changed(v1, v2) if p in plain(v2)} and not r2.pruned
    assert_order(r2.operations, v2)

    r3 = deploy(v3, target, endpoint_url=moto_url)
    only_v1 = named(v1) - named(v2) - named(v3)
    assert only_v1 and set(r3.pruned) == only_v1
    assert_order(r3.operations, v3)
    assert [op for op, _ in r3.operations].count("delete") == len(only_v1)
    live = objects(c, "site", "chatbot/", like=v3)
    assert set(live) == set(plain(v3)) | named(v2) | set(foreign) | {".sitebot-deploy.json"}
    assert all(live[p] == sha for p, sha in plain(v3).items())
    assert all(live[name] == hashlib.sha256(data).hexdigest() for name, data in foreign.items())
    assert c.get_object(Bucket="site", Key="index.html")["Body"].read() == b"<h1>home</h1>"

    again = deploy(v3, target, endpoint_url=moto_url)
    assert not again.uploaded and not again.pruned and again.operations == []


class DyingProxy:
    """A TCP proxy in front of the S3 server that drops every connection, and stops
    listening, when the client starts its Nth PUT request: a store that goes away mid-deploy."""

    REQUEST = re.compile(rb"PUT /[^ \r\n]* HTTP/1\.1\r\n")

    def __init__(self, upstream: str, die_at_put: int) -> None:
        self.upstream = int(upstream.rsplit(":", 1)[1])
        self.die_at, self.puts = die_at_put, 0
        self.lock = threading.Lock()
        self.sockets: list[socket.socket] = []
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream))
            with self.lock:
                self.sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, requests: bool) -> None:
        tail = b""
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                return
            if not data:
                return
            if requests:
                seen = tail + data
                new = sum(1 for m in self.REQUEST.finditer(seen) if m.end() > len(tail))
                tail = seen[-2048:]
                with self.lock:
                    self.puts += new
                    if self.puts >= self.die_at:
                        self.kill()
                        return
            try:
                dst.sendall(data)
            except OSError:
                return

    def kill(self) -> None:
        self.server.close()
        for s in self.sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


def test_s3_store_going_away_half_way_leaves_the_live_bot(
    versions: list[Path], moto_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    v1, v2, v3 = versions
    c = s3(moto_url)
    c.create_bucket(Bucket="halfway")
    target = "s3://halfway/chatbot"
    deploy(v1, target, endpoint_url=moto_url)
    before = objects(c, "halfway", "chatbot/", like=v1)

    # PUT 1 records the new names, then the new files go up; the store is gone at PUT 3.
    proxy = DyingProxy(moto_url, die_at_put=3)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")  # boto3's own retry setting: fail fast
    r = run_cli("deploy", str(v2), "--to", target, "--endpoint-url", proxy.url)
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: cannot upload chatbot/"), r.stderr
    assert lines[0].endswith(f"{target} still serves the previous bot"), r.stderr
    assert "testing-secret-key" not in r.stderr and "Traceback" not in r.stderr

    after = objects(c, "halfway", "chatbot/", like=v1)
    assert after["sitebot.json"] == tree(v1)["sitebot.json"]
    assert all(after.get(p) == sha for p, sha in plain(v1).items())  # every file the live manifest names
    assert {p: s for p, s in after.items() if p in before and p != ".sitebot-deploy.json"} == {
        p: s for p, s in before.items() if p != ".sitebot-deploy.json"
    }

    monkeypatch.delenv("AWS_MAX_ATTEMPTS")
    retry = deploy(v2, target, endpoint_url=moto_url)
    # What went up before the store went away (content-addressed files upload several at once,
    # so which of them made it varies) is not sent again; everything else that changed is.
    landed = {p for p in changed(v1, v2) & set(plain(v2)) if after.get(p) == tree(v2)[p]}
    assert set(retry.uploaded) == changed(v1, v2) - landed - (set(tree(v2)) - set(plain(v2)))
    r3 = deploy(v3, target, endpoint_url=moto_url)
    assert set(r3.pruned) == named(v1) - named(v2) - named(v3)
    final = objects(c, "halfway", "chatbot/", like=v3)
    assert all(p in final for p in named(v2)) and all(final[p] == sha for p, sha in plain(v3).items())


@pytest.mark.parametrize(
    ("case", "expect"),
    [
        ("no-bucket", "cannot list s3://missing/chatbot: the bucket missing does not exist at"),
        ("no-credentials", "no S3 credentials found; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"),
    ],
)
def test_s3_errors_are_one_sentence(
    case: str, expect: str, versions: list[Path], moto_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if case == "no-credentials":
        monkeypatch.delenv("AWS_ACCESS_KEY_ID")
        monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    r = invoke_cli("deploy", str(versions[0]), "--to", "s3://missing/chatbot", "--endpoint-url", moto_url)
    assert r.returncode == 1
    assert expect in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
