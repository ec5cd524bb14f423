// The bot on the page once sitebot.json and its parts have loaded: the engine client, the
// panel, the LLM and support parts when the bot has them, and the conversation they share.

import { extractive } from "../ui/answer.js";
import { h } from "../ui/dom.js";
import { mountUI } from "../ui/panel.js";
import { makeStrings } from "../ui/strings.js";
import { createClient } from "./engine-client.js";
import { openSession } from "./session.js";
import { siteTitle } from "./settings.js";
import { followTheme, themeCss } from "./theme.js";
import { warn } from "./warn.js";

const UI_RESULTS = 4; // results fetched per question asked in the panel

/**
 * startApp({base, manifest, settings, tag, strings, llmPart, supportPart})
 *   → {ui, client, support, answer(question, render), destroy()}
 * `llmPart` and `supportPart` are the loaded parts' exports, or null.
 */
export function startApp({ base, manifest, settings, tag, strings, llmPart, supportPart }) {
  const client = createClient(base, manifest, warn);
  const llm = llmPart ? llmPart.createLLM({ llm: settings.llm, title: siteTitle(settings, makeStrings()), strings, client, base, warn, extractive }) : null;
  const session = openSession(base);
  const saved = session.read();
  const past = Array.isArray(saved.t) ? saved.t : [];
  if (llm) for (const { q, a } of past) llm.conversation.push({ q, a: (a && a.m) || null });
  let support = null;
  let destroyed = false;
  const ask = (question) => answer(question, true).catch(() => {});
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
    onAsk: ask,
    starters: Array.isArray(settings.starters) ? settings.starters : [],
    past,
    onSave: (t, o) => session.save({ o, t, a: 1 }),
    onReset: () => (llm && (llm.stop(), (llm.conversation.length = 0)), support && support.reset()),
    onKeep: (q, rec, node) => support && support.kept(q, rec, node),
  });
  if (llmPart) ui.styles(llmPart.css);
  const untheme = followTheme(ui, settings.theme);
  if (supportPart) support = supportPart.createSupport({ settings, manifest, ui, client, lang: tag, base, warn, ask });
  if (saved.o || String(settings.open) === "true") ui.open(false); // do not steal focus at load
  else if (settings.preload === "idle") (window.requestIdleCallback || setTimeout)(() => client.start());
  // Opens by itself once per visit, and not for a visitor who has opened it already
  // (`a` in the saved state): a visitor who closed it is not asked again.
  if (settings.open_after > 0 && !saved.a) setTimeout(() => !destroyed && !session.read().a && ui.open(false), settings.open_after * 1000);

  // One question → the answer (extractive, or the LLM's in llm mode); shown in the panel
  // when `render` is true. A newer question supersedes an older one in the panel (its
  // answer is dropped there, its stream stopped).
  // support.js may route a question away from answering (a wish for a person, a topic
  // the owner ruled out), and offers a person or a form after some answers.
  async function answer(question, render) {
    const shown = render ? ui : null;
    const routed = support && (await support.route(question, shown));
    if (routed) return routed;
    const result = llm ? await llm.ask(question, shown) : await extractiveAnswer(question, shown);
    if (support) support.after(question, result, shown);
    return result;
  }

  async function extractiveAnswer(question, shown) {
    const settle = shown ? shown.turn(question) : null;
    try {
      const msg = await client.request({ type: "search", query: question, k: UI_RESULTS });
      const { node, rec, result } = extractive(msg, strings);
      // Keywords alone answered because the vectors are still on their way: said so, and improved.
      const early = msg.mode === "lexical" && (client.status.lite === "loading" || client.status.model === "loading");
      if (settle && settle(early ? preliminary(node) : node, rec)) {
        if (early) upgrade(question, settle, node, rec, result);
        else if (msg.mode === "lite") improve(question, settle, result);
      }
      return result;
    } catch (err) {
      if (settle) settle(h("p", { class: "msg bot" }, strings.error));
      throw err;
    }
  }

  // The keyword answer under a note that a better one is coming (read out with it: the log
  // is a polite live region).
  function preliminary(node) {
    return h("div", { class: "prelim" }, h("p", { class: "prelim-note busy" }, strings.prelim), node);
  }

  // Once vectors are in (the lite path's, or the model's), the same question is searched again
  // and the turn's answer is replaced in place (also for turns that newer questions have
  // followed). If none can load, only the note goes: the keyword answer stays, and nothing
  // alarming is said. A keyword answer that turns into "not found" then offers a person, as a
  // first "not found" does.
  async function upgrade(question, settle, plain, rec, first) {
    let better;
    try {
      // The lite path's vectors if they are still coming; else (they gave no vector for this
      // question, or there is no lite path) the model's.
      await client.ready(client.status.lite === "loading" ? "semantic" : "model");
      const msg = await client.request({ type: "search", query: question, k: UI_RESULTS });
      better = extractive(msg, strings);
      settle.replace(better.node, better.rec);
      if (support && first.citations.length && !better.result.citations.length) support.notFound(better.result);
      if (msg.mode === "lite") improve(question, settle, better.result);
    } catch {
      if (!better) settle.replace(plain, rec);
    }
  }

  // A lite answer is replaced in place, silently, by the model's once the model is in (the
  // issue-10 rule, one step further). If the model never comes, the lite answer stays.
  async function improve(question, settle, first) {
    if (client.status.model !== "loading") return;
    try {
      await client.ready("model");
      if (client.status.model !== "ready") return;
      const better = extractive(await client.request({ type: "search", query: question, k: UI_RESULTS }), strings);
      settle.replace(better.node, better.rec);
      if (support && first.citations.length && !better.result.citations.length) support.notFound(better.result);
    } catch {
      // The model failed: the lite answer is as good as this visitor gets.
    }
  }

  /** Removes everything the app added to the page and stops the engine. */
  function destroy() {
    destroyed = true;
    if (llm) llm.stop();
    if (support) support.reset();
    untheme();
    ui.destroy();
    client.terminate();
  }

  return { ui, client, support, answer, destroy };
}
