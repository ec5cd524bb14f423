// A passage's label for a visitor: "Page title › Section", without section numbers and
// without repeating itself. DocBook and Sphinx number their headings and repeat the page's
// own heading in the path ("10.3. Virtual Private Network › 10.3. Virtual Private Network ›
// 10.3.4. PPTP"), which reads as noise in a citation.

// "10.3.4. ", "10.3.4 ", "A.1. ", "1. " at the start of a heading; not "A small…" or "2024 plans".
const NUMBER = /^(?:(?:[0-9]+|[A-Z])(?:\.[0-9]+)*\.|[0-9]+(?:\.[0-9]+)+)\s+(?=\S)/;

/** The heading without its leading section number. */
export function unnumbered(text) {
  return String(text || "")
    .trim()
    .replace(NUMBER, "");
}

/**
 * label(title, headingPath) → "Title › Section › Subsection": numbers gone, and a part that
 * repeats the title or the part before it left out. `headingPath` is joined with " › ".
 */
export function label(title, headingPath) {
  const parts = [];
  for (const raw of [title, ...String(headingPath || "").split(" › ")]) {
    const part = unnumbered(raw);
    if (part && !parts.some((p) => p.toLowerCase() === part.toLowerCase())) parts.push(part);
  }
  return parts.join(" › ");
}
