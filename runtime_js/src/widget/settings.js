// The bot's settings: sitebot.json's `settings` (docs/bundle-format.md), with the script
// tag's data-* attributes over them, and what they imply (which parts to load, which of
// the owner's texts replace the translated defaults).

import { FORMAT_VERSION } from "../shared/format.js";
import { warn } from "./warn.js";

const DATA_KEYS = ["title", "accent", "position", "open", "greeting", "placeholder", "lang", "shortcut", "preload", "theme"];
// The bot texts an owner may set, as UI string key → settings key.
const TEXTS = { title: "title", greeting: "greeting", placeholder: "placeholder", notFound: "not_found" };

/** loadManifest(base) → the bundle's sitebot.json, or null (with a warning) when it is unusable. */
export async function loadManifest(base) {
  const url = new URL("sitebot.json", base).href;
  let manifest;
  try {
    const res = await fetch(url, { cache: "no-cache" });
    if (!res.ok) {
      warn(`${url} answered HTTP ${res.status}; deploy the whole bundle folder, sitebot.json next to widget.js`);
      return null;
    }
    manifest = await res.json();
  } catch (err) {
    warn(`could not read ${url} (${err.message}); if the bundle is on another origin, serve it with CORS headers`);
    return null;
  }
  if (!manifest || manifest.format !== FORMAT_VERSION) {
    warn(
      `${url} has format ${manifest && manifest.format}, this widget.js reads format ${FORMAT_VERSION}; ` +
        "deploy widget.js and sitebot.json from the same `sitebot generate` run",
    );
    return null;
  }
  return manifest;
}

/** Settings from the script's data-* attributes (`data`: its dataset) override those of sitebot.json. */
export function readSettings(manifest, data) {
  const settings = { ...manifest.settings };
  for (const key of DATA_KEYS) if (data[key] != null) settings[key] = data[key];
  if (data.notFound != null) settings.not_found = data.notFound;
  return settings;
}

/** LLM mode needs its settings (docs/llm.md); without them the bot stays extractive. */
export function llmMode(settings) {
  if (settings.mode !== "llm") return false;
  const llm = settings.llm;
  if (llm && llm.endpoint && llm.prompt) return true;
  warn("sitebot.json has mode \"llm\" but no complete settings.llm (endpoint, prompt); answering extractively. Run sitebot generate with an [llm] section");
  return false;
}

/** Whether the bot needs the support part (handoff, lead form, feedback or scope rules). */
export const wantsSupport = (settings) => ["handoff", "lead", "feedback", "scope"].some((k) => settings[k]);

/**
 * The owner's texts over the UI strings `strings` (in place). A text the owner did not
 * set is null or missing in sitebot.json and keeps the translated default; so does one
 * equal to the English default `english`, which older bundles wrote when none was given.
 */
export function applyOwnerTexts(strings, settings, english) {
  for (const [key, name] of Object.entries(TEXTS)) {
    const value = settings[name];
    if (value != null && value !== "" && value !== english[key]) strings[key] = String(value);
  }
  if (settings.name) strings.title = String(settings.name);
}

/**
 * The site title an LLM prompt gets when settings.llm has none (docs/llm.md): the owner's
 * title, else the English default title, as when sitebot.json still held it.
 */
export const siteTitle = (settings, english) => (settings.title == null ? english.title : settings.title);
