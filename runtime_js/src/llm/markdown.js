// The model's Markdown, built element by element with text nodes (never innerHTML), so
// nothing in an answer can run or load: raw HTML stays text, images show their alt text,
// links go only to http(s) pages or to this site. Citations [n], [n, m], [n][m] become
// links to passage n; a number with no passage is dropped.
//   renderMarkdown("**Yes** [1]", passages, strings) → DocumentFragment
//   citedNumbers("See [2][1].", 3) → [1, 2]

import { label } from "../ui/label.js";
import { h } from "../ui/dom.js";
import { safeLink } from "../shared/url.js";

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const ITEM = /^( {0,3})([-*+]|\d{1,9}[.)])(?:[ \t]+|$)/;
const HEADING = /^ {0,3}#{1,6}(?:[ \t]+|$)(.*?)(?:[ \t]+#+)?[ \t]*$/;
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const QUOTE = /^ {0,3}> ?/;
const CITE = /^\[(\d{1,3}(?:[ \t]*,[ \t]*\d{1,3})*)\]/;
const BLANK = /^[ \t]*$/;

/** The answer as DOM; `passages` are [{n, url, title, heading}], n from 1. */
export function renderMarkdown(text, passages, strings) {
  const frag = document.createDocumentFragment();
  frag.append(...blocks(String(text).replace(/\r\n?/g, "\n").split("\n"), { passages, strings }));
  return frag;
}

/** The passage numbers `text` cites (only those 1…count), ascending. */
export function citedNumbers(text, count) {
  const seen = new Set();
  const prose = String(text).replace(/```[\s\S]*?(```|$)|`[^`\n]*`/g, "");
  for (const m of prose.matchAll(/\[(\d{1,3}(?:[ \t]*,[ \t]*\d{1,3})*)\](?!\()/g))
    for (const n of m[1].split(",").map(Number)) if (n >= 1 && n <= count) seen.add(n);
  return [...seen].sort((a, b) => a - b);
}

/** The text without its citation marks (for the conversation history sent back). */
export const stripCitations = (text) => String(text).replace(/[ \t]*\[\d{1,3}(?:[ \t]*,[ \t]*\d{1,3})*\](?!\()/g, "");

function blocks(lines, ctx) {
  const out = [];
  let para = [];
  const flush = () => {
    if (para.length) out.push(h("p", null, ...inline(para.join("\n").trim(), ctx)));
    para = [];
  };
  for (let i = 0; i < lines.length; ) {
    const line = lines[i];
    let m;
    if ((m = FENCE.exec(line))) {
      flush();
      const code = [];
      const close = new RegExp(`^ {0,3}${m[1][0] === "`" ? "`" : "~"}{${m[1].length},}[ \\t]*$`);
      for (i++; i < lines.length && !close.test(lines[i]); i++) code.push(lines[i]);
      i++;
      out.push(h("pre", null, h("code", null, code.join("\n"))));
    } else if (BLANK.test(line)) {
      flush();
      i++;
    } else if (RULE.test(line)) {
      flush();
      out.push(h("hr"));
      i++;
    } else if ((m = HEADING.exec(line))) {
      flush();
      out.push(h("p", { class: "h" }, h("strong", null, ...inline(m[1], ctx))));
      i++;
    } else if (QUOTE.test(line)) {
      flush();
      const quoted = [];
      for (; i < lines.length && QUOTE.test(lines[i]); i++) quoted.push(lines[i].replace(QUOTE, ""));
      out.push(h("blockquote", null, ...blocks(quoted, ctx)));
    } else if ((m = ITEM.exec(line))) {
      flush();
      i = list(lines, i, ctx, out);
    } else {
      para.push(line);
      i++;
    }
  }
  flush();
  return out;
}

// A list from line i on (items of one kind: bullets or numbers); returns the next line.
// An item holds the lines indented past its marker, so lists nest.
function list(lines, i, ctx, out) {
  const first = ITEM.exec(lines[i]);
  const ordered = /\d/.test(first[2]);
  const el = h(ordered ? "ol" : "ul", ordered && parseInt(first[2], 10) !== 1 ? { start: parseInt(first[2], 10) } : null);
  while (i < lines.length) {
    const m = ITEM.exec(lines[i]);
    if (!m || /\d/.test(m[2]) !== ordered) break;
    const width = m[0].length === lines[i].length ? m[0].length + 1 : m[0].length;
    const item = [lines[i].slice(m[0].length)];
    for (i++; i < lines.length; i++) {
      const line = lines[i];
      const indent = /^[ \t]*/.exec(line)[0].replace(/\t/g, "    ").length;
      if (BLANK.test(line)) {
        // A blank line ends the item unless the next line is indented into it.
        const next = lines[i + 1];
        if (next === undefined || BLANK.test(next) || /^[ \t]*/.exec(next)[0].replace(/\t/g, "    ").length < width) break;
        item.push("");
      } else if (indent >= width) item.push(line.replace(/^[ \t]+/, (s) => " ".repeat(Math.max(0, s.replace(/\t/g, "    ").length - width))));
      else if (ITEM.test(line) || FENCE.test(line) || HEADING.test(line) || QUOTE.test(line) || BLANK.test(item[item.length - 1])) break;
      else item.push(line); // a lazy continuation of the item's paragraph
    }
    const content = blocks(item, ctx);
    // A one-paragraph item shows its text without the paragraph's margins.
    el.append(h("li", null, ...(content.length === 1 && content[0].tagName === "P" && !content[0].className ? [...content[0].childNodes] : content)));
    while (i < lines.length && BLANK.test(lines[i]) && lines[i + 1] !== undefined && ITEM.test(lines[i + 1])) i++;
  }
  out.push(el);
  return i;
}

// Inline Markdown: `code`, **strong**, *em*, [links](url), ![images](url) (alt text
// only), citations, backslash escapes. Everything else is text, HTML included.
function inline(text, ctx) {
  const out = [];
  let buf = "";
  const push = (node) => {
    if (buf) out.push(buf);
    buf = "";
    out.push(node);
  };
  for (let i = 0; i < text.length; ) {
    const c = text[i];
    const rest = text.slice(i);
    let m;
    if (c === "\\" && /^[!-/:-@[-`{-~]$/.test(text[i + 1] || "")) {
      buf += text[i + 1];
      i += 2;
    } else if (c === "`") {
      const run = /^`+/.exec(rest)[0];
      const end = findRun(text, run, i + run.length);
      if (end < 0) {
        buf += run;
        i += run.length;
      } else {
        push(h("code", null, text.slice(i + run.length, end).replace(/^ (.*) $/s, "$1")));
        i = end + run.length;
      }
    } else if ((c === "*" || c === "_") && (m = emphasis(text, i))) {
      push(h(m.strong ? "strong" : "em", null, ...inline(m.inner, ctx)));
      i = m.end;
    } else if ((c === "[" || (c === "!" && text[i + 1] === "[")) && (m = link(text, c === "!" ? i + 1 : i))) {
      if (c === "!") buf += m.label; // an image: never loaded, its alt text stands in
      else {
        const href = safeLink(m.url);
        const kids = inline(m.label, ctx);
        if (href) push(h("a", { href, target: "_top", rel: "noopener nofollow" }, ...kids));
        else for (const k of kids) push(k);
      }
      i = m.end;
    } else if (c === "[" && (m = CITE.exec(rest))) {
      for (const n of m[1].split(",").map(Number)) {
        const p = ctx.passages[n - 1];
        const href = p && safeLink(p.url);
        if (!href) continue; // never a link the passages do not have
        push(h("a", { class: "cite", href, target: "_top", rel: "noopener", title: passageLabel(p), "aria-label": `${ctx.strings.source} ${n}: ${passageLabel(p)}` }, String(n)));
      }
      i += m[0].length;
    } else {
      buf += c;
      i++;
    }
  }
  if (buf) out.push(buf);
  return out;
}

// The closing run of exactly `run` backticks after `from`, or -1.
function findRun(text, run, from) {
  for (let j = text.indexOf(run, from); j >= 0; j = text.indexOf(run, j + 1)) {
    if (text[j - 1] !== "`" && text[j + run.length] !== "`") return j;
    while (text[j + 1] === "`") j++;
  }
  return -1;
}

// **strong** / __strong__ / *em* / _em_ starting at i: {strong, inner, end} or null.
// Delimiters must hug the text; _ must not sit inside a word (snake_case stays text).
function emphasis(text, i) {
  const c = text[i];
  const strong = text[i + 1] === c;
  const d = strong ? c + c : c;
  const after = text[i + d.length];
  if (!after || /\s/.test(after) || (c === "_" && /[\p{L}\p{N}]/u.test(text[i - 1] || ""))) return null;
  for (let j = text.indexOf(d, i + d.length + 1); j >= 0; j = text.indexOf(d, j + 1)) {
    if (/\s/.test(text[j - 1]) || (!strong && (text[j + 1] === c || text[j - 1] === c)) || (c === "_" && /[\p{L}\p{N}]/u.test(text[j + d.length] || ""))) continue;
    if (strong) while (text[j + 2] === c) j++; // "**a *b***": the inner * closes first
    return { strong, inner: text.slice(i + d.length, j), end: j + d.length };
  }
  return null;
}

// [label](url "title") starting at i: {label, url, end} or null.
function link(text, i) {
  let depth = 0;
  let j = i;
  for (; j < text.length; j++) {
    if (text[j] === "\\") j++;
    else if (text[j] === "[") depth++;
    else if (text[j] === "]" && --depth === 0) break;
  }
  if (j >= text.length || text[j + 1] !== "(") return null;
  const m = /^\(\s*(<[^>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(?:\s+("[^"]*"|'[^']*'))?\s*\)/.exec(text.slice(j + 1));
  if (!m) return null;
  return { label: text.slice(i + 1, j), url: m[1].replace(/^<(.*)>$/, "$1"), end: j + 1 + m[0].length };
}

// "Title › Heading" as the extractive cards label a passage (ui/answer.js), without loading them.
function passageLabel(p) {
  return label(p.title, p.heading) || p.url;
}
