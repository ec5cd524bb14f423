// The LLM answer mode (docs/llm.md): retrieve with the conversation's context, build the
// messages from the prompt template, stream the model's answer into the panel with a Stop
// button, then list the sources. Any failure shows a short message and the extractive
// answer, so the panel is never blank or stuck.

import { ChatError, streamChat } from "./client.js";
import { citedNumbers, renderMarkdown, stripCitations } from "./markdown.js";
import { render, splitMessages } from "./template.js";
import { h, icon, ICONS } from "../ui/dom.js";
import { label } from "../ui/label.js";
import { safeHref } from "../shared/url.js";

// How long a question asked before the model is ready waits for it. bench/first_answer.py:
// a returning visitor (model in the HTTP cache) has it 4–6 s after asking on a busy 2-core
// machine, so 8 s lets them wait for it; a first visit on a 10 Mbit/s line needs about
// 45 s, too long to keep anyone waiting, so it gets the keyword passages after 8 s.
export const MODEL_WAIT = 8000;

/**
 * createLLM({llm, title, strings, client, base, warn, extractive}) → {ask, stop, conversation}
 * `extractive` is the widget's own (ui/answer.js), passed in so this part does not carry a copy.
 * `ask(question, ui)` answers in the panel `ui` (or off-screen when null) and resolves
 * with {answer: markdown, citations: [{url, title}]}; on failure, with the extractive answer.
 * `stop(shownOnly)` ends the answer in progress (with `shownOnly`, only one shown in the panel).
 */
export function createLLM({ llm, title, strings, client, base, warn, extractive }) {
  const conversation = []; // [{q, a}] oldest first; `a` is null until answered (widget/app.js restores and clears it)
  let live = null; // the answer in progress: {ctrl: AbortController, shown: in the panel}

  async function ask(question, ui) {
    stop(); // a new question ends the previous stream; its partial answer stays
    const ctrl = new AbortController();
    const mine = (live = { ctrl, shown: Boolean(ui) });
    const previous = conversation[conversation.length - 1];
    const history = recent(conversation, llm.history_turns ?? 4, llm.history_tokens ?? 600);
    const turn = { q: question, a: null };
    conversation.push(turn);
    const settle = ui ? ui.turn(question) : () => true;
    // A streamed answer cannot be swapped for a better one later, so a question asked
    // while the model loads waits for it, saying so, but at most MODEL_WAIT: then keywords.
    if (client.status.model === "loading") {
      if (ui) settle.status(strings.preparing);
      await Promise.race([client.ready(true).catch(() => {}), new Promise((ok) => setTimeout(ok, MODEL_WAIT))]);
      if (ui) settle.status(strings.searching);
    }
    // A follow-up ("and how much is it?") is retrieved with the question before it.
    const query = previous ? `${previous.q}\n${question}` : question;
    let msg;
    try {
      msg = await client.request({ type: "search", query, k: llm.passages || 5 });
    } catch (err) {
      if (live === mine) live = null;
      settle(h("p", { class: "msg bot" }, strings.error));
      throw err;
    }
    const fallback = extractive({ ...msg, notFound: msg.notFound || !msg.results.length }, strings);
    if (msg.notFound || !msg.results.length || ctrl.signal.aborted) {
      // Nothing to ground an answer in: the owner's not-found words, no request. (Or a
      // newer question came while searching: this one's answer goes nowhere.)
      if (live === mine) live = null;
      settle(fallback.node, fallback.rec);
      turn.a = fallback.result.answer;
      return fallback.result;
    }
    const passages = msg.results.map((r, i) => ({ n: i + 1, title: r.title || "", heading: r.heading || "", url: r.url, text: r.text || "" }));
    const view = createView(passages, strings, ui, () => ctrl.abort());
    if (!settle(view.node)) ctrl.abort();

    let text = "";
    let failure = null;
    let stopped = false;
    try {
      const context = { system_prompt: llm.system_prompt || "", site_title: llm.site_title || title || "", question, passages, history };
      let messages;
      try {
        messages = splitMessages(render(llm.prompt || "", context));
      } catch (err) {
        throw new ChatError("template", `the prompt template failed: ${err.message}; fix it and run sitebot generate again`);
      }
      for await (const delta of streamChat(llm, base, messages, { signal: ctrl.signal })) {
        text += delta;
        view.update(text);
      }
    } catch (err) {
      if (!(err instanceof ChatError)) err = new ChatError("network", String(err && err.message));
      if (err.kind === "aborted") stopped = true;
      else failure = err;
    } finally {
      if (live === mine) live = null;
    }
    if (!failure && !stopped && !text.trim()) failure = new ChatError("empty", "the model sent an empty answer");
    if (failure) {
      const hint =
        failure.kind === "network"
          ? " (is the endpoint up, and does it allow this origin by CORS?)"
          : failure.status === 401 || failure.status === 403
            ? " (check the proxy's --allow-origin list and its SITEBOT_LLM_API_KEY)"
            : "";
      warn(`the AI answer failed: ${failure.message}${hint}`);
      const reason = failure.kind === "http" ? `HTTP ${failure.status}` : strings["r_" + failure.kind] || failure.kind;
      const message = strings.llmFailed.replace("{reason}", reason);
      view.fail(message, fallback.node);
      settle(null, { f: message, ...fallback.rec });
      turn.a = fallback.result.answer;
      return fallback.result;
    }
    const sources = view.done(text);
    settle(null, { m: text, c: passages.map(({ text, ...p }) => p), s: sources.map((p) => p.n) });
    turn.a = text;
    return { answer: text, citations: sources.map((p) => ({ url: p.url, title: p.title })) };
  }

  function stop(shownOnly = false) {
    if (!live || (shownOnly && !live.shown)) return;
    live.ctrl.abort();
    live = null;
  }

  return { ask, stop, conversation };
}

// The last exchanges that fit in `turns` and about `tokens` tokens (4 characters each),
// as [{role, content}] oldest first. Citation marks are left out: their numbers pointed
// at that question's passages, not this one's.
function recent(conversation, turns, tokens) {
  const out = [];
  let room = tokens * 4;
  for (let i = conversation.length - 1; i >= 0 && out.length < turns * 2; i--) {
    const { q, a } = conversation[i];
    if (!a) continue;
    const answer = stripCitations(a);
    room -= q.length + answer.length;
    if (room < 0) break;
    out.unshift({ role: "user", content: q }, { role: "assistant", content: answer });
  }
  return out;
}

// The bot's message while it streams: the Markdown so far (re-rendered at most once a
// frame), a Stop button, and at the end the sources.
function createView(passages, strings, ui, onStop) {
  const body = h("div", { class: "msg bot md busy" }, strings.writing);
  const stopButton = h("button", { class: "stop", type: "button", "aria-label": strings.stopLabel, onclick: onStop }, icon(ICONS.stop), strings.stop);
  const node = h("div", { class: "llm", "aria-busy": "true" }, body, stopButton);
  let frame = 0;
  let latest = "";

  function paint(final) {
    frame = 0;
    body.classList.remove("busy");
    // While streaming, a citation still being written ("… [1") is held back.
    body.replaceChildren(renderMarkdown(final === true ? latest : latest.replace(/\[[\d, ]*$/, ""), passages, strings));
    if (ui) ui.follow();
  }

  function end() {
    cancelAnimationFrame(frame);
    frame = 0;
    // Focus on the vanishing Stop button goes back to the input.
    if (stopButton.getRootNode().activeElement === stopButton && ui) ui.focus();
    stopButton.remove();
    node.removeAttribute("aria-busy");
  }

  return {
    node,
    update(text) {
      latest = text;
      if (!frame) frame = requestAnimationFrame(paint);
    },
    /** The final answer and its sources (cited passages, or all when none is cited). */
    done(text) {
      end();
      latest = text;
      if (text.trim()) paint(true);
      else {
        body.classList.remove("busy");
        body.replaceChildren(strings.stopped);
      }
      const cited = citedNumbers(text, passages.length);
      const sources = cited.length ? cited.map((n) => passages[n - 1]) : passages;
      node.append(sourcesNode(sources, strings));
      if (ui) ui.follow();
      return sources;
    },
    /** A short message, then the extractive answer with its sources. */
    fail(message, fallbackNode) {
      end();
      node.replaceChildren(h("p", { class: "msg bot" }, message), fallbackNode);
      if (ui) ui.follow();
    },
  };
}

/** A stored LLM answer ({m, c, s}, record.js) drawn again. */
export function renderRecord(r, strings) {
  return h(
    "div",
    { class: "llm" },
    h("div", { class: "msg bot md" }, r.m.trim() ? renderMarkdown(r.m, r.c, strings) : strings.stopped),
    sourcesNode(r.s.map((n) => r.c[n - 1]), strings),
  );
}

/** The "Sources" list under an LLM answer. */
function sourcesNode(sources, strings) {
  const items = sources.map((p) => {
    const href = safeHref(p.url);
    const text = `[${p.n}] ${label(p.title, p.heading) || p.url}`;
    return h("li", null, href ? h("a", { class: "source", href, target: "_top", rel: "noopener" }, text) : text);
  });
  return h("div", { class: "sources" }, h("p", { class: "lead" }, strings.sources), h("ul", null, ...items));
}
