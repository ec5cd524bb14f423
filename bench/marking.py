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
- the marking step's cost at query time: ms per question inside the engine's worker (unit
  split, embedding the shown passages' units, the scores) and units embedded, next to the
  ms of embedding the question alone (the ratio holds on a busy machine, the ms do not);
- the cost the build-time alternative would have had: every unit of the bundle with an int8
  vector and its float32 scale, in bytes, next to the bundle's chunk vectors.
`--runtime DIR` swaps in another built runtime (widget.js, engine) to measure it, e.g. the
one before this change: the bundle keeps its index, model and text.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "generator"))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from chromium import open_bot  # noqa: E402
from sitebot.evaluate import matches  # noqa: E402
from sitebot.serve import serve_in_thread  # noqa: E402

RUNTIME = ROOT / "generator/sitebot/runtime"

# Keeps each results message's `marking` ({units, ms}) as the engine's worker posts it.
WATCH = """(() => {
  window.__marking = [];
  const W = window.Worker;
  window.Worker = class extends W {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        if (e.data && e.data.type === 'results' && e.data.marking) window.__marking.push(e.data.marking);
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
  return [...last.querySelectorAll('.card')].map((c) => ({
    href: c.querySelector('.source').getAttribute('href'),
    marked: [...c.querySelectorAll('mark')].map((m) => m.textContent).join(' '),
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


def split_units(text: str) -> list[str]:
    """shared/lexical.js splitSentences: lines, then after . ! ? before a capital or digit."""
    out = []
    for line in re.split(r"\n+", text):
        parts = re.split(r"(?<=[.!?])\s+(?=[^\W_a-z])", line)
        out += [p.strip() for p in parts if p.strip() and not p.strip()[0].islower()] or []
    return out


def build_time_bytes(bundle: Path) -> tuple[int, int, int]:
    """(units, bytes of their vectors at build time, bytes of today's chunk vectors)."""
    manifest = json.loads((bundle / "sitebot.json").read_text())
    texts: list[str] = []
    for shard in manifest["files"]["shards"]:
        texts += json.loads((bundle / shard["file"]).read_text())
    units = sum(len(split_units(t)) for t in texts)
    dims = manifest["model"]["dims"]
    return units, units * (dims + 4), (bundle / manifest["files"]["vectors"]).stat().st_size


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
                    rows.append({"q": q["q"], "cards": cards, "hit": bool(on_target), "answered": answered})
                marking = page.evaluate("() => window.__marking")
                # The question's own embedding under the same load, to put the marking's ms in scale.
                embed_ms = page.evaluate(EMBED_MS, [q["q"] + " ?" for q in questions])
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
    return {"rows": rows, "marking": marking, "embed_ms": embed_ms}


def report(name: str, bundle: Path, questions: list[dict[str, Any]], runtime: Path, verbose: bool) -> None:
    out = run(bundle, questions, runtime)
    rows = out["rows"]
    hits = [r for r in rows if r["hit"]]
    answered = [r for r in hits if r["answered"]]
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
    print(f"  marked characters per card: mean {chars:.0f}; cards with nothing marked {unmarked:.0%}")
    ms = [m["ms"] for m in out["marking"]]
    if ms:
        units = statistics.mean(m["units"] for m in out["marking"])
        print(
            f"  marking at query time: {statistics.mean(ms):.0f} ms mean, {statistics.median(ms):.0f} ms median,"
            f" {max(ms):.0f} ms max per question ({units:.0f} units embedded on average); 0 bytes in the bundle"
        )
        q_ms = statistics.mean(out["embed_ms"])
        print(
            f"  (embedding the question itself: {q_ms:.0f} ms mean, so marking ≈ {statistics.mean(ms) / q_ms:.1f}×"
            " the question's embedding)"
        )
    units, extra, vectors = build_time_bytes(bundle)
    print(
        f"  build-time unit vectors instead: {units} units × their int8 vector = {extra:,} bytes"
        f" (the chunk vectors are {vectors:,} bytes)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bundle", type=Path, help="a built bundle (default: the demo site, built now)")
    ap.add_argument("--questions", type=Path, help="its question set (JSON lines)")
    ap.add_argument("--answers", type=Path, help="answers by question text, for a set without them")
    ap.add_argument("--runtime", type=Path, default=RUNTIME, help="a built runtime folder to measure")
    ap.add_argument("-v", "--verbose", action="store_true", help="each question's cards and marks")
    args = ap.parse_args()
    if args.bundle:
        if not args.questions:
            sys.exit("--bundle needs --questions")
        report(args.bundle.name, args.bundle, load(args.questions, args.answers), args.runtime, args.verbose)
        return
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "sitebot",
                "generate",
                str(ROOT / "examples"),
                "--base-url",
                "/",
                "-o",
                str(demo),
                "-q",
            ],
            check=True,
            env={**os.environ, "PYTHONPATH": str(ROOT / "generator")},
        )
        qs = load(ROOT / "examples/questions.jsonl", args.answers)
        report("demo site", demo, qs, args.runtime, args.verbose)


if __name__ == "__main__":
    main()
