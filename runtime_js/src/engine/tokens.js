// Query text → token ids, exactly as the Python generator's HF tokenizers (Rust) give
// them, so browser and build vectors agree. Kept apart from the model so it can be
// checked against Python without a browser.

import { Tokenizer } from "@huggingface/tokenizers";

// HF tokenizers lowercase char by char, so Σ always becomes σ; tokenizers.js uses
// String#toLowerCase, which turns a word-final Σ into ς (Unicode Final_Sigma; Rust's
// side: rust-lang/rust#26035). Σ is the only character where the two differ, so mapping
// it to σ before a lowercasing normalizer gives Rust's result.
function lowercases(n) {
  if (!n) return false;
  if (n.type === "Lowercase") return true;
  if (n.type === "BertNormalizer") return n.lowercase !== false;
  return n.type === "Sequence" && (n.normalizers || []).some(lowercases);
}

/**
 * queryTokenizer(tokenizerJson, 128) → (text) → ids, special tokens included, at most 128.
 * tokenizers.js ignores the "padding"/"truncation" sections of tokenizer.json (the one we
 * ship pads to 128), so encode() returns exactly the tokens and we truncate here.
 */
export function queryTokenizer(tokJson, maxTokens) {
  const tokenizer = new Tokenizer(tokJson, {});
  const sigma = lowercases(tokJson.normalizer);
  return function ids(text) {
    text = String(text);
    if (sigma) text = text.replace(/\u03A3/g, "\u03C3");
    const ids = tokenizer.encode(text).ids;
    // HF truncates a single sequence to max − 2 tokens and then adds [CLS] … [SEP]:
    // the same as keeping the first max − 1 ids and the closing special token.
    return ids.length > maxTokens ? [...ids.slice(0, maxTokens - 1), ids[ids.length - 1]] : ids;
  };
}
