// The widget's side of the worker protocol (docs/bundle-format.md, "Widget ↔ worker
// messages"): starts the engine Worker once, numbers requests, tracks status.

/**
 * createClient(base, manifest, warn) → {request, ready, start, terminate}
 * `request({type: "search", query, k})` resolves with the worker's answer message.
 */
export function createClient(base, manifest, warn) {
  const pending = new Map();
  const status = { lexical: "loading", model: "loading" };
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
    worker.postMessage({ type: "init", base, manifest, pageBase: document.baseURI });
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
      if (msg.lexical) status.lexical = msg.lexical;
      if (msg.model) status.model = msg.model;
      if (msg.error && (msg.lexical === "failed" || msg.model === "failed")) warn(msg.error);
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
    status.lexical = status.model = "failed";
    settleWaiters();
    terminate();
  }

  function settleWaiters() {
    waiters = waiters.filter((w) => {
      const keys = w.model ? ["lexical", "model"] : ["lexical"];
      if (keys.some((k) => status[k] === "failed")) {
        w.reject(failure || new Error(`the ${keys.find((k) => status[k] === "failed")} index failed to load`));
      } else if (keys.every((k) => status[k] === "ready")) {
        w.resolve({ ...status });
      } else {
        return true;
      }
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

  function ready(model) {
    start();
    return new Promise((resolve, reject) => {
      waiters.push({ model, resolve, reject });
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
