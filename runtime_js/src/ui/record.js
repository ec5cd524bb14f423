// An answer as data, so a conversation can be stored (sessionStorage) and drawn again on
// the next page, and copied as text. A record is one of
//   {t}           a plain bot message (not found, …)
//   {p}           extractive passages (extractPassages)
//   {m, c, s}     an LLM answer: its Markdown, the passages [{n, url, title, heading}], the source numbers
//   {f, p | t}    an LLM failure message, then the extractive answer

import { safeHref } from "../shared/url.js";
import { passageLabel, passageText, renderPassages } from "./answer.js";
import { h } from "./dom.js";

/**
 * The record's DOM, as the panel first showed it. LLM answers ({m}) are drawn by
 * `renderLLM` from llm.js (loaded in LLM mode only); without it, as plain text.
 */
export function recordNode(r, strings, renderLLM) {
  const plain = r.p ? renderPassages(r.p, strings) : h("p", { class: "msg bot" }, r.t);
  if (r.f) return h("div", { class: "llm" }, h("p", { class: "msg bot" }, r.f), plain);
  if (r.m == null) return plain;
  return renderLLM ? renderLLM(r, strings) : h("p", { class: "msg bot" }, recordText(r, strings));
}

/** The record as plain text for the clipboard: the answer, then its links. */
export function recordText(r, strings) {
  const link = (p) => safeHref(p.url) || p.url;
  if (r.m != null) return [r.m, "", strings.sources + ":", ...r.s.map((n) => `[${n}] ${passageLabel(r.c[n - 1])} ${link(r.c[n - 1])}`)].join("\n");
  return [r.f, r.t, ...(r.p || []).map((p) => `${passageLabel(p)}\n${link(p)}\n${passageText(p)}`)].filter(Boolean).join("\n\n");
}
