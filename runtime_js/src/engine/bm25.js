// The lexical index reader: BM25 over index/lexical…json (docs/bundle-format.md), one
// LexicalReader (engine.js). The arithmetic is written in the same order as the spec's
// formula so Python and JS scores agree to the last bit and ties break the same way (by
// chunk id).

import { tokenize } from "../shared/lexical.js";

const has = (o, k) => Object.prototype.hasOwnProperty.call(o, k); // "constructor" is a word too

/**
 * lexicalIndex(json, {k1, b}) → {n, stopwords, search(query) → {scores, terms}, df(term), idf(term), coverage}
 * @param {{n: number, dl: number[], avgdl: number, stopwords: string[], terms: object}} json
 * @param {{k1: number, b: number}} params sitebot.json's `retrieval`
 * @returns {import("./engine.js").LexicalReader & {stopwords: Set<string>}}
 */
export function lexicalIndex(json, { k1, b }) {
  const { n, dl, terms } = json;
  const avgdl = json.avgdl || 1; // an index of empty chunks; as the Python side does
  const stopwords = new Set(json.stopwords);
  // Length normalisation per chunk, k1·(1 − b + b·dl/avgdl): same operations as the spec.
  const norm = new Float64Array(n);
  for (let i = 0; i < n; i++) norm[i] = k1 * (1 - b + (b * dl[i]) / avgdl);

  const df = (t) => (has(terms, t) ? terms[t].length / 2 : 0);
  // BM25's IDF; a term no chunk holds (df = 0) gets the highest IDF any term can.
  const idf = (t) => {
    const d = df(t);
    return Math.log(1 + (n - d + 0.5) / (d + 0.5));
  };

  function search(query) {
    const scores = new Float64Array(n);
    // Deduplicated, in order of first occurrence: the summation order is part of the spec.
    const qterms = [...new Set(tokenize(query, stopwords))];
    for (const t of qterms) {
      if (!has(terms, t)) continue;
      const postings = terms[t];
      const w = idf(t);
      for (let j = 0, id = 0; j < postings.length; j += 2) {
        id += postings[j]; // first entry absolute, then deltas
        const tf = postings[j + 1];
        scores[id] += (w * tf * (k1 + 1)) / (tf + norm[id]);
      }
    }
    return { scores, terms: qterms };
  }

  // The IDF-weighted share of the query's terms that chunk `id` holds; 0 for a query without
  // terms. The adaptive fusion's lever.
  function coverage(qterms, id) {
    let got = 0;
    let total = 0;
    for (const t of qterms) {
      const w = idf(t);
      total += w;
      const postings = has(terms, t) ? terms[t] : [];
      for (let j = 0, doc = 0; j < postings.length; j += 2) {
        doc += postings[j];
        if (doc === id) {
          got += w;
          break;
        }
      }
    }
    return total > 0 ? got / total : 0;
  }

  return { n, stopwords, search, df, idf, coverage };
}
