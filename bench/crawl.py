"""Crawl throughput, rebuild cost and peak memory, on sites served on 127.0.0.1.

    python bench/crawl.py                 # all three figures
    python bench/crawl.py --only memory   # one of: throughput, rebuild, memory

- throughput: pages/s crawling (and extracting) a 600-page site, at the default politeness
  (4 requests at a time per host, 0.1 s between request starts) and at full speed
  (8 at a time, no delay).
- rebuild: a full build of a 500-page site from an empty cache, then 1 % of pages changed
  and rebuilt: the rebuild's time as a fraction of the full build's.
- memory: peak RSS of a whole `sitebot generate` of a 5,000-page site (crawl + build), in
  a child process.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = (
    "printer ink wireless setup refund shipping warranty account subscription cartridge paper jam "
    "network router firmware update scanner colour document tray toner invoice plan team admin"
).split()


def make_site(root: Path, pages: int) -> None:
    """Pages with a few varied paragraphs, a shared nav, and links to their neighbours."""
    (root / "p").mkdir(parents=True, exist_ok=True)
    links = "".join(f'<a href="/p/{i}.html">{i}</a> ' for i in range(0, pages, max(1, pages // 50)))
    (root / "index.html").write_text(
        f"<html><head><title>Home</title></head><body><main><h1>Home</h1><p>{links}</p></main></body></html>"
    )
    for i in range(pages):
        body = "".join(
            f"<h2 id=s{s}>Section {s} of page {i}</h2><p>"
            + " ".join(WORDS[(i * 7 + s * 3 + k) % len(WORDS)] for k in range(60))
            + f". Value {i}-{s}.</p>"
            for s in range(3)
        )
        nav = "".join(f'<a href="/p/{j % pages}.html">next</a> ' for j in (i + 1, i + 2, i * 3 + 1))
        page = f"<html><head><title>Page {i}</title></head><body><nav>{nav}</nav><main><h1>Page {i}</h1>{body}</main></body></html>"
        (root / "p" / f"{i}.html").write_text(page)


class Server:
    """`python -m http.server` in its own process, so serving does not share our GIL."""

    def __init__(self, root: Path) -> None:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(root)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{port}/"
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.1):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the test server did not start")

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait()


def throughput(tmp: Path) -> None:
    from sitebot.crawl import CrawlOptions, crawl
    from sitebot.text.extract import extract
    from sitebot.text.sources import Page

    make_site(tmp / "t", 600)
    server = Server(tmp / "t")
    url = server.url
    # Full speed stops at 8 at a time: past that the stdlib test server (listen backlog of 5)
    # is what gets measured, not the crawler.
    for label, extra in [
        ("default politeness", {}),
        ("full speed (8 at a time, no delay)", {"concurrency": 8, "delay": 0.0}),
    ]:
        t = time.perf_counter()
        result = crawl(
            CrawlOptions(start_urls=(url,), **extra),
            lambda f: extract(Page(url=f.url, path=f.url, kind=f.kind, content=f.content, charset=f.charset)),
        )
        dt = time.perf_counter() - t
        print(f"crawl, {label}: {result.pages} pages in {dt:.1f} s = {result.pages / dt:.0f} pages/s")
    server.close()


def rebuild(tmp: Path) -> None:
    from sitebot import GenerateOptions, generate
    from sitebot.crawl import CrawlOptions

    site = tmp / "r"
    make_site(site, 500)
    server = Server(site)
    url = server.url
    opts = GenerateOptions(
        source=url,
        output=tmp / "rb",
        cache_dir=tmp / "cache",
        crawl=CrawlOptions(start_urls=(), delay=0.0, concurrency=8),
    )
    full = generate(opts)
    for i in range(0, 500, 100):  # 5 pages = 1 %
        p = site / "p" / f"{i}.html"
        p.write_text(p.read_text().replace("Value", "Changed value"))
        os.utime(p, (2_000_000_000, 2_000_000_000))
    again = generate(opts)
    print(
        f"full build of {full.pages} pages / {full.chunks} chunks: {full.seconds:.1f} s; "
        f"rebuild with 1 % changed: {again.seconds:.1f} s ({again.seconds / full.seconds:.3f}× full; "
        f"{again.embedded} chunks embedded, {again.not_modified} pages answered 304)"
    )
    server.close()


def memory(tmp: Path) -> None:
    site = tmp / "m"
    make_site(site, 5000)
    server = Server(site)
    url = server.url
    t = time.perf_counter()
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "sitebot",
            "generate",
            url,
            "-o",
            str(tmp / "mb"),
            "-q",
            "--delay",
            "0",
            "--concurrency",
            "8",
            "--max-pages",
            "6000",
            "--cache-dir",
            str(tmp / "mcache"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    dt = time.perf_counter() - t
    if r.returncode:
        sys.exit(r.stderr)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    size = sum(len(f.read_bytes()) for f in (site / "p").iterdir()) / 1e6
    print(f"crawl + build of 5,001 pages ({size:.0f} MB of HTML) in {dt:.0f} s: peak memory {peak:.0f} MB")
    server.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=["throughput", "rebuild", "memory"])
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="sitebot-bench-"))
    try:
        for name, fn in [("throughput", throughput), ("rebuild", rebuild), ("memory", memory)]:
            if args.only in (None, name):
                fn(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
