// The lexical tokenizer of docs/bundle-format.md ("index/lexical… and the lexical
// tokenizer"). The Python generator tokenizes documents with the same rules, so any
// change here must be made there too, or BM25 silently stops matching.

import { parseRow } from "./rows.js";

const MARKS = /\p{M}/gu;
// Runs of letters/digits, joined by single hyphens: "wi-fi" yields "wi", "fi", then "wifi".
const WORD = /[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*/gu;
const SURROGATE = /[\uD800-\uDFFF]/;
const MAX_LEN = 40;

// Lengths are counted in code points, as Python's len() does; String.length counts
// UTF-16 units, which differs for letters outside the BMP.
function cpLength(s) {
  return SURROGATE.test(s) ? [...s].length : s.length;
}

// Harman's S-stemmer: ies→y, es→e, s→"" with the spec's exceptions.
function stem(t) {
  if (t.endsWith("ies")) {
    if (!t.endsWith("eies") && !t.endsWith("aies")) return t.slice(0, -3) + "y";
  } else if (t.endsWith("es")) {
    if (!t.endsWith("aes") && !t.endsWith("ees") && !t.endsWith("oes")) return t.slice(0, -1);
  } else if (t.endsWith("s")) {
    if (!t.endsWith("us") && !t.endsWith("ss")) return t.slice(0, -1);
  }
  return t;
}

/**
 * tokenize("Refunds über 30 días", new Set(["the"])) → ["refund", "uber", "30", "dia"]
 * tokenize("wi-fi") → ["wi", "fi", "wifi"]
 * Tokens in text order, duplicates kept; `stopwords` is a Set of unstemmed words.
 */
export function tokenize(text, stopwords) {
  const norm = String(text).normalize("NFKD").replace(MARKS, "").toLowerCase();
  const out = [];
  const add = (t) => {
    if (stopwords && stopwords.has(t)) return;
    const len = cpLength(t);
    if (len > MAX_LEN) return;
    out.push(len > 3 ? stem(t) : t);
  };
  for (const [run] of norm.matchAll(WORD)) {
    const parts = run.split("-");
    parts.forEach(add);
    // The joined form too, so "wi-fi" meets "wifi" and "e-mail" meets "email".
    if (parts.length > 1) add(parts.join(""));
  }
  return out;
}

/**
 * splitSentences("It works. Really!\nNext line") → ["It works.", "Really!", "Next line"]
 * Good enough to highlight matching sentences; not a linguistic splitter. A table row
 * (shared/rows.js) is one unit, however many full stops its cells hold.
 */
export function splitSentences(text) {
  const out = [];
  for (const line of String(text).split(/\n+/)) {
    if (parseRow(line.trim())) {
      out.push(line.trim());
      continue;
    }
    for (const s of line.split(/(?<=[.!?])\s+(?=[\p{Lu}\p{N}])/u)) {
      const t = s.trim();
      if (t) out.push(t);
    }
  }
  return out;
}
