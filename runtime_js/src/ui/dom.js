// A tiny element builder. Children that are strings become text nodes (Node.append does
// that), so page text can never be parsed as HTML: there is no innerHTML anywhere here.

/** h("a", {href, class: "x"}, "text", childNode) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  el.append(...children.filter((c) => c != null && c !== false));
  return el;
}

function setAttrs(el, attrs) {
  for (const name in attrs || {}) {
    const value = attrs[name];
    if (value == null || value === false) continue;
    if (typeof value === "function") el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? "" : value);
  }
}

const SVG = "http://www.w3.org/2000/svg";

/** A 24×24 stroked icon from one path (Feather style); hidden from assistive tech. */
export function icon(d, cls) {
  const svg = document.createElementNS(SVG, "svg");
  if (cls) svg.setAttribute("class", cls);
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", d);
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.append(path);
  return svg;
}

export const ICONS = {
  chat: "M21 11.5a8.4 8.4 0 0 1-.9 3.8 8.5 8.5 0 0 1-7.6 4.7 8.4 8.4 0 0 1-3.8-.9L3 21l1.9-5.7a8.4 8.4 0 0 1-.9-3.8 8.5 8.5 0 0 1 4.7-7.6 8.4 8.4 0 0 1 3.8-.9h.5a8.5 8.5 0 0 1 8 8z",
  close: "M18 6 6 18M6 6l12 12",
  send: "M12 19V5M5 12l7-7 7 7",
  stop: "M7 7h10v10H7z",
  plus: "M12 5v14M5 12h14",
};

/** True when keys typed at this node edit text (so our shortcuts must leave them alone). */
export function isEditable(node) {
  if (!node || node.nodeType !== 1) return false;
  const tag = node.tagName;
  return node.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
}
