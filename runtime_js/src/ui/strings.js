// Every string the widget shows, by language. English is complete; another language may
// list only some keys, the rest fall back to English. Site owners override title,
// greeting, placeholder and not_found through sitebot.toml or data-* attributes.

export const STRINGS = {
  en: {
    title: "Ask this site",
    subtitle: "Answers from this site's pages",
    launcher: "Ask this site a question",
    close: "Close",
    greeting: "Hi! Ask me anything about this site.",
    placeholder: "Ask a question…",
    inputLabel: "Your question",
    send: "Send",
    searching: "Searching…",
    found: "Here's what I found:",
    notFound: "I couldn't find that on this site.",
    error: "Sorry, I can't search this site right now. Please try again later.",
    conversation: "Conversation",
    privacy: "What you type stays in your browser.",
    aiNote: "Answers are written by an AI from this site's pages. Check the sources.",
    writing: "Writing…",
    stop: "Stop",
    stopLabel: "Stop the answer",
    stopped: "(stopped)",
    sources: "Sources",
    source: "Source",
    llmFailed: "The AI answer is not available right now ({reason}).",
    reasons: { timeout: "no reply in time", broken: "the answer broke off", network: "no connection", upstream: "model error", empty: "empty answer", template: "prompt error" },
  },
};

/** Strings for a BCP 47 tag ("fr-CA" → fr → en), English filling the gaps. */
export function pickStrings(lang) {
  const tag = String(lang || "").toLowerCase();
  const table = STRINGS[tag] || STRINGS[tag.split("-")[0]] || {};
  return { ...STRINGS.en, ...table };
}
