// widget.js — the only file a host page loads up front:
//   <script src="https://cdn.example/chatbot/widget.js" defer data-title="Help"></script>
// It finds its bundle from its own URL, reads sitebot.json, draws the launcher in a
// shadow root and defines window.sitebot. The engine Worker starts on first open or on
// the first API call. Nothing here may throw into the host page: problems are one
// console.warn("[sitebot] …") each, with the cause and the fix (widget/warn.js).
// This file only wires the pieces: settings, strings and parts load in widget/, the bot
// itself starts in widget/app.js, the page's API is widget/api.js.

import { publicApi } from "./widget/api.js";
import { startApp } from "./widget/app.js";
import { loadStrings } from "./widget/language.js";
import { loadPart } from "./widget/parts.js";
import { llmMode, loadManifest, readSettings, wantsSupport } from "./widget/settings.js";
import { warn } from "./widget/warn.js";

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
  let app = null; // widget/app.js once sitebot.json has loaded
  let destroyed = false;
  const loaded = start(base, script.dataset, () => destroyed).then((a) => {
    if (a && destroyed) a.destroy(); // destroyed in the moment between start() and here
    else app = a;
    return a;
  });
  return publicApi(loaded, () => {
    destroyed = true;
    if (app) app.destroy();
    app = null;
  });
}

// sitebot.json, then the strings and the parts the settings ask for, then the bot; null
// when the bundle is unusable (warned) or the page destroyed the bot meanwhile.
async function start(base, data, isDestroyed) {
  const manifest = await loadManifest(base);
  if (!manifest || isDestroyed()) return null;
  const settings = readSettings(manifest, data);
  // The optional parts load alongside the translation; one that fails is left out.
  const part = (name, wanted) =>
    wanted && manifest.runtime[name]
      ? loadPart(base, manifest.runtime[name]).catch((err) => warn(`${err.message}; the bot works without its ${name} part`))
      : null;
  const [{ tag, strings }, llmPart, supportPart] = await Promise.all([
    loadStrings(base, settings),
    part("llm", llmMode(settings)),
    part("support", wantsSupport(settings)),
  ]);
  if (isDestroyed()) return null;
  return startApp({ base, manifest, settings, tag, strings, llmPart, supportPart });
}
