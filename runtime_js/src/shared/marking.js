// Which passages an extractive answer shows, and which of their units (sentences, or a
// table row kept on one line) it marks. Shared by the engine, which scores the units of
// the shown passages only, and the widget, which picks and marks them: both must split and
// pick the same way, or the scores would land on the wrong sentences.

import { splitSentences, tokenize } from "./lexical.js";

export const MAX_PASSAGES = 3;
export const MAX_PER_PAGE = 2;
// How much of the vector score a full lexical match is worth: a tie-breaker (0, 0.3 and 1
// marked the answer equally often on the demo questions, bench/marking.py).
const LEXICAL_WEIGHT = 0.3;
// A second, adjacent unit is marked only when it scores nearly as well as the best: an
// answer that runs over two sentences ("The window is 30 days. It starts on delivery.").
// Two far-apart marks would scatter the eye and could not share one short window. The
// sentence closest to a question is often the one restating the visitor's situation, and
// the answer follows it: 0.75 marked the answer more often than 0.9 (bench/marking.py).
const SECOND = 0.75;
// Below this a card's best unit is more likely a guess than the answer: nothing is marked.
// On the demo questions the cards left unmarked were all on pages other than the target.
const WEAK = 0.3;

/** The passage text's units, as the card shows them. */
export function unitsOf(text) {
  return splitSentences(String(text || ""))
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Indexes of the results shown as passages: up to 3, at most 2 from one page, best first. */
export function pickPassages(results) {
  const perPage = new Map();
  const picked = [];
  results.forEach((r, i) => {
    if (picked.length === MAX_PASSAGES) return;
    const page = String(r.url).split("#")[0];
    const seen = perPage.get(page) || 0;
    if (seen === MAX_PER_PAGE) return;
    perPage.set(page, seen + 1);
    picked.push(i);
  });
  return picked;
}

/**
 * The IDF-weighted share of the question's terms each unit holds (0 without terms).
 * `idf(term)` is the lexical index's; `stopwords` a Set, as the index tokenizes.
 */
export function lexicalShares(units, terms, idf, stopwords) {
  const weights = terms.map((t) => idf(t));
  const total = weights.reduce((a, b) => a + b, 0);
  return units.map((u) => {
    if (!total) return 0;
    const have = new Set(tokenize(u, stopwords));
    let got = 0;
    terms.forEach((t, i) => have.has(t) && (got += weights[i]));
    return got / total;
  });
}

/**
 * The units to mark, given each unit's {dense, lexical} (dense null before the model is in):
 * the best one, and its neighbour when nearly as good; none when the best is weak.
 */
export function chooseMarks(scores) {
  if (!scores.length) return [];
  const withVectors = scores.every((s) => s.dense != null);
  const value = scores.map((s) => (withVectors ? s.dense + LEXICAL_WEIGHT * s.lexical : s.lexical));
  let best = 0;
  value.forEach((v, i) => v > value[best] && (best = i));
  // Without vectors only words decide: a unit with none of the question's words is no answer.
  if (withVectors ? value[best] < WEAK : value[best] <= 0) return [];
  const marks = [best];
  const next = [best - 1, best + 1].filter((i) => i >= 0 && i < value.length).sort((a, b) => value[b] - value[a])[0];
  if (next != null && value[next] >= SECOND * value[best] && value[next] > 0) marks.push(next);
  return marks.sort((a, b) => a - b);
}
