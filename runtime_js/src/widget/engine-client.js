// The widget's side of the worker protocol (docs/bundle-format.md, "Widget ↔ worker
// messages"): starts the engine Worker once, numbers requests, tracks status.

// What `ready(level)` waits for, as "ready", "failed" or "loading" from the engine's status
// (engine.js: each of lexical, lite and model is loading, ready, failed or off).
// "semantic": an answer by vectors, the lite path's or the model's. "model": the best path this
// visitor gets, the model's, or the lite path's when the model is off for them.
const LEVELS = {
  lexical: (s) => s.lexical,
  semantic: (s) =>
    s.lexical !== "ready"
      ? s.lexical
      : s.model === "ready" || s.lite === "ready"
        ? "ready"
        : s.model === "loading" || s.lite === "loading"
          ? "loading"
          : "failed",
  model: (s) => (s.lexical !== "ready" ? s.lexical : s.model === "off" ? LEVELS.semantic(s) : s.model),
};

/**
 * wantsModel(settings) → whether this visitor's browser downloads the model (tens of MB) after
 * the lite path answers: the owner's `bot.model` ("auto", "lite" or "full"); on "auto", not for
 * a visitor who asked to save data or on a 2G/3G-class connection (navigator.connection, where
 * the browser has it).
 */
export function wantsModel(settings) {
  const choice = (settings && settings.model) || "auto";
  if (choice !== "auto") return choice === "full";
  const c = typeof navigator !== "undefined" && navigator.connection;
  return !(c && (c.saveData || /^(slow-2g|2g|3g)$/.test(c.effectiveType || "")));
}

/**
 * createClient(base, manifest, warn) → {request, ready, start, terminate, status}
 * `request({type: "search", query, k})` resolves with the worker's answer message.
 */
export function createClient(base, manifest, warn) {
  const pending = new Map();
  const status = { lexical: "loading", lite: "loading", model: "loading" };
  let waiters = [];
  let worker = null;
  let blobUrl = null;
  let failure = null;
  let nextId = 1;
  let heard = false;

  function start() {
    if (worker || failure) return;
    const url = new URL(manifest.runtime.worker, base).href;
    try {
      worker = spawn(url);
    } catch (err) {
      return fail(`could not start the engine ${url} (${err.message})`);
    }
    worker.onmessage = (event) => {
      heard = true;
      receive(event.data || {});
    };
    // Before the engine has said anything, an error means its script did not load: fatal.
    // Later ones are bugs inside the engine; the requests they hit answer with "error".
    worker.onerror = (event) => {
      event.preventDefault();
      if (heard) return warn(`engine error: ${event.message}`);
      fail(
        `the engine ${url} failed (${event.message || "it did not load"}); check that it is ` +
          "deployed next to sitebot.json and, if the bundle is on another origin, served with CORS",
      );
    };
    worker.postMessage({ type: "init", base, manifest, pageBase: document.baseURI, full: wantsModel(manifest.settings) });
  }

  // Workers must be same-origin. For a bundle on another origin (a CDN), a same-origin
  // blob worker importScripts() the engine; the engine fetches the rest by `base`.
  function spawn(url) {
    if (new URL(url).origin === location.origin) {
      try {
        return new Worker(url);
      } catch {
        // A sandboxed or opaque origin; the blob route below may still work.
      }
    }
    blobUrl = URL.createObjectURL(
      new Blob([`importScripts(${JSON.stringify(url)});`], { type: "text/javascript" }),
    );
    return new Worker(blobUrl);
  }

  function receive(msg) {
    if (msg.type === "status") {
      for (const key of ["lexical", "lite", "model"]) if (msg[key]) status[key] = msg[key];
      if (msg.error && [msg.lexical, msg.lite, msg.model].includes("failed")) warn(msg.error);
      return settleWaiters();
    }
    const entry = pending.get(msg.id);
    if (!entry) {
      if (msg.type === "error") warn(msg.message);
      return;
    }
    pending.delete(msg.id);
    if (msg.type === "error") entry.reject(new Error(msg.message));
    else entry.resolve(msg);
  }

  function fail(message) {
    if (failure) return;
    failure = new Error(message);
    warn(message);
    for (const entry of pending.values()) entry.reject(failure);
    pending.clear();
    status.lexical = status.lite = status.model = "failed";
    settleWaiters();
    terminate();
  }

  function settleWaiters() {
    waiters = waiters.filter((w) => {
      const state = LEVELS[w.level](status);
      if (state === "failed") w.reject(failure || new Error(`the ${w.level === "lexical" ? "index" : w.level} failed to load`));
      else if (state === "ready") w.resolve({ ...status });
      else return true;
      return false;
    });
  }

  function request(msg) {
    start();
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...msg, id });
    });
  }

  /** ready(level) → resolves once `level` ("lexical", "semantic" or "model"; true means "model") is in. */
  function ready(level) {
    start();
    level = level === true ? "model" : level || "lexical";
    // Waiting for the model is asking for it now, not after the first answer (worker.js).
    if (level === "model" && status.model === "loading" && worker) worker.postMessage({ type: "model" });
    return new Promise((resolve, reject) => {
      waiters.push({ level, resolve, reject });
      settleWaiters();
    });
  }

  function terminate() {
    if (worker) worker.terminate();
    if (blobUrl) URL.revokeObjectURL(blobUrl);
    worker = blobUrl = null;
    failure = failure || new Error("sitebot was destroyed");
    for (const entry of pending.values()) entry.reject(failure);
    for (const w of waiters) w.reject(failure);
    pending.clear();
    waiters = [];
  }

  return { start, request, ready, terminate, status };
}
