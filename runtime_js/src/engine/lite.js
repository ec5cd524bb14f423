// The lite query encoder (docs/bundle-format.md "Lite path"): a question's vector without the
// model. The bundle's vocabulary gives the question's tokens (wordpiece.js); each token's row of
// the static token table is fetched alone (a file of a few rows), weighted by the token's
// weight on this site, summed, put through the site's map, and normalised. The same sums, in
// the same order, as generator/sitebot/index/lite.py query_vector, so Python ranks as we do.
// One QueryEncoder (engine.js); its vectors are scored against the lite chunk vectors.

import { fetchBytes, fetchOk } from "./shards.js";
import { wordpieceTokenizer } from "./wordpiece.js";

const fetchText = async (url) => (await fetchOk(url)).text();
const URGENT = { priority: "high" };

// A file laid out as a vectors file (int8 rows padded to 4 bytes, then float32 scales) → rows.
function rowsOf(buf, dims) {
  const n = Math.floor(buf.byteLength / (dims + 4));
  const pad = (n * dims + 3) & ~3;
  if (buf.byteLength !== pad + 4 * n) throw new Error(`a lite table file has ${buf.byteLength} bytes, not rows of ${dims}`);
  return { codes: new Int8Array(buf, 0, n * dims), scales: new Float32Array(buf, pad, n) };
}

/**
 * loadLiteEncoder(base, manifest) → Promise<QueryEncoder>
 * Fetches the vocabulary, the site's token weights and its map; the table rows come per question.
 * @param {string} base the bundle folder's absolute URL
 * @param {object} manifest sitebot.json (its `lite` section)
 * @returns {Promise<import("./engine.js").QueryEncoder>}
 */
export async function loadLiteEncoder(base, manifest) {
  const lite = manifest.lite;
  const url = (path) => new URL(path, base).href;
  const dims = lite.dims;
  const m = manifest.model;
  const [vocabText, weightBuf, mapBuf] = await Promise.all([
    fetchText(url(lite.vocab)),
    fetchBytes(url(lite.weights)),
    fetchBytes(url(lite.map)),
  ]);
  const tokenize = wordpieceTokenizer(vocabText, lite.tokenizer, m.query_max_tokens || m.max_tokens || 128);
  const weights = new Uint8Array(weightBuf);
  const map = rowsOf(mapBuf, dims);
  const { folder, rows: perFile } = lite.tokens;
  const files = new Map(); // file number → Promise of its rows; a failed fetch is forgotten
  const file = (i) => {
    let p = files.get(i);
    if (!p) {
      // The question's vector waits for these, and its lists for the vector: they go before the
      // term shards fetched at the same time (which are needed only once the lists are in).
      p = fetchBytes(url(`${folder}${i}.bin`), URGENT).then((buf) => rowsOf(buf, dims));
      p.catch(() => files.delete(i));
      files.set(i, p);
    }
    return p;
  };

  // The tokens that count, in order: those of weight, and of more than `question_tokens` distinct
  // ones the heaviest (equal weights: the first asked), as lite.py counted.
  const cap = lite.question_tokens;
  function counted(text) {
    const tokens = tokenize(text).filter((t) => t >= 0 && t < weights.length && weights[t]);
    const distinct = [...new Set(tokens)];
    if (!cap || distinct.length <= cap) return tokens;
    const keep = new Set(distinct.sort((a, b) => weights[b] - weights[a]).slice(0, cap)); // stable sort
    return tokens.filter((t) => keep.has(t));
  }

  // Σ over the question's tokens that count, in order (float64), of weight·scale·row,
  // or scale·row when not `weighted`: lite.py _row_sum, in its order.
  async function rowSum(text, weighted) {
    const tokens = counted(text);
    const loaded = new Map();
    await Promise.all(
      [...new Set(tokens.map((t) => Math.floor(t / perFile)))].map(async (i) => loaded.set(i, await file(i))),
    );
    const v = new Float64Array(dims);
    for (const t of tokens) {
      const { codes, scales } = loaded.get(Math.floor(t / perFile));
      const r = t % perFile;
      const f = weighted ? weights[t] * lite.weight_step * scales[r] : scales[r];
      for (let d = 0, off = r * dims; d < dims; d++) v[d] += f * codes[off + d];
    }
    return v;
  }

  // v / ‖v‖ (the norm summed in order) as float32; null for a zero vector.
  const unit = (v) => {
    let norm = 0;
    for (let j = 0; j < dims; j++) norm += v[j] * v[j];
    if (!norm) return null;
    norm = Math.sqrt(norm);
    const q = new Float32Array(dims);
    for (let j = 0; j < dims; j++) q[j] = v[j] / norm;
    return q;
  };

  // The scope rules' check (docs/bundle-format.md "Lite path"): the tokens' rows alike, through
  // no map; as lite.py static_vector.
  const embedStatic = async (text) => unit(await rowSum(text, false));

  async function embed(text) {
    const v = await rowSum(text, true);
    // Through the map, row by row (the static dimension i), skipping zero entries like lite.py.
    const u = new Float64Array(dims);
    for (let i = 0; i < dims; i++) {
      if (!v[i]) continue;
      const f = v[i] * map.scales[i];
      for (let j = 0, off = i * dims; j < dims; j++) u[j] += f * map.codes[off + j];
    }
    return unit(u); // null: no token weighs anything, keywords alone answer
  }

  return { words: tokenize.words, embed, embedStatic, lite: true };
}
