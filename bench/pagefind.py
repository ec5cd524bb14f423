"""Pagefind 1.x on the same sites and questions as sitebot: bytes, page-level recall and time (issue 16).

    python bench/pagefind.py                       # the installation guide and SQLAlchemy, their question sets
    python bench/pagefind.py --site NAME=HTML_DIR=QUESTIONS.jsonl ... [--throttled-runs 3] [--language en]

Pagefind is installed from the npm registry into bench/out/pagefind-npm/ on first use
(`npm install --prefix bench/out/pagefind-npm pagefind@1`; the package brings its platform binary).
Each site's HTML folder is copied to a temporary folder (never written where it lies), indexed
with `pagefind --site COPY --output-subdir pagefind --force-language en` (the Debian pages carry no
`lang`, and without one Pagefind does not stem; sitebot's model is English too; `--language ''`
leaves it out), and served by a plain threaded http.server on 127.0.0.1 (HTTP/1.1 keep-alive, files as they are),
or with `--http2` by bench/h2serve.mjs over HTTP/2 and TLS as most static hosts serve (it sends a file's
.br/.gz twin where one exists: Pagefind's files have none, being compressed already). In Chromium (Debian's, a
fresh profile) a blank page of that origin answers each question with Pagefind's JS API:
`import('/pagefind/pagefind.js')`, `pagefind.search(q)`, then `data()` of the top 5 results,
whose fragments (title, URL, excerpt) are what a visitor is shown, so their bytes count too.

Printed per site: Pagefind's index size, bytes moved before the first result (cold: the JS, the
wasm, the metadata, the index chunks and 5 fragments), bytes per later question (the questions of
the set in file order, in the same page: the median of the next ten, and the median and mean of
all, which fall as the session's cache fills), R@1, R@5 and MRR@5 by page on the answerable
questions (a hit is decided as `sitebot eval` does: sitebot.evaluate.matches with base URL "/",
the same page URL normalisation; Pagefind returns page URLs from the site root), the share of
unanswerable questions that still get results (Pagefind has no "not found", only an empty list),
and the time to the first result on loopback and throttled by CDP (10 Mbit/s, 40 ms RTT; the
median over `--throttled-runs` fresh profiles, each asking a different first question).
Pagefind shows only pages holding every word of the query, so a typed question often finds
nothing: each site is also run with `--queries keywords`, the questions without stop words.

In the same run, each site's built sitebot bundle (bench/out/NAME, here or in the main checkout,
or `--sitebot NAME=BUNDLE`) gets two rows, measured by the same code, served by `sitebot serve`
(its .br twins; with `--http2` bench/h2serve.mjs, the same twins): "sitebot lite", a visitor who saves data (the model never loads), answered once
the lite path is in, and "sitebot full", answered once the model is in. Their bytes count from
the page's load (widget.js and sitebot.json included) to the first answer, then per question; their
R@1, R@5, MRR@10 and refusals are `sitebot eval --path lite|full`'s.
The byte counting is bench/wirecount.py's, which bench/bigsite.py uses for sitebot.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "generator"))
sys.path.insert(0, str(ROOT / "bench"))

from sitebot.evaluate import matches  # noqa: E402
from sitebot.index.lexical import STOPWORDS  # noqa: E402
from wirecount import BLANK, SAVE_DATA, THROTTLE, Asked, ask_in_page, per_question, serve  # noqa: E402

NPM_PREFIX = ROOT / "bench/out/pagefind-npm"
PAGEFIND = NPM_PREFIX / "node_modules/.bin/pagefind"
SITES = [
    (
        "debian-installation-guide",
        Path("/usr/share/doc/installation-guide-amd64/en"),
        ROOT / "bench/questions/debian-installation-guide.jsonl",
    ),
    ("sqlalchemy-14", Path("/usr/share/doc/python-sqlalchemy-doc/html"), ROOT / "bench/questions/sqlalchemy-14.jsonl"),
]
TOP = 5
# Pagefind's JS API as its own UI uses it: one search, then the data (title, URL, excerpt) of the results shown.
ANSWER = """async (q) => {
  window.__pagefind = window.__pagefind || await import('/pagefind/pagefind.js');
  const search = await window.__pagefind.search(q);
  const shown = await Promise.all(search.results.slice(0, TOP).map((r) => r.data()));
  return {found: search.results.length, urls: shown.map((d) => d.url), titles: shown.map((d) => d.meta.title)};
}""".replace("TOP", str(TOP))
UI_FILES = ("pagefind-ui", "pagefind-modular-ui", "pagefind-component-ui", "pagefind-highlight")


@dataclass
class Indexed:
    folder: Path  # the served copy, with pagefind/ in it
    pages: int
    index_bytes: int  # pagefind/ without the optional UI files: what the JS API can fetch


def install() -> Path:
    """Pagefind's CLI, installed from the npm registry into bench/out/ the first time."""
    if not PAGEFIND.exists():
        NPM_PREFIX.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(NPM_PREFIX), "pagefind@1"], check=True)
    return PAGEFIND


def version() -> str:
    return json.loads((NPM_PREFIX / "node_modules/pagefind/package.json").read_text())["version"]


def index_site(html: Path, into: Path, language: str) -> Indexed:
    """Copy `html` to `into`, index it with Pagefind there and add a blank page to search from."""
    shutil.copytree(html, into, symlinks=False)
    cmd = [str(install()), "--site", str(into), "--output-subdir", "pagefind"]
    if language:
        cmd += ["--force-language", language]
    log = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    pages = next(
        int(line.split()[1]) for line in log.splitlines() if line.strip().startswith("Indexed") and "page" in line
    )
    (into / "__bench.html").write_text(BLANK)
    out = into / "pagefind"
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file() and not f.name.startswith(UI_FILES))
    return Indexed(into, pages, size)


def load(questions: Path) -> list[dict[str, Any]]:
    qs = [json.loads(line) for line in questions.read_text().splitlines() if line.strip()]
    for q in qs:
        q["expected"] = q.get("pages") or ([q["url"]] if q.get("url") else [])
    return qs


def keywords(question: str) -> str:
    """The question without sitebot's English stop words: what a visitor who knows Pagefind wants every
    word to be on the page might type instead (identifiers such as `pool_pre_ping` kept whole)."""
    stop = set(STOPWORDS)
    return " ".join(w for w in re.findall(r"[\w./=-]*\w", question) if w.lower() not in stop)


def rank_of(urls: list[str], expected: list[str]) -> int | None:
    return next((n for n, u in enumerate(urls, 1) if any(matches(u, e, "/") for e in expected)), None)


def measure(
    name: str, html: Path, questions: Path, *, runs: int, language: str, tmp: Path, variant: str, http2: bool
) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    site = index_site(html, tmp / f"{name}-{variant}", language)
    qs = load(questions)
    if variant == "keywords":
        qs = [{**q, "q": keywords(q["q"])} for q in qs]
    with serve(site.folder, http2=http2) as served, sync_playwright() as p:
        ask = functools.partial(ask_in_page, served=served)  # each profile checks the protocol it got
        page = served.origin + "__bench.html"
        asked = ask(p, page, ANSWER, [q["q"] for q in qs])
        throttled: list[Asked] = []
        for q in qs[:runs]:
            throttled += ask(p, page, ANSWER, [q["q"]], throttle=THROTTLE)
        loopback_firsts = [ask(p, page, ANSWER, [q["q"]])[0] for q in qs[1:runs]]
    ranks = [rank_of(a.result["urls"], q["expected"]) for a, q in zip(asked, qs, strict=True) if q["expected"]]
    unanswerable = [a for a, q in zip(asked, qs, strict=True) if not q["expected"]]
    n = len(ranks)
    return {
        "tool": f"Pagefind {version()}",
        "server": served.label,
        "site": name,
        "queries": variant,
        "pages": site.pages,
        "index_bytes": site.index_bytes,
        "questions": len(qs),
        "answerable": n,
        **per_question(asked),
        "r1": sum(r == 1 for r in ranks if r) / n,
        "r5": sum(r is not None for r in ranks) / n,
        "mrr5": sum(1 / r for r in ranks if r) / n,
        "unanswerable": len(unanswerable),
        "unanswerable_shown": sum(bool(a.result["urls"]) for a in unanswerable),
        "no_result": sum(not a.result["urls"] for a in asked),
        "first_ms_loopback": statistics.median([asked[0].ms] + [a.ms for a in loopback_firsts]),
        "first_ms_throttled": statistics.median(a.ms for a in throttled),
        "first_bytes_throttled": statistics.median(a.bytes for a in throttled),
    }


# sitebot's page API, as bench/bigsite.py asks it: the keyword answer at once, the lite path's semantic
# answer once its files are in, or the model's once the model is in.
WAIT_API = "while (!window.sitebot) await new Promise((ok) => setTimeout(ok, 5));"
RANKED = "return (await window.sitebot.search(q, {k: 5})).map((r) => r.url);"
SITEBOT_KEYWORD = f"async (q) => {{ {WAIT_API} {RANKED} }}"
SITEBOT_LITE = f"async (q) => {{ {WAIT_API} await window.sitebot.ready({{semantic: true}}); {RANKED} }}"
SITEBOT_SEMANTIC = f"async (q) => {{ {WAIT_API} await window.sitebot.ready({{model: true}}); {RANKED} }}"


def measure_sitebot(name: str, bundle: Path, questions: Path, *, runs: int, http2: bool) -> list[dict[str, Any]]:
    """Two rows for a built sitebot bundle, served by `sitebot serve` (its .br/.gz twins): its lite path
    (a visitor who saves data: the model never loads) and its model's path. Bytes count from the page's
    load (widget.js and sitebot.json included) to the first semantic answer, then per question; recall,
    MRR (@10) and refusals are `sitebot eval --path lite|full`'s (the browser's ranking, ported)."""
    from playwright.sync_api import sync_playwright

    from sitebot.evaluate import evaluate
    from sitebot.index.partition import index_files

    qs = load(questions)
    manifest = json.loads((bundle / "sitebot.json").read_text())
    with serve(bundle, http2=http2, bundle=True) as served, sync_playwright() as p:
        ask = functools.partial(ask_in_page, count_load=True, served=served)  # each profile checks its protocol
        page = served.origin + "index.html"
        lite_first = [ask(p, page, SITEBOT_LITE, [q["q"]], init_js=SAVE_DATA)[0] for q in qs[:runs]]
        lite_throttled = [
            ask(p, page, SITEBOT_LITE, [q["q"]], init_js=SAVE_DATA, throttle=THROTTLE)[0] for q in qs[:runs]
        ]
        lite_all = ask(p, page, SITEBOT_LITE, [q["q"] for q in qs], init_js=SAVE_DATA)
        full_throttled = [ask(p, page, SITEBOT_SEMANTIC, [q["q"]], throttle=THROTTLE)[0] for q in qs[:1]]
        full_all = ask(p, page, SITEBOT_SEMANTIC, [q["q"] for q in qs])
    index = sum((bundle / f).stat().st_size for f in index_files(bundle, manifest))
    rows = []
    for path, first, throttled, every in (
        ("lite", lite_first, lite_throttled, lite_all),
        ("full", full_all[:1], full_throttled, full_all),
    ):
        report = evaluate(bundle, questions, path=path)
        refused = sum(r.not_found for r in report.unanswerable)
        rows.append(
            {
                "tool": f"sitebot {path}",
                "server": served.label,
                "site": name,
                "queries": "asked",
                "pages": manifest["counts"]["pages"],
                "index_bytes": index,
                "questions": len(qs),
                "answerable": len(report.answerable),
                **per_question(every),
                "first_bytes": statistics.median(a.bytes for a in first),
                "r1": report.recall_at_1,
                "r5": report.recall_at_5,
                "mrr5": report.mrr,
                "unanswerable": len(report.unanswerable),
                "unanswerable_shown": len(report.unanswerable) - refused,
                "no_result": sum(r.not_found for r in report.results),
                "first_ms_loopback": statistics.median(a.ms for a in first),
                "first_ms_throttled": statistics.median(a.ms for a in throttled),
                "first_bytes_throttled": statistics.median(a.bytes for a in throttled),
            }
        )
    return rows


def print_table(rows: list[dict[str, Any]], runs: int) -> None:
    servers = "; ".join(dict.fromkeys(f"{r['tool'].split()[0]} served over {r['server']}" for r in rows))
    print(f"{servers}; every response's protocol checked")
    print(
        f"Chromium fresh profile; Pagefind: top {TOP} results with their data() per question; sitebot: search(q, "
        "{k: 5}) once its path answers semantically (lite: a Save-Data visitor, the model never loads; full: once "
        "the model is in), bytes from the page's load; R/MRR by page (Pagefind MRR@5, sitebot MRR@10)"
    )
    print(
        "| tool | site | queries | pages | index on disk | bytes to first result (cold) | later questions: next 10 median; all median, mean | R@1 | R@5 "
        f"| MRR@5 | unanswerable with results | first result, loopback | first result, 10 Mbit/s 40 ms (median of {runs}) "
        "| questions with no result (sitebot: not found) |"
    )
    print("|" + "---|" * 14)
    for r in rows:
        print(
            f"| {r['tool']} | {r['site']} | {r['queries']} | {r['pages']} | {r['index_bytes'] / 1e3:.0f} KB | {r['first_bytes'] / 1e3:.0f} KB "
            f"| {r['next10_median'] / 1e3:.1f} KB; {r['later_median'] / 1e3:.1f} KB, {r['later_mean'] / 1e3:.1f} KB "
            f"| {r['r1']:.3f} | {r['r5']:.3f} | {r['mrr5']:.3f} | {r['unanswerable_shown']} of {r['unanswerable']} "
            f"| {r['first_ms_loopback']:.0f} ms | {r['first_ms_throttled']:.0f} ms |"
            f" {r['no_result']} of {r['questions']} |"
        )
    counts = ", ".join(dict.fromkeys(f"{r['site']}: {r['answerable']} answerable of {r['questions']}" for r in rows))
    print(f"({counts})")


def built(name: str) -> list[Path]:
    """Where a site's sitebot bundle may be built: this checkout's bench/out/, or the main checkout's."""
    return [ROOT / "bench/out" / name, Path("/work/main/bench/out") / name]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--site", action="append", help="NAME=HTML_DIR=QUESTIONS.jsonl [default: guide and SQLAlchemy]")
    ap.add_argument("--throttled-runs", type=int, default=3, help="fresh profiles timed per site")
    ap.add_argument("--language", default="en", help="Pagefind's --force-language ('' to let it read the pages)")
    ap.add_argument(
        "--queries",
        default="asked,keywords",
        help="'asked' (each question as written) and/or 'keywords' (its stop words dropped), comma-separated",
    )
    ap.add_argument(
        "--sitebot",
        action="append",
        default=[],
        help="NAME=BUNDLE: measure this built sitebot bundle in the same run, on NAME's questions "
        "[default: bench/out/NAME of each site, when built]",
    )
    ap.add_argument("--no-sitebot", action="store_true", help="Pagefind only")
    ap.add_argument("--json", type=Path, help="also write the rows here")
    ap.add_argument(
        "--http2",
        action="store_true",
        help="serve Pagefind's site folder and sitebot's bundle with bench/h2serve.mjs over HTTP/2 (TLS), "
        "as most static hosts do, instead of Python's http.server and `sitebot serve`",
    )
    args = ap.parse_args()
    sites = [tuple(s.split("=")) for s in args.site] if args.site else SITES
    install()
    bundles = {n: Path(b) for n, _, b in (x.partition("=") for x in args.sitebot)}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, html, questions in sites:
            for variant in args.queries.split(","):
                rows.append(
                    measure(
                        name,
                        Path(html),
                        Path(questions),
                        runs=args.throttled_runs,
                        language=args.language,
                        tmp=Path(tmp),
                        variant=variant,
                        http2=args.http2,
                    )
                )
                print(f"  {name}, {variant}: done", file=sys.stderr)
            bundle = bundles.get(name) or next((b for b in built(name) if (b / "sitebot.json").is_file()), None)
            if bundle and not args.no_sitebot:
                rows.extend(measure_sitebot(name, bundle, Path(questions), runs=args.throttled_runs, http2=args.http2))
                print(f"  {name}, sitebot {bundle}: done", file=sys.stderr)
    print_table(rows, args.throttled_runs)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
