"""The partitioned dense index (k-means lists, issue 16 item 2): recall, bytes and time per question.

    python bench/ivf.py /tmp/V16-pg=bench/questions/postgresql-15.jsonl \
        /tmp/V16-guide=bench/questions/debian-installation-guide.jsonl \
        /tmp/V16-sqla=bench/questions/sqlalchemy-14.jsonl --synthetic 100000

For each bundle (built by this sitebot) and question set it prints one table over list counts
(k) and `nprobe`: R@1 and R@5 by page of the browser's hybrid ranking (retrieve.py, which probes
as ivf.js does) next to the exhaustive search (every list probed), the share of the exhaustive
top-50 dense candidates among the probe's top 50, bytes fetched per question for the dense index (cold:
centroids + list table + the probed lists; further: the probed lists alone, none assumed
cached by an earlier question, so an upper bound) and numpy ms per question for centroid and list scoring.
`--signs` adds rows for the same lists stored as sign bits (48 bytes a row instead of 392): not
built today, measured to decide. `--synthetic N` times the JS reader (runtime_js/src/engine/ivf.js) in Node on N random
clustered 384-dim vectors: the k-means build, and warm question → ranked chunk ids.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "generator"))

from sitebot.bundle.format import content_name  # noqa: E402
from sitebot.evaluate import EvalReport, judge, load_questions, open_bundle, query_vectors  # noqa: E402
from sitebot.index.lists import Partitions, partition, top_ids, write_partitions  # noqa: E402

NPROBES = (1, 2, 4, 8, 16, 32)


def list_file_bytes(rows: int, dims: int, kind: str = "int8") -> int:
    if kind == "1-bit":  # ids, then ceil(dims/8) bytes of signs a row
        return 4 * rows + rows * ((dims + 7) // 8)
    return 4 * rows + (rows * dims + 3) // 4 * 4 + 4 * rows


def table_bytes(parts: Partitions) -> tuple[int, int]:
    """(centroids file, list table) bytes, the table's paths as a build names them."""
    centroids = list_file_bytes(parts.lists, parts.dims) - 4 * parts.lists
    name = len('["index/vectors/list.0123456789ab.bin",') + 1
    return centroids, 40 + sum(name + len(str(s)) for s in parts.sizes)


def measure(bundle: Path, questions: Path, ks: list[int], signs: bool = False) -> None:
    retriever = open_bundle(bundle)
    qs = load_questions(questions)
    vecs = query_vectors(bundle, retriever.manifest, [q.text for q in qs]).astype(np.float64)
    base = retriever.manifest.get("base_url") or "/"
    kept = dict(retriever.params)
    built = retriever.dense
    codes, scales = built.matrix()
    n, dims = codes.shape
    cand = kept["candidates"]
    exact = [top_ids(scales * (codes.astype(np.float64) @ v), np.arange(n), cand) for v in vecs]

    def score(nprobe: int | None) -> EvalReport:
        retriever.params = {**kept, "nprobe": nprobe}
        return EvalReport(bundle, judge(retriever, qs, vecs, base_url=base))

    full = score(None)
    print(
        f"\n{bundle.name}: {len(qs)} questions, {n} chunks × {dims}; built with {built.lists} lists, "
        f"nprobe {kept.get('nprobe')}"
    )
    print(
        f"exhaustive: R@1 {full.recall_at_1:.3f}  R@5 {full.recall_at_5:.3f}  "
        f"(int8 rows {n * (dims + 8) / 1e6:.2f} MB, all fetched before the first semantic answer)"
    )
    head = (
        "| k lists | rows  | rows/list (max) | nprobe | R@1   | R@5   | R@5 / exh. | top-50 found | cold KB | "
        "further KB | ms/question |"
    )
    print(head)
    print("|" + "|".join("-" * len(c) for c in head.split("|")[1:-1]) + "|")

    def row(parts: Partitions, nprobe: int, fixed: int, kind: str) -> None:
        retriever.dense = parts
        rep = score(nprobe)
        cold, further, found, ms = [], [], [], []
        for v, ex in zip(vecs, exact, strict=True):
            t0 = time.perf_counter()
            ids, sc = parts.probe(v, nprobe)
            top = ids[top_ids(sc, ids, cand)]
            ms.append((time.perf_counter() - t0) * 1000)
            chosen = [int(i) for i in parts.nearest_lists(v, nprobe)]
            sizes = [list_file_bytes(parts.sizes[i], dims, kind) for i in chosen]
            cold.append(fixed + sum(sizes))
            further.append(sum(sizes))
            found.append(len(set(top.tolist()) & set(ex.tolist())) / len(ex))
        print(
            f"| {parts.lists:7} | {kind:5} | {n / parts.lists:6.0f} ({max(parts.sizes):5}) | {nprobe:6} | "
            f"{rep.recall_at_1:.3f} | {rep.recall_at_5:.3f} | {rep.recall_at_5 / full.recall_at_5:10.3f} | "
            f"{np.mean(found):12.3f} | {np.mean(cold) / 1000:7.0f} | {np.mean(further) / 1000:10.0f} | "
            f"{np.median(ms):11.2f} |"
        )

    for k in ks:
        started = time.perf_counter()
        c, s, labels, cents = partition(codes, scales, lists=k)
        build_s = time.perf_counter() - started
        parts = Partitions.from_arrays(c, s, labels, cents)
        fixed = sum(table_bytes(parts))
        for nprobe in [p for p in NPROBES if p <= parts.lists]:
            row(parts, nprobe, fixed, "int8")
        if signs:
            # The same lists as sign bits only (ceil(dims/8) bytes a row, no scale), scored as the units
            # files are: sqrt(pi/2)/sqrt(dims) · Σ q·(±1), an estimate of the cosine.
            bits = Partitions.from_arrays(
                np.where(c > 0, 1, -1).astype(np.int8),
                np.full(n, math.sqrt(math.pi / 2) / math.sqrt(dims), np.float32),
                labels,
                cents,
            )
            for nprobe in [p for p in NPROBES if 2 <= p <= parts.lists]:
                row(bits, nprobe, fixed, "1-bit")
        print(f"  (k = {parts.lists}: k-means {build_s:.1f} s; centroids + table {fixed / 1000:.0f} KB)")
    retriever.params, retriever.dense = kept, built


NODE = """
import { readFileSync } from "node:fs";
import { partitionedIndex } from IVF_URL;
const dir = process.argv[2];
const [entry, nprobe, queries] = JSON.parse(readFileSync(dir + "/run.json", "utf8"));
const bytes = (p) => { const b = readFileSync(dir + "/" + p); return b.buffer.slice(b.byteOffset, b.byteOffset + b.length); };
const reader = partitionedIndex({
  centroids: bytes(entry.centroids), table: JSON.parse(readFileSync(dir + "/" + entry.lists, "utf8")),
  nprobe, fetchList: async (p) => bytes(p),
});
const out = { cold: [], warm: [], ids: [] };
for (const q of queries) {
  const v = Float32Array.from(q);
  let t = performance.now();
  await reader.search(v, 50);
  out.cold.push(performance.now() - t);
  t = performance.now();
  const hit = await reader.search(v, 50);
  out.warm.push(performance.now() - t);
  out.ids.push(hit.ids);
}
console.log(JSON.stringify(out));
"""


def synthetic(n: int, nprobe: int, queries: int = 10, dims: int = 384) -> None:
    """k-means build time and the JS reader's time per question on n random clustered vectors."""
    rng = np.random.default_rng(7)
    topics = rng.normal(size=(max(1, n // 100), dims))
    x = topics[rng.integers(len(topics), size=n)] + 0.6 * rng.normal(size=(n, dims))
    x = (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)
    q = x[rng.integers(n, size=queries)] + 0.3 * rng.normal(size=(queries, dims)).astype(np.float32)
    q = q / np.linalg.norm(q, axis=1, keepdims=True)
    tmp = Path(tempfile.mkdtemp(prefix="ivf-bench-"))
    try:

        def add(name: str, data: bytes) -> str:
            final = content_name(name, data)
            (tmp / final).parent.mkdir(parents=True, exist_ok=True)
            (tmp / final).write_bytes(data)
            return final

        t0 = time.perf_counter()
        entry = write_partitions(add, "vectors", x)
        build_s = time.perf_counter() - t0
        (tmp / "run.json").write_text(json.dumps([entry, nprobe, q.tolist()]))
        script = tmp / "run.mjs"
        ivf = ROOT / "runtime_js/src/engine/ivf.js"
        script.write_text(NODE.replace("IVF_URL", json.dumps(ivf.as_uri())))
        out = json.loads(
            subprocess.run(["node", str(script), str(tmp)], capture_output=True, text=True, check=True).stdout
        )
        parts = Partitions.open(tmp, entry)
        same = 0
        for v, ids in zip(q, out["ids"], strict=True):
            pi, ps = parts.probe(v.astype(np.float64), nprobe)
            same += [int(pi[j]) for j in top_ids(ps, pi, 50)] == ids
        sizes = parts.sizes
        print(
            f"\nsynthetic {n} × {dims}: {parts.lists} lists, rows/list "
            f"{min(sizes)}–{max(sizes)}, k-means + write {build_s:.1f} s"
        )
        print(
            f"ivf.js in Node, nprobe {nprobe}, {queries} questions → top-50 chunk ids: "
            f"first (lists parsed) median {np.median(out['cold']):.1f} ms, "
            f"warm median {np.median(out['warm']):.2f} ms, max {max(out['warm']):.2f} ms; "
            f"same ids as Python: {same}/{queries}"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pairs", nargs="*", help="BUNDLE=QUESTIONS.jsonl")
    ap.add_argument(
        "--lists", default="", help="list counts to try (comma-separated; default n/300, n/150 (the build's), n/75)"
    )
    ap.add_argument("--synthetic", type=int, default=0, help="also time the JS reader on this many random vectors")
    ap.add_argument("--signs", action="store_true", help="also rows for the same lists stored as sign bits")
    ap.add_argument("--nprobe", type=int, default=16, help="nprobe for --synthetic")
    args = ap.parse_args()
    for pair in args.pairs:
        bundle, _, questions = pair.partition("=")
        n = open_bundle(Path(bundle)).dense.count
        ks = [int(k) for k in args.lists.split(",") if k] or [max(1, round(n / r)) for r in (300, 150, 75)]
        measure(Path(bundle), Path(questions), ks, args.signs)
    if args.synthetic:
        synthetic(args.synthetic, args.nprobe)


if __name__ == "__main__":
    main()
