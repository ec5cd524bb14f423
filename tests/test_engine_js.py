"""The browser engine's interface (runtime_js/src/engine/engine.js, run by Node): createEngine
works with any query encoder and index readers of the documented shapes, which is what lets a
lite encoder or a partitioned dense reader replace today's ones. The real readers are held to
the Python ranking by test_browser.py."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from sitebot.bundle.format import FORMAT_VERSION

ROOT = Path(__file__).resolve().parent.parent
ENGINE_JS = ROOT / "runtime_js/src/engine/engine.js"

# Three chunks on two pages; stand-in readers whose scores are fixed per query, and an encoder
# that loads only when the script says so and counts its calls.
SCRIPT = """
import { createEngine } from ENGINE_URL;

const statuses = [];
const embeds = [];
const fetched = [];
let loadEncoder;
const encoder = new Promise((resolve) => (loadEncoder = () => resolve({
  embed: async (text) => (embeds.push(text), Float32Array.of(text.length % 2, 1)),
})));
const lexical = {
  search: async (q) => ({ scores: Float64Array.of(0, q.includes("refund") ? 2 : 0, 1), terms: q.split(" ") }),
  idf: (t) => (t === "text" ? 2 : 1),
};
// A dense reader of the DenseReader shape: the k best ids and the scores of the chunks it scored.
const reader = (score) => ({
  n: 3,
  search: async (v, k) => {
    const scores = score(v);
    const ids = [...scores.keys()].sort((a, b) => scores.get(b) - scores.get(a) || a - b).slice(0, k);
    return { ids, scores };
  },
});
const dense = reader((v) => new Map([[0, 0.9 * v[0]], [1, 0.2], [2, 0.5 * v[1]]]));
const scopeRows = { n: 3, score: (v) => Float64Array.of(0.8, 0.1, 0.3) };
// A lite path whose encoder is in at once: its vector ranks chunk 2 first, and its own
// "not found" floor is lower than the model's.
let liteEmbeds = 0;
const liteEncoder = { embed: async () => (liteEmbeds++, Float32Array.of(1)) };
const liteDense = reader(() => new Map([[0, 0.1], [1, 0.2], [2, 0.25]]));
const retrieval = { candidates: 2, min_dense: 0.3, fusion: "convex", w_dense: 0.7, w_lexical: 0.3, rrf_k: 60 };
const withLite = typeof WITH_LITE !== "undefined" && WITH_LITE;
const engineCorpus = Promise.resolve({
    n: 3,
    weights: Float64Array.of(1, 1, 1),
    pageOf: (id) => (id ? 1 : 0),
    rows: async (ids) => new Map(ids.map((id) => [id, [
      { url: "https://example.org/a", title: "A", heading: "Intro" },
      { url: "https://example.org/b#refunds", title: "B", heading: "Refunds" },
      { url: "https://example.org/b", title: "B", heading: "Shipping" },
    ][id]])),
  });
const engine = createEngine({
  retrieval,
  paths: [
    { name: "full", encoder, dense: Promise.resolve(dense), retrieval },
    ...(withLite ? [{ name: "lite", encoder: Promise.resolve(liteEncoder), dense: Promise.resolve(liteDense), retrieval: { ...retrieval, min_dense: 0.2 } }] : []),
  ],
  lexical: Promise.resolve(lexical),
  corpus: engineCorpus,
  texts: async (ids) => new Map(ids.map((id) => [id, id === 1 ? "Refund in 30 days. Ask us." : `text ${id}`])),
  // Chunk 1's two units: the first signed against the question's vector [1, 1] (bits 0 and 1
  // set), the second with it (no bits set); the units file is 9 bytes long.
  signatures: async (ids) => (
    fetched.push(ids),
    { byId: new Map(ids.map((id) => [id, id === 1 ? [Uint8Array.of(3), Uint8Array.of(0)] : []])), bytes: 9 }
  ),
  scope: { examples: 2, open: async () => scopeRows },
  onStatus: (status, error) => statuses.push(error ? { ...status, error } : status),
});

const out = {};
if (withLite) {
  await new Promise((resolve) => setTimeout(resolve, 0));
  out.lite = await engine.search("refund policy", 2);
  out.liteEmbeds = liteEmbeds;
}
out.lexical = withLite ? null : await engine.search("refund policy", 5);
loadEncoder();
await encoder;
await null;
out.scope = await engine.scope("refund policy");
out.hybrid = await engine.search("refund policy", 2);
out.embeds = [...embeds];
out.vector = Array.from(await engine.embed("refund policy"));
out.embedsAfter = [...embeds];
out.statuses = statuses;
out.fetched = fetched;
// A partitioned reader that probed only the lists of chunks 0 and 2: chunk 1, the only BM25
// match, has no dense score and counts as the last dense candidate.
const probed = createEngine({
  retrieval,
  paths: [{
    name: "full",
    encoder: Promise.resolve({ embed: async () => Float32Array.of(1, 1) }),
    dense: Promise.resolve(reader(() => new Map([[0, 0.9], [2, 0.5]]))),
    retrieval,
  }],
  lexical: Promise.resolve(lexical),
  corpus: engineCorpus,
  texts: async (ids) => new Map(ids.map((id) => [id, `text ${id}`])),
  scope: null,
  onStatus: () => {},
});
await new Promise((resolve) => setTimeout(resolve, 10));
out.probed = await probed.search("refund policy", 3);
console.log(JSON.stringify(out));
"""


def run_engine(tmp_path: Path, *, lite: bool = False) -> dict:
    node = shutil.which("node")
    assert node, "Node.js is needed to build the browser runtime and for this test"
    script = tmp_path / "engine.mjs"
    prelude = "const WITH_LITE = true;\n" if lite else ""
    script.write_text(prelude + SCRIPT.replace("ENGINE_URL", json.dumps(ENGINE_JS.as_uri())))
    return json.loads(subprocess.run([node, str(script)], capture_output=True, text=True, check=True).stdout)


def test_engine_answers_from_bm25_while_the_encoder_loads(tmp_path: Path) -> None:
    out = run_engine(tmp_path)
    lexical = out["lexical"]
    assert lexical["mode"] == "lexical" and lexical["notFound"] is False
    assert lexical["terms"] == ["refund", "policy"]
    assert [r["id"] for r in lexical["results"]] == [1, 2]
    first = lexical["results"][0]
    assert first == {
        "id": 1,
        "url": "https://example.org/b#refunds",
        "title": "B",
        "heading": "Refunds",
        "score": 2,
        "dense": None,
        "lexical": 2,
        "text": "Refund in 30 days. Ask us.",
        # The shown passages' units (sentences), for the card's marks: words only until the model is in.
        "units": [{"dense": None, "lexical": 0.5}, {"dense": None, "lexical": 0}],
    }
    assert out["statuses"] == [
        {"lexical": "loading", "lite": "off", "model": "loading"},
        {"lexical": "ready", "lite": "off", "model": "loading"},
        {"lexical": "ready", "lite": "off", "model": "ready"},
    ]


def test_the_lite_path_answers_until_the_model_is_in_then_the_model_does(tmp_path: Path) -> None:
    out = run_engine(tmp_path, lite=True)
    lite = out["lite"]
    # The lite vectors rank chunk 2 first (0.25), with the lite path's own levers: its floor of
    # 0.2 finds it where the model's 0.3 would not.
    assert lite["mode"] == "lite" and lite["notFound"] is False
    assert [r["id"] for r in lite["results"]] == [2, 1]
    assert [r["dense"] for r in lite["results"]] == [0.25, 0.2]
    # Unit signatures are in the model's space: none are fetched for a lite answer, words mark.
    assert out["fetched"] == [[0, 1]] and all(u["dense"] is None for r in lite["results"] for u in r["units"])
    assert out["liteEmbeds"] == 1
    # Once the model is in, it answers: the same search ranks by the model's vectors.
    assert out["hybrid"]["mode"] == "hybrid" and [r["id"] for r in out["hybrid"]["results"]] == [0, 1]
    assert out["statuses"][0] == {"lexical": "loading", "lite": "loading", "model": "loading"}
    assert {"lexical": "ready", "lite": "ready", "model": "loading"} in out["statuses"]
    assert out["statuses"][-1] == {"lexical": "ready", "lite": "ready", "model": "ready"}


def test_engine_fuses_once_the_encoder_is_in_and_embeds_a_question_once(tmp_path: Path) -> None:
    out = run_engine(tmp_path)
    hybrid = out["hybrid"]
    assert hybrid["mode"] == "hybrid" and hybrid["notFound"] is False
    # Chunk 0 matches no word but is the nearest vector; chunk 1 is the only BM25 match.
    assert [r["id"] for r in hybrid["results"]] == [0, 1]
    assert [r["dense"] for r in hybrid["results"]] == [0.9, 0.2]
    assert [r["lexical"] for r in hybrid["results"]] == [None, 2]
    # Scope rows 0–1 are ruled-out examples, row 2 an allowed question.
    assert out["scope"] == {"similarity": 0.8, "allowed": 0.3, "example": 0, "path": "full"}
    # The scope check, the search and the "embed" request share the last question's vector,
    # and no unit of a shown passage is embedded: the model runs once for the question.
    assert out["embeds"] == ["refund policy"] and out["embedsAfter"] == out["embeds"]
    # The units are scored from their signatures, fetched only for the shown passages once the
    # question has a vector: sqrt(pi/2)/sqrt(2) · (q·signs), so "Refund in 30 days." (signs
    # +,+) scores 1.77 and "Ask us." (−,−) −1.77. A passage of one unit keeps its chunk's cosine.
    assert out["fetched"] == [[0, 1]]
    assert [r["units"] for r in hybrid["results"]] == [
        [{"dense": 0.9, "lexical": 0}],
        [
            {"dense": pytest.approx(1.7725, abs=1e-4), "lexical": 0.5},
            {"dense": pytest.approx(-1.7725, abs=1e-4), "lexical": 0},
        ],
    ]
    assert hybrid["marking"]["units"] == 2 and hybrid["marking"]["bytes"] == 9
    assert out["vector"] == [1, 1]


def test_engine_fuses_a_lexical_match_outside_the_probed_lists(tmp_path: Path) -> None:
    """A partitioned dense reader scores only its probed lists: a BM25 match in none of them is
    still ranked (its dense part counts as the last dense candidate's, 0) and shows no cosine."""
    probed = run_engine(tmp_path)["probed"]
    assert probed["mode"] == "hybrid"
    by_id = {r["id"]: r for r in probed["results"]}
    assert set(by_id) == {0, 1, 2}
    assert by_id[1]["dense"] is None and by_id[1]["lexical"] == 2
    # Chunk 1: 0.7 · 0 + 0.3 · 2/2; chunk 0: 0.7 · 1 + 0; chunk 2: the last dense candidate, 0.3 · 1/2.
    assert [r["id"] for r in probed["results"]] == [0, 1, 2]
    assert by_id[1]["score"] == pytest.approx(0.3) and by_id[0]["score"] == pytest.approx(0.7)


WORKER_SCRIPT = """
const posted = [];
globalThis.self = { postMessage: (m) => posted.push(m) };
await import(WORKER_URL);
const send = (data) => self.onmessage({ data });
send({ type: "search", id: 1, query: "x" });
send({ type: "init", base: "https://example.org/", manifest: { format: 999 } });
send({ type: "search", id: 2, query: "x" });
send({ type: "embed", id: 3, text: "x" });
send({ type: "ping", id: 4 });
await new Promise((resolve) => setTimeout(resolve, 50));
console.log(JSON.stringify(posted));
"""


def test_worker_answers_every_request_and_refuses_a_bundle_of_another_format(tmp_path: Path) -> None:
    """runtime_js/src/engine/worker.js speaks the protocol of docs/bundle-format.md: a request before
    "init" or of an unknown type gets an error with its id; a bundle of another format is reported
    once, fetches nothing, and every later request fails with the reason."""
    node = shutil.which("node")
    assert node, "Node.js is needed to build the browser runtime and for this test"
    script = tmp_path / "worker.mjs"
    worker = ROOT / "runtime_js/src/engine/worker.js"
    script.write_text(WORKER_SCRIPT.replace("WORKER_URL", json.dumps(worker.as_uri())))
    posted = json.loads(subprocess.run([node, str(script)], capture_output=True, text=True, check=True).stdout)
    reason = (
        f"sitebot.json has format 999, this engine reads format {FORMAT_VERSION}; "
        "rebuild the bundle with a matching sitebot"
    )
    assert posted[0] == {"type": "status", "lexical": "failed", "model": "failed", "error": f"model: {reason}"}
    assert sorted(posted[1:], key=lambda m: m["id"]) == [
        {"type": "error", "id": 1, "message": "search before init"},
        {"type": "error", "id": 2, "message": reason},
        {"type": "error", "id": 3, "message": reason},
        {"type": "error", "id": 4, "message": 'unknown message type "ping"'},
    ]


SCOPE_SCRIPT = """
import { createEngine } from ENGINE_URL;

// The model's scope rows and the lite path's: rows 0-1 ruled-out examples, row 2 allowed.
const modelRows = { n: 3, score: () => Float64Array.of(0.8, 0.1, 0.3) };
const liteRows = { n: 3, score: (v) => Float64Array.of(0.2, 0.6 * v[0], 0.4) };
const used = [];
const liteEncoder = {
  embed: async (t) => (used.push(["embed", t]), Float32Array.of(1, 0)),
  embedStatic: async (t) => (used.push(["embedStatic", t]), t ? Float32Array.of(1, 0) : null),
};
const lexical = { search: async () => ({ scores: new Float64Array(3), terms: [] }), idf: () => 1 };
const make = (full) => createEngine({
  retrieval: { candidates: 2 },
  paths: [
    ...(full ? [{ name: "full", encoder: full, dense: full, retrieval: {} }] : []),
    { name: "lite", encoder: Promise.resolve(liteEncoder), dense: Promise.resolve({ n: 3 }), retrieval: {} },
  ],
  lexical: Promise.resolve(lexical),
  corpus: Promise.resolve({ n: 3, weights: new Float64Array(3), pageOf: () => 0, rows: async () => new Map() }),
  texts: async () => new Map(),
  scope: { examples: 2, open: async () => modelRows, lite: { examples: 2, open: async () => liteRows } },
  onStatus: () => {},
});
const out = {};
// A Save-Data visitor: no model path at all.
out.saveData = await make(null).scope("dose");
out.silent = await make(null).scope("");
// The model failed to load.
const failed = Promise.reject(new Error("no model"));
failed.catch(() => {});
out.failed = await make(failed).scope("dose");
// The model is coming: the check waits for it rather than use the lite rows.
let arrive;
const coming = new Promise((resolve) => (arrive = resolve));
const pending = make(coming).scope("dose");
setTimeout(() => arrive({ embed: async () => Float32Array.of(1, 1) }), 30);
out.coming = await pending;
out.used = used;
console.log(JSON.stringify(out));
"""


def test_the_scope_rules_are_checked_on_the_lite_path_when_the_model_never_comes(tmp_path: Path) -> None:
    """A visitor whose model never loads (Save-Data, bot.model = "lite") or failed to has the scope
    rules' examples checked by the lite encoder's static vector against the lite rows, and the
    reply says so (the widget then applies the lite thresholds); with the model coming, the check
    waits for it."""
    node = shutil.which("node")
    assert node, "Node.js is needed to build the browser runtime and for this test"
    script = tmp_path / "scope.mjs"
    script.write_text(SCOPE_SCRIPT.replace("ENGINE_URL", json.dumps(ENGINE_JS.as_uri())))
    out = json.loads(subprocess.run([node, str(script)], capture_output=True, text=True, check=True).stdout)
    lite = {"similarity": 0.6, "allowed": 0.4, "example": 1, "path": "lite"}
    assert out["saveData"] == lite and out["failed"] == lite
    # No token of the question weighs anything: keywords alone decide.
    assert out["silent"] == {"similarity": 0, "allowed": 0, "example": -1, "path": "lite"}
    assert out["coming"] == {"similarity": 0.8, "allowed": 0.3, "example": 0, "path": "full"}
    # The lite check uses the static vector, not the lite path's search vector.
    assert out["used"] == [["embedStatic", "dose"], ["embedStatic", ""], ["embedStatic", "dose"]]
