// Talks to the chat endpoint of docs/llm.md: builds the request for provider "openai"
// (Chat Completions) or "anthropic" (Messages) and reads its SSE stream.
//   for await (const text of streamChat(settings.llm, base, messages, {signal})) show(text);
// No key and no cookie ever leave the browser: the endpoint is a proxy or a keyless model.

/**
 * Why an answer could not be had. `kind`: "http" (with `status`), "timeout" (no bytes for
 * `timeout` seconds), "broken" (the stream ended without its end marker, or died),
 * "network" (no answer at all: offline, refused, CORS), "upstream" (an error event in the
 * stream), "aborted" (stopped by the visitor or a newer question).
 */
export class ChatError extends Error {
  constructor(kind, message, status = 0) {
    super(message);
    this.kind = kind;
    this.status = status;
  }
}

/** The fetch() arguments for these messages: {url, init}. */
export function buildRequest(llm, base, messages) {
  const url = new URL(llm.endpoint, base).href;
  const headers = { "Content-Type": "application/json" };
  const common = { model: llm.model, temperature: llm.temperature, max_tokens: llm.max_tokens, stream: true };
  let body;
  if (llm.provider === "anthropic") {
    headers["anthropic-version"] = "2023-06-01";
    const system = messages.filter((m) => m.role === "system").map((m) => m.content);
    // The Messages API wants user/assistant turns alternating: join neighbours of one role.
    const turns = [];
    for (const m of messages) {
      if (m.role === "system") continue;
      const last = turns[turns.length - 1];
      if (last && last.role === m.role) last.content += "\n\n" + m.content;
      else turns.push({ role: m.role, content: m.content });
    }
    body = { model: llm.model, system: system.join("\n\n"), messages: turns, ...common };
  } else {
    body = { ...common, messages: messages.map(({ role, content }) => ({ role, content })) };
  }
  const init = { method: "POST", headers, body: JSON.stringify(body), credentials: "omit" };
  return { url, init };
}

/**
 * Yields the answer's text deltas as they arrive; throws ChatError. `signal` stops it
 * (ChatError "aborted"); `llm.timeout` seconds without a byte end it ("timeout").
 */
export async function* streamChat(llm, base, messages, { signal } = {}) {
  const { url, init } = buildRequest(llm, base, messages);
  const ctrl = new AbortController();
  const seconds = Number(llm.timeout) > 0 ? Number(llm.timeout) : 30;
  let timedOut = false;
  let timer = 0;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      ctrl.abort();
    }, seconds * 1000);
  };
  const stop = () => ctrl.abort();
  if (signal) {
    if (signal.aborted) throw new ChatError("aborted", "stopped");
    signal.addEventListener("abort", stop);
  }
  // Which failure an exception stands for: ours (stop, timeout) or the one given.
  const why = (kind, message) =>
    timedOut
      ? new ChatError("timeout", `no answer for ${seconds} s`)
      : ctrl.signal.aborted
        ? new ChatError("aborted", "stopped")
        : new ChatError(kind, message);
  arm();
  try {
    let res;
    try {
      res = await fetch(url, { ...init, signal: ctrl.signal });
    } catch (err) {
      throw why("network", `could not reach ${url} (${err.message})`);
    }
    if (!res.ok) {
      if (res.body) res.body.cancel().catch(() => {});
      throw new ChatError("http", `${url} answered HTTP ${res.status}`, res.status);
    }
    if (!res.body) throw new ChatError("broken", `${url} sent no body`);
    const reader = res.body.getReader();
    const events = sseParser(llm.provider === "anthropic" ? anthropicEvent : openaiEvent);
    const decoder = new TextDecoder();
    for (;;) {
      arm();
      let chunk;
      try {
        chunk = await reader.read();
      } catch (err) {
        throw why("broken", `the stream from ${url} broke off (${err.message})`);
      }
      const last = chunk.done;
      const out = events(last ? decoder.decode() : decoder.decode(chunk.value, { stream: true }), last);
      for (const text of out.texts) yield text;
      if (out.done) {
        reader.cancel().catch(() => {});
        return;
      }
      if (last) throw new ChatError("broken", `the stream from ${url} ended without its end marker`);
    }
  } finally {
    clearTimeout(timer);
    if (signal) signal.removeEventListener("abort", stop);
    ctrl.abort(); // a consumer that stops iterating early also ends the request
  }
}

// An SSE parser fed decoded text as it arrives (events and lines may be cut anywhere,
// lines end with \n, \r\n or \r). `onEvent(name, data)` returns {text?, done?}.
function sseParser(onEvent) {
  let buf = "";
  let cr = false; // the last piece ended with \r: a \n starting the next one belongs to it
  let name = "";
  let data = [];
  let done = false;
  return (piece, end) => {
    const texts = [];
    if (cr && piece[0] === "\n") piece = piece.slice(1);
    cr = piece.endsWith("\r");
    buf += piece.replace(/\r\n?/g, "\n");
    if (end && buf) buf += "\n"; // be lenient: an unterminated last line still counts
    const lines = buf.split("\n");
    buf = lines.pop();
    if (end) lines.push("");
    for (const line of lines) {
      if (done) break;
      if (line === "") {
        if (data.length) {
          const r = onEvent(name, data.join("\n"));
          if (r.text) texts.push(r.text);
          done = Boolean(r.done);
        }
        name = "";
        data = [];
        continue;
      }
      if (line[0] === ":") continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + (line[colon + 1] === " " ? 2 : 1));
      if (field === "data") data.push(value);
      else if (field === "event") name = value;
    }
    return { texts, done };
  };
}

function json(data) {
  try {
    return JSON.parse(data);
  } catch {
    return null; // a malformed event is skipped, like a comment
  }
}

// data: {"choices":[{"delta":{"content":"…"}}]} … data: [DONE]
function openaiEvent(name, data) {
  if (data.trim() === "[DONE]") return { done: true };
  const ev = json(data);
  if (ev && ev.error) throw new ChatError("upstream", `the model answered an error: ${errorText(ev.error)}`);
  const choice = ev && ev.choices && ev.choices[0];
  const text = choice && choice.delta && choice.delta.content;
  return { text: typeof text === "string" ? text : "" };
}

// event: content_block_delta / data: {"delta": {"type": "text_delta", "text": "…"}} … message_stop
function anthropicEvent(name, data) {
  const ev = json(data) || {};
  const type = ev.type || name;
  if (type === "message_stop") return { done: true };
  if (type === "error") throw new ChatError("upstream", `the model answered an error: ${errorText(ev.error)}`);
  const text = type === "content_block_delta" && ev.delta && ev.delta.text;
  return { text: typeof text === "string" ? text : "" };
}

const errorText = (e) => String((e && (e.message || e.type)) || e).slice(0, 200);
