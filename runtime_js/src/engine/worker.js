// The retrieval engine, run as a classic Web Worker (engine.<h>.js). It speaks the
// protocol of docs/bundle-format.md "Widget ↔ worker messages": every request is
// answered with its id, and nothing here ever throws into the host page.

import { lexicalIndex } from "./bm25.js";
import { denseIndex, topK } from "./dense.js";
import { fuse } from "./fuse.js";
import { fetchBytes, fetchJson, shardReader } from "./shards.js";
import { loadEncoder } from "./encoder.js";
import { FORMAT_VERSION } from "../shared/format.js";

const status = { lexical: "loading", model: "loading" };
let index = null; // Promise<{lexical, dense, pages, chunks, weights, texts}>
let encoder = null; // Promise<encoder>
let ready = null; // the encoder once loaded: searches never wait for the model
let retrieval = null;
let scopeExamples = null; // () → Promise<dense index of the scope rules' example and allowed questions>
let scopeCount = 0; // how many of its rows are ruled-out examples

const post = (msg) => self.postMessage(msg);
const errorText = (err) => (err && err.message) || String(err);

function setStatus(key, value, err) {
  status[key] = value;
  post({ type: "status", ...status, ...(err ? { error: `${key === "model" ? "model" : "index"}: ${errorText(err)}` } : {}) });
}

function init({ base, manifest, pageBase }) {
  if (index) return; // one bundle per worker
  if (!manifest || manifest.format !== FORMAT_VERSION) {
    const err = new Error(
      `sitebot.json has format ${manifest && manifest.format}, this engine reads format ${FORMAT_VERSION}; ` +
        "rebuild the bundle with a matching sitebot",
    );
    index = encoder = Promise.reject(err);
    index.catch(() => {});
    status.lexical = "failed";
    return setStatus("model", "failed", err);
  }
  retrieval = manifest.retrieval;
  const url = (path) => new URL(path, base).href;
  const f = manifest.files;
  post({ type: "status", ...status });

  // The three index files at once; the model starts alongside but is never awaited by search.
  index = Promise.all([fetchJson(url(f.lexical)), fetchJson(url(f.chunks)), fetchBytes(url(f.vectors))]).then(
    ([lex, meta, vec]) => {
      const n = meta.chunks.length;
      const pages = meta.pages.map((p) => ({ url: new URL(p.url, pageBase || base).href, title: p.title }));
      return {
        lexical: lexicalIndex(lex, retrieval),
        dense: denseIndex(vec, n, manifest.model.dims),
        pages,
        chunks: meta.chunks,
        weights: Float64Array.from(meta.chunks, (c) => (c[3] == null ? 1 : c[3])),
        texts: shardReader(base, f.shards),
      };
    },
  );
  index.then(
    () => setStatus("lexical", "ready"),
    (err) => setStatus("lexical", "failed", err),
  );

  // Fetched on the first scope check only (support.js asks when the bot has scope rules).
  let examples = null;
  scopeCount = (manifest.settings && manifest.settings.scope && manifest.settings.scope.examples) || 0;
  scopeExamples = () => (examples = examples || fetchBytes(url(f.scope)).then((buf) => denseIndex(buf, manifest.counts.scope, manifest.model.dims)));

  encoder = loadEncoder(base, manifest);
  encoder.then(
    (enc) => {
      ready = enc;
      setStatus("model", "ready");
    },
    (err) => setStatus("model", "failed", err),
  );
}

async function search(query, k = 5) {
  if (!index) throw new Error("search before init");
  const idx = await index;
  const lex = idx.lexical.search(query);
  const lexIds = topK(lex.scores, retrieval.candidates, true);
  const enc = ready; // read once: the model may finish loading while we await below
  let denseScores = null;
  let denseIds = null;
  let notFound = lexIds.length === 0;
  if (enc && String(query).trim()) {
    const q = await enc.embed(query);
    denseScores = Float64Array.from(idx.dense.score(q)); // copy: the scorer reuses its buffer
    denseIds = topK(denseScores, retrieval.candidates);
    notFound = !(denseScores[denseIds[0]] >= retrieval.min_dense);
  }
  const ranked = fuse(lexIds, lex.scores, denseIds, denseScores, idx.weights, retrieval).slice(0, Math.max(0, k));
  const texts = await idx.texts(ranked.map((r) => r.id));
  const results = ranked.map(({ id, score }) => {
    const [pageIndex, anchor, heading] = idx.chunks[id];
    const page = idx.pages[pageIndex];
    return {
      id,
      url: anchor ? `${page.url.split("#")[0]}#${anchor}` : page.url,
      title: page.title,
      heading,
      score,
      dense: denseScores ? denseScores[id] : null,
      lexical: lex.scores[id] > 0 ? lex.scores[id] : null,
      text: texts.get(id),
    };
  });
  // `terms` (the query's lexical terms) lets the widget mark matching sentences without
  // the stop-word list.
  return { mode: denseIds ? "hybrid" : "lexical", notFound, terms: lex.terms, results };
}

// How close a question is to the owner's ruled-out example questions (the first
// `settings.scope.examples` rows of the scope file) and to the allowed ones (the rest):
// the best cosine with each, and the nearest example's row. Waits for the model: a rule
// must not be skipped for speed.
async function scope(query) {
  if (!scopeExamples) throw new Error("scope before init");
  const [rows, enc] = await Promise.all([scopeExamples(), encoder]);
  const scores = rows.score(await enc.embed(query));
  const n = Math.min(scopeCount, scores.length);
  let example = -1;
  let allowed = -1;
  for (let i = 0; i < scores.length; i++) {
    if (i < n) example = example < 0 || scores[i] > scores[example] ? i : example;
    else allowed = Math.max(allowed, scores[i]);
  }
  return { similarity: example < 0 ? 0 : scores[example], allowed, example };
}

async function handle(msg) {
  switch (msg.type) {
    case "init":
      return init(msg);
    case "search":
      return post({ type: "results", id: msg.id, ...(await search(msg.query, msg.k)) });
    case "scope":
      return post({ type: "scope", id: msg.id, ...(await scope(msg.query)) });
    case "embed": {
      if (!encoder) throw new Error("embed before init");
      const q = await (await encoder).embed(msg.text);
      return post({ type: "vector", id: msg.id, vector: Array.from(q) });
    }
    default:
      throw new Error(`unknown message type ${JSON.stringify(msg.type)}`);
  }
}

self.onmessage = (event) => {
  const msg = event.data || {};
  handle(msg).catch((err) => post({ type: "error", id: msg.id, message: errorText(err) }));
};
