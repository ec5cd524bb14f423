"""What an extractive card marks: does the marked text hold the answer, and what it costs.

    python bench/marking.py [--bundle DIR --questions FILE] [--answers FILE] [--runtime DIR]

Without --bundle: the demo site (examples/, built with the CLI into a temporary folder) and
its questions (examples/questions.jsonl). A question's `answer` is a list of short verbatim
alternatives from its target page (bench/questions/README.md), in the question set or in
--answers by question text.

In Debian's Chromium with a fresh profile, each answerable question is asked through
`window.sitebot.ask` with the panel open, once the model is in, and the cards are read as
the visitor sees them. Printed:
- hits: questions with a target page among the shown cards;
- answered: of the hits, those where a card on a target page has marked text containing an
  alternative (case-insensitive, whitespace normalised);
- mean marked characters per card, and the share of cards with nothing marked;
- ceiling: of the hits, those where a shown card on a target page has a passage (its whole
  chunk text, as the engine sent it) containing an alternative: marking can do no better;
- the marking step's cost at query time: ms per question inside the engine's worker (unit
  split, the words, the scores from the unit signatures) and units scored, next to the ms of
  embedding the question alone (the ratio holds on a busy machine, the ms do not);
- the unit signatures' bytes: the bundle's units files in all, and per question those of the
  shards of the shown passages (fetched with their text shards, once a browser has them
  they are cached);
- the build's extra time for them: every signed unit of the bundle embedded once more,
  without the embedding cache, with the bundle's model on this machine (`--no-build-time`
  skips it).
`--runtime DIR` swaps in another built runtime (widget.js, engine) to measure it, e.g. the
one before this change: the bundle keeps its index, model and text.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "generator"))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from chromium import open_bot  # noqa: E402
from demo import build_demo  # noqa: E402
from sitebot.evaluate import matches  # noqa: E402
from sitebot.index.embed import embed_ids, token_ids  # noqa: E402
from sitebot.index.lists import entry_files  # noqa: E402
from sitebot.index.model import ModelFiles  # noqa: E402
from sitebot.index.model import load as load_model  # noqa: E402
from sitebot.serve import serve_in_thread  # noqa: E402
from sitebot.text.units import signed_units  # noqa: E402

RUNTIME = ROOT / "generator/sitebot/runtime"

# Keeps each results message's `marking` ({units, bytes, ms}) as the engine's worker posts it,
# and the last one's results (their whole passage texts, for the ceiling).
WATCH = """(() => {
  window.__marking = [];
  window.__last = null;
  const W = window.Worker;
  window.Worker = class extends W {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        if (e.data && e.data.type === 'results' && e.data.marking) window.__marking.push(e.data.marking);
        if (e.data && e.data.type === 'results') window.__last = e.data.results;
      });
    }
  };
})()"""
# Milliseconds of window.sitebot.embed for each text (not cached: each text is new).
EMBED_MS = """async (texts) => {
  const out = [];
  for (const t of texts) { const t0 = performance.now(); await window.sitebot.embed(t); out.push(performance.now() - t0); }
  return out;
}"""
# Asks with the panel open; returns each card of the answer: its link and its marked text.
ASK = """async (q) => {
  await window.sitebot.ask(q);
  const root = document.querySelector('sitebot-widget').shadowRoot;
  const asked = root.querySelectorAll('.log > .msg.user');
  const turn = asked[asked.length - 1];
  const last = turn && turn.nextElementSibling;
  if (!last) return [];
  // The shown results, as shared/marking.js pickPassages picks them: card i is the i-th
  // (two chunks of a page may share an anchor, so URLs alone do not tell them apart).
  const perPage = new Map();
  const shown = [];
  for (const r of window.__last || []) {
    const page = String(r.url).split('#')[0];
    if (shown.length === 3 || (perPage.get(page) || 0) === 2) continue;
    perPage.set(page, (perPage.get(page) || 0) + 1);
    shown.push(r);
  }
  return [...last.querySelectorAll('.card')].map((c, i) => ({
    href: c.querySelector('.source').getAttribute('href'),
    marked: [...c.querySelectorAll('mark')].map((m) => m.textContent).join(' '),
    passage: shown[i] && shown[i].url === c.querySelector('.source').href ? shown[i].text : '',
  }));
}"""


def norm(s: str) -> str:
    return " ".join(s.split()).casefold()


def load(questions: Path, answers: Path | None) -> list[dict[str, Any]]:
    """Answerable questions with their `answer` alternatives, from the set or the answers file."""
    rows = [json.loads(x) for x in questions.read_text().splitlines() if x.strip()]
    extra = {}
    if answers and answers.is_file():
        extra = {r["q"]: r["answer"] for r in map(json.loads, answers.read_text().splitlines()) if r}
    out = []
    for r in rows:
        pages = r.get("pages") or ([r["url"]] if r.get("url") else [])
        alts = r.get("answer") or extra.get(r["q"])
        if pages and alts:
            out.append({"q": r["q"], "pages": pages, "answer": [alts] if isinstance(alts, str) else alts})
    return out


def with_runtime(bundle: Path, runtime: Path, into: Path) -> Path:
    """A copy of `bundle` running `runtime`'s widget.js, i18n.json and engine."""
    shutil.copytree(bundle, into)
    manifest = json.loads((into / "sitebot.json").read_text())
    for name, target in (
        ("widget.js", "widget.js"),
        ("i18n.json", "i18n.json"),
        ("engine.js", manifest["runtime"]["worker"]),
    ):
        shutil.copy2(runtime / name, into / target)
    return into


def units_bytes(bundle: Path) -> tuple[int, int, int]:
    """(shards with a units file, their bytes, the bundle's chunk vectors' bytes)."""
    manifest = json.loads((bundle / "sitebot.json").read_text())
    files = [s["units"] for s in manifest["files"]["shards"] if s.get("units")]
    size = sum((bundle / f).stat().st_size for f in files)
    vectors = sum((bundle / f).stat().st_size for f in entry_files(bundle, manifest["files"]["vectors"]))
    return len(files), size, vectors


def build_seconds(bundle: Path) -> tuple[int, float]:
    """(distinct signed units, seconds to embed them all afresh with the bundle's model)."""
    manifest = json.loads((bundle / "sitebot.json").read_text())
    texts: list[str] = []
    for shard in manifest["files"]["shards"]:
        texts += json.loads((bundle / shard["file"]).read_text())
    units = list(dict.fromkeys(u for t in texts for u in signed_units(t)))
    m = manifest["model"]
    model = load_model(ModelFiles(m["id"], bundle / m["files"]["model"], bundle / m["files"]["tokenizer"]))
    t0 = time.perf_counter()
    embed_ids(model, token_ids(model, units, max_tokens=m["query_max_tokens"]))
    return len(units), time.perf_counter() - t0


def run(bundle: Path, questions: list[dict[str, Any]], runtime: Path) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    base_url = json.loads((bundle / "sitebot.json").read_text()).get("base_url") or "/"
    with tempfile.TemporaryDirectory() as tmp:
        served = with_runtime(bundle, runtime, Path(tmp) / "bundle")
        server, url = serve_in_thread(served)
        try:
            with sync_playwright() as p:
                browser, page = open_bot(p, url, WATCH)
                page.evaluate("() => window.sitebot.open()")
                rows = []
                for q in questions:
                    cards = page.evaluate(ASK, q["q"])
                    on_target = [c for c in cards if any(matches(c["href"] or "", e, base_url) for e in q["pages"])]
                    answered = any(norm(a) in norm(c["marked"]) for c in on_target for a in q["answer"])
                    within = any(norm(a) in norm(c["passage"]) for c in on_target for a in q["answer"])
                    rows.append(
                        {"q": q["q"], "cards": cards, "hit": bool(on_target), "answered": answered, "within": within}
                    )
                marking = page.evaluate("() => window.__marking")
                # The question's own embedding under the same load, to put the marking's ms in scale.
                embed_ms = page.evaluate(EMBED_MS, [q["q"] + " ?" for q in questions])
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
    return {"rows": rows, "marking": marking, "embed_ms": embed_ms}


def report(
    name: str, bundle: Path, questions: list[dict[str, Any]], runtime: Path, verbose: bool, build_time: bool
) -> None:
    out = run(bundle, questions, runtime)
    rows = out["rows"]
    hits = [r for r in rows if r["hit"]]
    answered = [r for r in hits if r["answered"]]
    within = [r for r in hits if r["within"]]
    cards = [c for r in rows for c in r["cards"]]
    chars = statistics.mean(len(c["marked"]) for c in cards) if cards else 0
    unmarked = sum(not c["marked"] for c in cards) / len(cards) if cards else 0
    if verbose:
        for r in rows:
            flag = "ok " if r["answered"] else ("hit" if r["hit"] else "   ")
            print(f"[{flag}] {r['q']}")
            for c in r["cards"]:
                print(f"        {c['href']}: {c['marked'][:160]!r}")
    print(f"{name} ({runtime}):")
    print(
        f"  questions {len(rows)}, hits {len(hits)}, marked text holds the answer in {len(answered)}/{len(hits)}"
        f" = {len(answered) / max(1, len(hits)):.0%} of hits"
    )
    print(
        f"  ceiling: a shown target card's whole passage holds it in {len(within)}/{len(hits)}"
        f" = {len(within) / max(1, len(hits)):.0%} of hits"
    )
    print(f"  marked characters per card: mean {chars:.0f}; cards with nothing marked {unmarked:.0%}")
    files, size, vectors = units_bytes(bundle)
    print(f"  units files: {files}, {size:,} bytes in the bundle (the chunk vectors are {vectors:,} bytes)")
    marking = [m for m in out["marking"] if m["units"] or m.get("bytes")]
    if marking:
        ms = [m["ms"] for m in marking]
        units = statistics.mean(m["units"] for m in marking)
        per_q = [m.get("bytes", 0) for m in marking]
        print(
            f"  marking in the worker: {statistics.mean(ms):.1f} ms mean, {statistics.median(ms):.1f} ms median,"
            f" {max(ms):.1f} ms max per question ({units:.0f} units scored on average, from signatures)"
        )
        print(
            f"  units files of the shown passages' shards: {statistics.mean(per_q):,.0f} bytes mean,"
            f" {max(per_q):,} max per question (fetched alongside the text shards)"
        )
        q_ms = statistics.mean(out["embed_ms"])
        print(f"  (embedding the question itself: {q_ms:.0f} ms mean)")
    if build_time:
        n, seconds = build_seconds(bundle)
        print(f"  build's extra time: {n:,} distinct units embedded afresh in {seconds:.1f} s ({n / seconds:.0f}/s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bundle", type=Path, help="a built bundle (default: the demo site, built now)")
    ap.add_argument("--questions", type=Path, help="its question set (JSON lines)")
    ap.add_argument("--answers", type=Path, help="answers by question text, for a set without them")
    ap.add_argument("--runtime", type=Path, default=RUNTIME, help="a built runtime folder to measure")
    ap.add_argument("-v", "--verbose", action="store_true", help="each question's cards and marks")
    ap.add_argument("--no-build-time", action="store_true", help="skip timing the units' embedding")
    args = ap.parse_args()
    if args.bundle:
        if not args.questions:
            sys.exit("--bundle needs --questions")
        report(
            args.bundle.name,
            args.bundle,
            load(args.questions, args.answers),
            args.runtime,
            args.verbose,
            not args.no_build_time,
        )
        return
    with tempfile.TemporaryDirectory() as tmp:
        demo = build_demo(Path(tmp) / "demo")
        qs = load(ROOT / "examples/questions.jsonl", args.answers)
        report("demo site", demo, qs, args.runtime, args.verbose, not args.no_build_time)


if __name__ == "__main__":
    main()
