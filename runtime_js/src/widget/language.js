// The panel's language and its strings: data-lang, else settings.lang, else the page's
// <html lang>. English is built in; the other languages come from the bundle's i18n.json
// (ui/strings.js), fetched only for a page in one of them.

import { primary } from "../shared/strings.js";
import { LANGS, makeStrings } from "../ui/strings.js";
import { applyOwnerTexts } from "./settings.js";
import { warn } from "./warn.js";

/** loadStrings(base, settings) → {tag: the primary language subtag, strings: the UI strings, the owner's texts applied}. */
export async function loadStrings(base, settings) {
  const tag = primary(settings.lang || document.documentElement.lang);
  const strings = makeStrings(tag, LANGS.includes(tag) ? await loadTranslations(base) : undefined);
  applyOwnerTexts(strings, settings, makeStrings());
  return { tag, strings };
}

// The bundle's i18n.json ({lang: lines}), or undefined (English) when it cannot be read.
async function loadTranslations(base) {
  const url = new URL("i18n.json", base).href;
  try {
    const res = await fetch(url, { cache: "no-cache" });
    if (res.ok) return await res.json();
    warn(`${url} answered HTTP ${res.status}, so the panel is in English; deploy the whole bundle folder`);
  } catch (err) {
    warn(`could not read ${url} (${err.message}), so the panel is in English`);
  }
}
