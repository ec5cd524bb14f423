"""Issue 13: trying to break sitebot as an attacker and as a clumsy owner would.

Every promise stands next to its test: one sentence and exit 1, nothing of the owner's lost,
nothing leaked. The numbers are the cases of the issue; "held" cases were already true and are
kept true here. Each section is owned by one area of the code (named in its heading).
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import build, invoke_cli, one_error_line, run_cli, tree_hashes

# ---------------------------------------------------------------------------------------------
# Data loss — bundle/writer.py, deploy/plan.py
# 1. `generate -o` refuses a folder holding anything but a bundle's own files (a deployed site root).
# 2. deploy without its record never overwrites an existing, different index.html / snippet.html.
# 17. Leftovers: stale .tmp folders cleaned, SIGTERM handled, a half-done swap finished, git temp
#     folders holding a token removed.


@pytest.fixture(scope="module")
def writer_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-page site: each build of it takes about a second."""
    root = tmp_path_factory.mktemp("writer") / "site"
    root.mkdir()
    (root / "index.html").write_text(
        "<html><head><title>Acme</title></head><body><main><h1>Acme</h1>"
        "<p>You can return any widget within 30 days for a full refund.</p></main></body></html>"
    )
    return root


@pytest.fixture(scope="module")
def writer_bundle(writer_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`writer_site` built once; tests copy it rather than build again."""
    return build(writer_site, tmp_path_factory.mktemp("writer-bundle") / "chatbot")


def _copy_bundle(bundle: Path, out: Path) -> Path:
    shutil.copytree(bundle, out)
    return out


def _generate(site: Path, out: Path, *extra: str) -> None:
    """A successful `sitebot generate`, in-process (no interpreter start-up)."""
    r = invoke_cli("generate", str(site), "-o", str(out), "-q", *extra)
    assert r.returncode == 0, r.stderr


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def _start_build(site: Path, out: Path) -> subprocess.Popen[str]:
    """`sitebot generate` in a subprocess, returned once its temporary folder exists (the writer is open)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "sitebot", "generate", str(site), "-o", str(out), "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not any(n.endswith(".tmp") for n in _leftovers(out)):
        assert proc.poll() is None and time.monotonic() < deadline, "the build ended before writing"
        time.sleep(0.01)
    return proc


def _dead_pid() -> int:
    """The pid of a process that has exited (and been reaped): what a killed build leaves in its names."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_1_generate_refuses_a_deployed_site_root(writer_site: Path, writer_bundle: Path, tmp_path: Path) -> None:
    """1. `generate -o` refuses a folder holding anything but a bundle's own files (a deployed site root)."""
    pub = tmp_path / "pub"
    (pub / "about").mkdir(parents=True)
    (pub / "about" / "index.html").write_text("<h1>About us</h1>")
    (pub / "CNAME").write_text("example.com\n")
    assert invoke_cli("deploy", str(writer_bundle), "--to", f"dir:{pub}", "-q").returncode == 0
    before = tree_hashes(pub)
    line = one_error_line(invoke_cli("generate", str(writer_site), "-o", str(pub), "-q"))
    assert "not part of a sitebot bundle" in line and "-o" in line
    assert tree_hashes(pub) == before
    # A folder holding only what deploy put there (bundle files and its record) is still ours to rebuild.
    own = tmp_path / "own"
    assert invoke_cli("deploy", str(writer_bundle), "--to", f"dir:{own}", "-q").returncode == 0
    _generate(writer_site, own)


def test_17_sigterm_aborts_the_build_cleanly(writer_site: Path, writer_bundle: Path, tmp_path: Path) -> None:
    """17. SIGTERM (as from `timeout`) during generate: one sentence, non-zero exit, no leftovers, old bundle kept."""
    out = _copy_bundle(writer_bundle, tmp_path / "out")
    before = tree_hashes(out)
    proc = _start_build(writer_site, out)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert "Traceback" not in stderr
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "SIGTERM" in lines[0], stderr
    assert _leftovers(out) == []
    assert tree_hashes(out) == before


def test_17_stale_temp_folders_are_removed_at_the_next_build(writer_site: Path, tmp_path: Path) -> None:
    """17. A SIGKILLed generate leaves its temp folder; the next build removes it, but not a live build's."""
    out = tmp_path / "out"
    proc = _start_build(writer_site, out)
    proc.kill()
    proc.communicate(timeout=60)
    assert any(n.endswith(".tmp") for n in _leftovers(out))  # what a kill leaves behind
    live = tmp_path / f".out.{os.getpid()}-abcdefgh.tmp"  # a build still running (this process)
    live.mkdir()
    _generate(writer_site, out)
    assert _leftovers(out) == [live.name]


def test_17_a_crash_between_the_renames_is_recovered(writer_bundle: Path, tmp_path: Path) -> None:
    """17. A crash between commit's two renames (output moved to .<name>.old-<pid>, none at -o) is
    undone by the next build, even one that fails: the previous bundle is back at -o."""
    out = _copy_bundle(writer_bundle, tmp_path / "out")
    before = tree_hashes(out)
    pid = _dead_pid()
    out.rename(tmp_path / f".out.old-{pid}")  # the state the killed build left: first rename done, second not
    shutil.copytree(tmp_path / f".out.old-{pid}", tmp_path / f".out.{pid}-abcdefgh.tmp")
    blank = tmp_path / "blank"
    blank.mkdir()
    (blank / "index.html").write_text("<html><body></body></html>")
    one_error_line(invoke_cli("generate", str(blank), "-o", str(out), "-q"))  # fails after the writer opened
    assert tree_hashes(out) == before
    assert _leftovers(out) == []


# ---------------------------------------------------------------------------------------------
# Leaks in `sitebot serve` — serve.py
# 3. Path traversal in serve --site.
# 4. serve --llm refuses a DNS-rebinding Host.
# 13. serve --llm body lengths (Content-Length: abc, -1).

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


def test_11_cache_dir_that_is_a_file(writer_site: Path, tmp_path: Path) -> None:
    """11. --cache-dir naming a file: one sentence that names it, nothing written."""
    afile = tmp_path / "cachefile"
    afile.write_text("not a folder")
    line = one_error_line(
        invoke_cli("generate", str(writer_site), "-o", str(tmp_path / "out"), "-q", "--cache-dir", str(afile))
    )
    assert str(afile) in line and "--cache-dir" in line
    assert not (tmp_path / "out").exists()


def test_11_corrupt_embedding_cache_is_moved_aside_and_rebuilt(writer_site: Path, tmp_path: Path) -> None:
    """11. A corrupt embeddings.sqlite: one warning, moved aside as .corrupt-1, rebuilt; the build succeeds."""
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "embeddings.sqlite").write_bytes(b"garbage, not SQLite" * 100)
    args = ("generate", str(writer_site), "-o", str(tmp_path / "out"), "-q", "--cache-dir", str(cache))
    r = run_cli(*args)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    warnings = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(warnings) == 1 and warnings[0].startswith("Warning: ") and "corrupt" in warnings[0], r.stderr
    assert (cache / "embeddings.sqlite.corrupt-1").read_bytes().startswith(b"garbage")
    with sqlite3.connect(cache / "embeddings.sqlite") as db:
        assert db.execute("SELECT count(*) FROM vectors").fetchone()[0] > 0
    again = invoke_cli(*args)
    assert again.returncode == 0 and again.stderr.strip() == ""


def test_11_corrupt_page_cache_is_moved_aside(tmp_path: Path) -> None:
    """11. A corrupt pages.sqlite (the crawl's page cache) is moved aside and started afresh, not a traceback."""
    from sitebot.crawl.pagecache import PageCache

    path = tmp_path / "pages.sqlite"
    path.write_bytes(b"\x00garbage" * 500)
    cache = PageCache(path)
    cache.put("https://example.com/", "0" * 64, None, None, "html", "utf-8", b"<p>hi</p>")
    cache.close()
    assert (tmp_path / "pages.sqlite.corrupt-1").exists()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM pages").fetchone()[0] == 1


def test_12_report_path_checked_before_the_build(writer_site: Path, tmp_path: Path) -> None:
    """12. --report into a missing folder: one sentence before anything is built."""
    out = tmp_path / "out"
    line = one_error_line(invoke_cli("generate", str(writer_site), "-o", str(out), "--report", "/missing/x.json"))
    assert "/missing" in line and "--report" in line
    assert not out.exists()


def test_12_base_url_that_does_not_parse(writer_site: Path, tmp_path: Path) -> None:
    """12. --base-url 'https://[::1/' (an unclosed IPv6 bracket): one sentence, no bundle."""
    out = tmp_path / "out"
    line = one_error_line(invoke_cli("generate", str(writer_site), "-o", str(out), "--base-url", "https://[::1/"))
    assert "--base-url" in line and "valid URL" in line
    assert not out.exists()


# ---------------------------------------------------------------------------------------------
# Held today; kept held


def test_held_kill_9_during_a_build_keeps_the_old_bundle(
    writer_site: Path, writer_bundle: Path, tmp_path: Path
) -> None:
    """Held: kill -9 at several points of a build (reading and embedding, writing, near the swap)
    leaves the old bundle exactly as it was, and the next build cleans up."""
    out = _copy_bundle(writer_bundle, tmp_path / "out")
    before = tree_hashes(out)
    for delay in (0.0, 0.2, 0.5):
        proc = _start_build(writer_site, out)
        time.sleep(delay)
        proc.kill()
        proc.communicate(timeout=60)
        assert tree_hashes(out) == before, delay
    _generate(writer_site, out)
    assert _leftovers(out) == []
