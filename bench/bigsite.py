"""A site of ≥ 100,000 chunks (issue 16): the real HTML folder, and a cheap synthetic bundle measured in Chromium.

    python bench/bigsite.py folder [--out bench/out/bigsite-html] [--chunks]
    python bench/bigsite.py bundle [--out bench/out/bigsite-synthetic] [--sources BUNDLE …] [--min-chunks 100000]
                                   [--no-precompress]
    python bench/bigsite.py measure [--bundle bench/out/bigsite-synthetic] [--questions 10] [--runs 3]
                                    [--question-set Q.jsonl …] [--http2 | --https1]

`folder` copies the HTML of installed Debian doc packages into one folder, a sub-folder each, so
their links keep working (HTML with its images and styles; not the PDF or text copies of whole
manuals): the PostgreSQL 15 manual, SQLAlchemy 1.4, the SQLite docs, Django 3.2 (package
python-django-doc), Git's manual pages (git-doc), the English Debian Reference and the installation guide (never python3.11-doc, LibreOffice help or the Debian
handbook: held out). It prints the page count of each; with `--chunks` also how many chunks
sitebot makes of it (read and chunked as `sitebot generate` does, without embedding). Building it
for real (`sitebot generate bench/out/bigsite-html --base-url / -o …`) embeds every chunk: an hour
or more on two cores.

`bundle` makes a SYNTHETIC bundle of at least `--min-chunks` chunks without embedding anything.
It reads built bundles of the current format (2) with sitebot's own readers (the chunk rows' parts,
the text shards and their units files, the k-means lists of the vectors): by default every
format-2 bundle in bench/out, e.g. the installation guide and SQLAlchemy 1.4 as bench/pagefind.py
measures them (`sitebot generate … -o bench/out/sqlalchemy-14 --base-url /`). Their chunks, texts, sentence signatures and vectors
(real text, real vectors) are repeated as copies whose page URLs move to /copyN/… and whose titles
say "(copy N)", each copy's vectors turned by a small random rotation plus noise (cosine ≈ 0.99 to
the original) so copies never tie exactly; a copy keeps its source's sentence signatures. Then it
does what pipeline.generate does after embedding: the BM25 index, the "not found" calibration,
the LITE PATH (pipeline.build_lite_path: the cached token table, the chunks' token ids, the map
fitted on the chunks and the probe questions; not on the sentences, whose vectors a bundle does not
keep) and bundle.manifest.write_bundle (k-means lists of both paths, term shards, row parts, text
shards) with the .br/.gz twins; so the format is whatever the current writer writes. Printed: the
chunk count, and a table of the bundle's bytes per part and per chunk (without the twins).

`measure` serves the bundle with `sitebot serve`'s server on 127.0.0.1 (its .br/.gz twins; HTTP/1.1,
six kept-alive connections), or with `--http2` with
bench/h2serve.mjs over HTTP/2 and TLS as most static hosts serve (the same twins and headers; one
connection, every request multiplexed on it), or with `--https1` by the same server over HTTP/1.1 (TLS,
keep-alive: six connections kept open, as a host without HTTP/2); each profile checks that every response it fetched came
over that protocol (Resource Timing's nextHopProtocol, in the page and its workers) and fails if not. In
Chromium with a fresh profile per visitor, it counts the bytes (bench/wirecount.py, from the page's
load: widget.js and sitebot.json count) and times:
- the first keyword answer, asked at once (`window.sitebot.search` does not wait), loopback;
- the lite path, for a Save-Data visitor (the model never loads): the first answer after
  `sitebot.ready({semantic: true})` (median of `--runs` profiles, one question each), then the warm
  question → ranked chunks time of `--questions` more in the same page (median, max; each fetches
  its term shards, token rows, lists and row parts), then the same questions again (every file in
  the engine's memory: the ranking alone); on loopback and throttled (wirecount.THROTTLE, 10 Mbit/s
  and 40 ms); and the first answer of a visitor who opened the bot before asking (its start,
  `sitebot.ready({semantic: true})`, done before the question; its bytes counted all the same);
- the model's path on loopback: the first answer after `sitebot.ready({model: true})`, then the
  warm questions and the same again.
Times are the page's clock from the question, and for first answers also from the navigation's
start. Questions: answerable ones of bench/questions/sqlalchemy-14.jsonl and
debian-installation-guide.jsonl in turn. The last column says whether the top 5 holds one of the
question's pages in any copy: a sanity check, not recall, since the copies of one page crowd a top 5.
Per question (path, time, bytes, status), the largest files of each first answer, and the requests
of one more Save-Data visitor's first answer in time order (loopback and throttled: its critical path)
go to stderr. The machine's load average is printed beside the times: other work slows them all.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "generator"))
sys.path.insert(0, str(ROOT / "bench"))

from sitebot.bundle.format import read_manifest  # noqa: E402
from sitebot.bundle.manifest import write_bundle  # noqa: E402
from sitebot.bundle.writer import BundleWriter  # noqa: E402
from sitebot.errors import BundleError  # noqa: E402
from sitebot.index import lexical, notfound, partition, quantise  # noqa: E402
from sitebot.index.embed import EmbeddingCache, embed_with_cache  # noqa: E402
from sitebot.index.lists import Partitions, entry_files  # noqa: E402
from sitebot.index.model import default_model, describe, load, tokenizer_json  # noqa: E402
from sitebot.options import GenerateOptions, default_cache_dir  # noqa: E402
from sitebot.pipeline import build_lite_path  # noqa: E402
from sitebot.text.chunk import SEPARATOR, Chunk  # noqa: E402
from sitebot.text.extract import Document  # noqa: E402

OUT = ROOT / "bench/out"
# (sub-folder, installed HTML folder, keep only these HTML files: None for all)
HTML_SOURCES = [
    ("postgresql-15", Path("/usr/share/doc/postgresql-doc-15/html"), None),
    ("sqlalchemy-14", Path("/usr/share/doc/python-sqlalchemy-doc/html"), None),
    ("sqlite3", Path("/usr/share/doc/sqlite3"), None),
    ("django-32", Path("/usr/share/doc/python-django-doc/html"), None),  # apt-get install python-django-doc
    ("git", Path("/usr/share/doc/git-doc"), None),  # apt-get install git-doc
    ("debian-reference", Path("/usr/share/doc/debian-reference-common/docs"), ".en.html"),
    ("installation-guide", Path("/usr/share/doc/installation-guide-amd64/en"), None),
]
COPIES = (".pdf", ".pdf.gz", ".txt", ".txt.gz")
SHARED_OUT = Path("/work/main/bench/out")  # the shared checkout's built bundles
TURN = 0.0025  # the copies' rotation: I + TURN·G made orthogonal; cos(v, Rv) ≈ 0.99
NOISE = 0.002  # per dimension, on unit vectors


# --- folder -------------------------------------------------------------------------------------


def make_folder(out: Path) -> dict[str, int]:
    """Copy each package's HTML into `out`/<name>/; returns the .html page count per sub-folder."""
    counts = {}
    for name, src, only in HTML_SOURCES:
        if not src.is_dir():
            sys.exit(f"{src} is missing: apt-get install the Debian package that ships it")
        dest = out / name

        def ignore(folder: str, names: list[str], only: str | None = only) -> list[str]:
            # Other languages' pages of the same docs (Debian Reference ships de/fr beside en), and the
            # PDF and text copies of whole manuals, which sitebot would read as more pages of the same text.
            other = [n for n in names if only and n.endswith(".html") and not n.endswith(only)]
            return other + [n for n in names if n.endswith(COPIES)]

        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(src, dest, ignore=ignore)
        counts[name] = sum(1 for _ in dest.rglob("*.html"))
    return counts


def count_chunks(folder: Path) -> tuple[int, int]:
    """(pages read, chunks) as `sitebot generate` reads and chunks `folder`, without embedding."""
    from sitebot.options import GenerateOptions
    from sitebot.pipeline import chunk_all, read_documents

    opts = GenerateOptions(source=folder, output=OUT / "bigsite-unused")
    got = read_documents(opts)
    chunks = chunk_all(got.docs, load(default_model()), opts)
    return len(got.docs), len(chunks)


# --- bundle -------------------------------------------------------------------------------------


def default_sources() -> list[Path]:
    """Every format-2 bundle in bench/out (this checkout's, then the shared checkout's), one per name:
    e.g. the installation guide and SQLAlchemy 1.4 as bench/pagefind.py measures them."""
    found: dict[str, Path] = {}
    for out in (OUT, SHARED_OUT):
        for folder in sorted(out.iterdir()) if out.is_dir() else []:
            if not folder.name.startswith("bigsite") and folder.name not in found and is_format_2(folder):
                found[folder.name] = folder
    return list(found.values())


def is_format_2(folder: Path) -> bool:
    """Whether `folder` holds a bundle this sitebot reads (read_manifest refuses any other format)."""
    try:
        return read_manifest(folder)["format"] == 2
    except BundleError:
        return False


def unit_records_of(data: bytes, count: int, signature_bytes: int) -> list[bytes]:
    """A units file cut back into its chunks' records (index/signatures.py: one byte n, then n signatures)."""
    out, at = [], 0
    for _ in range(count):
        end = at + 1 + data[at] * signature_bytes
        out.append(data[at:end])
        at = end
    if at != len(data):
        raise ValueError(f"a units file of {len(data)} bytes holds {at} bytes of {count} chunks' records")
    return out


def read_bundle(folder: Path) -> dict[str, Any]:
    """A built format-2 bundle's pages, chunk rows, texts, unit records and float vectors, read with the
    library's own readers (the chunk rows' parts, the text shards, the k-means lists)."""
    try:
        manifest = read_manifest(folder)  # refuses a bundle of another format than this sitebot's (2)
    except BundleError as e:
        sys.exit(str(e))
    files = manifest["files"]
    pages, rows = partition.bundle_chunks(folder, manifest)
    signature_bytes = -(-manifest["model"]["dims"] // 8)
    texts: list[str] = []
    units: list[bytes] | None = []
    for shard in files["shards"]:
        texts += json.loads((folder / shard["file"]).read_text())
        if units is not None and "units" in shard:
            units += unit_records_of((folder / shard["units"]).read_bytes(), shard["count"], signature_bytes)
        else:
            units = None  # a bundle without units files: the synthetic one has none either
    codes, scales = Partitions.open(folder, files["vectors"]).matrix()
    assert len(texts) == len(rows) == len(codes) == manifest["counts"]["chunks"], folder
    return {
        "manifest": manifest,
        "pages": pages,
        "rows": rows,  # [page, anchor, heading, weight] per chunk, in page order
        "texts": texts,
        "units": units,
        "vectors": quantise.dequantise(codes, scales),
    }


def turned(vectors: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The vectors under one small random rotation, plus a little noise each, back to unit length."""
    dims = vectors.shape[1]
    q, r = np.linalg.qr(np.eye(dims) + TURN * rng.standard_normal((dims, dims)))
    rotation = q * np.sign(np.diag(r))  # the orthogonal matrix nearest the identity, not a reflection
    out = vectors @ rotation.T.astype(np.float32) + NOISE * rng.standard_normal(vectors.shape).astype(np.float32)
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def assemble(
    sources: dict[str, dict[str, Any]], min_chunks: int, seed: int = 16
) -> tuple[list[Document], list[Chunk], np.ndarray, list[bytes] | None]:
    """Documents, chunks, float vectors and unit records: copy 1 of every source, then copy 2, … until
    ≥ min_chunks. A copy keeps its source's unit signatures: its turn moves a vector by a few degrees."""
    rng = np.random.default_rng(seed)
    docs: list[Document] = []
    chunks: list[Chunk] = []
    vectors: list[np.ndarray] = []
    units: list[bytes] | None = [] if all(s["units"] is not None for s in sources.values()) else None
    copy = 0
    while len(chunks) < min_chunks:
        copy += 1
        for name, src in sources.items():
            prefix = f"/{name}/" if copy == 1 else f"/copy{copy}/{name}/"
            first = len(docs)
            for p in src["pages"]:
                title = p["title"] if copy == 1 else f"{p['title']} (copy {copy})"
                docs.append(Document(url=prefix + p["url"].lstrip("/"), title=title, lang="en"))
            for (page, anchor, heading, weight), text in zip(src["rows"], src["texts"], strict=True):
                doc = docs[first + page]
                headings = tuple(heading.split(SEPARATOR)) if heading else ()
                chunks.append(Chunk(first + page, doc.url, anchor, doc.title, headings, text, weight))
            vectors.append(src["vectors"] if copy == 1 else turned(src["vectors"], rng))
            if units is not None:
                units += src["units"]
            if len(chunks) >= min_chunks:
                break
    return docs, chunks, np.concatenate(vectors), units


def build_bundle(out: Path, sources: list[Path], min_chunks: int, precompress: bool) -> dict[str, Any]:
    started = time.perf_counter()

    def say(what: str) -> None:
        print(f"  {time.perf_counter() - started:6.0f} s  {what}", file=sys.stderr)

    read = {}
    for folder in sources:
        read[folder.name] = read_bundle(folder)
        say(f"read {folder}: {len(read[folder.name]['texts'])} chunks")
    first = next(iter(read.values()))["manifest"]
    if len({r["manifest"]["model"]["sha256"] for r in read.values()}) > 1:
        sys.exit("the source bundles were built with different models; give bundles of one model")
    docs, chunks, vectors, units = assemble(read, min_chunks)
    say(f"assembled {len(chunks)} chunks on {len(docs)} pages; BM25 index…")
    files = default_model()
    model = load(files)
    if describe(model)["sha256"] != first["model"]["sha256"]:
        sys.exit("the source bundles were not built with sitebot's default model, which this script embeds with")
    opts = GenerateOptions(
        source=out,
        output=out,
        max_tokens=first["model"]["max_tokens"],
        query_max_tokens=first["model"]["query_max_tokens"],
    )
    lexical_index = lexical.build([c.lexical_text for c in chunks])
    codes, scales = quantise.quantise(vectors)
    # The probe questions embedded as the browser embeds a question (cached), as pipeline.generate does.
    cache = EmbeddingCache(default_cache_dir() / "embeddings.sqlite")
    try:
        probes = notfound.probe_questions()
        probe_vectors = embed_with_cache(model, probes, max_tokens=opts.query_max_tokens, cache=cache)[0]
    finally:
        cache.close()
    covers = notfound.vocabulary_share(lexical_index, notfound.vocabulary(json.loads(tokenizer_json(files))))
    say("lite path (token table, chunks' token ids, map fitted on chunks + probes; no units)…")
    # pipeline.generate's own lite build; the units' vectors are not in a bundle, so the map is fitted
    # on the chunks and the probe questions only.
    lite_path = build_lite_path(
        model, files, chunks, vectors, probes, opts, probe_vectors=probe_vectors, vocabulary_covers=covers
    )
    if lite_path is None:
        sys.exit("the model's tokenizer has no lite path (index/vocab.py)")
    say("not-found calibration…")
    retrieval = {
        **first["retrieval"],
        "not_found": notfound.calibrate(codes, scales, probe_vectors, vocabulary_covers=covers),
    }
    names = " and ".join(read)
    settings = {**first["settings"], "title": f"Synthetic big site (copies of {names})", "starters": []}
    say("writing (k-means lists of both paths, term shards, row parts)…")
    writer = BundleWriter(out)
    try:
        manifest = write_bundle(
            writer,
            base_url="/",
            model_files=files,
            model_info=describe(model),
            max_tokens=opts.max_tokens,
            query_max_tokens=opts.query_max_tokens,
            docs=docs,
            chunks=chunks,
            quantised=(codes, scales),
            records=[],
            retrieval=retrieval,
            settings=settings,
            title=settings["title"],
            lexical_index=lexical_index,
            unit_records=units,
            lite=lite_path,
        )
        if precompress:
            say("precompressing…")
            writer.precompress(default_cache_dir() / "precompressed")
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    say("done")
    return sizes(out, manifest)


def _size(out: Path, names: list[str]) -> int:
    return sum((out / n).stat().st_size for n in names)


def sizes(out: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """Bytes on disk of the bundle and its parts (without the .br/.gz twins)."""
    mine = [p for p in out.rglob("*") if p.is_file() and not p.name.endswith((".br", ".gz"))]
    files, lite = manifest["files"], manifest["lite"]
    tokens = out / lite["tokens"]["folder"]
    return {
        "chunks": manifest["counts"]["chunks"],
        "pages": manifest["counts"]["pages"],
        "bundle": sum(p.stat().st_size for p in mine),
        "manifest": (out / "sitebot.json").stat().st_size,
        "index": _size(out, partition.index_files(out, manifest)),
        "text": _size(out, [s["file"] for s in files["shards"]]),
        "units": _size(out, [s["units"] for s in files["shards"] if "units" in s]),
        "lite_vectors": _size(out, entry_files(out, lite["vectors"])),
        "lite_site": _size(out, [lite["vocab"], lite["weights"], lite["map"]]),
        "lite_tokens": sum(p.stat().st_size for p in tokens.iterdir() if not p.name.endswith((".br", ".gz"))),
        "model": _size(out, list(manifest["model"]["files"].values()) + [manifest["runtime"]["ort_wasm"]]),
    }


def print_sizes(out: Path, got: dict[str, Any]) -> None:
    n = got["chunks"]
    print(f"{out}: SYNTHETIC, copies of the chunks and vectors of real format-2 bundles, turned slightly")
    print(f"chunks: {n}, pages: {got['pages']}")
    print("| part | bytes | per chunk |")
    print("|---|---|---|")
    rows = [
        ("whole bundle, without .br/.gz twins", "bundle"),
        ("sitebot.json", "manifest"),
        ("model's index: vectors (k-means lists), BM25 meta + term shards, chunk meta + row parts", "index"),
        ("chunk texts (shards)", "text"),
        ("units files (sentence signatures)", "units"),
        ("lite vectors (k-means lists, 128 dims)", "lite_vectors"),
        ("lite: vocabulary, token weights, map", "lite_site"),
        ("lite token table (model only)", "lite_tokens"),
        ("model + tokenizer + ort wasm", "model"),
    ]
    for label, key in rows:
        print(f"| {label} | {got[key] / 1e6:.2f} MB | {got[key] / n:.0f} B |")


# --- measure ------------------------------------------------------------------------------------

# Each answer returns its top 5 URLs, the page's clock when it came (ms since the navigation began)
# and the engine's status, so a lite answer is known to be the lite path's and not the keywords'.
WAIT_API = "while (!window.sitebot) await new Promise((ok) => setTimeout(ok, 5));"
RANKED = (
    "const r = await window.sitebot.search(q, {k: 5}); const at = performance.now();"
    " return {urls: r.map((x) => x.url), at, status: await window.sitebot.status()};"
)
KEYWORD = f"async (q) => {{ {WAIT_API} {RANKED} }}"
LITE = f"async (q) => {{ {WAIT_API} await window.sitebot.ready({{semantic: true}}); {RANKED} }}"
MODEL = f"async (q) => {{ {WAIT_API} await window.sitebot.ready({{model: true}}); {RANKED} }}"
OPEN = f"async () => {{ {WAIT_API} await window.sitebot.ready({{semantic: true}}); }}"
QUESTION_SETS = [ROOT / "bench/questions/sqlalchemy-14.jsonl", ROOT / "bench/questions/debian-installation-guide.jsonl"]


def questions(sets: list[Path], n: int) -> list[dict[str, Any]]:
    """n answerable questions, taken in turn from each set (their sites' pages are in the bundle)."""
    each = [[json.loads(x) for x in s.read_text().splitlines() if x.strip()] for s in sets]
    each = [[q for q in qs if q.get("pages")] for qs in each]
    out: list[dict[str, Any]] = []
    for i in range(max(map(len, each))):
        out += [qs[i] for qs in each if i < len(qs)]
    return out[:n]


def found(urls: list[str], pages: list[str]) -> bool:
    """Whether a top-5 URL is one of the question's pages, in any copy."""
    paths = [u.split("#")[0] for u in urls]
    return any(p.endswith("/" + page) for p in paths for page in pages)


def waterfall(
    playwright: Any, page_url: str, question: str, served: Any, throttle: dict[str, Any] | None = None
) -> list[str]:
    """Lines of when each request of a Save-Data visitor's first lite answer started and ended, in ms
    from the question (Chromium's resource timing, one more fresh profile): the critical path. `served`
    (bench/h2.py's Served) gives the context's options and the protocol every response must have come over."""
    from wirecount import SAVE_DATA, check_protocol, fresh_context, moved  # wirecount puts tests/ on the path

    with fresh_context(playwright, **served.browser) as context:
        page = context.new_page()
        page.add_init_script(SAVE_DATA)
        if throttle:
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", throttle)
        finished: list[Any] = []
        context.on("requestfinished", lambda r: finished.append(r))
        page.goto(page_url)
        page.wait_for_timeout(100)
        start = len(finished)
        # The question's moment on the page's clock as wall time (what a request's startTime is), not
        # Python's before page.evaluate: that one comes a round trip to the browser early.
        got = page.evaluate(
            f"async (q) => {{ const t = performance.now(); await ({LITE})(q);"
            " return {ms: performance.now() - t, at: performance.timeOrigin + t}; }",
            question,
        )
        asked_at = got["at"]
        page.wait_for_timeout(30)
        lines = [f"    answered at {got['ms']:.0f} ms"]
        for r in finished[start:]:
            t = r.timing
            begin = t["startTime"] - asked_at
            end = begin + t["responseEnd"] if t["responseEnd"] >= 0 else float("nan")
            size = moved(r)
            lines.append(f"    {begin:6.0f} → {end:6.0f} ms {size / 1e3:7.1f} KB  {r.url.split('/', 3)[-1]}")
        check_protocol(page, served.protocol)
        page.close()
    return lines


def measure(bundle: Path, n: int, runs: int, sets: list[Path], http2: bool = False, https1: bool = False) -> None:
    from playwright.sync_api import sync_playwright

    from wirecount import SAVE_DATA, THROTTLE, ask_in_page, serve

    qs = questions(sets, n + 1)
    asked = [q["q"] for q in qs]
    manifest = read_manifest(bundle)
    if "lite" not in manifest:
        sys.exit(f"{bundle} has no lite path; build it with `python bench/bigsite.py bundle`")
    load = os.getloadavg()  # other work on the machine slows every time below
    with serve(bundle, http2=http2, https1=https1, bundle=True) as served, sync_playwright() as p:
        # Every profile below checks, before it closes, that its responses came over served.protocol.
        ask = functools.partial(ask_in_page, count_load=True, served=served)
        origin, page = served.origin, served.origin + "index.html"
        keyword = ask(p, page, KEYWORD, asked[:1])[0]
        # One profile per first answer, each with another question; the first profile goes on with the
        # warm questions, then asks them again (every file they need is then in the engine's memory).
        lite = ask(p, page, LITE, asked + asked[1:], init_js=SAVE_DATA)
        lite_firsts = [lite[0]] + [ask(p, page, LITE, [q], init_js=SAVE_DATA)[0] for q in asked[1:runs]]
        lite_throttled = ask(p, page, LITE, asked, init_js=SAVE_DATA, throttle=THROTTLE)
        lite_firsts_throttled = [lite_throttled[0]] + [
            ask(p, page, LITE, [q], init_js=SAVE_DATA, throttle=THROTTLE)[0] for q in asked[1:runs]
        ]
        # A visitor who opens the bot, then types: the engine's start (the lite path's files, fetched
        # when the bot opens) is in before the question, and its bytes still count.
        opened = {
            net: [ask(p, page, LITE, [q], init_js=SAVE_DATA, before_js=OPEN, throttle=t)[0] for q in asked[:runs]]
            for net, t in (("loopback", None), ("throttled", THROTTLE))
        }
        model = ask(p, page, MODEL, asked + asked[1:])
        steps = {
            net: waterfall(p, page, asked[0], served, throttle)
            for net, throttle in (("loopback", None), ("throttled", THROTTLE))
        }
    for name, got in (("keyword", [keyword]), ("lite", lite), ("lite, throttled", lite_throttled), ("model", model)):
        for a, q in zip(got, qs + qs[1:], strict=False):
            hit = "hit " if found(a.result["urls"], q["pages"]) else "miss"
            status = ",".join(f"{k}={v}" for k, v in a.result["status"].items())
            print(
                f"  {name:16} {a.ms:7.0f} ms {a.bytes / 1e3:8.1f} KB {hit} [{status}] {a.question[:50]}",
                file=sys.stderr,
            )
    for name, a in (("lite", lite[0]), ("lite, throttled", lite_throttled[0]), ("model", model[0])):
        print(f"  first answer, {name}: {a.requests} requests; the largest:", file=sys.stderr)
        for url, size in sorted(a.files, key=lambda f: -f[1])[:8]:
            print(f"    {size / 1e3:8.1f} KB  {url.removeprefix(origin)}", file=sys.stderr)
    for net, lines in steps.items():
        print(f"  a first lite answer's requests, {net} (ms from the question):", file=sys.stderr)
        print("\n".join(lines), file=sys.stderr)
    warm = slice(1, n + 1)
    again = slice(n + 1, None)
    twins = any(bundle.rglob("*.br"))
    print(
        f"{bundle}: SYNTHETIC (copies of real chunks), {manifest['counts']['chunks']} chunks; Chromium, fresh profile; "
        f"served over {served.label}, every response checked ({'its .br/.gz twins' if twins else 'no twins: uncompressed'}); "
        f"throttled = {THROTTLE['downloadThroughput'] * 8 / 1e6:.0f} Mbit/s, {THROTTLE['latency']} ms RTT; "
        f"load average {load[0]:.1f} before, {os.getloadavg()[0]:.1f} after, on {os.cpu_count()} cores"
    )
    print(
        "Bytes from the page's load (widget.js, sitebot.json) to the answer. Times: from the question "
        "(search called) and from the navigation's start; warm: later questions in the same page."
    )
    print("| path | network | step | bytes | time from the question | from navigation | top 5 holds a page |")
    print("|---|---|---|---|---|---|---|")

    def first(label: str, net: str, got: list[Any]) -> None:
        many = f" (median of {len(got)})" if len(got) > 1 else ""
        print(
            f"| {label} | {net} | first answer{many} | {statistics.median(a.bytes for a in got) / 1e3:.0f} KB "
            f"| {statistics.median(a.ms for a in got):.0f} ms | {statistics.median(a.result['at'] for a in got):.0f} ms "
            f"| {sum(found(a.result['urls'], q['pages']) for a, q in zip(got, qs, strict=False))} of {len(got)} |"
        )

    def later(label: str, net: str, step: str, got: list[Any], wanted: list[dict[str, Any]]) -> None:
        ms = [a.ms for a in got]
        print(
            f"| {label} | {net} | {step}, {len(got)} questions | median {statistics.median(a.bytes for a in got) / 1e3:.1f} KB "
            f"| median {statistics.median(ms):.0f} ms, max {max(ms):.0f} ms | | "
            f"{sum(found(a.result['urls'], q['pages']) for a, q in zip(got, wanted, strict=True))} of {len(got)} |"
        )

    first("keywords (asked at once)", "loopback", [keyword])
    first("lite (Save-Data visitor)", "loopback", lite_firsts)
    later("lite", "loopback", "warm question → ranked chunks", lite[warm], qs[1:])
    later("lite", "loopback", "the same again (files in memory)", lite[again], qs[1:])
    first("lite (Save-Data visitor)", "throttled", lite_firsts_throttled)
    for net, got in opened.items():
        first("lite, the bot opened before the question", net, got)
    later("lite", "throttled", "warm question → ranked chunks", lite_throttled[1:], qs[1:])
    first("model (ready({model: true}))", "loopback", model[:1])
    later("model", "loopback", "warm question → ranked chunks", model[warm], qs[1:])
    later("model", "loopback", "the same again (files in memory)", model[again], qs[1:])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("folder", help="the real concatenated HTML folder")
    f.add_argument("--out", type=Path, default=OUT / "bigsite-html")
    f.add_argument("--chunks", action="store_true", help="also count sitebot's chunks (reads and chunks every page)")
    b = sub.add_parser("bundle", help="the synthetic ≥100,000-chunk bundle, with its lite path")
    b.add_argument("--out", type=Path, default=OUT / "bigsite-synthetic")
    b.add_argument(
        "--sources",
        type=Path,
        nargs="+",
        help="format-2 bundle folders to copy [default: every format-2 bundle in bench/out]",
    )
    b.add_argument("--min-chunks", type=int, default=100_000)
    b.add_argument("--no-precompress", action="store_true", help="skip the .br/.gz twins")
    m = sub.add_parser("measure", help="bytes and times in Chromium")
    m.add_argument("--bundle", type=Path, default=OUT / "bigsite-synthetic")
    m.add_argument("--questions", type=int, default=10, help="warm questions after the first")
    m.add_argument("--runs", type=int, default=3, help="fresh profiles timed for the lite path's first answer")
    m.add_argument(
        "--question-set", type=Path, action="append", help="JSONL question sets [default: SQLAlchemy's and the guide's]"
    )
    server = m.add_mutually_exclusive_group()
    server.add_argument(
        "--http2",
        action="store_true",
        help="serve with bench/h2serve.mjs over HTTP/2 (TLS), as most static hosts do, not `sitebot serve`",
    )
    server.add_argument(
        "--https1",
        action="store_true",
        help="serve with bench/h2serve.mjs over HTTP/1.1 (TLS, keep-alive), as a host without HTTP/2 does",
    )
    args = ap.parse_args()
    if args.cmd == "folder":
        counts = make_folder(args.out)
        for name, pages in counts.items():
            print(f"{name}: {pages} .html pages")
        print(f"{args.out}: {sum(counts.values())} .html pages")
        if args.chunks:
            pages, chunks = count_chunks(args.out)
            print(f"sitebot reads {pages} pages and makes {chunks} chunks of them")
    elif args.cmd == "bundle":
        sources = args.sources or default_sources()
        if not sources:
            sys.exit("no format-2 bundle to copy: build one with `sitebot generate`, or give --sources")
        print_sizes(args.out, build_bundle(args.out, sources, args.min_chunks, not args.no_precompress))
    else:
        measure(args.bundle, args.questions, args.runs, args.question_set or QUESTION_SETS, args.http2, args.https1)


if __name__ == "__main__":
    main()
