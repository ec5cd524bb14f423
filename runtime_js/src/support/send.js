// Sending to the owner's endpoint (a webhook, or a Formspree-style form endpoint) straight
// from the browser: no server of ours, no cookies. JSON needs the endpoint to allow this
// origin by CORS; format "form" sends a urlencoded body, which needs no preflight.

const TIMEOUT = 15000;

/** post(url, data, format) → resolves when the endpoint answered 2xx, else rejects with the reason. */
export async function post(url, data, format = "json") {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), TIMEOUT);
  const form = format === "form";
  try {
    const res = await fetch(url, {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      headers: { "Content-Type": form ? "application/x-www-form-urlencoded" : "application/json", Accept: "application/json" },
      body: form ? new URLSearchParams(flatten(data)) : JSON.stringify(data),
      signal: ctrl.signal,
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  } catch (err) {
    throw new Error(err.name === "AbortError" ? "no reply in time" : err.message.startsWith("HTTP") ? err.message : "no connection");
  } finally {
    clearTimeout(timer);
  }
}

// A form endpoint takes flat fields: nested values become text.
function flatten(data) {
  const out = {};
  for (const [k, v] of Object.entries(data)) {
    if (v == null) continue;
    if (k === "fields") Object.assign(out, v);
    else out[k] = typeof v === "object" ? JSON.stringify(v) : String(v);
  }
  return out;
}
