// Extractive answers: the best passages of the search results, each cut to a short window
// around the one or two units (sentences, or a table row) that best answer the question,
// those marked and the rest of the window left as context (shared/marking.js chooses).
// Everything here builds text nodes; page text is never parsed as HTML.

import { chooseMarks, lexicalShares, pickPassages, unitsOf } from "../shared/marking.js";
import { safeHref } from "../shared/url.js";
import { h } from "./dom.js";
import { label } from "./label.js";
import { rowNode } from "./rows.js";

const MAX_CHARS = 600;
const CONTEXT_CHARS = 240; // a sentence of context before the marks longer than this is left out

/**
 * Up to 3 passages (2 per page at most), best first: [{url, title, heading, before, segments, after}].
 * `queryTerms` are the question's terms as the engine tokenized them (the `terms` of its
 * results message). Each result's `units` (the engine's unit scores) choose the marks; a
 * result without them (an older engine) is marked by its words alone.
 */
export function extractPassages(results, queryTerms) {
  return pickPassages(results).map((i) => {
    const r = results[i];
    return { url: r.url, title: r.title, heading: r.heading, ...trim(r.text, r.units, queryTerms) };
  });
}

// The marked units with one unit of context either side, capped at MAX_CHARS on a word
// boundary. With nothing marked, the window is the start of the passage.
function trim(text, units, terms) {
  const sentences = unitsOf(text);
  const scores =
    units && units.length === sentences.length
      ? units
      : lexicalShares(sentences, terms || [], () => 1).map((l) => ({ dense: null, lexical: l }));
  const marks = chooseMarks(scores);
  const marked = new Set(marks);
  let start = marks.length ? Math.max(0, marks[0] - 1) : 0;
  if (marks.length && start < marks[0] && sentences[start].length > CONTEXT_CHARS) start = marks[0];
  const end = Math.min(sentences.length, marks.length ? marks[marks.length - 1] + 2 : 3);
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
    segments.push({ text: s, hit: marked.has(i) });
    room -= s.length + 1;
  }
  if (segments.length < end - start) after = true;
  return { before: start > 0, segments, after };
}

/** The passage as plain text, with "…" where sentences were left out. */
export function passageText(p) {
  return (p.before ? "… " : "") + p.segments.map((s) => s.text).join(" ") + (p.after ? " …" : "");
}

/** The passage's marked text ("" when nothing is marked): ask() returns it per citation. */
export function markedText(p) {
  return p.segments
    .filter((s) => s.hit)
    .map((s) => s.text)
    .join(" ");
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
    result: {
      answer: passages.map(passageText).join("\n\n"),
      citations: passages.map((p) => ({ url: p.url, title: p.title })),
      marked: passages.map(markedText),
    },
  };
}

/** The answer's DOM: a lead line and one card per passage. */
export function renderPassages(passages, strings) {
  const list = h("div", { class: "cards" });
  for (const p of passages) {
    const href = safeHref(p.url);
    const label = passageLabel(p);
    const text = h("div", { class: "excerpt" }, p.before ? "… " : null);
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
