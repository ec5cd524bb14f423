// The lexical index reader: BM25 over the term shards of index/lexical…json (docs/bundle-format.md),
// one LexicalReader (engine.js). A search fetches only the shards that hold its terms (each once);
// df, idf and coverage then answer for those terms without a fetch. The arithmetic is written in
// the same order as the spec's formula so Python and JS scores agree to the last bit and ties
// break the same way (by chunk id).

import { tokenize } from "../shared/lexical.js";

const has = (o, k) => Object.prototype.hasOwnProperty.call(o, k); // "constructor" is a word too

/**
 * lexicalReader(meta, {k1, b}, load) → {n, stopwords, search(query) → Promise<{scores, terms}>, df, idf, coverage}
 * `df`, `idf` and `coverage` read the shards a search fetched: ask them only about its terms.
 * @param {{n: number, avgdl: number, stopwords: string[], shards: {first: string, file: string}[]}} meta
 * @param {{k1: number, b: number}} params sitebot.json's `retrieval`
 * @param {(file: string) => Promise<object>} load a term shard's JSON by its path in the bundle (memoised)
 * @returns {import("./engine.js").LexicalReader & {stopwords: Set<string>}}
 */
export function lexicalReader(meta, { k1, b }, load) {
  const { n, shards } = meta;
  const avgdl = meta.avgdl || 1; // an index of empty chunks; as the Python side does
  const stopwords = new Set(meta.stopwords);
  const got = new Array(shards.length); // the shards fetched so far, by position

  // The shard whose term range holds t: the last whose first term is ≤ t (-1: before them all).
  // JS compares strings by UTF-16 code units; the build sorts terms the same way.
  function shardOf(t) {
    let lo = 0;
    let hi = shards.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (shards[mid].first <= t) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi;
  }

  async function fetchTerms(terms) {
    const wanted = [...new Set(terms.map(shardOf))].filter((i) => i >= 0 && !got[i]);
    await Promise.all(wanted.map(async (i) => (got[i] = await load(shards[i].file))));
  }

  // (chunk delta, tf, chunk length) triples; empty for a term no chunk holds.
  function postings(t) {
    const i = shardOf(t);
    if (i < 0) return [];
    if (!got[i]) throw new Error(`the lexical shard of "${t}" was not fetched; search for it first`);
    return has(got[i], t) ? got[i][t] : [];
  }

  const df = (t) => postings(t).length / 3;
  // BM25's IDF; a term no chunk holds (df = 0) gets the highest IDF any term can.
  const idf = (t) => {
    const d = df(t);
    return Math.log(1 + (n - d + 0.5) / (d + 0.5));
  };

  async function search(query) {
    const scores = new Float64Array(n);
    // Deduplicated, in order of first occurrence: the summation order is part of the spec.
    const qterms = [...new Set(tokenize(query, stopwords))];
    await fetchTerms(qterms);
    for (const t of qterms) {
      const list = postings(t);
      if (!list.length) continue;
      const w = idf(t);
      for (let j = 0, id = 0; j < list.length; j += 3) {
        id += list[j]; // first entry absolute, then deltas
        const tf = list[j + 1];
        // Length normalisation, k1·(1 − b + b·dl/avgdl): same operations as the spec.
        const norm = k1 * (1 - b + (b * list[j + 2]) / avgdl);
        scores[id] += (w * tf * (k1 + 1)) / (tf + norm);
      }
    }
    return { scores, terms: qterms };
  }

  // The IDF-weighted share of the query's terms that chunk `id` holds; 0 for a query without
  // terms. The adaptive fusion's lever.
  function coverage(qterms, id) {
    let held = 0;
    let total = 0;
    for (const t of qterms) {
      const w = idf(t);
      total += w;
      const list = postings(t);
      for (let j = 0, doc = 0; j < list.length; j += 3) {
        doc += list[j];
        if (doc === id) {
          held += w;
          break;
        }
      }
    }
    return total > 0 ? held / total : 0;
  }

  return { n, stopwords, search, df, idf, coverage };
}
