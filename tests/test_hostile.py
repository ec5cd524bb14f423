"""Issue 13: trying to break sitebot as an attacker and as a clumsy owner would.

Every promise stands next to its test: one sentence and exit 1, nothing of the owner's lost,
nothing leaked. The numbers are the cases of the issue; "held" cases were already true and are
kept true here. Each section is owned by one area of the code (named in its heading).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import ROOT, build
from fake_llm import FakeLLM
from sitebot.serve import serve_in_thread

# ---------------------------------------------------------------------------------------------
# Data loss — bundle/writer.py, deploy/plan.py
# 1. `generate -o` refuses a folder holding anything but a bundle's own files (a deployed site root).
# 2. deploy without its record never overwrites an existing, different index.html / snippet.html.
# 17. Leftovers: stale .tmp folders cleaned, SIGTERM handled, a half-done swap finished, git temp
#     folders holding a token removed.

# ---------------------------------------------------------------------------------------------
# Leaks in `sitebot serve` — serve.py
# 3. Path traversal in serve --site.
# 4. serve --llm refuses a DNS-rebinding Host.
# 13. serve --llm body lengths (Content-Length: abc, -1).


_SERVE_KEY = "sk-hostile-serve-key"
_ASK = b'{"messages": [{"role": "user", "content": "Refunds?"}], "stream": true}'


def _raw(port: int, request: bytes, *, shut: bool = False) -> tuple[int, bytes]:
    """Send `request` as is (no client normalises its path or headers) and return the status and
    body; `shut` ends the sending side, as a client whose body is over does."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request)
        if shut:
            s.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def _get(port: int, target: str) -> tuple[int, bytes]:
    return _raw(port, f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())


@pytest.fixture(scope="module")
def serve_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tmp/site (the owner's pages) next to tmp/secret.txt and tmp/private/, which no request may reach;
    the site holds symlinks that leave it and one that stays inside."""
    tmp = tmp_path_factory.mktemp("serve")
    (tmp / "secret.txt").write_text("TOP-SECRET outside the site\n")
    (tmp / "private").mkdir()
    (tmp / "private" / "key.txt").write_text("TOP-SECRET in a folder next to the site\n")
    site = tmp / "site"
    (site / "docs").mkdir(parents=True)
    (site / "index.html").write_text("<html><body><main><p>Home</p></main></body></html>")
    (site / "docs" / "page.txt").write_text("inside the site\n")
    (site / "leak.txt").symlink_to(tmp / "secret.txt")
    (site / "leak.html").symlink_to(tmp / "secret.txt")
    (site / "outside").symlink_to(tmp / "private")
    (site / "alias.txt").symlink_to(site / "docs" / "page.txt")
    return tmp


def _traversals(tmp: Path) -> list[str]:
    """Request targets that climb out of / or /chatbot/ to tmp/secret.txt and /etc/passwd."""
    up = "../" * (len(tmp.parts) + 8)
    secret = str(tmp / "secret.txt").lstrip("/")
    return [
        f"/chatbot/{up}{secret}",
        f"/chatbot/{up}etc/passwd",
        f"/{up}{secret}",
        "/chatbot/" + up.replace("..", "%2e%2e") + secret,
        "/chatbot/" + up.replace("/", "%2f") + secret,
        "/chatbot/" + up.replace("/", "%2F").replace("..", "%2E%2E") + secret,
        "/chatbot/" + up.replace("/", "\\") + secret.replace("/", "\\"),
        "/chatbot/" + up.replace("/", "%5c") + secret,
        "/chatbot/..",
        "/chatbot/../secret.txt",
        "/../secret.txt",
        "/chatbot/%00",
        "/index.html%00.txt",
    ]


def test_3_serve_site_never_serves_a_file_outside_the_site_or_bundle(
    serve_tree: Path, examples_bundle: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """3. serve --site never serves a file outside the site or the bundle, whatever the encoding of `..`."""
    server, url = serve_in_thread(examples_bundle, site=serve_tree / "site")
    port = server.server_address[1]
    try:
        for target in _traversals(serve_tree):
            status, body = _get(port, target)
            assert status in (400, 404), (target, status, body[:200])
            assert b"TOP-SECRET" not in body and b"root:" not in body, target
        # what is meant to be served still is
        assert _get(port, "/docs/page.txt") == (200, b"inside the site\n")
        assert _get(port, "/chatbot/sitebot.json")[0] == 200
        assert b"widget.js" in _get(port, "/")[1]
    finally:
        server.shutdown()
        server.server_close()
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize("mode", ["site", "folder"])
def test_3_serve_never_follows_a_symlink_out_of_its_folder(
    serve_tree: Path, examples_bundle: Path, mode: str, capfd: pytest.CaptureFixture[str]
) -> None:
    """3. serve (with --site, or of a plain folder) refuses symlinks whose target is outside the
    folder it serves; a symlink that stays inside is served."""
    site = serve_tree / "site"
    if mode == "site":
        server, url = serve_in_thread(examples_bundle, site=site)
    else:
        server, url = serve_in_thread(site, require_bundle=False)
    port = server.server_address[1]
    try:
        for target in ("/leak.txt", "/leak.html", "/outside/key.txt", "/outside/", "/%6ceak.txt"):
            status, body = _get(port, target)
            assert status == 404 and b"TOP-SECRET" not in body, (target, status, body[:200])
        assert _get(port, "/alias.txt") == (200, b"inside the site\n")
    finally:
        server.shutdown()
        server.server_close()
    assert "Traceback" not in capfd.readouterr().err


@pytest.fixture(scope="module")
def serve_llm_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("serve-llm")
    (tmp / "site").mkdir()
    (tmp / "site" / "index.html").write_text(
        "<html><head><title>Acme</title></head><body><main><h2 id=refunds>Refunds</h2>"
        "<p>You can return any widget within 30 days.</p></main></body></html>"
    )
    return build(
        tmp / "site", tmp / "llm", "--mode", "llm", "--llm-endpoint", "https://proxy.example/", "--llm-model", "m1"
    )


@pytest.fixture
def serve_llm(serve_llm_bundle: Path, fake_llm: FakeLLM) -> Iterator[int]:
    """`sitebot serve --llm` (in this process) in front of the fake LLM; yields its port."""
    server, _ = serve_in_thread(serve_llm_bundle, llm=fake_llm.openai, llm_key=_SERVE_KEY)
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _post(port: int, host: str, origin: str | None) -> httpx.Response:
    headers = {"Host": host, "Content-Type": "application/json", **({"Origin": origin} if origin else {})}
    return httpx.post(f"http://127.0.0.1:{port}/__sitebot/llm", content=_ASK, headers=headers, timeout=20)


def test_4_serve_llm_refuses_a_dns_rebinding_host(serve_llm: int, fake_llm: FakeLLM) -> None:
    """4. serve --llm refuses (403) a request whose Host is not the address it serves: the key is not spent."""
    port = serve_llm
    for host, origin in [
        (f"evil.test:{port}", f"http://evil.test:{port}"),
        (f"evil.test:{port}", None),
        ("evil.test", None),
        (f"127.0.0.1.evil.test:{port}", f"http://127.0.0.1.evil.test:{port}"),
        (f"localhost:{port + 1}", f"http://localhost:{port + 1}"),
    ]:
        r = _post(port, host, origin)
        assert r.status_code == 403 and _SERVE_KEY not in r.text, (host, r.status_code, r.text)
    assert fake_llm.posts == []
    # the addresses it is served on still work, from their own pages
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
        r = _post(port, host, f"http://{host}")
        assert r.status_code == 200, (host, r.text)
    assert len(fake_llm.posts) == 3


def _post_raw(port: int, headers: str, body: bytes) -> tuple[int, bytes]:
    head = f"POST /__sitebot/llm HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n{headers}"
    return _raw(port, head.encode() + b"Connection: close\r\n\r\n" + body, shut=True)


def test_13_serve_llm_refuses_bad_and_oversized_body_lengths(
    serve_llm: int, fake_llm: FakeLLM, capfd: pytest.CaptureFixture[str]
) -> None:
    """13. serve --llm refuses a non-numeric (400) or negative (400) Content-Length, a body over
    1 MB (413) and a chunked body (411): nothing is forwarded, no traceback."""
    big = b'{"messages": [{"role": "user", "content": "' + b"x" * (2 << 20) + b'"}]}'
    chunked = b"".join(
        b"%x\r\n%s\r\n" % (len(big[i : i + 65536]), big[i : i + 65536]) for i in range(0, len(big), 65536)
    )
    for headers, body, expected in [
        ("Content-Length: abc\r\n", _ASK, 400),
        ("Content-Length: -1\r\n", big, 400),
        ("Content-Length: +5\r\n", _ASK, 400),
        (f"Content-Length: {len(_ASK)}\r\nContent-Length: 3\r\n", _ASK, 400),
        (f"Content-Length: {len(big)}\r\n", big, 413),
        ("Content-Length: 99999999999999999999999\r\n", big, 413),
        ("Content-Length: " + "9" * 5000 + "\r\n", big, 413),
        ("Transfer-Encoding: chunked\r\n", chunked + b"0\r\n\r\n", 411),
    ]:
        status, answer = _post_raw(serve_llm, headers, body)
        assert status == expected, (headers, status, answer[:200])
    assert fake_llm.posts == []
    assert "Traceback" not in capfd.readouterr().err
    # a well-formed request still goes through
    assert _post_raw(serve_llm, f"Content-Length: {len(_ASK)}\r\n", _ASK)[0] == 200


# ---------------------------------------------------------------------------------------------
# Leaks through the proxy and secrets — data/templates/proxy/*, checks.py, deploy
# 5. The proxy's rate limit behind a front proxy (rightmost hop, CF-Connecting-IP).
# 6. The proxy forwards only an allow-list of fields.
# 7. Secrets in public URLs: the whole family of names refused.
# 8. A password in --endpoint-url is masked.

# ---------------------------------------------------------------------------------------------
# Wrong content and crashes while reading a site — text/sources.py, text/extract.py
# Symlinks outside the site are skipped (generate, serve, deploy), and named.
# 9. Deeply nested HTML: iterative walk, bounded work, the page skipped with its reason.
# 10. A non-UTF-8 file name.
# 14. A binary file named .html is skipped.
# 15. UTF-16/UTF-32 pages with a BOM, or declared UTF-16.

# ---------------------------------------------------------------------------------------------
# Crashes and unclear errors — index/embed.py, options.py, deploy/
# 11. A broken cache: one sentence, moved aside, rebuilt.
# 12. Bad paths and URLs: --report to a missing folder, --base-url 'https://[::1/', deploy --endpoint-url 'not a url'.
# 16. Incomplete bundles refused before anything is sent (every file the manifest and runtime need, by hash).

# ---------------------------------------------------------------------------------------------
# Held today; kept held


def test_held_serve_binds_to_loopback_by_default(examples_bundle: Path) -> None:
    """Held: `sitebot serve` listens on 127.0.0.1 only unless --host says otherwise."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "sitebot", "serve", str(examples_bundle), "--port", "0"],
        cwd=ROOT,
        env=os.environ.copy(),
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert " at http://127.0.0.1:" in line, line
        port = int(line.split("http://127.0.0.1:", 1)[1].split("/", 1)[0])
        assert httpx.get(f"http://127.0.0.1:{port}/sitebot.json").status_code == 200
        # 127.0.0.2 is this machine too (Linux routes 127/8 to lo): a wildcard bind would answer there
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.2", port), timeout=5).close()
    finally:
        proc.terminate()
        proc.wait(10)
        assert proc.stderr is not None
        proc.stderr.close()
