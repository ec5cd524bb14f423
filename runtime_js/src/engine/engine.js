// The retrieval engine: hybrid search, the scope check and query vectors over one bundle.
// It knows nothing of fetching, of the worker protocol or of how a vector is computed:
// the query encoder and the index readers are passed in (see the typedefs below), so the
// planned lite encoder (a static token table) or a partitioned dense reader can replace
// today's ones (encoder.js, ivf.js, bm25.js; wired together in bundle.js) without a
// change here. Everything it holds lives in the object createEngine returns.

import { lexicalShares, pickPassages, unitsOf } from "../shared/marking.js";
import { fuse } from "./fuse.js";
import { keepLastVector } from "./lastvector.js";
import { notFound as isNotFound, unknownShare } from "./notfound.js";
import { signScorer } from "./signs.js";
import { topK } from "./topk.js";

/**
 * A query encoder: text → unit vector in the document vectors' space.
 * @typedef {object} QueryEncoder
 * @property {(text: string) => Promise<Float32Array>} embed
 * @property {{has: (t: string) => boolean}} [words] the model vocabulary's whole words (notfound.js)
 * @property {(text: string) => Promise<Float32Array | null>} [embedStatic] the lite encoder's vector
 *   for the scope rules (lite.js), in the space of sitebot.json's `lite.scope` file
 */

/**
 * The dense index reader: the chunks nearest a query vector. `search(q, k)` gives the `k` best
 * ids (cosine desc, then id asc) and the cosine of every chunk it scored (a partitioned reader,
 * ivf.js, scores only the rows of the lists it probes); fresh objects the caller may keep.
 * @typedef {object} DenseReader
 * @property {number} n how many chunks (rows)
 * @property {(q: Float32Array, k: number) => Promise<{ids: number[], scores: Map<number, number>}>} search
 */

/**
 * A reader that scores every row (dense.js): the scope rules' questions.
 * @typedef {object} RowScorer
 * @property {number} n how many rows
 * @property {(q: Float32Array) => Float64Array | Promise<Float64Array>} score a fresh array, by row
 */

/**
 * The lexical index reader: BM25 of a query with every chunk, and the query's terms. A search
 * may fetch what it needs (the term shards of bm25.js); df, idf and coverage then answer, at
 * once, about that query's terms.
 * @typedef {object} LexicalReader
 * @property {(query: string) => Promise<{scores: Float64Array, terms: string[]}>} search
 * @property {(term: string) => number} df how many chunks hold a term
 * @property {(term: string) => number} idf BM25's IDF of a term (the highest for df = 0)
 * @property {(terms: string[], id: number) => number} coverage IDF-weighted share of the terms chunk `id` holds
 * @property {Set<string>} [stopwords] the words the index leaves out
 */

/**
 * What ranking and results need of the chunks (corpus.js): every chunk's ranking weight and
 * page at once, and, fetched for the results shown only, their url, title and heading.
 * @typedef {object} Corpus
 * @property {number} n how many chunks
 * @property {Float64Array} weights by chunk id
 * @property {(id: number) => number} pageOf a chunk's page index
 * @property {(ids: number[]) => Promise<Map<number, {url: string, title: string, heading: string}>>} rows
 *   url (absolute, with the chunk's #anchor), page title and heading path by chunk id
 */

/**
 * The scope rules' questions: a dense reader over the ruled-out examples (its first
 * `examples` rows) and the allowed questions (the rest), opened on the first check.
 * @typedef {object} ScopeRows
 * @property {number} examples
 * @property {() => Promise<RowScorer>} open
 * @property {{open: () => Promise<RowScorer>} | null} [lite] the same questions, in the same order, as
 *   lite vectors (sitebot.json `lite.scope`)
 */

/**
 * A query path: an encoder and the dense reader of the vectors in its space, with the ranking
 * levers of that path (sitebot.json's `retrieval`, with the lite path's own over it).
 * @typedef {object} QueryPath
 * @property {"lite" | "full"} name
 * @property {Promise<QueryEncoder>} encoder never awaited by search
 * @property {Promise<DenseReader>} dense
 * @property {object} retrieval
 */

/**
 * @typedef {object} EngineParts
 * @property {object} retrieval sitebot.json's `retrieval` (candidates, fusion weights, not_found rule)
 * @property {QueryPath[]} paths best first: the full model's path, then the lite one; a
 *   search uses the best whose encoder is in (docs/bundle-format.md "Lite path")
 * @property {Promise<LexicalReader>} lexical
 * @property {Promise<Corpus>} corpus
 * @property {(ids: number[]) => Promise<Map<number, string>>} texts chunk texts by id
 * @property {(ids: number[]) => Promise<{byId: Map<number, Uint8Array[]>, bytes: number}>} [signatures]
 *   the chunks' unit signatures (shards.js unitsReader); without it cards are marked by words
 * @property {ScopeRows | null} scope
 * @property {(status: {lexical: string, lite: string, model: string}, error?: string) => void} onStatus
 */

/**
 * @typedef {object} Engine
 * @property {(query: string, k?: number) => Promise<object>} search the "results" message body
 * @property {(query: string) => Promise<{similarity: number, allowed: number, example: number}>} scope
 * @property {(text: string) => Promise<Float32Array>} embed
 */

const errorText = (err) => (err && err.message) || String(err);
const STATUS_KEY = { full: "model", lite: "lite" };

/**
 * createEngine(parts) → Engine. Reports "loading" at once, then each part's readiness
 * through `onStatus`: "lexical" once the lexical reader and the corpus are in, "lite" and
 * "model" as their paths' encoders and vectors arrive ("off" for a path the bundle or the
 * visitor's connection leaves out).
 * @param {EngineParts} parts
 * @returns {Engine}
 */
export function createEngine({ retrieval, paths, lexical, corpus, texts, signatures, scope, onStatus }) {
  const status = { lexical: "loading", lite: "off", model: "off" };
  for (const p of paths) status[STATUS_KEY[p.name]] = "loading";
  const setStatus = (key, value, err) => {
    status[key] = value;
    onStatus({ ...status }, err ? `${key === "lexical" ? "index" : key}: ${errorText(err)}` : undefined);
  };
  onStatus({ ...status });

  const index = Promise.all([lexical, corpus]);
  index.then(
    () => setStatus("lexical", "ready"),
    (err) => setStatus("lexical", "failed", err),
  );
  // A path is ready once its encoder and its vectors are both in. The last question's vector
  // is kept: a bot with scope rules embeds it for the rule check and then again for the search.
  const live = paths.map((p) => ({ ...p, ready: null, loaded: Promise.all([p.encoder.then(keepLastVector), p.dense]) }));
  for (const p of live) {
    p.loaded.then(
      ([enc, dense]) => {
        p.ready = { enc, dense };
        setStatus(STATUS_KEY[p.name], "ready");
      },
      (err) => setStatus(STATUS_KEY[p.name], "failed", err),
    );
  }
  const full = live.find((p) => p.name === "full");
  const model = full ? full.loaded.then(([enc]) => enc) : Promise.reject(new Error("this bot answers without its model"));
  model.catch(() => {});

  async function search(query, k = 5) {
    const [lexicalReader, { weights, pageOf, rows }] = await index;
    // The best path whose encoder is in, read once: another may finish loading while we await.
    const path = live.find((p) => p.ready);
    const r = path ? path.retrieval : retrieval;
    // The term shards and the dense side (the token rows, then the nearest lists) are fetched
    // at once: one after the other, the first answer waited a round trip more.
    const embedded = path && String(query).trim() ? path.ready.enc.embed(query) : null;
    const probed = embedded && embedded.then((v) => v && path.ready.dense.search(v, r.candidates));
    const [lex, q, dense] = await Promise.all([lexicalReader.search(query), embedded, probed]);
    const lexIds = topK(lex.scores, r.candidates, true);
    let denseScores = null;
    let denseIds = null;
    let notFound = lexIds.length === 0;
    if (q) {
      ({ ids: denseIds, scores: denseScores } = dense);
      // Only a calibrated bundle weighs the question's unknown terms (notfound.js).
      const words = path.ready.enc.words || new Set();
      const unknown = r.not_found ? unknownShare(lex.terms, lexicalReader, words) : 0;
      // The best cosine among the chunks scored (a partitioned index: the probed lists').
      notFound = isNotFound(denseIds.length ? denseScores.get(denseIds[0]) : -1, unknown, r);
    }
    // Only the adaptive fusion reads how much of the question the best lexical chunk holds.
    const adaptive = retrieval.fusion === "adaptive" && denseIds && lexIds.length;
    const more = { cover: adaptive ? lexicalReader.coverage(lex.terms, lexIds[0]) : 0, pageOf };
    const ranked = fuse(lexIds, lex.scores, denseIds, denseScores, weights, r, more).slice(0, Math.max(0, k));
    // The passages shown (at most so many per page) are known from the chunks' pages alone, so
    // their units' signatures are fetched alongside the results' rows and texts. Without the
    // question's model vector they would be of no use: they are in the model's space, and a
    // lite vector cannot score them.
    const byModel = q && path.name === "full";
    const ids = ranked.map((x) => x.id);
    const shownIds = pickPassages(ids.map((id) => ({ url: String(pageOf(id)) }))).map((i) => ids[i]);
    const wantSigs = byModel && signatures ? signatures(shownIds).catch(() => null) : null;
    const [where, found, sigs] = await Promise.all([rows(ids), texts(ids), wantSigs]);
    const results = ranked.map(({ id, score }) => ({
      id,
      ...where.get(id), // url, title, heading
      score,
      dense: denseScores ? (denseScores.get(id) ?? null) : null, // null: in no probed list
      lexical: lex.scores[id] > 0 ? lex.scores[id] : null,
      text: found.get(id),
    }));
    const shown = pickPassages(results).map((i) => results[i]);
    const marking = scoreUnits(shown, byModel ? q : null, sigs, lex.terms, lexicalReader);
    // `terms` (the query's lexical terms) lets the widget mark matching sentences without
    // the stop-word list. `mode`: "lexical", "lite" (the lite path's vectors) or "hybrid" (the model's).
    const mode = !denseIds ? "lexical" : path.name === "lite" ? "lite" : "hybrid";
    return { mode, notFound, terms: lex.terms, results, marking };
  }

  // The units (sentences, table rows: shared/marking.js) of the passages the widget shows
  // get `units: [{dense, lexical}]`, so it can mark the one that answers: the approximate
  // cosine of the question with the unit, from the unit's signature built with the bundle
  // (signs.js; null without the question's vector or the signatures), and the IDF-weighted
  // share of the question's terms. No unit is embedded here: that took 300–900 ms an answer
  // on a desktop (bench/marking.py). Returns {units, bytes, ms} for the bench.
  function scoreUnits(shown, q, sigs, terms, lexicalReader) {
    const t0 = performance.now();
    const score = q && sigs ? signScorer(q) : null;
    let scored = 0;
    shown.forEach((r) => {
      const units = unitsOf(r.text);
      const lexical = lexicalShares(units, terms, lexicalReader.idf, lexicalReader.stopwords);
      let dense = units.map(() => null);
      if (q && units.length === 1 && r.dense != null) {
        dense = [r.dense]; // a passage of one unit is its chunk: the chunk's cosine stands for it
      } else if (score && sigs.byId.has(r.id)) {
        const signed = sigs.byId.get(r.id);
        // A count that does not match the split (a bundle of another split rule) would score
        // the wrong sentences: words decide then. Units past the 255th are unscored (0).
        if (signed.length === Math.min(units.length, 255) && units.length > 1) {
          dense = units.map((_, u) => (u < signed.length ? score(signed[u]) : 0));
          scored += signed.length;
        }
      }
      r.units = lexical.map((l, u) => ({ dense: dense[u], lexical: l }));
    });
    return { units: scored, bytes: sigs ? sigs.bytes : 0, ms: performance.now() - t0 };
  }

  // The scope rules' questions and the encoder to check a question with: the model's, waited
  // for when it is coming (a rule must not be skipped for speed); the lite path's when the model
  // never comes (Save-Data, bot.model = "lite") or failed, if the bundle has them as lite vectors.
  const lite = live.find((p) => p.name === "lite");
  function scopeCheck() {
    const byLite = () => Promise.all([scope.lite.open(), lite.loaded]).then(([rows, [enc]]) => ({ rows, enc, path: "lite" }));
    const canLite = lite && scope.lite;
    if (!full && canLite) return byLite(); // not even the model's rows are fetched
    const byModel = Promise.all([scope.open(), model]).then(([rows, enc]) => ({ rows, enc, path: "full" }));
    return canLite ? byModel.catch(byLite) : byModel;
  }

  // How close a question is to the owner's ruled-out example questions and to the allowed
  // ones: the best cosine with each, the nearest example's row, and the path that scored them
  // (the lite path's cosines are coarser: the widget checks them with the lite thresholds).
  async function checkScope(query) {
    if (!scope) throw new Error("this bundle has no scope rules");
    const { rows, enc, path } = await scopeCheck();
    const q = await (path === "lite" ? enc.embedStatic(query) : enc.embed(query));
    // No word of the question weighs anything on the lite path: keywords alone decide.
    if (!q) return { similarity: 0, allowed: 0, example: -1, path };
    const scores = await rows.score(q);
    const n = Math.min(scope.examples, scores.length);
    let example = -1;
    let allowed = -1;
    for (let i = 0; i < scores.length; i++) {
      if (i < n) example = example < 0 || scores[i] > scores[example] ? i : example;
      else allowed = Math.max(allowed, scores[i]);
    }
    return { similarity: example < 0 ? 0 : scores[example], allowed, example, path };
  }

  async function embed(text) {
    return (await model).embed(text);
  }

  return { search, scope: checkScope, embed };
}
