// The "I couldn't find that" decision (docs/bundle-format.md "Not found"), the same maths as
// generator/sitebot/index/notfound.py. A question is not found when its best cosine is below
// the bundle's calibrated `floor`, or when it names terms the site never uses that are not
// everyday words (the model vocabulary's whole words), more than `unknown_min` of it, and its
// best cosine, less `unknown_weight` times their IDF-weighted share, misses `threshold`.
// Bundles built before the calibration, or with the owner's own `min_dense`, carry no
// `not_found` rule.

/**
 * vocabulary(tokenizerJson) → the Set of the vocabulary's whole words: WordPiece entries
 * without "##", or SentencePiece pieces that start a word ("▁word"); empty for other kinds.
 */
export function vocabulary(tokenizer) {
  const vocab = tokenizer && tokenizer.model && tokenizer.model.vocab;
  const words = new Set();
  if (Array.isArray(vocab)) {
    for (const p of vocab) if (Array.isArray(p) && typeof p[0] === "string" && p[0][0] === "▁") words.add(p[0].slice(1));
  } else if (vocab && typeof vocab === "object") {
    for (const w of Object.keys(vocab)) if (!w.startsWith("##") && !w.startsWith("[")) words.add(w);
  }
  return words;
}

const wholeWord = (t, words) => words.has(t) || words.has(`${t}s`) || words.has(`${t}es`);

// An everyday word: a whole word of the vocabulary, its -ing or -ed form ("fiddling",
// "quitting", "swapped"), or one with digits whose letters are ("7pm", "4k", "42").
function isEveryday(t, words) {
  if (wholeWord(t, words)) return true;
  for (const suffix of ["ing", "ed"]) {
    if (t.endsWith(suffix) && t.length > suffix.length + 2) {
      const base = t.slice(0, -suffix.length);
      const doubled = base[base.length - 1] === base[base.length - 2];
      if (words.has(base) || words.has(`${base}e`) || (doubled && words.has(base.slice(0, -1)))) return true;
    }
  }
  const letters = t.replace(/[0-9]/g, "");
  return letters !== t && (!letters || wholeWord(letters, words));
}

/**
 * unknownShare(terms, index, words) → the IDF-weighted share of the query's terms that no
 * chunk holds and that are not everyday words. A hyphenated word's joined form is skipped.
 * @param {string[]} terms the query's lexical terms, deduplicated, in order
 * @param {{df: (term: string) => number, idf: (term: string) => number}} index the lexical reader (bm25.js)
 * @param {{has: (t: string) => boolean}} words the model vocabulary's whole words
 */
export function unknownShare(terms, index, words) {
  let unknown = 0;
  let total = 0;
  for (let j = 0; j < terms.length; j++) {
    const t = terms[j];
    let joined = false;
    for (let k = 2; k <= Math.min(j, 4) && !joined; k++) joined = terms.slice(j - k, j).join("") === t;
    if (joined) continue;
    const w = index.idf(t);
    total += w;
    if (!index.df(t) && !isEveryday(t, words)) unknown += w;
  }
  return total > 0 ? unknown / total : 0;
}

/**
 * notFound(bestDense, unknown, retrieval) → true when the bot should say it found nothing.
 * @param {number} bestDense the best cosine of the question with any chunk
 * @param {number} unknown unknownShare of the question
 * @param {{min_dense: number, not_found?: {floor: number, threshold: number, unknown_weight: number, unknown_min: number}}} r
 */
export function notFound(bestDense, unknown, r) {
  const rule = r.not_found;
  if (!rule) return !(bestDense >= r.min_dense);
  if (!(bestDense >= rule.floor)) return true;
  return unknown > (rule.unknown_min || 0) && !(bestDense - rule.unknown_weight * unknown >= rule.threshold);
}
