"""Bytes on the wire, with and without the bundle's `.br`/`.gz` twins, in Debian's Chromium.

    python bench/wire.py [--bundle DIR] [--runs 3]

The demo bot (bench/demo.py builds it; or --bundle) is served by `sitebot serve` twice: as
built, so each file goes as the twin the browser accepts, and from a copy without the twins,
as a host that does not compress sends it. Each visit is a fresh profile throttled by CDP
Network.emulateNetworkConditions (10 Mbit/s, 40 ms RTT): the visitor opens the panel and
asks at once (bench/first_answer.py's visit). Printed, side by side: the bytes received by
the first (keyword) answer and by the first semantic (hybrid) answer, and the times to each.
Bytes are Playwright's encoded body and header sizes per request (the same counts as CDP's
encodedDataLength), since the page's own CDP session does not see the engine worker's
fetches of the wasm and the model.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "generator"))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from demo import build_demo  # noqa: E402
from first_answer import DEMO_QUESTIONS, browser_runs  # noqa: E402


def visits(bundle: Path, questions: list[str]) -> list[dict[str, Any]]:
    """Each question asked once by a first-time visitor (a fresh profile: nothing cached)."""
    return [r["cold"] for r in browser_runs("wire", bundle, questions, len(questions), warm=False)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bundle", type=Path, help="a bundle built with its twins [default: the demo bot, built now]")
    ap.add_argument("--runs", type=int, default=3, help="first questions timed per way of serving")
    args = ap.parse_args()
    questions = [q["q"] for q in DEMO_QUESTIONS[: args.runs]]
    with tempfile.TemporaryDirectory() as tmp:
        bundle = args.bundle or build_demo(Path(tmp) / "demo")
        if not any(bundle.rglob("*.br")):
            sys.exit(f"{bundle} has no .br twins; build it without --no-precompress")
        plain = shutil.copytree(bundle, Path(tmp) / "plain", ignore=shutil.ignore_patterns("*.br", "*.gz"))
        rows = {"compressed (br)": visits(bundle, questions), "uncompressed": visits(plain, questions)}

    def med(runs: list[dict[str, Any]], step: str, key: str) -> float:
        return statistics.median(r[step][key] for r in runs)

    print(f"Demo bot, fresh profile, 10 Mbit/s, 40 ms RTT, median of {len(questions)} first questions")
    print(
        "| served | bytes by first answer | time to first answer | bytes by semantic answer | time to semantic answer |"
    )
    print("|---|---|---|---|---|")
    for name, runs in rows.items():
        print(
            f"| {name} | {med(runs, 'first', 'bytes') / 1e6:.2f} MB | {med(runs, 'first', 'ms') / 1000:.1f} s "
            f"| {med(runs, 'final', 'bytes') / 1e6:.2f} MB | {med(runs, 'final', 'ms') / 1000:.1f} s |"
        )


if __name__ == "__main__":
    main()
