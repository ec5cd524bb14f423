// The Web Worker entry (built into engine.<h>.js, a classic worker script): only the
// message protocol of docs/bundle-format.md "Widget ↔ worker messages". "init" opens the
// bundle (bundle.js) into an engine (engine.js); every other request is answered with its
// id, from that engine, and nothing here ever throws into the host page.

import { openBundle } from "./bundle.js";
import { createEngine } from "./engine.js";

const post = (msg) => self.postMessage(msg);
const errorText = (err) => (err && err.message) || String(err);

// One bundle per worker: the engine "init" made, or one whose every request fails with
// the reason the bundle could not be opened.
let engine = null;
// The model starts downloading once the first answer's files are in and it is out (or IDLE_MS
// after the engine started, when nobody asks): it never competes with a visitor's first answer.
const IDLE_MS = 2000;
let answered;
const firstAnswer = new Promise((resolve) => (answered = resolve));

function init(msg) {
  if (engine) return;
  let parts;
  try {
    const idle = Promise.race([firstAnswer, new Promise((resolve) => setTimeout(resolve, IDLE_MS))]);
    parts = openBundle({ ...msg, loadFull: () => loadFull(msg), idle });
  } catch (err) {
    // A bundle this engine cannot read (another format): nothing is fetched, the widget
    // hears it once, and every request after fails with the reason.
    const fail = () => Promise.reject(err);
    engine = { search: fail, scope: fail, embed: fail };
    return post({ type: "status", lexical: "failed", model: "failed", error: `model: ${errorText(err)}` });
  }
  const onStatus = (status, error) => post({ type: "status", ...status, ...(error ? { error } : {}) });
  engine = createEngine({ ...parts, onStatus });
}

// The model's code (onnxruntime-web and the HF tokenizer, ~40 KB gzipped) is a script of its
// own, full.<h>.js, read only by a worker that is to run the model (docs/bundle-format.md
// "Lite path"). It sets self.sitebotFull = {loadEncoder}.
function loadFull({ base, manifest }) {
  return new Promise((resolve, reject) => {
    try {
      if (!self.sitebotFull) importScripts(new URL(manifest.runtime.full, base).href);
      resolve(self.sitebotFull);
    } catch (err) {
      reject(new Error(`the model's code did not load (${errorText(err)})`));
    }
  });
}

function started(what) {
  if (!engine) throw new Error(`${what} before init`);
  return engine;
}

async function handle(msg) {
  switch (msg.type) {
    case "init":
      return init(msg);
    case "search": {
      const found = await started("search").search(msg.query, msg.k);
      post({ type: "results", id: msg.id, ...found });
      return answered();
    }
    case "model":
      // Somebody waits for the model itself (an LLM question: its streamed answer cannot be
      // upgraded later), so there is no first answer to keep the bandwidth for.
      return answered();
    case "scope":
      return post({ type: "scope", id: msg.id, ...(await started("scope").scope(msg.query)) });
    case "embed": {
      const q = await started("embed").embed(msg.text);
      return post({ type: "vector", id: msg.id, vector: Array.from(q) });
    }
    default:
      throw new Error(`unknown message type ${JSON.stringify(msg.type)}`);
  }
}

self.onmessage = (event) => {
  const msg = event.data || {};
  handle(msg).catch((err) => post({ type: "error", id: msg.id, message: errorText(err) }));
};
