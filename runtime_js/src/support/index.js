// support.js: what a support or sales bot adds to the panel (docs/bundle-format.md,
// `settings.handoff`, `lead`, `feedback`, `scope`): a way to reach a person, always in the
// header and offered when asked for, when nothing was found or when a scope rule fires; a
// contact form; thumbs up/down; and topics the bot will not answer. Everything goes
// straight from the browser to the owner's own endpoints; nothing is stored elsewhere.

import { h, icon } from "../ui/dom.js";
import { contactForm } from "./form.js";
import { openNow } from "./hours.js";
import { scopeKeyword, wantsContact, wantsHuman } from "./intent.js";
import { post } from "./send.js";
import { supportStrings } from "./strings.js";
import { SUPPORT_CSS } from "./styles.js";

const MAILTO_CHARS = 1800; // mail clients cut long mailto: URLs; the newest exchanges are kept

const THUMB_UP = "M7 10v11M2 12v7a2 2 0 0 0 2 2h12.3a2 2 0 0 0 2-1.7l1.4-9A2 2 0 0 0 17.7 8H14V4a3 3 0 0 0-3-3l-4 9";
const THUMB_DOWN = "M17 14V3M22 12V5a2 2 0 0 0-2-2H7.7a2 2 0 0 0-2 1.7l-1.4 9A2 2 0 0 0 6.3 16H10v4a3 3 0 0 0 3 3l4-9";
const PERSON = "M20 21v-2a4 4 0 0 0-4-4H8a4 4 0 0 0-4 4v2M12 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8z";

/**
 * createSupport({settings, manifest, ui, client, lang, base, warn, ask})
 *   → {route, after, notFound, kept, handoff, lead, reset}
 */
export function createSupport({ settings, manifest, ui, client, lang, warn }) {
  const t = supportStrings(lang);
  const hand = settings.handoff || null;
  const lead = settings.lead || null;
  const feedback = settings.feedback || null;
  const scope = settings.scope || null;
  const botName = settings.name || "Bot";
  let asked = 0; // questions answered in this conversation (for lead.after_questions)
  let leadShown = false;

  ui.styles(SUPPORT_CSS);
  if (hand) {
    const label = hand.label || t.talk;
    ui.action(h("button", { class: "x", type: "button", "aria-label": label, title: label, onclick: () => handoff() }, icon(PERSON)));
  }

  // ---- before answering -------------------------------------------------------------

  /** A result that replaces the answer, or null to answer as usual. */
  async function route(question, panel) {
    if (hand && wantsHuman(question, hand.triggers)) {
      return routed(question, panel, hand.message || t.handoff, true);
    }
    if (lead && (lead.webhook || lead.email) && wantsContact(question, lead.triggers)) {
      return routed(question, panel, lead.title || t.leadTitle, false, leadForm);
    }
    if (scope) {
      // The examples need the model, which may still be loading: the question shows meanwhile.
      const settle = panel && panel.turn(question);
      if (await ruledOut(question)) {
        return routed(question, panel, scope.message || t.scope, scope.handoff !== false && hand && hand.on_scope !== false, null, settle);
      }
      if (settle) settle.undo();
    }
    return null;
  }

  // Keywords first (instant), then the example questions by meaning (waits for the model).
  async function ruledOut(question) {
    if (scopeKeyword(question, scope.keywords)) return true;
    if (!scope.examples || !manifest.files.scope) return false;
    try {
      // Close to a ruled-out example, and closer to it than to any ordinary question.
      const { similarity, allowed, path } = await client.request({ type: "scope", query: question });
      // Checked on the lite path (the model never loads here), with its own thresholds.
      const rule = path === "lite" && manifest.lite && manifest.lite.scope ? manifest.lite.scope : scope;
      return similarity >= (rule.threshold ?? 0.5) && similarity - allowed >= (rule.margin ?? 0.05);
    } catch (err) {
      // A rule that cannot be checked must not be skipped silently.
      warn(`could not check the scope rules (${err.message}); answering without them`);
      return false;
    }
  }

  function routed(question, panel, message, offerHandoff, extra, settle) {
    if (panel) {
      (settle || panel.turn(question))(h("p", { class: "msg bot" }, message), { t: message });
      if (offerHandoff) offer();
      if (extra) extra();
    }
    return { answer: message, citations: [], handoff: Boolean(offerHandoff) };
  }

  // ---- after answering ----------------------------------------------------------------

  function after(question, result, panel) {
    if (!panel) return;
    asked++;
    notFound(result);
    if (lead && lead.after_questions && asked >= lead.after_questions && !leadShown) leadForm();
  }

  // A person is offered when the bot found nothing; also when a preliminary keyword answer
  // (widget/app.js) turns into "not found" once the model is in.
  function notFound(result) {
    if (hand && hand.on_not_found !== false && !result.citations.length) offer(t.notFoundOffer);
  }

  // ---- handoff -----------------------------------------------------------------------

  /** The ways to reach a person, as the hours allow. */
  function offer(intro) {
    if (!hand) return;
    const open = openNow(hand.hours, hand.timezone);
    const allowed = (target) => open || (hand.out_of_hours || ["email", "webhook"]).includes(target);
    const links = [];
    if (hand.url && allowed("url")) links.push(h("a", { class: "primary", href: hand.url, target: "_blank", rel: "noopener" }, hand.url_label || t.contact));
    if (hand.email && allowed("email")) links.push(h("a", { class: "alt", href: mailto(hand.email, hand.subject || `${document.title || location.hostname}`, transcriptText()) }, t.email));
    if (hand.webhook && allowed("webhook")) links.push(h("button", { class: "alt", type: "button", onclick: () => handoffForm() }, t.sendChat));
    // Without a handoff webhook, the lead form is the way to leave contact details.
    else if (lead && lead.with_handoff !== false && (lead.webhook || lead.email)) links.push(h("button", { class: "alt", type: "button", onclick: () => leadForm() }, t.leave));
    ui.say(
      h(
        "div",
        { class: "msg bot offer" },
        intro ? h("p", null, intro) : null,
        !open ? h("p", { class: "offline" }, hand.offline_message || t.offline) : null,
        h("div", { class: "acts" }, ...links),
      ),
    );
  }

  function handoff() {
    offer(hand && (hand.message || t.handoff));
  }

  // Contact details, then the transcript to the handoff webhook.
  function handoffForm() {
    const fields = lead ? lead.fields : ["name", "email", "message"];
    const form = contactForm({
      t,
      fields,
      required: fields.includes("email") ? ["email"] : [],
      consent: lead && lead.consent,
      privacyUrl: lead && lead.privacy_url,
      title: t.sendChat,
      onSend: (values) => post(hand.webhook, payload("handoff", values), "json"),
      mailto: (values) => hand.email && mailto(hand.email, hand.subject || document.title, fieldsText(values) + "\n\n" + transcriptText()),
      onCancel: () => form.remove(),
    });
    ui.say(form);
    focusFirst(form);
  }

  // ---- lead capture ------------------------------------------------------------------

  function leadForm() {
    if (!lead) return;
    leadShown = true;
    const to = lead.email;
    const form = contactForm({
      t,
      fields: lead.fields,
      required: lead.required,
      consent: lead.consent,
      privacyUrl: lead.privacy_url,
      title: lead.title || t.leadTitle,
      intro: lead.intro || t.leadIntro,
      onSend: (values) => {
        if (lead.webhook) return post(lead.webhook, payload("lead", values, lead.format), lead.format);
        // No endpoint: the visitor's own mail app sends it.
        openLink(mailto(to, lead.title || t.leadTitle, fieldsText(values)));
        return Promise.resolve();
      },
      mailto: (values) => to && mailto(to, lead.title || t.leadTitle, fieldsText(values) + "\n\n" + transcriptText()),
      onCancel: () => form.remove(),
    });
    ui.say(form);
    focusFirst(form);
  }

  // ---- feedback ----------------------------------------------------------------------

  /** Thumbs after each kept answer (`anchor` is its Copy button). */
  function kept(question, rec, anchor) {
    if (!feedback) return;
    const text = ui.transcript().pop(); // this exchange: the panel kept it just now
    const vote = (rating) => () => {
      for (const b of [up, down]) {
        b.disabled = true;
        b.setAttribute("aria-pressed", String(b === (rating === "up" ? up : down)));
      }
      const data = { rating, question, answer: text ? text.a : "", page: location.href };
      if (feedback.event !== false) window.dispatchEvent(new CustomEvent("sitebot:feedback", { detail: data }));
      if (feedback.webhook) post(feedback.webhook, payload("feedback", null, "json", data)).catch((err) => warn(`feedback was not sent: ${err.message}`));
      box.append(h("span", { class: "thanks", role: "status" }, rating === "up" ? t.thanks : t.sorry));
      if (rating === "down" && hand) offer(t.notFoundOffer);
    };
    const up = h("button", { class: "thumb", type: "button", "aria-label": t.helpful, title: t.helpful, "aria-pressed": "false", onclick: vote("up") }, icon(THUMB_UP));
    const down = h("button", { class: "thumb", type: "button", "aria-label": t.notHelpful, title: t.notHelpful, "aria-pressed": "false", onclick: vote("down") }, icon(THUMB_DOWN));
    const box = h("div", { class: "thumbs" }, up, down);
    anchor.after(box);
    box.prepend(anchor); // the Copy button joins the row
  }

  // ---- helpers -----------------------------------------------------------------------

  function payload(type, contact, format = "json", extra = {}) {
    const transcript = ui.transcript();
    const data = {
      type,
      ...(contact ? { fields: contact } : {}),
      ...extra,
      page: location.href,
      page_title: document.title,
      lang,
      sent_at: new Date().toISOString(),
    };
    if (type !== "feedback") data.transcript = format === "form" ? transcriptText() : transcript;
    return data;
  }

  function transcriptText() {
    const lines = ui.transcript().map(({ q, a }) => `${t.you}: ${q}\n${botName}: ${a}`);
    let text = lines.join("\n\n");
    if (text.length > MAILTO_CHARS) text = "…" + text.slice(-MAILTO_CHARS);
    return `${text}\n\n${location.href}`;
  }

  function fieldsText(values) {
    return Object.entries(values)
      .filter(([, v]) => v !== "" && v != null)
      .map(([k, v]) => `${k === "email" ? t.email_f : t[k] || k}: ${v}`)
      .join("\n");
  }

  function reset() {
    asked = 0;
    leadShown = false;
  }

  return { route, after, notFound, kept, handoff, lead: leadForm, reset };
}

function mailto(to, subject, body) {
  return `mailto:${encodeURIComponent(to).replace("%40", "@")}?subject=${encodeURIComponent(subject || "")}&body=${encodeURIComponent(body || "")}`;
}

function openLink(href) {
  const a = h("a", { href, target: "_top" });
  a.click();
}

function focusFirst(form) {
  const first = form.querySelector("input, textarea");
  if (first) first.focus();
}
