"""Widget size, time to first results and warm query latency, in Debian's Chromium.

    python bench/browser.py [--bundle DIR]   # default: the PostgreSQL docs bundle of quality.py

Timings are taken inside the page (performance.now around window.sitebot.search), on
127.0.0.1, with a fresh browser profile for the cold figures.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from chromium import TIMED  # noqa: E402
from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from sitebot import GenerateOptions, generate  # noqa: E402
from sitebot.serve import serve_in_thread  # noqa: E402

PG_DOCS = Path("/usr/share/doc/postgresql-doc-15/html")
FIRST = """async (q) => {
  const t = performance.now();
  await window.sitebot.open();
  const results = await window.sitebot.search(q, {k: 5});
  return {ms: performance.now() - t, n: results.length};
}"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bundle", type=Path, default=ROOT / "bench/out/quality-bundle")
    ap.add_argument("--questions", type=Path, default=ROOT / "bench/questions/postgresql-15.jsonl")
    args = ap.parse_args()
    if not (args.bundle / "sitebot.json").is_file():
        generate(GenerateOptions(source=PG_DOCS, output=args.bundle, base_url="https://www.postgresql.org/docs/15/"))
    manifest = json.loads((args.bundle / "sitebot.json").read_text())
    widget = (args.bundle / "widget.js").read_bytes()
    print(f"widget.js: {len(widget):,} B, {len(gzip.compress(widget, 9)):,} B gzipped")
    # The parts widget.js loads only for bots that need them (LLM mode; handoff/leads/feedback/scope).
    manifest = json.loads((args.bundle / "sitebot.json").read_text())
    for part in ("llm", "support"):
        rel = manifest["runtime"].get(part)
        if rel:
            data = (args.bundle / rel).read_bytes()
            print(f"  {part} part ({rel}): {len(data):,} B, {len(gzip.compress(data, 9)):,} B gzipped")
    # The dense index's centroids and list table come first; its lists only when a question probes them.
    first_open = [manifest["files"][k] for k in ("lexical", "chunks")] + [
        manifest["files"]["vectors"][k] for k in ("centroids", "lists")
    ]
    model_files = list(manifest["model"]["files"].values()) + [
        manifest["runtime"]["ort_wasm"],
        manifest["runtime"]["worker"],
    ]
    size = lambda rels: sum(len(gzip.compress((args.bundle / r).read_bytes(), 6)) for r in rels)  # noqa: E731
    print(
        f"first open fetches (gzipped): index {size(first_open) / 1e6:.2f} MB, then engine + model {size(model_files) / 1e6:.1f} MB"
    )
    questions = [json.loads(x)["q"] for x in args.questions.read_text().splitlines() if x.strip()]

    from playwright.sync_api import sync_playwright

    server, url = serve_in_thread(args.bundle)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            firsts, model_ready = [], []
            for q in questions[:3]:
                ctx = browser.new_context()  # cold: empty cache
                page = ctx.new_page()
                page.goto(url + "index.html")
                page.wait_for_function("() => window.sitebot")
                r = page.evaluate(FIRST, q)
                firsts.append(r["ms"])
                model_ready.append(
                    page.evaluate(
                        "async () => { const t = performance.now(); await window.sitebot.ready({model: true}); return performance.now() - t; }"
                    )
                    + r["ms"]
                )
                ctx.close()
            page = browser.new_page()
            page.goto(url + "index.html")
            page.wait_for_function("() => window.sitebot")
            page.evaluate("() => window.sitebot.ready({model: true})")
            page.evaluate(TIMED, questions[:5])  # warm-up
            warm = page.evaluate(TIMED, questions)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    n = manifest["counts"]["chunks"]
    print(
        f"first open → first ranked results: median {statistics.median(firsts):.0f} ms (cold cache, loopback, {len(firsts)} runs)"
    )
    print(f"first open → model ready: median {statistics.median(model_ready):.0f} ms")
    warm.sort()
    print(
        f"warm question → ranked chunks at {n:,} chunks: median {statistics.median(warm):.1f} ms, "
        f"p90 {warm[int(len(warm) * 0.9)]:.1f} ms over {len(warm)} questions"
    )


if __name__ == "__main__":
    main()
