"""`sitebot proxy` and `sitebot serve --llm`: the generated Node proxy run by Debian's node, and
the preview forwarder, each in front of the local LLM stand-in (tests/fake_llm.py) on 127.0.0.1
(docs/llm.md)."""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import ROOT, build, invoke_cli, run_cli
from fake_llm import FakeLLM, Reply
from loopback import LoopbackServer

NODE = shutil.which("node") or shutil.which("nodejs") or "node"
KEY = "test-secret"
SITE = "https://site.example"


class EchoingErrors:
    """An upstream that fails with `status` and quotes the credentials it got, as some
    providers' 401 texts do (tests/fake_llm.py's errors do not), to check they are scrubbed."""

    def __init__(self, loopback: Callable[..., LoopbackServer]) -> None:
        self.status = 401
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                text = json.dumps(
                    {
                        "error": {
                            "message": f"Incorrect API key provided: {self.headers.get('Authorization')}"
                            f"{self.headers.get('x-api-key') or ''}"
                        }
                    }
                ).encode()
                self.send_response(outer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

        self.url = loopback(Handler).url + "/v1/chat/completions"


@pytest.fixture
def echoing(loopback: Callable[..., LoopbackServer]) -> EchoingErrors:
    return EchoingErrors(loopback)


class Running:
    """A subprocess whose output lines are read in a thread; `stop()` ends it and closes its pipe."""

    def __init__(self, args: list[str], **kwargs: Any) -> None:
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)
        self.lines: queue.Queue[str] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in iter(self.proc.stdout.readline, ""):
            self.lines.put(line)

    def wait_for(self, pattern: str, timeout: float = 20) -> str:
        """The first group of the first output line matching `pattern`."""
        while True:
            m = re.search(pattern, self.lines.get(timeout=timeout))
            if m:
                return m.group(1)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
        self.reader.join(10)
        assert self.proc.stdout is not None
        self.proc.stdout.close()


def start_proxy(tmp_path: Path, upstream_url: str, *args: str) -> tuple[Running, str]:
    out = tmp_path / "proxy"
    r = run_cli(
        "proxy",
        "--upstream",
        upstream_url,
        "--allow-origin",
        SITE,
        "--model",
        "pinned-model",
        "--max-tokens",
        "300",
        "-o",
        str(out),
        *args,
    )
    assert r.returncode == 0, r.stderr
    proc = Running(
        [NODE, str(out / "node-handler.mjs")],
        env={"PATH": os.environ["PATH"], "PORT": "0", "HOST": "127.0.0.1", "SITEBOT_LLM_API_KEY": KEY},
    )
    port = proc.wait_for(r"listening on port (\d+)")
    return proc, f"http://127.0.0.1:{port}/"


@pytest.fixture
def proxy(tmp_path: Path, fake_llm: FakeLLM) -> Iterator[str]:
    proc, url = start_proxy(tmp_path, fake_llm.openai)
    yield url
    proc.stop()


ASK = {
    "model": "gpt-4-expensive",
    "max_tokens": 100000,
    "stream": True,
    "temperature": 0.2,
    "messages": [{"role": "system", "content": "Answer from [1]."}, {"role": "user", "content": "Refunds?"}],
}


ANSWER = "Refunds take 30 days [1]."


def stream_early(url: str, fake: FakeLLM, headers: dict[str, str]) -> tuple[httpx.Response, str]:
    """POST and read the stream; the first words must arrive while the upstream is still
    writing the answer (it sends 4 pieces 0.25 s apart). Returns the response and all its text."""
    fake.script(Reply(ANSWER, chunks=4, delay=0.25))
    text, early = "", None
    with httpx.Client(timeout=20) as client, client.stream("POST", url, json=ASK, headers=headers) as r:
        for chunk in r.iter_raw():
            text += chunk.decode()
            if early is None and "Refunds" in text:
                early = not fake.posts[-1].completed
    assert early, "the first words arrived only after the upstream had finished"
    return r, text


# --- the generated Node proxy -------------------------------------------------------------------


def test_allowed_origin_streams_through_with_the_key_and_the_pinned_model(proxy: str, fake_llm: FakeLLM) -> None:
    r, text = stream_early(proxy, fake_llm, {"Origin": SITE, "Cookie": "session=1"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    assert r.headers["access-control-allow-origin"] == SITE
    assert text.endswith("data: [DONE]\n\n")
    (got,) = fake_llm.posts
    assert got.headers["authorization"] == f"Bearer {KEY}"
    assert got.body["model"] == "pinned-model" and got.body["max_tokens"] == 300
    assert got.body["messages"] == ASK["messages"] and got.body["stream"] is True
    assert "cookie" not in got.headers and got.completed
    assert KEY not in json.dumps(dict(r.headers)) + text


def test_preflight_and_foreign_origins(proxy: str, fake_llm: FakeLLM) -> None:
    ok = httpx.options(
        proxy,
        headers={
            "Origin": SITE,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert ok.status_code == 204 and ok.headers["access-control-allow-origin"] == SITE
    assert "content-type" in ok.headers["access-control-allow-headers"].lower()
    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": SITE + ".evil.example"},
        {"Origin": "http://site.example"},
        {},
    ):
        r = httpx.post(proxy, json=ASK, headers=headers)
        assert r.status_code == 403, headers
        assert "access-control-allow-origin" not in r.headers
    assert httpx.options(proxy, headers={"Origin": "https://evil.example"}).status_code == 403
    assert fake_llm.requests == []  # the upstream was never called


def test_oversized_bodies_are_refused_before_the_upstream(proxy: str, fake_llm: FakeLLM) -> None:
    big = json.dumps({**ASK, "pad": "x" * 40_000}).encode()
    r = httpx.post(proxy, content=big, headers={"Origin": SITE, "Content-Type": "application/json"})
    assert r.status_code == 413
    chunked = httpx.post(
        proxy, content=iter([big[:20_000], big[20_000:]]), headers={"Origin": SITE}
    )  # no Content-Length
    assert chunked.status_code == 413
    assert fake_llm.requests == []


def test_upstream_errors_keep_their_status_and_never_echo_the_key(tmp_path: Path, echoing: EchoingErrors) -> None:
    proc, url = start_proxy(tmp_path, echoing.url)
    try:
        for status in (401, 429, 503):
            echoing.status = status
            r = httpx.post(url, json=ASK, headers={"Origin": SITE})
            assert r.status_code == status
            assert r.headers["access-control-allow-origin"] == SITE  # the page can read the status
            assert KEY not in r.text and KEY not in json.dumps(dict(r.headers)) and "[redacted]" in r.text
    finally:
        proc.stop()


def test_rate_limit_answers_429(tmp_path: Path, fake_llm: FakeLLM) -> None:
    fake_llm.script(Reply("ok", chunks=1, delay=0))
    proc, url = start_proxy(tmp_path, fake_llm.openai, "--rate-limit", "2")
    try:
        # Six requests: even if a minute boundary falls between two of them, one window holds three.
        statuses = [httpx.post(url, json=ASK, headers={"Origin": SITE}, timeout=10) for _ in range(6)]
    finally:
        proc.stop()
    codes = [r.status_code for r in statuses]
    assert codes[:2] == [200, 200] and 429 in codes, codes
    limited = statuses[codes.index(429)]
    assert int(limited.headers["retry-after"]) >= 1 and limited.headers["access-control-allow-origin"] == SITE
    assert len(fake_llm.posts) == codes.count(200)


def test_anthropic_proxy_sends_x_api_key(tmp_path: Path, fake_llm: FakeLLM) -> None:
    proc, url = start_proxy(tmp_path, fake_llm.anthropic, "--provider", "anthropic")
    try:
        r, text = stream_early(url, fake_llm, {"Origin": SITE, "anthropic-version": "2023-06-01"})
    finally:
        proc.stop()
    assert r.status_code == 200 and "content_block_delta" in text and "message_stop" in text
    (got,) = fake_llm.posts
    assert got.headers["x-api-key"] == KEY and got.headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in got.headers and got.body["model"] == "pinned-model"
    assert KEY not in text + json.dumps(dict(r.headers))


def test_node_proxy_without_the_key_says_so(tmp_path: Path) -> None:
    run_cli("proxy", "--allow-origin", SITE, "--model", "m", "-o", str(tmp_path / "p"))
    r = subprocess.run(
        [NODE, str(tmp_path / "p" / "node-handler.mjs")],
        capture_output=True,
        text=True,
        timeout=30,
        env={"PATH": os.environ["PATH"], "PORT": "0"},
    )
    assert r.returncode == 1 and "SITEBOT_LLM_API_KEY" in r.stderr


def test_cloudflare_worker_and_netlify_style_handlers(tmp_path: Path, fake_llm: FakeLLM) -> None:
    """The worker parses as a module, and both fetch-style entry points (the Worker's, and the
    Node file's default export called as Netlify Functions 2.0 call it) behave like the server."""
    out = tmp_path / "proxy"
    r = run_cli(
        "proxy", "--upstream", fake_llm.openai, "--allow-origin", SITE, "--model", "pinned-model", "-o", str(out)
    )
    assert r.returncode == 0, r.stderr
    assert subprocess.run([NODE, "--check", str(out / "cloudflare-worker.js")], capture_output=True).returncode == 0
    shutil.copy(out / "cloudflare-worker.js", out / "worker.mjs")  # node loads .js files as CommonJS
    script = out / "check.mjs"
    script.write_text(
        """
import worker from "./worker.mjs";
import handler from "./node-handler.mjs";
const ask = (origin) => new Request("https://proxy.example/", {method: "POST", headers: {Origin: origin, "Content-Type": "application/json"},
                                      body: JSON.stringify({model: "x", max_tokens: 5, messages: [{role: "user", content: "hi"}]})});
const results = {};
for (const [name, call] of [["worker", (q) => worker.fetch(q, {SITEBOT_LLM_API_KEY: "test-secret"})],
                            ["netlify", (q) => handler(q, {ip: "203.0.113.9"})]]) {
  const ok = await call(ask("SITE_ORIGIN"));
  const text = await ok.text();
  const foreign = await call(ask("https://evil.example"));
  results[name] = {status: ok.status, cors: ok.headers.get("access-control-allow-origin"), done: text.includes("[DONE]"),
                   leaked: text.includes("test-secret"), foreign: foreign.status};
}
console.log(JSON.stringify(results));
""".replace("SITE_ORIGIN", SITE)
    )
    r = subprocess.run(
        [NODE, str(script)],
        capture_output=True,
        text=True,
        timeout=30,
        env={"PATH": os.environ["PATH"], "SITEBOT_LLM_API_KEY": KEY},
    )
    assert r.returncode == 0, r.stderr
    results = json.loads(r.stdout)
    for name in ("worker", "netlify"):
        assert results[name] == {"status": 200, "cors": SITE, "done": True, "leaked": False, "foreign": 403}, name
    assert [q.headers["authorization"] for q in fake_llm.posts] == [f"Bearer {KEY}"] * 2


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--allow-origin", "https://site.example/app", "--model", "m"], "must be an origin like"),
        (["--allow-origin", "*", "--model", "m"], "must be an origin like"),
        (["--allow-origin", "ftp://site.example", "--model", "m"], "must be an origin like"),
        (["--allow-origin", SITE], "--model"),
        (["--model", "m"], "--allow-origin"),
        (["--allow-origin", SITE, "--model", "m", "--upstream", "file:///etc/passwd"], "must be an http(s) URL"),
        (
            [
                "--allow-origin",
                SITE,
                "--model",
                "m",
                "--upstream",
                "https://api.openai.com/v1/chat/completions?api_key=sk-live-9",
            ],
            "SITEBOT_LLM_API_KEY",
        ),
        (["--allow-origin", SITE, "--model", "m", "--rate-limit", "0"], "--rate-limit"),
    ],
)
def test_proxy_flags_are_validated(args: list[str], needle: str, tmp_path: Path) -> None:
    r = invoke_cli("proxy", *args, "-o", str(tmp_path / "p"), cwd=tmp_path)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and needle in lines[0], r.stderr
    assert "sk-live-9" not in r.stderr
    assert not (tmp_path / "p").exists()


def test_proxy_takes_defaults_from_sitebot_toml(tmp_path: Path) -> None:
    (tmp_path / "sitebot.toml").write_text(
        'base_url = "https://docs.site.example/help/"\n[llm]\nprovider = "anthropic"\n'
        'endpoint = "https://proxy.site.example/"\nmodel = "claude-x"\nmax_tokens = 321\n'
    )
    r = run_cli("proxy", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    text = (tmp_path / "proxy" / "node-handler.mjs").read_text()
    config = json.loads(re.search(r"const CONFIG = (\{.*?\n\});", text, re.S).group(1))  # type: ignore[union-attr]
    assert config == {
        "provider": "anthropic",
        "upstream": "https://api.anthropic.com/v1/messages",
        "allowOrigins": ["https://docs.site.example"],
        "model": "claude-x",
        "maxTokens": 321,
        "rateLimit": 20,
        "maxBody": 32768,
    }
    assert "SITEBOT_LLM_API_KEY" in (tmp_path / "proxy" / "README.md").read_text()


# --- sitebot serve --llm ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("tiny") / "site"
    site.mkdir()
    (site / "index.html").write_text(
        "<html><head><title>Acme</title></head><body><main><h2 id=refunds>Refunds</h2>"
        "<p>You can return any widget within 30 days.</p></main></body></html>"
    )
    return site


@pytest.fixture(scope="module")
def llm_bundle(tiny_site: Path) -> Path:
    return build(
        tiny_site,
        tiny_site.parent / "llm",
        "--mode",
        "llm",
        "--llm-endpoint",
        "https://proxy.site.example/",
        "--llm-model",
        "m1",
    )


def start_serve(bundle: Path, upstream_url: str, env: dict[str, str]) -> tuple[Running, str]:
    proc = Running(
        [sys.executable, "-m", "sitebot", "serve", str(bundle), "--port", "0", "--llm", upstream_url],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    return proc, proc.wait_for(r"at (http://127\.0\.0\.1:\d+/)")


def test_serve_llm_forwards_with_the_key_and_streams(llm_bundle: Path, fake_llm: FakeLLM) -> None:
    proc, url = start_serve(llm_bundle, fake_llm.openai, {"SITEBOT_LLM_API_KEY": KEY})
    try:
        manifest = httpx.get(url + "sitebot.json").json()
        assert manifest["settings"]["llm"]["endpoint"] == "/__sitebot/llm"
        assert (
            json.loads((llm_bundle / "sitebot.json").read_text())["settings"]["llm"]["endpoint"]
            == "https://proxy.site.example/"
        )
        r, text = stream_early(url + "__sitebot/llm", fake_llm, {"Origin": url.rstrip("/")})
        assert r.status_code == 200 and text.endswith("data: [DONE]\n\n")
        (got,) = fake_llm.posts
        assert got.headers["authorization"] == f"Bearer {KEY}" and got.body == ASK
        assert KEY not in json.dumps(dict(r.headers)) + text
        foreign = httpx.post(url + "__sitebot/llm", json=ASK, headers={"Origin": "https://evil.example"})
        assert foreign.status_code == 403 and len(fake_llm.posts) == 1
        fake_llm.script(Reply(status=429))
        err = httpx.post(url + "__sitebot/llm", json=ASK)
        assert err.status_code == 429 and KEY not in err.text
    finally:
        proc.stop()


def test_serve_llm_without_the_key_fails_with_one_sentence(llm_bundle: Path, fake_llm: FakeLLM) -> None:
    r = run_cli("serve", str(llm_bundle), "--port", "0", "--llm", fake_llm.openai)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: set SITEBOT_LLM_API_KEY"), r.stderr
    assert fake_llm.requests == []


def test_serve_llm_needs_a_bundle_built_in_llm_mode(tiny_site: Path, fake_llm: FakeLLM) -> None:
    extractive = build(tiny_site, tiny_site.parent / "extractive")
    r = run_cli("serve", str(extractive), "--port", "0", "--llm", fake_llm.openai, env={"SITEBOT_LLM_API_KEY": KEY})
    assert r.returncode == 1 and "llm mode" in r.stderr and len(r.stderr.strip().splitlines()) == 1
