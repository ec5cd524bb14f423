"""A site of ≥ 100,000 chunks (issue 16): the real HTML folder, and a cheap synthetic bundle measured in Chromium.

    python bench/bigsite.py folder [--out bench/out/bigsite-html] [--chunks]
    python bench/bigsite.py bundle [--out bench/out/bigsite-synthetic] [--min-chunks 100000] [--no-precompress]
    python bench/bigsite.py measure [--bundle bench/out/bigsite-synthetic] [--questions 10]

`folder` copies the HTML of installed Debian doc packages into one folder, a sub-folder each, so
their links keep working (HTML with its images and styles; not the PDF or text copies of whole
manuals): the PostgreSQL 15 manual, SQLAlchemy 1.4, the SQLite docs, Django 3.2 (package
python-django-doc), Git's manual pages (git-doc), the English Debian Reference and the installation guide (never python3.11-doc, LibreOffice help or the Debian
handbook: held out). It prints the page count of each; with `--chunks` also how many chunks
sitebot makes of it (read and chunked as `sitebot generate` does, without embedding). Building it
for real (`sitebot generate bench/out/bigsite-html --base-url / -o …`) embeds every chunk: an hour
or more on two cores.

`bundle` makes a SYNTHETIC bundle of at least `--min-chunks` chunks without embedding anything:
the chunks, texts and int8 vectors of the built bundles bench/out/postgresql-15, sqlalchemy-14 and
debian-installation-guide (real text, real vectors), repeated as copies whose page URLs move to
/copyN/… and whose titles say "(copy N)", each copy's vectors turned by a small random rotation
plus noise (cosine ≈ 0.99 to the original) so copies never tie exactly. The files are written by
sitebot's own stage after embedding (bundle.manifest.write_bundle through bundle.writer.BundleWriter,
with the BM25 index and the not-found calibration built as pipeline.generate builds them), so the
format is whatever the current writer writes. No unit signatures (the answer card marks no
sentence). Printed: chunk count, bundle size, size per chunk.

`measure` serves the bundle with `sitebot serve`'s server on 127.0.0.1 and, in Chromium on a fresh
profile (loopback, no throttle), times with bench/wirecount.py: the bytes and time to the first
answer asked at once (keywords: `window.sitebot.search` does not wait for the model), in one
profile; in another, the bytes and time to the first semantic answer (`sitebot.ready({model:
true})`, then search), then the warm question → ranked results time of the other questions
(answerable questions of bench/questions/postgresql-15.jsonl, whose pages are in the bundle).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "generator"))
sys.path.insert(0, str(ROOT / "bench"))

from sitebot.bundle.format import read_manifest  # noqa: E402
from sitebot.bundle.manifest import write_bundle  # noqa: E402
from sitebot.bundle.writer import BundleWriter  # noqa: E402
from sitebot.index import lexical, notfound, quantise  # noqa: E402
from sitebot.index.embed import EmbeddingCache, embed_with_cache  # noqa: E402
from sitebot.index.model import default_model, describe, load, tokenizer_json  # noqa: E402
from sitebot.options import default_cache_dir  # noqa: E402
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
BUNDLES = ["postgresql-15", "sqlalchemy-14", "debian-installation-guide"]
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


def read_bundle(folder: Path) -> dict[str, Any]:
    """A built bundle's pages, chunk metadata, texts and int8 vectors."""
    manifest = read_manifest(folder)
    files = manifest["files"]
    meta = json.loads((folder / files["chunks"]).read_text())
    texts: list[str] = []
    for shard in files["shards"]:
        texts += json.loads((folder / shard["file"]).read_text())
    n, dims = manifest["counts"]["chunks"], manifest["model"]["dims"]
    codes, scales = quantise.from_bytes((folder / files["vectors"]).read_bytes(), n, dims)
    assert len(texts) == n == len(meta["chunks"]), folder
    return {
        "manifest": manifest,
        "pages": meta["pages"],
        "chunks": meta["chunks"],
        "texts": texts,
        "vectors": (quantise.dequantise(codes, scales)),
    }


def turned(vectors: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The vectors under one small random rotation, plus a little noise each, back to unit length."""
    dims = vectors.shape[1]
    q, r = np.linalg.qr(np.eye(dims) + TURN * rng.standard_normal((dims, dims)))
    rotation = q * np.sign(np.diag(r))  # the orthogonal matrix nearest the identity, not a reflection
    out = vectors @ rotation.T.astype(np.float32) + NOISE * rng.standard_normal(vectors.shape).astype(np.float32)
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def assemble(sources: dict[str, dict[str, Any]], min_chunks: int, seed: int = 16) -> tuple[list, list, np.ndarray]:
    """Documents, chunks and float vectors: copy 1 of every source, then copy 2, … until ≥ min_chunks."""
    rng = np.random.default_rng(seed)
    docs: list[Document] = []
    chunks: list[Chunk] = []
    vectors: list[np.ndarray] = []
    copy = 0
    while len(chunks) < min_chunks:
        copy += 1
        for name, src in sources.items():
            prefix = f"/{name}/" if copy == 1 else f"/copy{copy}/{name}/"
            first = len(docs)
            for p in src["pages"]:
                title = p["title"] if copy == 1 else f"{p['title']} (copy {copy})"
                docs.append(Document(url=prefix + p["url"].lstrip("/"), title=title, lang="en"))
            for (page, anchor, heading, weight), text in zip(src["chunks"], src["texts"], strict=True):
                doc = docs[first + page]
                headings = tuple(heading.split(SEPARATOR)) if heading else ()
                chunks.append(Chunk(first + page, doc.url, anchor, doc.title, headings, text, weight))
            vectors.append(src["vectors"] if copy == 1 else turned(src["vectors"], rng))
            if len(chunks) >= min_chunks:
                break
    return docs, chunks, np.concatenate(vectors)


def build_bundle(out: Path, min_chunks: int, precompress: bool) -> dict[str, Any]:
    sources = {}
    for name in BUNDLES:
        folder = OUT / name
        if not (folder / "sitebot.json").is_file():
            folder = Path("/work/main/bench/out") / name  # the shared checkout's built bundles
        sources[name] = read_bundle(folder)
        print(f"  read {folder}: {len(sources[name]['texts'])} chunks", file=sys.stderr)
    docs, chunks, vectors = assemble(sources, min_chunks)
    print(f"  assembled {len(chunks)} chunks on {len(docs)} pages; BM25 index…", file=sys.stderr)
    first = sources[BUNDLES[0]]["manifest"]
    files = default_model()
    model = load(files)
    lexical_index = lexical.build([c.lexical_text for c in chunks])
    codes, scales = quantise.quantise(vectors)
    # The not-found rule calibrated on this bundle's own vectors, as pipeline.generate does.
    cache = EmbeddingCache(default_cache_dir() / "embeddings.sqlite")
    try:
        probes = embed_with_cache(model, notfound.probe_questions(), max_tokens=128, cache=cache)[0]
    finally:
        cache.close()
    covers = notfound.vocabulary_share(lexical_index, notfound.vocabulary(json.loads(tokenizer_json(files))))
    retrieval = {**first["retrieval"], "not_found": notfound.calibrate(codes, scales, probes, vocabulary_covers=covers)}
    settings = {**first["settings"], "title": "Synthetic big site (copies of three manuals)", "starters": []}
    print("  writing…", file=sys.stderr)
    writer = BundleWriter(out)
    try:
        write_bundle(
            writer,
            base_url="/",
            model_files=files,
            model_info=describe(model),
            max_tokens=first["model"]["max_tokens"],
            query_max_tokens=first["model"]["query_max_tokens"],
            docs=docs,
            chunks=chunks,
            quantised=(codes, scales),
            records=[],
            retrieval=retrieval,
            settings=settings,
            title=settings["title"],
            lexical_index=lexical_index,
        )
        if precompress:
            writer.precompress(default_cache_dir() / "precompressed")
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    manifest = read_manifest(out)
    mine = [p for p in out.rglob("*") if p.is_file() and not p.name.endswith((".br", ".gz"))]
    return {
        "chunks": manifest["counts"]["chunks"],
        "pages": manifest["counts"]["pages"],
        "bundle_bytes": sum(p.stat().st_size for p in mine),
        "index_bytes": sum((out / manifest["files"][k]).stat().st_size for k in ("vectors", "lexical", "chunks")),
        "text_bytes": sum((out / s["file"]).stat().st_size for s in manifest["files"]["shards"]),
    }


# --- measure ------------------------------------------------------------------------------------

WAIT_API = "while (!window.sitebot) await new Promise((ok) => setTimeout(ok, 5));"
RANKED = "return (await window.sitebot.search(q, {k: 5})).map((r) => r.url);"
KEYWORD = f"async (q) => {{ {WAIT_API} {RANKED} }}"
SEMANTIC = f"async (q) => {{ {WAIT_API} await window.sitebot.ready({{model: true}}); {RANKED} }}"


def measure(bundle: Path, n: int) -> None:
    from playwright.sync_api import sync_playwright

    from sitebot.serve import serve_in_thread
    from wirecount import ask_in_page

    qs = [json.loads(x) for x in (ROOT / "bench/questions/postgresql-15.jsonl").read_text().splitlines() if x.strip()]
    questions = [q["q"] for q in qs if q.get("pages")][:n]
    manifest = read_manifest(bundle)
    server, origin = serve_in_thread(bundle)
    try:
        with sync_playwright() as p:
            keyword = ask_in_page(p, origin + "index.html", KEYWORD, questions[:1])[0]
            semantic = ask_in_page(p, origin + "index.html", SEMANTIC, questions)
    finally:
        server.shutdown()
        server.server_close()
    warm = [a.ms for a in semantic[1:]]
    twins = any(bundle.rglob("*.br"))
    print(
        f"{bundle} (synthetic: copies of real chunks), {manifest['counts']['chunks']} chunks, Chromium fresh profile, "
        f"loopback, served by sitebot serve ({'with .br/.gz twins' if twins else 'no twins: uncompressed'})"
    )
    print("| step | bytes | time |")
    print("|---|---|---|")
    print(f"| first answer, asked at once (keywords) | {keyword.bytes / 1e6:.2f} MB | {keyword.ms / 1000:.2f} s |")
    print(
        f"| first semantic answer (model loaded, then search) | {semantic[0].bytes / 1e6:.2f} MB "
        f"| {semantic[0].ms / 1000:.2f} s |"
    )
    print(
        f"| warm question → ranked results, {len(warm)} questions | median {statistics.median(a.bytes for a in semantic[1:]) / 1e3:.0f} KB "
        f"| median {statistics.median(warm):.0f} ms, max {max(warm):.0f} ms |"
    )
    for a in semantic:
        print(
            f"  {a.ms:7.0f} ms {a.bytes / 1e3:8.0f} KB  {a.question[:60]} → {(a.result or ['-'])[0]}", file=sys.stderr
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("folder", help="the real concatenated HTML folder")
    f.add_argument("--out", type=Path, default=OUT / "bigsite-html")
    f.add_argument("--chunks", action="store_true", help="also count sitebot's chunks (reads and chunks every page)")
    b = sub.add_parser("bundle", help="the synthetic ≥100,000-chunk bundle")
    b.add_argument("--out", type=Path, default=OUT / "bigsite-synthetic")
    b.add_argument("--min-chunks", type=int, default=100_000)
    b.add_argument("--no-precompress", action="store_true", help="skip the .br/.gz twins")
    m = sub.add_parser("measure", help="bytes and times in Chromium")
    m.add_argument("--bundle", type=Path, default=OUT / "bigsite-synthetic")
    m.add_argument("--questions", type=int, default=10)
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
        got = build_bundle(args.out, args.min_chunks, not args.no_precompress)
        print(f"{args.out} — SYNTHETIC: copies of the chunks and vectors of three real bundles, turned slightly")
        print(f"chunks: {got['chunks']}, pages: {got['pages']}")
        print(
            f"bundle: {got['bundle_bytes'] / 1e6:.1f} MB without twins ({got['bundle_bytes'] / got['chunks']:.0f} B per "
            f"chunk); index (vectors + BM25 + chunk list): {got['index_bytes'] / 1e6:.1f} MB "
            f"({got['index_bytes'] / got['chunks']:.0f} B per chunk); text shards: {got['text_bytes'] / 1e6:.1f} MB"
        )
    else:
        measure(args.bundle, args.questions)


if __name__ == "__main__":
    main()
