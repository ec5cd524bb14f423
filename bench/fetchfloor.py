"""What small requests cost in Chromium on this machine, whatever the bundle's design.

    python bench/fetchfloor.py [BUNDLE]     # default: bench/out/bigsite-synthetic

A lite answer fetches a few dozen files of about 1 KB (token rows, term shards, lists). This
asks, in a fresh Chromium profile with nothing else on the page, for token-table files of the
bundle (about 1.1 KB each, never the same twice in a profile): 1 alone, 13 at once (a typical
question's token rows), 36 at once (a long question's), and 13 one after the other. It does so
over HTTP/1.1 (`sitebot serve`'s server, keep-alive) and over HTTP/2 (bench/h2serve.mjs, TLS),
three profiles each, and prints the times in ms. What these take is the floor under the
bench/bigsite.py and bench/pagefind.py times on the same machine: a question of 36 token rows
cannot be faster than its 36 requests.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from wirecount import fresh_context, serve  # noqa: E402

FETCH = """async (urls) => {
  const together = async (us) => {
    const t = performance.now();
    await Promise.all(us.map(async (u) => (await fetch(u)).arrayBuffer()));
    return performance.now() - t;
  };
  const out = {"1 file": await together(urls.slice(0, 1)), "13 at once": await together(urls.slice(1, 14)),
               "36 at once": await together(urls.slice(14, 50))};
  const t = performance.now();
  for (const u of urls.slice(50, 63)) await (await fetch(u)).arrayBuffer();
  out["13 one by one"] = performance.now() - t;
  return out;
}"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bundle", nargs="?", type=Path, default=ROOT / "bench/out/bigsite-synthetic")
    ap.add_argument("--runs", type=int, default=3, help="fresh profiles per protocol [default: %(default)s]")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    manifest = json.loads((args.bundle / "sitebot.json").read_text())
    folder = manifest["lite"]["tokens"]["folder"]
    print("| protocol | " + " | ".join(["1 file", "13 at once", "36 at once", "13 one by one"]) + " |")
    print("|---|---|---|---|---|")
    for http2 in (False, True):
        got: dict[str, list[float]] = {}
        with serve(args.bundle, http2=http2, bundle=True) as served, sync_playwright() as p:
            for run in range(args.runs):
                with fresh_context(p, **served.browser) as context:
                    page = context.new_page()
                    page.goto(served.origin + "index.html")
                    first = 100 + 70 * run  # files no earlier profile asked for
                    urls = [f"{served.origin}{folder}{i}.bin" for i in range(first, first + 63)]
                    for k, ms in page.evaluate(FETCH, urls).items():
                        got.setdefault(k, []).append(ms)
        cells = [f"{statistics.median(v):.0f} ms" for v in got.values()]
        print(f"| {served.label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
