"""Shared fixtures: an isolated environment, built bundles, loopback servers, Chromium."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from loopback import Handler, LoopbackServer

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CHROMIUM = os.environ.get("SITEBOT_CHROMIUM", "/usr/bin/chromium")
# Flags for a headless Chromium on a machine with no network but loopback.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    "--disable-dev-shm-usage",
]


# The caller's real environment, before `fresh_home` replaces HOME: pip in test_wheel.py keeps
# the machine's pip configuration (its index) and cache, which only make installs reachable and fast.
CALLER_ENV = dict(os.environ)


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One embedding cache for the whole run, so each site is embedded once."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def new_cache(tmp_path: Path, examples_bundle: Path, cache_dir: Path) -> Path:
    """A cache folder without embeddings or pages (tests of what a build embeds and caches) that
    holds what depends on the model and runtime alone, as any cache a build of this model ever
    used would: the lite path's token table (~25 s to compute) and the runtime's compressed
    copies (~40 s of brotli for the wasm), which these tests are not about."""
    del examples_bundle  # built with `cache_dir`, so those are there to copy
    cache = tmp_path / "cache"
    cache.mkdir()
    for name in ("tokentable", "precompressed"):
        shutil.copytree(cache_dir / name, cache / name)
    return cache


@pytest.fixture(scope="session", autouse=True)
def fresh_home(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Iterator[Path]:
    """An empty home folder for the whole run, so no test leans on the developer's ~/.cache,
    ~/.gitconfig or ~/.config as a fresh machine would not have them. Session-scoped (and
    autouse, so set before any other session fixture) because bundles built once per run
    are built in subprocesses that inherit this environment."""
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(home))
        mp.setenv("XDG_CACHE_HOME", str(home / ".cache"))
        mp.setenv("XDG_CONFIG_HOME", str(home / ".config"))
        mp.setenv("SITEBOT_CACHE_DIR", str(cache_dir))
        yield home


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, cache_dir: Path) -> None:
    for key in list(os.environ):
        if key.startswith("SITEBOT_") or key.lower() in ("http_proxy", "https_proxy", "all_proxy"):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("SITEBOT_CACHE_DIR", str(cache_dir))


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `sitebot` command in a subprocess, as a user would."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "sitebot", *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=600
    )


@dataclass
class CliRun:
    """An in-process run's outcome, with the fields of a subprocess result the checks read."""

    returncode: int
    stdout: str
    stderr: str


def _runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]  # click 8.1 mixes stderr in by default
    except TypeError:
        return CliRunner()  # click >= 8.2: stderr is always kept apart


def invoke_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> CliRun:
    """Run `sitebot ARGS` inside this process with click's CliRunner: for the refusals, where a
    subprocess would only add a second of start-up. The real entry point keeps its own
    subprocess runs (`run_cli`). A failure must end in SystemExit, whether a command calls
    sys.exit(1) or the click group turns a SitebotError into "Error: …" and exit 1; any other
    exception escaped the CLI, and is written into stderr as the traceback a user would see,
    so the checks that look for "Traceback" catch it as they do for a subprocess."""
    from sitebot.cli import cli

    with contextlib.chdir(cwd or Path.cwd()):
        result = _runner().invoke(cli, list(args), env=env, prog_name="sitebot")
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
    return CliRun(result.exit_code, result.stdout, stderr)


def build(source: Path, output: Path, *extra: str, env: dict[str, str] | None = None) -> Path:
    r = run_cli("generate", str(source), "-o", str(output), "-q", *extra, env=env)
    assert r.returncode == 0, r.stderr
    return output


def tree_hashes(folder: Path) -> dict[str, str]:
    """Every file under `folder` and its sha256: to show that a failed run changed nothing."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def run_node(tmp_path: Path, module: str) -> Any:
    """Runs an ES module source with Node and returns what it printed, parsed as JSON: how the
    tests hold browser modules (runtime_js/src/…, imported by file URL) to the Python side."""
    import json

    node = shutil.which("node")
    assert node, "Node.js is needed to build the browser runtime and for this test"
    script = tmp_path / "node-check.mjs"
    script.write_text(module)
    return json.loads(subprocess.run([node, str(script)], capture_output=True, text=True, check=True).stdout)


def one_error_line(r: CliRun | subprocess.CompletedProcess[str]) -> str:
    """The run failed with exit 1 and exactly one line, `Error: …`, and no traceback."""
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr + r.stdout
    lines = [ln for ln in r.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), r.stderr
    return lines[0]


def write_toml(folder: Path, text: str) -> Path:
    cfg = folder / "sitebot.toml"
    cfg.write_text(text)
    return cfg


@pytest.fixture
def unresolvable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Host names under .invalid fail as a resolver that does not know them fails (socket.gaierror,
    EAI_NONAME), without asking one: a DNS test must not depend on this machine's resolver or network.
    Only in-process code sees this; other names resolve as usual."""
    real = socket.getaddrinfo

    def getaddrinfo(host: bytes | str | None, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host or ""
        if name.rstrip(".").endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-page site for the configuration tests (test_llm_config.py, test_support_config.py);
    test files that serve a site of their own define their own `site`."""
    root = tmp_path_factory.mktemp("configsite") / "site"
    root.mkdir()
    (root / "index.html").write_text(
        "<html><head><title>Acme</title></head><body><main><h1>Acme</h1><h2 id=refunds>Refunds</h2>"
        "<p>You can return any widget within 30 days for a full refund.</p><h2>Opening hours</h2>"
        "<p>The shop is open Monday to Friday from 9 to 17.</p></main></body></html>"
    )
    return root


@pytest.fixture(scope="session")
def previous(site: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A bundle of `site` and its file hashes: a refused build must leave it as it was."""
    out = build(site, tmp_path_factory.mktemp("prev") / "bundle")
    return out, tree_hashes(out)


@pytest.fixture(scope="session")
def examples_bundle(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Path:
    """The demo site built once, with page URLs relative to the host (base_url "/")."""
    out = tmp_path_factory.mktemp("examples") / "chatbot"
    return build(EXAMPLES, out, "--base-url", "/", env={"SITEBOT_CACHE_DIR": str(cache_dir)})


@pytest.fixture
def loopback() -> Iterator[Callable[..., LoopbackServer]]:
    """Start LoopbackServers (tests/loopback.py) with `loopback(handler, host=…, **state)`; all are
    closed when the test ends."""
    servers: list[LoopbackServer] = []

    def start(handler: Handler, host: str = "127.0.0.1", **state: Any) -> LoopbackServer:
        servers.append(LoopbackServer(handler, host, **state))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


@pytest.fixture(scope="session")
def served_site(tmp_path_factory: pytest.TempPathFactory, examples_bundle: Path) -> Iterator[str]:
    """The example site with its bundle at /chatbot/, served on 127.0.0.1."""
    from sitebot.serve import serve_in_thread

    root = tmp_path_factory.mktemp("served")
    shutil.copytree(EXAMPLES / "site", root, dirs_exist_ok=True)
    shutil.copytree(examples_bundle, root / "chatbot")
    server, url = serve_in_thread(root, require_bundle=False)
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh page whose console errors and page errors are collected in `page.problems`."""
    context = browser.new_context()  # type: ignore[attr-defined]
    pg = context.new_page()
    problems: list[str] = []
    pg.on(
        "console", lambda m: problems.append(f"console.{m.type}: {m.text}") if m.type in ("error", "warning") else None
    )
    pg.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    pg.problems = problems  # type: ignore[attr-defined]
    yield pg
    context.close()


from fake_llm import fake_llm, fake_llm_server  # noqa: E402,F401 - the local LLM stand-in (tests/fake_llm.py)


def wait_for_held(page: Any, held: list[Any]) -> None:
    """Waits until the model's request is held: the engine asks for the model only once the
    first answer is out (engine/worker.js), not at once."""
    for _ in range(300):
        if held:
            return
        page.wait_for_timeout(100)
    raise AssertionError("the model was never requested")


def without_lite_path(route: Any) -> None:
    """Serves sitebot.json without its `lite` section (a bundle built with bot.model = "full")."""
    manifest = route.fetch().json()
    manifest.pop("lite", None)
    route.fulfill(status=200, content_type="application/json", body=json.dumps(manifest))
