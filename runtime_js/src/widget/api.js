// window.sitebot, the page's API (docs/bundle-format.md, "`window.sitebot`"). Every method
// waits for the bot to load; one that cannot load rejects, pointing at the console warning.

import { FORMAT_VERSION } from "../shared/format.js";

/**
 * publicApi(loaded, onDestroy) → the window.sitebot object.
 * `loaded` resolves with the app (widget/app.js) or null; `onDestroy()` tears it down.
 */
export function publicApi(loaded, onDestroy) {
  async function engine() {
    const a = await loaded;
    if (!a) throw new Error("sitebot is not available on this page (see the [sitebot] console warning)");
    return a;
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
      return a.answer(String(question), a.ui.isOpen());
    },
    /** embed("text") → the query vector, as the engine computes it */
    async embed(text) {
      const { client } = await engine();
      return (await client.request({ type: "embed", text: String(text) })).vector;
    },
    /**
     * ready() → once the lexical index is loaded; ready({semantic: true}) → and vectors answer
     * (the lite path's or the model's); ready({model: true}) → and the best path this visitor
     * gets: the model's, or the lite path's where the model is off for them
     */
    async ready({ model = false, semantic = false } = {}) {
      const { client } = await engine();
      await client.ready(model ? "model" : semantic ? "semantic" : "lexical");
    },
    /** status() → {lexical, lite, model}, each "loading", "ready", "failed" or "off" */
    async status() {
      const { client } = await engine();
      return { ...client.status };
    },
    /** handoff() → opens the panel on the ways to reach a person (when the bot has [handoff]) */
    handoff: () => loaded.then((a) => void (a && a.support && (a.ui.open(true), a.support.handoff()))),
    /** lead() → opens the panel on the contact form (when the bot has [lead]) */
    lead: () => loaded.then((a) => void (a && a.support && (a.ui.open(true), a.support.lead()))),
    open: () => loaded.then((a) => void (a && a.ui.open(true))),
    close: () => loaded.then((a) => void (a && a.ui.close(false))),
    /** Removes everything widget.js added and stops the engine. */
    destroy() {
      onDestroy();
      if (window.sitebot === api) delete window.sitebot;
    },
  };
  return api;
}
