"""Shared fixtures: an isolated environment, built bundles, loopback servers, Chromium."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CHROMIUM = os.environ.get("SITEBOT_CHROMIUM", "/usr/bin/chromium")
# Flags for a headless Chromium on a machine with no network but loopback.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-sync", "--disable-quic", "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One embedding cache for the whole run, so each site is embedded once."""
    return tmp_path_factory.mktemp("cache")


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


def build(source: Path, output: Path, *extra: str, env: dict[str, str] | None = None) -> Path:
    r = run_cli("generate", str(source), "-o", str(output), "-q", *extra, env=env)
    assert r.returncode == 0, r.stderr
    return output


def tree_hashes(folder: Path) -> dict[str, str]:
    """Every file under `folder` and its sha256: to show that a failed run changed nothing."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def one_error_line(r: subprocess.CompletedProcess[str]) -> str:
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


@pytest.fixture(scope="session")
def examples_bundle(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Path:
    """The demo site built once, with page URLs relative to the host (base_url "/")."""
    out = tmp_path_factory.mktemp("examples") / "chatbot"
    return build(EXAMPLES, out, "--base-url", "/", env={"SITEBOT_CACHE_DIR": str(cache_dir)})


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
    pg.on("console", lambda m: problems.append(f"console.{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    pg.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    pg.problems = problems  # type: ignore[attr-defined]
    yield pg
    context.close()


from fake_llm import fake_llm, fake_llm_server  # noqa: E402,F401 - the local LLM stand-in (tests/fake_llm.py)
