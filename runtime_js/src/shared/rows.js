// Row lines: how a table row is written in chunk text (docs/bundle-format.md, "Chunk text").
// The Python generator writes them (generator/sitebot/text/rows.py) with the same rule.

export const SEP = " · ";
// A header is short and has no colon of its own; anything else before ": " is a bare value.
const HEADED = /^([^:\n]{1,80}?): ([\s\S]+)$/;
const MAX_ROW_CHARS = 4000;

/**
 * parseRow("Germany · Carrier: DHL · Standard: 2–3 working days")
 *   → {key: "Germany", cells: [{header: "Carrier", value: "DHL"}, {header: "Standard", value: "2–3 working days"}]}
 * parseRow("Just a sentence: with a colon.") → null
 * A row line is one line of at least two cells joined by " · ", none empty; `key` is "" when
 * the first cell has a header too.
 */
export function parseRow(line) {
  const s = String(line);
  if (s.includes("\n") || s.length > MAX_ROW_CHARS || !s.includes(SEP)) return null;
  const parts = s.split(SEP).map((p) => p.trim());
  if (parts.length < 2 || parts.some((p) => !p)) return null;
  const cells = parts.map((p) => {
    const m = HEADED.exec(p);
    return m ? { header: m[1], value: m[2] } : { header: "", value: p };
  });
  if (!cells[0].header) return { key: cells[0].value, cells: cells.slice(1) };
  return { key: "", cells };
}
