// A BERT WordPiece tokenizer for the lite query path: the same ids as the HF tokenizers
// (Rust) library gives for tokenizer.encode(text).ids, from the bundle's vocabulary file
// (docs/bundle-format.md "Vocabulary file (lite path)"), without @huggingface/tokenizers.
// The settings come from generator/sitebot/index/vocab.py, which refuses any tokenizer.json
// this module cannot reproduce.

// Rust's char::is_whitespace (Unicode White_Space); \s would add U+FEFF and miss U+0085.
const WS = "\\t\\n\\v\\f\\r \\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000";
const SPACES = new RegExp(`[${WS}]`, "gu");
// tokenizers takes its categories (Mn, P*, Cf…) from the unicode_categories crate, whose tables
// predate Unicode 10: to it, every character assigned since (and unassigned ones) is a plain
// letter. These are the ranges where the browser's \p{…} says otherwise, as "gap,length"
// pairs in base 36 (found by running both over every code point). Four changed category since:
// punctuation (U+166D, U+111C9) and nonspacing marks (U+1734, U+1171E) to the crate.
const NEWER =
  "17h,0 dc,0 43,f 17,o 7v,3 3a,a 3e,6 2d,0 4v,0 1k,0 1n,0 d,0 3g,0 1n,1 1x,0 8p,0 k,1 1ts,0 3a,1 ft,1s 27,1 1a,2 hj,5 37s,c 3,19 o19,3 46,8 1e,0 5a,0 jmv,b 1m,5 8t,4 x,0 16,5 1z,a 5,q j,19 5d,0 3,1 26,d 6y,0 6,0 33,0 3,1q 58,0 3k,6 d,0 2,0 2,0 2,17 1l,7 3,2 2,0 5,4 b,4 ea,v 1m,6 2n,0 7l,8 2,2u 4c,1 2,0 5,c 3p,7 5,0 2,0 v,9 15,5 3,k 2,5 3,2 1b,c 2,4 2,h 29,2o 2,2 2,0 3f,e 1t,d 2,0 2,e x,1 x,m 2,6 2,1 2,22 1e,k 2,8 1t,2 3,0 2,0 9o,1 3,a 1h,7 3,0 2,d b,2d 28,0 35e,e tt,g 7,o 8u7,b 4,2 2f2,2 88,8 4w,0 43,0 2,b is1,27 3ap,1b 2o,34 1d,6 ag,h 19,3 e5,3 73,1 g,5c 10,0 3,0 8,1 6,8 g7,6 k,lu";
let at = 0;
const LETTER = `[${NEWER.split(" ")
  .map((pair) => {
    const [gap, len] = pair.split(",").map((n) => parseInt(n, 36));
    return `\\u{${(at += gap).toString(16)}}-\\u{${(at += len).toString(16)}}`;
  })
  .join("")}]`;
// BertNormalizer's clean_text drops NUL, U+FFFD and Unicode "other" (Cc, Cf, Co, Cs) but \t\n\r.
const OTHER = new RegExp(`(?!${LETTER})[\\0\\uFFFD\\p{Cc}\\p{Cf}\\p{Co}\\p{Cs}]`, "gu");
// The CJK blocks BERT spaces out, as in tokenizers' is_chinese_char.
const CJK =
  /[\u4E00-\u9FFF\u3400-\u4DBF\u{20000}-\u{2A6DF}\u{2A700}-\u{2B73F}\u{2B740}-\u{2B81F}\u{2B920}-\u{2CEAF}\uF900-\uFAFF\u{2F800}-\u{2FA1F}]/gu;
const MN = new RegExp(`[\\u1734\\u{1171E}]|(?!${LETTER}|\\u{111C9})\\p{Mn}`, "gu");
// Pre-tokens: each punctuation char alone (ASCII punctuation or Unicode P*), runs of the rest.
const PUNCT = `(?:[!-/:-@[-\`{-~\\u166D\\u{111C9}]|(?!${LETTER})\\p{P})`;
const WORDS = new RegExp(`${PUNCT}|(?:(?!${PUNCT})[^${WS}])+`, "gu");

function keep(c) {
  return c === "\t" || c === "\n" || c === "\r" ? c : "";
}

/**
 * vocabularyRows(vocabText, settings) → the file's tokens, row by row. In "sorted" order each
 * row is front-coded: one base-36 digit, the count of UTF-16 units it shares with the row before,
 * then the rest ("0apple", "4y" for "apply").
 */
export function vocabularyRows(vocabText, settings) {
  const rows = String(vocabText).split("\n");
  if (settings && settings.order === "sorted") {
    let prev = "";
    for (let i = 0; i < rows.length; i++) rows[i] = prev = prev.slice(0, parseInt(rows[i][0], 36)) + rows[i].slice(1);
  }
  return rows;
}

/**
 * wordpieceTokenizer(vocabText, settings, 128) → (text) → rows, special tokens included,
 * at most 128, as tokens.js gives ids on the full path; its `words.has(t)` says whether t is
 * one of the vocabulary's whole words (neither "##" continuations nor [bracketed] specials: the
 * words notfound.js vocabulary(tokenizerJson) gives). A row is the token's model id when
 * settings.order is "id"; in "sorted" order it is its row in the file (vocab.py maps rows to ids).
 * @param {string} vocabText the vocabulary file
 * @param {{lowercase: boolean, strip_accents: boolean, clean_text: boolean, chinese_chars: boolean,
 *   prefix: string, unk: number, max_chars: number, cls: number|null, sep: number|null,
 *   specials: Object<string, number>, order: "id"|"sorted"}} settings vocab.py's settings (for sitebot.json)
 * @param {number} maxTokens
 */
export function wordpieceTokenizer(vocabText, settings, maxTokens) {
  const s = settings;
  const vocab = new Map();
  vocabularyRows(vocabText, s).forEach((t, i) => vocab.set(t, i));
  const cache = new Map();
  // Special tokens are matched in the raw text first, longest first at the leftmost place.
  const names = Object.keys(s.specials || {}).sort((a, b) => b.length - a.length);
  const specials = names.length ? new RegExp(`(${names.map((n) => n.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&")).join("|")})`) : null;

  function normalize(text) {
    if (s.clean_text) text = text.replace(OTHER, keep).replace(SPACES, " ");
    if (s.chinese_chars) text = text.replace(CJK, " $& ");
    if (s.strip_accents) text = text.normalize("NFD").replace(MN, "");
    // Rust lowercases char by char, so Σ is always σ (toLowerCase gives ς at a word's end).
    if (s.lowercase) text = text.replace(/\u03A3/g, "\u03C3").toLowerCase();
    return text;
  }

  // Greedy longest-match-first; a word with an unmatched remainder is one [UNK].
  function pieces(w) {
    const chars = Array.from(w);
    if (chars.length > s.max_chars) return [s.unk];
    const ids = [];
    for (let start = 0; start < chars.length; ) {
      let end = chars.length;
      let id;
      for (; end > start; end--) {
        id = vocab.get((start ? s.prefix : "") + chars.slice(start, end).join(""));
        if (id !== undefined) break;
      }
      if (id === undefined) return [s.unk];
      ids.push(id);
      start = end;
    }
    return ids;
  }

  function word(w, out) {
    let ids = cache.get(w);
    if (!ids) {
      if (cache.size > 5000) cache.clear();
      cache.set(w, (ids = pieces(w)));
    }
    for (const id of ids) out.push(id);
  }

  function ids(text) {
    const out = [];
    const parts = specials ? String(text).split(specials) : [String(text)];
    parts.forEach((part, i) => {
      if (i % 2) out.push(s.specials[part]);
      else for (const [w] of normalize(part).matchAll(WORDS)) word(w, out);
    });
    const body = s.cls == null ? out : [s.cls, ...out, s.sep];
    if (body.length <= maxTokens) return body;
    // HF truncates the text to max − 2 tokens, then adds [CLS] … [SEP].
    return s.cls == null ? body.slice(0, maxTokens) : [...body.slice(0, maxTokens - 1), s.sep];
  }
  // The whole words read from the map built above: a Set of them took another
  // 30 ms of decoding before a first question's token rows could be fetched.
  ids.words = { has: (t) => vocab.has(t) && !t.startsWith("##") && !t.startsWith("[") };
  return ids;
}
