// A table row of a passage (shared/rows.js) as a small two-column table: the row's key in
// bold across the top, then one "Header | value" line per cell, which stays readable at the
// panel's width however many columns the page's table had. Text nodes only.

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
