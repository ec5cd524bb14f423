// widget.js — the only file a host page loads up front:
//   <script src="https://cdn.example/chatbot/widget.js" defer data-title="Help"></script>
// It finds its bundle from its own URL, reads sitebot.json, draws the launcher in a
// shadow root and defines window.sitebot. The engine Worker starts on first open or on
// the first API call. Nothing here may throw into the host page: problems are one
// console.warn("[sitebot] …") each, with the cause and the fix.

import { extractive } from "./ui/answer.js";
import { loadPart } from "./widget/parts.js";
import { createClient } from "./widget/engine-client.js";
import { h } from "./ui/dom.js";
import { mountUI } from "./ui/panel.js";
import { LANGS, makeStrings, primary } from "./ui/strings.js";
import { FORMAT_VERSION } from "./shared/format.js";

const UI_RESULTS = 4; // results fetched per question asked in the panel
const DATA_KEYS = ["title", "accent", "position", "open", "greeting", "placeholder", "lang", "shortcut", "preload", "theme"];

const warned = new Set();
function warn(message) {
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(`[sitebot] ${message}`);
}

try {
  if (window.sitebot && window.sitebot.destroy && window.sitebot.version) {
    warn("widget.js is included twice on this page; remove one of its <script> tags");
  } else {
    const script = ownScript();
    if (script) window.sitebot = createSitebot(script);
    else warn("could not find its own <script> tag; load widget.js with <script src=… defer>");
  }
} catch (err) {
  warn(`could not start: ${err && err.message}`);
}

// document.currentScript can be clobbered by an element named "currentScript", hence the
// type check; it is null for module scripts, hence the fallback by file name.
function ownScript() {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && current.src) return current;
  const found = document.querySelector('script[src*="widget.js"]');
  return found instanceof HTMLScriptElement ? found : null;
}

function createSitebot(script) {
  const base = new URL(".", script.src).href;
  let app = null; // {ui, client, strings, llm} once sitebot.json has loaded
  let destroyed = false;

  const loaded = loadManifest(base).then(async (manifest) => {
    if (!manifest || destroyed) return null;
    const settings = readSettings(manifest, script.dataset);
    // data-lang, else settings.lang, else the page's <html lang>; English is built in.
    const tag = primary(settings.lang || document.documentElement.lang);
    // The optional parts load alongside the translation; one that fails is left out.
    const part = (name, wanted) =>
      wanted && manifest.runtime[name]
        ? loadPart(base, manifest.runtime[name]).catch((err) => warn(`${err.message}; the bot works without its ${name} part`))
        : null;
    const [translation, llmPart, supportPart] = await Promise.all([
      LANGS.includes(tag) && loadTranslation(base, tag),
      part("llm", llmMode(settings)),
      part("support", ["handoff", "lead", "feedback", "scope"].some((k) => settings[k])),
    ]);
    const strings = makeStrings(tag, translation);
    if (destroyed) return null;
    // The owner's texts win, except those equal to the English defaults (which
    // `sitebot generate` writes when none is given): those follow the language.
    const en = makeStrings();
    for (const key of ["title", "greeting", "placeholder", "notFound"]) {
      const value = settings[key === "notFound" ? "not_found" : key];
      if (value && value !== en[key]) strings[key] = String(value);
    }
    if (settings.name) strings.title = String(settings.name);
    const client = createClient(base, manifest, warn);
    const llm = llmPart ? llmPart.createLLM({ llm: settings.llm, title: settings.title, strings, client, base, warn }) : null;
    // The conversation, kept across pages of the site for this tab: {o: open, t: [{q, a: record}]}.
    const key = `sitebot:${base}`;
    const read = () => {
      try {
        return JSON.parse(sessionStorage.getItem(key)) || {}; // sessionStorage throws in some privacy modes
      } catch {
        return {};
      }
    };
    const saved = read();
    const past = Array.isArray(saved.t) ? saved.t : [];
    if (llm) for (const { q, a } of past) llm.conversation.push({ q, a: (a && a.m) || null });
    let support = null;
    const save = (state) => {
      try {
        sessionStorage.setItem(key, JSON.stringify(state));
      } catch {}
    };
    const ui = mountUI({
      strings,
      theme: themeCss(settings.accent),
      position: settings.position === "left" ? "left" : "right",
      shortcut: String(settings.shortcut) !== "false",
      // The privacy line is true only when nothing is sent anywhere.
      note: llm ? strings.aiNote : settings.mode === "llm" || (settings.feedback && settings.feedback.webhook) ? null : strings.privacy,
      brand: { avatar: settings.avatar && new URL(settings.avatar, base).href, launcher: settings.launcher_text },
      renderLLM: llmPart && llmPart.renderRecord,
      onOpen: () => client.start(),
      onClose: () => llm && llm.stop(true), // nobody reads an answer streaming into a closed panel
      onAsk: (question) => answer(question, true).catch(() => {}),
      starters: Array.isArray(settings.starters) ? settings.starters : [],
      past,
      onSave: (t, o) => save({ o, t, a: 1 }),
      onReset: () => (llm && (llm.stop(), (llm.conversation.length = 0)), support && support.reset()),
      onKeep: (q, rec, node) => support && support.kept(q, rec, node),
    });
    if (llmPart) ui.styles(llmPart.css);
    const untheme = followTheme(ui, settings.theme);
    if (supportPart) {
      support = supportPart.createSupport({ settings, manifest, ui, client, lang: tag, base, warn, ask: (q) => answer(q, true).catch(() => {}) });
    }
    app = { ui, client, strings, llm, support, untheme };
    if (saved.o || String(settings.open) === "true") ui.open(false); // do not steal focus at load
    else if (settings.preload === "idle") (window.requestIdleCallback || setTimeout)(() => client.start());
    // Opens by itself once per visit: a visitor who closed it is not asked again.
    // Once per visit, and not for a visitor who has opened it already (`a` in the saved state).
    if (settings.open_after > 0 && !saved.a) setTimeout(() => app && !read().a && ui.open(false), settings.open_after * 1000);
    return app;
  });

  async function engine() {
    const a = await loaded;
    if (!a) throw new Error("sitebot is not available on this page (see the [sitebot] console warning)");
    return a;
  }

  // One question → the answer (extractive, or the LLM's in llm mode); shown in the panel
  // when `render` is true. A newer question supersedes an older one in the panel (its
  // answer is dropped there, its stream stopped).
  // support.js may route a question away from answering (a wish for a person, a topic
  // the owner ruled out), and offers a person or a form after some answers.
  async function answer(question, render) {
    const a = await engine();
    const ui = render ? a.ui : null;
    const routed = a.support && (await a.support.route(question, ui));
    if (routed) return routed;
    const result = a.llm ? await a.llm.ask(question, ui) : await extractiveAnswer(a, question, ui);
    if (a.support) a.support.after(question, result, ui);
    return result;
  }

  async function extractiveAnswer(a, question, ui) {
    const settle = ui ? ui.turn(question) : null;
    try {
      const msg = await a.client.request({ type: "search", query: question, k: UI_RESULTS });
      const { node, rec, result } = extractive(msg, a.strings);
      if (settle) settle(node, rec);
      return result;
    } catch (err) {
      if (settle) settle(h("p", { class: "msg bot" }, a.strings.error));
      throw err;
    }
  }

  const api = {
    version: FORMAT_VERSION,
    /** search("refund policy", {k: 5}) → [{url, title, heading, score, text}] best first */
    async search(query, { k = 5 } = {}) {
      const { client } = await engine();
      const msg = await client.request({ type: "search", query: String(query), k });
      return msg.results.map(({ url, title, heading, score, text }) => ({ url, title, heading, score, text }));
    },
    /** ask("Can I get a refund?") → {answer, citations: [{url, title}]} */
    async ask(question) {
      const a = await engine();
      return answer(String(question), a.ui.isOpen());
    },
    /** embed("text") → the query vector, as the engine computes it */
    async embed(text) {
      const { client } = await engine();
      return (await client.request({ type: "embed", text: String(text) })).vector;
    },
    /** ready() → once the lexical index is loaded; ready({model: true}) → and the model */
    async ready({ model = false } = {}) {
      const { client } = await engine();
      await client.ready(Boolean(model));
    },
    /** handoff() → opens the panel on the ways to reach a person (when the bot has [handoff]) */
    handoff: () => loaded.then((a) => void (a && a.support && (a.ui.open(true), a.support.handoff()))),
    /** lead() → opens the panel on the contact form (when the bot has [lead]) */
    lead: () => loaded.then((a) => void (a && a.support && (a.ui.open(true), a.support.lead()))),
    open: () => loaded.then((a) => void (a && a.ui.open(true))),
    close: () => loaded.then((a) => void (a && a.ui.close(false))),
    /** Removes everything widget.js added and stops the engine. */
    destroy() {
      destroyed = true;
      if (app) {
        if (app.llm) app.llm.stop();
        if (app.support) app.support.reset();
        app.untheme();
        app.ui.destroy();
        app.client.terminate();
        app = null;
      }
      if (window.sitebot === api) delete window.sitebot;
    },
  };
  return api;
}

// LLM mode needs its settings (docs/llm.md); without them the bot stays extractive.
function llmMode(settings) {
  if (settings.mode !== "llm") return false;
  const llm = settings.llm;
  if (llm && llm.endpoint && llm.prompt) return true;
  warn("sitebot.json has mode \"llm\" but no complete settings.llm (endpoint, prompt); answering extractively. Run sitebot generate with an [llm] section");
  return false;
}

async function loadManifest(base) {
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

// The UI strings in language `tag` from the bundle's i18n.json (ui/strings.js), or
// undefined (English) when it cannot be read.
async function loadTranslation(base, tag) {
  const url = new URL("i18n.json", base).href;
  try {
    const res = await fetch(url, { cache: "no-cache" });
    if (res.ok) return (await res.json())[tag];
    warn(`${url} answered HTTP ${res.status}, so the panel is in English; deploy the whole bundle folder`);
  } catch (err) {
    warn(`could not read ${url} (${err.message}), so the panel is in English`);
  }
}

// Settings from the script's data-* attributes override those of sitebot.json.
function readSettings(manifest, data) {
  const settings = { ...manifest.settings };
  for (const key of DATA_KEYS) if (data[key] != null) settings[key] = data[key];
  if (data.notFound != null) settings.not_found = data.notFound;
  return settings;
}

// Light or dark: as the settings say, else like the page: its background when it has one,
// else its color-scheme (following the system when the page allows dark). Re-checked when
// the page switches theme (class or data-theme on <html>/<body>) or the system does.
function followTheme(ui, theme) {
  if (theme === "dark" || theme === "light") return ui.dark(theme === "dark"), () => {};
  const system = matchMedia("(prefers-color-scheme: dark)");
  const update = () => ui.dark(pageIsDark(system.matches));
  const watch = new MutationObserver(update);
  for (const el of [document.documentElement, document.body]) if (el) watch.observe(el, { attributes: true, attributeFilter: ["class", "style", "data-theme", "data-bs-theme", "data-mode"] });
  system.addEventListener("change", update);
  update();
  return () => (watch.disconnect(), system.removeEventListener("change", update));
}

function pageIsDark(systemDark) {
  for (const el of [document.body, document.documentElement]) {
    const [r, g, b, alpha = 1] = ((el && getComputedStyle(el).backgroundColor) || "").match(/[\d.]+/g) || [];
    if (b != null && alpha > 0.5) return 0.299 * r + 0.587 * g + 0.114 * b < 128;
  }
  const scheme = getComputedStyle(document.documentElement).colorScheme || "";
  return scheme.includes("dark") && (systemDark || !scheme.includes("light"));
}

// The accent goes into the stylesheet, not a style attribute (strict CSP), so it must be
// a plain colour: anything else could inject CSS.
function themeCss(accent) {
  if (!accent) return "";
  const value = String(accent).trim();
  if (!/^(#[\da-f]{3,8}|[a-z]{3,20}|(rgb|hsl)a?\([\d\s.,%/a-z]{1,40}\))$/i.test(value)) {
    warn(`ignored accent ${JSON.stringify(value)}: use a CSS colour such as #2563eb`);
    return "";
  }
  return `:host{--sitebot-accent:${value};--sitebot-accent-text:${readableOn(value)}}`;
}

// White text on dark accents, near-black on light ones (hex accents; others get white).
function readableOn(color) {
  let hex = color.slice(1);
  if (color[0] !== "#" || (hex.length !== 3 && hex.length !== 6)) return "#fff";
  if (hex.length === 3) hex = [...hex].map((c) => c + c).join("");
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.3 ? "#111" : "#fff";
}
