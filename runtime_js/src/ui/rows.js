// A table row of a passage (shared/rows.js) as a small two-column table: the row's key in
// bold across the top, then one "Header | value" line per cell, which stays readable at the
// panel's width however many columns the page's table had. Text nodes only.

import { tokenize } from "../shared/lexical.js";
import { parseRow } from "../shared/rows.js";
import { h } from "./dom.js";

/** The row's element, or null when `text` is not a row line; a marked row is highlighted whole. */
export function rowNode(text, hit) {
  const row = parseRow(text);
  if (!row) return null;
  const body = h("tbody");
  if (row.key) body.append(h("tr", null, h("th", { class: "row-key", colspan: 2, scope: "colgroup" }, row.key)));
  for (const c of row.cells) {
    body.append(c.header ? h("tr", null, h("th", { scope: "row" }, c.header), h("td", null, c.value)) : h("tr", null, h("td", { colspan: 2 }, c.value)));
  }
  return h("table", { class: hit ? "row hit" : "row" }, body);
}

/**
 * How many of the question's terms (a Set) name the row: those in its key, the cell that says
 * what the row is about ("Germany…" in a delivery table); 0 for a line that is not a row. A
 * window of text counts them once more, so the row a question names wins over a line that
 * only shares the table's topic with it.
 */
export function keyHits(text, terms) {
  const row = parseRow(text);
  return row && row.key ? new Set(tokenize(row.key).filter((t) => terms.has(t))).size : 0;
}
