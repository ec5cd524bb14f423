// Extractive answers: the best passages of the search results, each trimmed to the few
// sentences around those that share words with the question, those sentences marked.
// Everything here builds text nodes; page text is never parsed as HTML.

import { splitSentences, tokenize } from "../shared/lexical.js";
import { safeHref } from "../shared/url.js";
import { h } from "./dom.js";
import { label } from "./label.js";
import { keyHits, rowNode } from "./rows.js";

const MAX_PASSAGES = 3;
const MAX_PER_PAGE = 2;
const WINDOW = 3; // sentences shown per passage
const MAX_CHARS = 600;

/**
 * Up to 3 passages (2 per page at most), best first: [{url, title, heading, before, segments, after}].
 * `queryTerms` are the question's terms as the engine tokenized them (the `terms` of its
 * results message): stop words already gone, so sentences need no stop-word list.
 */
export function extractPassages(results, queryTerms) {
  const terms = new Set(queryTerms);
  const perPage = new Map();
  const passages = [];
  for (const r of results) {
    if (passages.length === MAX_PASSAGES) break;
    const page = String(r.url).split("#")[0];
    const seen = perPage.get(page) || 0;
    if (seen === MAX_PER_PAGE) continue;
    perPage.set(page, seen + 1);
    passages.push({ url: r.url, title: r.title, heading: r.heading, ...trim(r.text, terms) });
  }
  return passages;
}

// The window of WINDOW consecutive sentences that shares the most question terms (the
// earliest on a tie), capped at MAX_CHARS on a word boundary.
function trim(text, terms) {
  const sentences = splitSentences(String(text || ""))
    .map((s) => s.trim())
    .filter(Boolean);
  const hits = sentences.map((s) => new Set(tokenize(s).filter((t) => terms.has(t))).size + keyHits(s, terms));
  let start = 0;
  let best = -1;
  for (let i = 0; i <= Math.max(0, sentences.length - WINDOW); i++) {
    const score = hits.slice(i, i + WINDOW).reduce((a, b) => a + b, 0);
    if (score > best) [start, best] = [i, score];
  }
  const end = Math.min(sentences.length, start + WINDOW);
  const segments = [];
  let room = MAX_CHARS;
  let after = end < sentences.length;
  for (let i = start; i < end && room > 0; i++) {
    let s = sentences[i];
    if (s.length > room) {
      const cut = s.lastIndexOf(" ", room);
      s = s.slice(0, cut > room / 2 ? cut : room);
      after = true;
    }
    segments.push({ text: s, hit: hits[i] > 0 });
    room -= s.length + 1;
  }
  if (segments.length < end - start) after = true;
  return { before: start > 0, segments, after };
}

/** The passage as plain text, with "…" where sentences were left out. */
export function passageText(p) {
  return (p.before ? "… " : "") + p.segments.map((s) => s.text).join(" ") + (p.after ? " …" : "");
}

/** "Title › Heading" (label.js), or the URL for a page with neither. */
export function passageLabel(p) {
  return label(p.title, p.heading) || p.url;
}

/**
 * The extractive answer to a search's results message: {node, rec, result}; `rec` is its
 * record (record.js) and `result`
 * what ask() resolves with, {answer, citations: [{url, title}]}.
 */
export function extractive(msg, strings) {
  const passages = msg.notFound ? [] : extractPassages(msg.results, msg.terms || []);
  if (!passages.length) return { node: h("p", { class: "msg bot" }, strings.notFound), rec: { t: strings.notFound }, result: { answer: strings.notFound, citations: [] } };
  return {
    node: renderPassages(passages, strings),
    rec: { p: passages },
    result: { answer: passages.map(passageText).join("\n\n"), citations: passages.map((p) => ({ url: p.url, title: p.title })) },
  };
}

/** The answer's DOM: a lead line and one card per passage. */
export function renderPassages(passages, strings) {
  const list = h("div", { class: "cards" });
  for (const p of passages) {
    const href = safeHref(p.url);
    const label = passageLabel(p);
    const text = h("p", { class: "excerpt" }, p.before ? "… " : null);
    p.segments.forEach((s, i) => {
      const row = rowNode(s.text, s.hit); // a table row shows as one
      if (row) text.append(row);
      else text.append(i ? " " : "", s.hit ? h("mark", null, s.text) : s.text);
    });
    if (p.after) text.append(" …");
    list.append(
      h(
        "div",
        { class: "card" },
        href ? h("a", { class: "source", href, target: "_top", rel: "noopener" }, label) : h("span", { class: "source" }, label),
        text,
      ),
    );
  }
  return h("div", { class: "answer" }, h("p", { class: "lead" }, strings.found), list);
}
