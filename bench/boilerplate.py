"""How much of the indexed text is boilerplate repeated across pages, before and after
text/boilerplate.py drops the chrome repeated at page edges (issue 15, item 3).

    PYTHONPATH=generator .venv/bin/python bench/boilerplate.py [--top 8] [SITE ...]

Sites are real Debian doc packages from three generators (DocBook: the Debian installation guide,
PostgreSQL 15, Debian Reference; Sphinx: SQLAlchemy 1.4; hand-written Tcl templates: SQLite); a
missing one is skipped. Only extraction is run (no model): the chunker reads the documents'
section lines and re-packs them, so the shares of characters are those of the chunk text
(less the sentences chunk overlap repeats).

The measure, fixed apart from the removal rule:
- a line is a line of section text, compared Unicode-normalised, case- and whitespace-folded,
  digits read as 0;
- it is repeated when it is on at least max(3, 1 % of the pages) pages of the same build;
- "repeated share": the characters of repeated lines over all characters, on every page;
- "boilerplate share": the same, counting only repeated lines that a page holds once (twice
  for a bar at its top and its bottom) on average: chrome is on a page once, while a repeated
  line of content (an admonition's "Note", a table header or cell, a line of code) recurs
  within pages too;
- "content lost": characters removed in lines that were not repeated before, over all characters
  (breadcrumbs and bars that name their own page are not repeated in this measure's sense: the
  top of that list is printed to be checked by eye).
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "generator"))

from sitebot.collect import read_site_folder  # noqa: E402
from sitebot.options import GenerateOptions  # noqa: E402
from sitebot.text.boilerplate import drop_repeated  # noqa: E402
from sitebot.text.extract import Document  # noqa: E402

SITES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # name: (generator, folder, include patterns)
    "debian-installation-guide": ("DocBook", "/usr/share/doc/installation-guide-amd64/en", ()),
    "postgresql-15": ("DocBook", "/usr/share/doc/postgresql-doc-15/html", ()),
    "debian-reference": ("DocBook", "/usr/share/debian-reference", ("*.en.html",)),
    "sqlalchemy-14": ("Sphinx", "/usr/share/doc/python-sqlalchemy-doc/html", ()),
    "sqlite": ("hand-written", "/usr/share/doc/sqlite3", ()),
}
MIN_PAGES, MIN_SHARE = 3, 0.01
PER_PAGE = 2.0  # at most this many occurrences per page, on average, for a repeated line to count as boilerplate
_SPACE, _DIGITS = re.compile(r"\s+"), re.compile(r"\d+")


def fold(line: str) -> str:
    return _SPACE.sub(" ", _DIGITS.sub("0", unicodedata.normalize("NFKC", line).casefold())).strip()


def lines(doc: Document) -> list[str]:
    return [ln for s in doc.sections for ln in s.text.split("\n") if ln.strip()]


class Measure:
    """The repeated lines of one build and the shares they make."""

    def __init__(self, docs: list[Document]) -> None:
        self.pages: Counter[str] = Counter()  # folded line → pages it is on
        self.uses: Counter[str] = Counter()  # folded line → occurrences
        self.chars: Counter[str] = Counter()  # folded line → characters, all occurrences
        for doc in docs:
            folded = [fold(ln) for ln in lines(doc)]
            self.pages.update(set(folded))
            self.uses.update(folded)
            for f, ln in zip(folded, lines(doc), strict=True):
                self.chars[f] += len(ln)
        self.total = sum(self.chars.values())
        need = max(MIN_PAGES, math.ceil(MIN_SHARE * len(docs)))
        self.repeated = {f for f, n in self.pages.items() if n >= need}
        self.boiler = {f for f in self.repeated if self.uses[f] <= PER_PAGE * self.pages[f]}

    def share(self, keys: set[str]) -> float:
        return sum(self.chars[f] for f in keys) / max(1, self.total)

    def top(self, keys: set[str], n: int) -> list[str]:
        best = sorted(keys, key=lambda f: (-self.chars[f], f))[:n]
        return [f"{self.pages[f]:>5} pages {self.chars[f]:>7} chars  {f[:90]!r}" for f in best]


def lost(before: list[Document], after: list[Document], m: Measure) -> tuple[float, Counter[str]]:
    """Characters removed in lines that were not repeated, over all characters; and those lines."""
    kept = {d.url: Counter(lines(d)) for d in after}
    gone: Counter[str] = Counter()
    for d in before:
        gone.update(Counter(lines(d)) - kept.get(d.url, Counter()))
    unrepeated = Counter({ln: n for ln, n in gone.items() if fold(ln) not in m.repeated})
    return sum(len(ln) * n for ln, n in unrepeated.items()) / max(1, m.total), unrepeated


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sites", nargs="*", default=list(SITES), help=f"of {', '.join(SITES)}")
    ap.add_argument("--top", type=int, default=8, help="repeated lines to list per site, before and after")
    args = ap.parse_args()
    rows = []
    for name in args.sites:
        generator, folder, include = SITES[name]
        if next(Path(folder).glob("*.html"), None) is None:
            print(f"{name}: {folder} is not installed, skipped", file=sys.stderr)
            continue
        opts = GenerateOptions(source=Path(folder), output=Path("/nonexistent"), base_url="/", include=include)
        t0 = time.perf_counter()
        before = read_site_folder(opts, lambda *a: None).docs
        t1 = time.perf_counter()
        after, removed = drop_repeated(before)
        t2 = time.perf_counter()
        mb, ma = Measure(before), Measure(after)
        lost_share, lost_lines = lost(before, after, mb)
        body = sum(d.body_root for d in before)
        rows.append((name, generator, len(before), body, mb, ma, lost_share))
        print(f"\n== {name} ({generator}): {len(before)} pages, {body} read from <body>")
        print(f"   extraction {t1 - t0:.1f} s, repetition pass {t2 - t1:.2f} s; removed {removed.lines} lines")
        print(f"   ({removed.chars:,} chars) on {removed.pages} pages, {len(removed.emptied)} pages emptied")
        for label, m in (("before", mb), ("after", ma)):
            print(f"   boilerplate lines {label}:")
            print("\n".join("     " + t for t in m.top(m.boiler, args.top)) or "     (none)")
        print("   repeated lines left after that are not boilerplate (content recurring within pages):")
        print("\n".join("     " + t for t in ma.top(ma.repeated - ma.boiler, args.top)) or "     (none)")
        print("   removed lines that were not repeated (to check by eye):")
        for ln, n in sorted(lost_lines.items(), key=lambda x: (-len(x[0]) * x[1], x[0]))[: args.top]:
            print(f"     {n:>5} x {ln[:90]!r}")
    print(
        "\nsite                       generator      pages  from <body>  boilerplate before → after  repeated before → after  content lost"
    )
    for name, generator, pages, body, mb, ma, lost_share in rows:
        print(
            f"{name:<26} {generator:<13} {pages:>6} {body:>12}  {mb.share(mb.boiler):>17.2%} → {ma.share(ma.boiler):>6.2%}"
            f"  {mb.share(mb.repeated):>15.2%} → {ma.share(ma.repeated):>6.2%}  {lost_share:>12.3%}"
        )


if __name__ == "__main__":
    main()
