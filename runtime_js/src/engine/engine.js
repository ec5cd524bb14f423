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
 * @property {Set<string>} [words] the model vocabulary's whole words (notfound.js)
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
 * The lexical index reader: BM25 of a query with every chunk, and the query's terms.
 * @typedef {object} LexicalReader
 * @property {(query: string) => {scores: Float64Array, terms: string[]}} search
 * @property {(term: string) => number} df how many chunks hold a term
 * @property {(term: string) => number} idf BM25's IDF of a term (the highest for df = 0)
 * @property {(terms: string[], id: number) => number} coverage IDF-weighted share of the terms chunk `id` holds
 * @property {Set<string>} [stopwords] the words the index leaves out
 */

/**
 * What results show: the pages, one row per chunk ([pageIndex, anchor, heading, weight?]
 * from index/chunks…json) and each chunk's ranking weight.
 * @typedef {object} Corpus
 * @property {{url: string, title: string}[]} pages page URLs already absolute
 * @property {Array<[number, string, string, number?]>} chunks
 * @property {Float64Array} weights
 */

/**
 * The scope rules' questions: a dense reader over the ruled-out examples (its first
 * `examples` rows) and the allowed questions (the rest), opened on the first check.
 * @typedef {object} ScopeRows
 * @property {number} examples
 * @property {() => Promise<RowScorer>} open
 */

/**
 * @typedef {object} EngineParts
 * @property {object} retrieval sitebot.json's `retrieval` (candidates, fusion weights, not_found rule)
 * @property {Promise<QueryEncoder>} encoder never awaited by search
 * @property {Promise<LexicalReader>} lexical
 * @property {Promise<DenseReader>} dense
 * @property {Promise<Corpus>} corpus
 * @property {(ids: number[]) => Promise<Map<number, string>>} texts chunk texts by id
 * @property {(ids: number[]) => Promise<{byId: Map<number, Uint8Array[]>, bytes: number}>} [signatures]
 *   the chunks' unit signatures (shards.js unitsReader); without it cards are marked by words
 * @property {ScopeRows | null} scope
 * @property {(status: {lexical: string, model: string}, error?: string) => void} onStatus
 */

/**
 * @typedef {object} Engine
 * @property {(query: string, k?: number) => Promise<object>} search the "results" message body
 * @property {(query: string) => Promise<{similarity: number, allowed: number, example: number}>} scope
 * @property {(text: string) => Promise<Float32Array>} embed
 */

const errorText = (err) => (err && err.message) || String(err);

/**
 * createEngine(parts) → Engine. Reports "loading" at once, then each part's readiness
 * through `onStatus` ("lexical" once the index readers and the corpus are in).
 * @param {EngineParts} parts
 * @returns {Engine}
 */
export function createEngine({ retrieval, encoder, lexical, dense, corpus, texts, signatures, scope, onStatus }) {
  const status = { lexical: "loading", model: "loading" };
  const setStatus = (key, value, err) => {
    status[key] = value;
    onStatus({ ...status }, err ? `${key === "model" ? "model" : "index"}: ${errorText(err)}` : undefined);
  };
  onStatus({ ...status });

  const index = Promise.all([lexical, dense, corpus]);
  // The last question's vector is kept: a bot with scope rules embeds it for the rule
  // check and then again for the search.
  const model = encoder.then(keepLastVector);
  let ready = null; // the encoder once loaded: searches never wait for the model
  index.then(
    () => setStatus("lexical", "ready"),
    (err) => setStatus("lexical", "failed", err),
  );
  model.then(
    (enc) => {
      ready = enc;
      setStatus("model", "ready");
    },
    (err) => setStatus("model", "failed", err),
  );

  async function search(query, k = 5) {
    const [lexicalReader, denseReader, { pages, chunks, weights }] = await index;
    const lex = lexicalReader.search(query);
    const lexIds = topK(lex.scores, retrieval.candidates, true);
    const enc = ready; // read once: the model may finish loading while we await below
    let denseScores = null;
    let denseIds = null;
    let q = null;
    let notFound = lexIds.length === 0;
    if (enc && String(query).trim()) {
      q = await enc.embed(query);
      ({ ids: denseIds, scores: denseScores } = await denseReader.search(q, retrieval.candidates));
      // Only a calibrated bundle weighs the question's unknown terms (notfound.js).
      const words = enc.words || new Set();
      const unknown = retrieval.not_found ? unknownShare(lex.terms, lexicalReader, words) : 0;
      // The best cosine among the chunks scored (a partitioned index: the probed lists').
      notFound = isNotFound(denseIds.length ? denseScores.get(denseIds[0]) : -1, unknown, retrieval);
    }
    // Only the adaptive fusion reads how much of the question the best lexical chunk holds.
    const adaptive = retrieval.fusion === "adaptive" && denseIds && lexIds.length;
    const more = { cover: adaptive ? lexicalReader.coverage(lex.terms, lexIds[0]) : 0, pageOf: (id) => chunks[id][0] };
    const ranked = fuse(lexIds, lex.scores, denseIds, denseScores, weights, retrieval, more).slice(0, Math.max(0, k));
    const results = ranked.map(({ id, score }) => {
      const [pageIndex, anchor, heading] = chunks[id];
      const page = pages[pageIndex];
      return {
        id,
        url: anchor ? `${page.url.split("#")[0]}#${anchor}` : page.url,
        title: page.title,
        heading,
        score,
        dense: denseScores ? (denseScores.get(id) ?? null) : null, // null: in no probed list
        lexical: lex.scores[id] > 0 ? lex.scores[id] : null,
        text: "",
      };
    });
    // The passages shown are known from the URLs alone, so their units' signatures are fetched
    // alongside the texts. Without the question's vector they would be of no use.
    const shown = pickPassages(results).map((i) => results[i]);
    const wantSigs = q && signatures ? signatures(shown.map((r) => r.id)).catch(() => null) : null;
    const [found, sigs] = await Promise.all([texts(results.map((r) => r.id)), wantSigs]);
    results.forEach((r) => (r.text = found.get(r.id)));
    const marking = scoreUnits(shown, q, sigs, lex.terms, lexicalReader);
    // `terms` (the query's lexical terms) lets the widget mark matching sentences without
    // the stop-word list.
    return { mode: denseIds ? "hybrid" : "lexical", notFound, terms: lex.terms, results, marking };
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

  // How close a question is to the owner's ruled-out example questions and to the
  // allowed ones: the best cosine with each, and the nearest example's row. Waits for the
  // model: a rule must not be skipped for speed.
  async function checkScope(query) {
    if (!scope) throw new Error("this bundle has no scope rules");
    const [rows, enc] = await Promise.all([scope.open(), model]);
    const scores = await rows.score(await enc.embed(query));
    const n = Math.min(scope.examples, scores.length);
    let example = -1;
    let allowed = -1;
    for (let i = 0; i < scores.length; i++) {
      if (i < n) example = example < 0 || scores[i] > scores[example] ? i : example;
      else allowed = Math.max(allowed, scores[i]);
    }
    return { similarity: example < 0 ? 0 : scores[example], allowed, example };
  }

  async function embed(text) {
    return (await model).embed(text);
  }

  return { search, scope: checkScope, embed };
}
