// The contact form shown in the conversation (lead capture, or the contact details sent
// with a handoff): labelled fields, checked in the browser, sent by `onSend`. A failed send
// keeps everything typed and offers Try again, and an email draft when there is an address.

import { h } from "../ui/dom.js";

const EMAIL = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;
const AUTOCOMPLETE = { name: "name", email: "email", phone: "tel", company: "organization" };

/**
 * contactForm({t, fields, required, consent, privacyUrl, title, intro, onSend, mailto, onCancel})
 *   → the form element. `onSend(values)` returns a promise; `mailto(values)` an email draft
 *   URL or null.
 */
export function contactForm({ t, fields, required, consent, privacyUrl, title, intro, onSend, mailto, onCancel }) {
  const id = `sbf${Math.random().toString(36).slice(2, 8)}`;
  const inputs = {};
  const rows = fields.map((name) => {
    const label = name === "email" ? t.email_f : t[name] || name;
    const attrs = {
      id: `${id}-${name}`,
      name,
      class: "field",
      autocomplete: AUTOCOMPLETE[name] || "off",
      required: required.includes(name),
      maxlength: name === "message" ? "2000" : "200",
      "aria-required": required.includes(name) ? "true" : null,
    };
    const input = name === "message" ? h("textarea", { ...attrs, rows: "3" }) : h("input", { ...attrs, type: name === "email" ? "email" : name === "phone" ? "tel" : "text" });
    inputs[name] = input;
    return h("label", { class: "row", for: attrs.id }, h("span", null, label + (required.includes(name) ? " *" : "")), input);
  });
  const box = consent ? h("input", { type: "checkbox", id: `${id}-consent`, name: "consent" }) : null;
  const consentRow = consent
    ? h("div", { class: "consent" }, box, h("label", { for: `${id}-consent` }, consent), privacyUrl ? h("a", { href: privacyUrl, target: "_blank", rel: "noopener" }, t.privacy) : null)
    : null;
  const error = h("p", { class: "err", role: "alert" });
  const submit = h("button", { class: "primary", type: "submit" }, t.send);
  const draft = h("a", { class: "alt", hidden: true }, t.mailInstead);
  const form = h(
    "form",
    { class: "msg bot sbf", novalidate: true, onsubmit: send },
    title ? h("p", { class: "ftitle" }, title) : null,
    intro ? h("p", { class: "fintro" }, intro) : null,
    ...rows,
    consentRow,
    error,
    h("div", { class: "acts" }, submit, draft, onCancel ? h("button", { class: "alt", type: "button", onclick: onCancel }, t.cancel) : null),
  );

  const values = () => Object.fromEntries(Object.entries(inputs).map(([k, el]) => [k, el.value.trim()]));

  function invalid(el, message) {
    error.textContent = message;
    if (el) {
      el.setAttribute("aria-invalid", "true");
      el.focus();
    }
    return false;
  }

  function check(v) {
    for (const el of [...Object.values(inputs), box]) if (el) el.removeAttribute("aria-invalid");
    for (const name of fields) {
      if (required.includes(name) && !v[name]) return invalid(inputs[name], t.required.replace("{field}", name === "email" ? t.email_f : t[name] || name));
    }
    if (v.email && !EMAIL.test(v.email)) return invalid(inputs.email, t.badEmail);
    if (box && !box.checked) return invalid(box, t.mustConsent);
    error.textContent = "";
    return true;
  }

  async function send(event) {
    event.preventDefault();
    const v = values();
    if (!check(v)) return;
    if (box) v.consent = true;
    submit.disabled = true;
    submit.textContent = t.sending;
    form.setAttribute("aria-busy", "true");
    try {
      await onSend(v);
      form.replaceWith(h("p", { class: "msg bot", role: "status" }, t.sent));
    } catch (err) {
      // Nothing typed is lost: the fields stay as they are.
      error.textContent = t.failed.replace("{reason}", err.message);
      submit.disabled = false;
      submit.textContent = t.retry;
      const href = mailto && mailto(v);
      if (href) {
        draft.href = href;
        draft.hidden = false;
      }
    } finally {
      form.removeAttribute("aria-busy");
    }
  }

  return form;
}
