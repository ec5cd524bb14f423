// The launcher and the chat panel, drawn in the open shadow root of one <sitebot-widget>
// element: host-page CSS cannot reach in (`:host {all: initial}`) and ours cannot leak out.

import { h, icon, ICONS, isEditable } from "./dom.js";
import { followScreen, raise } from "./fit.js";
import { recordNode, recordText } from "./record.js";
import { CSS } from "./styles.js";

export const ASSET_ATTR = "data-sitebot-asset"; // on every node we add to the host page

/**
 * mountUI({strings, theme, position, shortcut, note, starters, past, brand, renderLLM, onOpen, onClose, onAsk, onSave, onReset, onKeep})
 *   → {open, close, isOpen, turn, follow, focus, say, action, styles, dark, transcript, destroy}
 * `turn(question)` shows the question with a "searching" line and returns `settle(node, rec)`,
 * which replaces that line with the answer unless a newer question came in since (then it
 * returns false); `settle.status(text)` changes that line, and `settle.replace(node, rec)`
 * later swaps a better answer in, in place, keeping the scroll still. With a record (record.js), also later (node null, for a streamed answer),
 * the exchange is kept: a Copy button, and `onSave([{q, a: rec}], isOpen)`, also called on
 * open and close. `past` is such a list, drawn at mount. `follow()` keeps a growing
 * (streamed) answer in view. The "New chat" button clears the log and calls `onReset()`.
 * The lazily loaded parts (llm.js, support.js) draw through `say(node)` (a bot message),
 * `action(button)` (a header button), `styles(css)`, `onKeep(q, rec, node)` (each kept
 * exchange) and `transcript()` ([{q, a}] as text); `renderLLM(rec)` draws stored LLM answers.
 * `brand`: {avatar: image URL, launcher: text on the launcher}.
 */
export function mountUI({ strings, theme, position, shortcut, note, starters, past, brand, renderLLM, onOpen, onClose, onAsk, onSave, onReset, onKeep }) {
  const host = document.createElement("sitebot-widget");
  host.setAttribute(ASSET_ATTR, "");
  const shadow = host.attachShadow({ mode: "open" });
  styles(CSS + theme);
  const avatar = brand.avatar && h("img", { class: "avatar", src: brand.avatar, alt: "" });

  const input = h("input", {
    id: "sb-input",
    class: "input",
    type: "text",
    autocomplete: "off",
    enterkeyhint: "send",
    maxlength: "500",
    placeholder: strings.placeholder,
  });
  const log = h("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": strings.conversation });
  const closeButton = h("button", { class: "x", type: "button", "aria-label": strings.close, onclick: () => close(true) }, icon(ICONS.close));
  const form = h(
    "form",
    { class: "form", onsubmit: submit },
    h("label", { class: "vh", for: "sb-input" }, strings.inputLabel),
    input,
    h("button", { class: "send", type: "submit", "aria-label": strings.send }, icon(ICONS.send)),
  );
  let newChat;
  const panel = h(
    "div",
    { id: "sb-panel", class: "panel", dir: strings.rtl ? "rtl" : null, role: "dialog", "aria-modal": "false", "aria-label": strings.title, hidden: true, onkeydown: panelKey },
    h("div", { class: "head" }, avatar, h("div", null, h("p", { class: "title" }, strings.title), h("p", { class: "subtitle" }, strings.subtitle)),
      (newChat = h("button", { class: "x", type: "button", "aria-label": strings.newChat, title: strings.newChat, onclick: reset }, icon(ICONS.plus))),
      closeButton,
    ),
    log,
    form,
    note ? h("p", { class: "note" }, note) : null,
  );
  const launcher = h(
    "button",
    {
      class: "launcher",
      type: "button",
      "aria-label": strings.launcher,
      "aria-expanded": "false",
      "aria-controls": "sb-panel",
      "aria-haspopup": "dialog",
      "aria-keyshortcuts": shortcut ? "/ Control+K Meta+K" : null,
      onclick: () => (isOpen() ? close(true) : open(true)),
    },
    avatar ? avatar.cloneNode() : icon(ICONS.chat, "i-chat"),
    icon(ICONS.close, "i-close"),
    brand.launcher ? h("span", { class: "i-chat" }, brand.launcher) : null,
  );
  if (avatar) launcher.firstChild.classList.add("i-chat");
  if (brand.launcher) launcher.classList.add("wide");
  // A manual popover: shown at once and kept open, it only lifts the widget into the top layer.
  const root = h("div", { class: position === "left" ? "sb left" : "sb", popover: "manual" }, panel, launcher);
  shadow.append(root);
  (document.body || document.documentElement).append(host);
  raise(root);
  const unfollow = followScreen(root);
  if (shortcut) document.addEventListener("keydown", pageKey);

  let current = null;
  let lastAsked = null;
  let turns = [];
  let startBox = null;
  fill(past || []);

  // The greeting, the stored exchanges, and the starter questions while there are none.
  function fill(list) {
    turns = [];
    log.replaceChildren(h("p", { class: "msg bot" }, strings.greeting));
    for (const { q, a } of list) {
      try {
        const node = recordNode(a, strings, renderLLM);
        log.append(h("p", { class: "msg user" }, q), node);
        keep(q, a, node);
      } catch {} // a record from another widget version: left out
    }
    startBox =
      !turns.length && starters && starters.length
        ? h("div", { class: "starters" }, ...starters.map((q) => h("button", { class: "starter", type: "button", onclick: () => (input.focus(), onAsk(String(q))) }, String(q))))
        : null;
    log.append(startBox || "");
  }

  // Keeps an exchange: its Copy button, the saved conversation. Returns its entry, whose
  // `a` a better answer for the turn replaces (`settle.replace`).
  function keep(q, a, node) {
    const entry = { q, a };
    turns.push(entry);
    const copy = h("button", { class: "copy", type: "button", "aria-label": strings.copyLabel, onclick: () => navigator.clipboard.writeText(recordText(entry.a, strings)).then(() => label(strings.copied), () => {}) }, strings.copy);
    const label = (text) => {
      copy.textContent = text;
      copy.setAttribute("aria-label", text === strings.copy ? strings.copyLabel : text);
      if (text !== strings.copy) setTimeout(label, 2000, strings.copy);
    };
    node.after(copy);
    if (onKeep) onKeep(q, a, copy);
    save();
    return entry;
  }

  function save() {
    if (onSave) onSave(turns, isOpen());
  }

  function reset() {
    current = lastAsked = null;
    fill([]);
    save();
    if (onReset) onReset();
    input.focus();
  }

  function isOpen() {
    return !panel.hidden;
  }

  function open(focus) {
    if (!isOpen()) {
      raise(root); // above whatever the page put in the top layer since
      panel.hidden = false;
      root.classList.add("open");
      launcher.setAttribute("aria-expanded", "true");
      log.scrollTop = log.scrollHeight;
      onOpen();
      save();
    }
    if (focus) input.focus();
  }

  function close(returnFocus) {
    if (!isOpen()) return;
    const hadFocus = panel.contains(shadow.activeElement);
    panel.hidden = true;
    root.classList.remove("open");
    launcher.setAttribute("aria-expanded", "false");
    if (returnFocus || hadFocus) launcher.focus();
    if (onClose) onClose();
    save();
  }

  function submit(event) {
    event.preventDefault();
    const question = input.value.trim();
    if (!question) return;
    input.value = "";
    onAsk(question);
  }

  function turn(question) {
    if (current) current.pending.remove(); // superseded: its answer will be dropped
    if (startBox) startBox.remove();
    const asked = h("p", { class: "msg user" }, question);
    const pending = h("p", { class: "msg bot busy" }, strings.searching);
    log.append(asked, pending);
    log.scrollTop = log.scrollHeight;
    const t = {
      pending,
      settle(node, rec) {
        if (node) {
          if (current !== t) return false;
          current = null;
          lastAsked = asked;
          pending.replaceWith((t.node = node));
          // Scroll to the end, but never past the question: a long answer is read from its top.
          log.scrollTop = Math.min(log.scrollHeight, asked.offsetTop - 16);
        }
        // (not after "New chat", which took the answer away)
        if (rec && t.node && t.node.isConnected) t.entry = keep(question, rec, t.node);
        return true;
      },
    };
    current = t;
    // A better answer for a settled turn (the hybrid one after a quick keyword answer):
    // swapped in place, in the log and in the saved conversation, without moving what the
    // visitor is reading. False when the turn is gone ("New chat").
    t.settle.replace = (node, rec) => {
      if (!t.node || !t.node.isConnected) return false;
      const old = t.node;
      steady(() => old.replaceWith((t.node = node)));
      if (rec && t.entry && turns.includes(t.entry)) {
        t.entry.a = rec;
        save();
      }
      return true;
    };
    // What the pending line says while the answer is being prepared.
    t.settle.status = (text) => (t.pending.textContent = text);
    // Drawn while support.js decides whether to answer at all; taken back when it does not route.
    t.settle.undo = () => (asked.remove(), pending.remove(), current === t && (current = null));
    return t.settle;
  }

  // Runs a change to the log and keeps the visitor's view still: the first element (partly)
  // in view stays at the same place on screen, whatever grew or shrank above it. When that
  // element is the one replaced, nothing above it moved and the scroll stays as it was.
  function steady(change) {
    const top = log.scrollTop;
    const anchor = [...log.children].find((el) => el.offsetTop + el.offsetHeight > top);
    const before = anchor ? anchor.offsetTop : 0;
    change();
    log.scrollTop = top + (anchor && anchor.isConnected ? anchor.offsetTop - before : 0);
  }

  // Down with the answer as it grows, never past its question, never back up.
  function follow() {
    if (!lastAsked || !lastAsked.isConnected) return;
    const target = Math.min(log.scrollHeight - log.clientHeight, lastAsked.offsetTop - 16);
    if (target > log.scrollTop) log.scrollTop = target;
  }

  function panelKey(event) {
    if (event.key === "Escape") {
      event.stopPropagation();
      close(true);
    } else if (event.key === "Tab") {
      // Keep Tab inside the open panel; Esc is the way out.
      const items = [...panel.querySelectorAll("button, a[href], input, textarea, select")];
      const first = items[0];
      const last = items[items.length - 1];
      const active = shadow.activeElement;
      if (event.shiftKey ? active === first || !panel.contains(active) : active === last) {
        event.preventDefault();
        (event.shiftKey ? last : first).focus();
      }
    }
  }

  // "/" or Ctrl/Cmd+K opens the panel, unless the visitor is typing somewhere
  // (composedPath()[0] sees through shadow roots, ours and the page's).
  function pageKey(event) {
    if (event.defaultPrevented || event.isComposing || event.altKey) return;
    const key = String(event.key || ""); // autofill sends keydown events without a key
    const mod = event.ctrlKey || event.metaKey;
    const wanted = key === "/" ? !mod : mod && !event.shiftKey && key.toLowerCase() === "k";
    if (!wanted || isEditable(event.composedPath()[0])) return;
    event.preventDefault();
    open(true);
  }

  function destroy() {
    document.removeEventListener("keydown", pageKey);
    unfollow();
    host.remove();
  }

  // A bot message drawn by a lazily loaded part (handoff, forms), kept in view.
  function say(node) {
    if (startBox) startBox.remove();
    log.append(node);
    log.scrollTop = log.scrollHeight;
  }

  // A constructed stylesheet works under a strict CSP (no inline <style> needed); the
  // <style> element is for browsers without adoptedStyleSheets.
  function styles(css) {
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      shadow.adoptedStyleSheets = [...shadow.adoptedStyleSheets, sheet];
    } catch {
      shadow.append(h("style", null, css));
    }
  }

  return {
    open,
    close,
    isOpen,
    turn,
    follow,
    say,
    styles,
    focus: () => input.focus(),
    action: (button) => newChat.before(button),
    dark: (on) => root.classList.toggle("dark", on),
    transcript: () => turns.map(({ q, a }) => ({ q, a: recordText(a, strings) })),
    destroy,
  };
}
