"""The first question, asked before the model has loaded: what the visitor sees, and when.

    python bench/first_answer.py [--guide DIR] [--runs 3] [--no-browser]

1. How often the final answer differs from the first one shown. Until the model is ready
   the widget answers from BM25 alone, marked "Quick keyword answer — improving…", and
   swaps in the hybrid answer when the model arrives. For every answerable question of
   two sets, the top result of the keyword-only ranking is compared with the hybrid one,
   in Python (sitebot.evaluate.judge, mode "lexical" vs "hybrid"): the same ranking as
   the browser's, which tests/test_browser.py holds it to. The sets: the demo site
   (examples/, built with the CLI, `--base-url /`) with the twelve questions below,
   written for this benchmark, and the Debian installation guide bundle with
   bench/questions/debian-installation-guide.jsonl.
2. Timings in Debian's Chromium: a fresh profile per run, throttled by CDP
   Network.emulateNetworkConditions (10 Mbit/s down and up, 40 ms RTT). The visitor opens
   the panel and asks at once; printed are the time to the first (keyword) answer, the
   time to the final (hybrid) answer, and the bytes fetched by each (as sent by
   `sitebot serve`, which does not compress; a host that gzips the wasm sends less).
   Then the same page again in the same profile (a returning visitor, model in the HTTP
   cache): the figure behind LLM mode's MODEL_WAIT (runtime_js/src/llm/view.js).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "generator"))
sys.path.insert(0, str(ROOT / "tests"))

from chromium import fresh_context  # noqa: E402
from demo import build_demo  # noqa: E402
from sitebot.evaluate import judge, load_questions, query_vectors  # noqa: E402
from sitebot.retrieve import Retriever  # noqa: E402
from sitebot.serve import serve_in_thread  # noqa: E402

GUIDE = ROOT / "bench/out/debian-installation-guide"
GUIDE_QUESTIONS = ROOT / "bench/questions/debian-installation-guide.jsonl"
RUNTIME = ROOT / "generator/sitebot/runtime"
# Questions a visitor of the demo shop might ask first, written before any ranking was run.
DEMO_QUESTIONS = [
    {"q": "How long do I have to send the printer back if I change my mind?", "url": "policies/refunds.html"},
    {"q": "Do you deliver to Switzerland, and will I have to pay customs?", "url": "policies/shipping.html"},
    {
        "q": "My parcel arrived with a cracked case, what now?",
        "pages": ["policies/shipping.html", "policies/refunds.html"],
    },
    {"q": "What happens if the machine breaks after the warranty runs out?", "url": "policies/warranty.html"},
    {"q": "Can I scan straight to my phone?", "url": "docs/mobile-app"},
    {"q": "How loud is it while it prints?", "url": "product/"},
    {"q": "Are you hiring remote engineers?", "url": "careers/"},
    {"q": "Do you sell my data to advertisers?", "url": "policies/privacy.html"},
    {"q": "What's the difference between your plans?", "pages": ["pricing/", "pricing/plans.html"]},
    {"q": "How do I add a coworker to our office account?", "url": "docs/team-accounts"},
    {"q": "When can I reach you by phone?", "url": "contact/"},
    {"q": "Is the packaging recyclable?", "url": "sustainability/"},
]
MBIT = 1_000_000 / 8  # bytes per second
THROTTLE = {"offline": False, "latency": 40, "downloadThroughput": 10 * MBIT, "uploadThroughput": 10 * MBIT}

ASK = """async (q) => {
  await window.sitebot.open();
  const root = document.querySelector('sitebot-widget').shadowRoot;
  const input = root.querySelector('input.input');
  window.__t0 = performance.now();
  input.value = q;
  input.form.requestSubmit();
}"""
# Resolves when `done()` holds; `done` reads the answer of the last turn.
WAIT = """async (final) => {
  const log = document.querySelector('sitebot-widget').shadowRoot.querySelector('.log');
  const answer = () => { const c = log.querySelector(':scope > .copy'); return c && c.previousElementSibling; };
  const done = () => answer() && !(final && answer().querySelector('.prelim-note'));
  while (!done()) await new Promise((ok) => setTimeout(ok, 10));
  const link = answer().querySelector('a.source');
  return {ms: performance.now() - window.__t0, href: link ? link.href : null,
          preliminary: Boolean(answer().querySelector('.prelim-note'))};
}"""


def shares(name: str, bundle: Path, questions: Any) -> dict[str, Any]:
    """The keyword-only first answer against the hybrid final one, for every answerable question."""
    qs = [q for q in load_questions(questions) if q.answerable]
    retriever = Retriever(bundle)
    base_url = retriever.manifest.get("base_url") or "/"
    vecs = query_vectors(bundle, retriever.manifest, [q.text for q in qs])
    lexical = judge(retriever, qs, [None] * len(qs), base_url=base_url, mode="lexical")
    hybrid = judge(retriever, qs, vecs, base_url=base_url)
    differ = sum(a.first != b.first for a, b in zip(lexical, hybrid, strict=True))
    return {
        "set": name,
        "n": len(qs),
        "differ": differ,
        "first_right": sum(r.rank == 1 for r in lexical),
        "final_right": sum(r.rank == 1 for r in hybrid),
        "fixed": sum(a.rank != 1 and b.rank == 1 for a, b in zip(lexical, hybrid, strict=True)),
        "broken": sum(a.rank == 1 and b.rank != 1 for a, b in zip(lexical, hybrid, strict=True)),
    }


def with_current_widget(bundle: Path, into: Path) -> Path:
    """A copy of `bundle` whose widget.js and i18n.json are this checkout's (the engine is the bundle's)."""
    shutil.copytree(bundle, into)
    for name in ("widget.js", "i18n.json"):
        shutil.copy2(RUNTIME / name, into / name)
    return into


def timed_visit(context: Any, url: str, question: str) -> dict[str, Any]:
    """One visit: open the demo page, ask at once, wait for the first then the final answer."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", THROTTLE)  # the engine's worker shares the page's network
    # Playwright also sees the worker's requests, which the page's CDP Network domain does not report.
    finished: list[Any] = []
    page.on("requestfinished", lambda r: finished.append(r))
    page.goto(url + "index.html")
    page.wait_for_function("() => window.sitebot && window.sitebot.open")
    page.evaluate(ASK, question)
    first = page.evaluate(WAIT, False)
    by_first = len(finished)
    final = page.evaluate(WAIT, True)
    page.wait_for_timeout(200)  # the last requestfinished events
    # Bytes over the network (encoded); a response from the HTTP cache counts for nothing.
    moved = [s["responseBodySize"] + s["responseHeadersSize"] for s in (r.sizes() for r in finished)]
    first["bytes"], final["bytes"] = sum(moved[:by_first]), sum(moved)
    page.close()
    return {"first": first, "final": final}


def browser_runs(
    name: str, bundle: Path, questions: list[str], runs: int, *, warm: bool = True
) -> list[dict[str, Any]]:
    """Each of the first `runs` questions asked by a first-time visitor ("cold") and, with `warm`,
    again by the same visitor returning ("warm"), on `bundle` served on loopback."""
    from playwright.sync_api import sync_playwright

    server, url = serve_in_thread(bundle)
    out = []
    try:
        with sync_playwright() as p:
            for q in questions[:runs]:
                with fresh_context(p) as context:  # a fresh profile, with its disk cache
                    cold = timed_visit(context, url, q)
                    again = timed_visit(context, url, q) if warm else None  # a returning visitor
                out.append({"set": name, "q": q, "cold": cold, "warm": again})
                back = f", returning visitor final {again['final']['ms'] / 1000:.1f} s" if again else ""
                print(
                    f"  {name}: first {cold['first']['ms'] / 1000:.1f} s, final {cold['final']['ms'] / 1000:.1f} s"
                    f"{back} — {q[:50]}",
                    file=sys.stderr,
                )
    finally:
        server.shutdown()
        server.server_close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--guide", type=Path, default=GUIDE, help="the Debian installation guide bundle")
    ap.add_argument("--runs", type=int, default=3, help="first questions timed in the browser, per site")
    ap.add_argument("--no-browser", action="store_true", help="only the shares, computed in Python")
    args = ap.parse_args()
    if not (args.guide / "sitebot.json").is_file():
        sys.exit(f"{args.guide} is not a bundle; build the Debian installation guide first or pass --guide")

    with tempfile.TemporaryDirectory() as tmp:
        demo = build_demo(Path(tmp) / "demo")
        guide_questions = [json.loads(x) for x in GUIDE_QUESTIONS.read_text().splitlines() if x.strip()]
        rows = [shares("demo site (12 own questions)", demo, DEMO_QUESTIONS)]
        rows.append(shares("Debian installation guide", args.guide, guide_questions))

        print("First answer (keywords, model still loading) vs final answer (hybrid), answerable questions")
        print("| set | questions | top result differs | right page first: first shown | final | fixed | broken |")
        print("|---|---|---|---|---|---|---|")
        for r in rows:
            print(
                f"| {r['set']} | {r['n']} | {r['differ']} ({r['differ'] / r['n']:.0%}) | {r['first_right']} "
                f"| {r['final_right']} | {r['fixed']} | {r['broken']} |"
            )
        if args.no_browser:
            return

        timed = browser_runs("demo site", demo, [q["q"] for q in DEMO_QUESTIONS], args.runs)
        guide = with_current_widget(args.guide, Path(tmp) / "guide")
        answerable = [q["q"] for q in guide_questions if q.get("pages") or q.get("url")]
        timed += browser_runs("installation guide", guide, answerable, args.runs)

    def med(runs: list[dict[str, Any]], visit: str, step: str, key: str) -> float:
        return statistics.median(r[visit][step][key] for r in runs)

    print()
    print(
        f"First question in Chromium, fresh profile, 10 Mbit/s down/up, 40 ms RTT (CDP); median of {args.runs} "
        "questions per site, asked the moment the panel opens"
    )
    print(
        "| site | first answer | bytes by then | final answer | bytes by then | top result changed "
        "| returning visitor: first, final, bytes |"
    )
    print("|---|---|---|---|---|---|---|")
    for name in ("demo site", "installation guide"):
        runs = [r for r in timed if r["set"] == name]
        changed = sum(r["cold"]["first"]["href"] != r["cold"]["final"]["href"] for r in runs)
        print(
            f"| {name} | {med(runs, 'cold', 'first', 'ms') / 1000:.1f} s | {med(runs, 'cold', 'first', 'bytes') / 1e6:.2f} MB "
            f"| {med(runs, 'cold', 'final', 'ms') / 1000:.1f} s | {med(runs, 'cold', 'final', 'bytes') / 1e6:.1f} MB "
            f"| {changed} of {len(runs)} | {med(runs, 'warm', 'first', 'ms') / 1000:.1f} s, "
            f"{med(runs, 'warm', 'final', 'ms') / 1000:.1f} s, {med(runs, 'warm', 'final', 'bytes') / 1e6:.2f} MB |"
        )


if __name__ == "__main__":
    main()
