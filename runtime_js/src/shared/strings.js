// The one string-table helper of the widget and its parts. A table is text, one line per
// key in the order of its `keys`, so a translation reads like the English it mirrors and
// costs no key names; a missing language or line falls back to English.

/** The primary language subtag of a BCP 47 tag: "fr-CA" → "fr". */
export const primary = (lang) => String(lang || "").toLowerCase().split("-")[0];

/**
 * pickStrings(keys, english, tables, tag) → {key: text} in language `tag`.
 * `english` is the English table; `tables` is {lang: table} (or undefined: English).
 */
export function pickStrings(keys, english, tables, tag) {
  const en = english.split("\n");
  // Own keys only: a page whose lang is "constructor" must not reach Object's.
  const table = tables && Object.prototype.hasOwnProperty.call(tables, tag) ? tables[tag] : null;
  const lines = String(table || english).split("\n");
  const out = {};
  keys.forEach((k, i) => (out[k] = lines[i] || en[i]));
  return out;
}
