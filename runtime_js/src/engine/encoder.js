// The full query encoder: the bundle's tokenizer.json in @huggingface/tokenizers and
// its ONNX model in onnxruntime-web (wasm build only, bundled into engine.js so the
// only run-time downloads are the .wasm, the model and the tokenizer). It must give the
// vectors the Python generator gives (mean pooling + L2 norm, same truncation).
// It is one QueryEncoder (engine.js): other encoders (e.g. the planned static token
// table) only need `embed(text)`; the engine keeps the last question's vector for any of them.

import * as ort from "onnxruntime-web/wasm";
import { vocabulary } from "./notfound.js";
import { fetchBytes, fetchJson } from "./shards.js";
import { queryTokenizer } from "./tokens.js";

/**
 * loadEncoder(base, manifest) → Promise<{embed(text) → Promise<Float32Array>}>
 * @param {string} base the bundle folder's absolute URL
 * @param {object} manifest sitebot.json
 * @returns {Promise<import("./engine.js").QueryEncoder>}
 */
export async function loadEncoder(base, manifest) {
  const m = manifest.model;
  const url = (path) => new URL(path, base).href;

  // One thread, no proxy worker: we already are a worker, threads need cross-origin
  // isolation the host page rarely has, and a query is a few dozen tokens. Pointing
  // wasmPaths at our content-addressed file stops ort from guessing a URL of its own.
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmPaths = { wasm: url(manifest.runtime.ort_wasm) };
  ort.env.logLevel = "error";

  const [tokJson, modelBytes] = await Promise.all([
    fetchJson(url(m.files.tokenizer)),
    fetchBytes(url(m.files.model)),
  ]);
  const session = await ort.InferenceSession.create(new Uint8Array(modelBytes), {
    executionProviders: ["wasm"],
    graphOptimizationLevel: "all",
  });
  const inputs = m.inputs || ["input_ids", "attention_mask", "token_type_ids"];
  const outputName = m.output || "last_hidden_state";
  const maxTokens = m.query_max_tokens || m.max_tokens || 128;

  const ids = queryTokenizer(tokJson, maxTokens);
  let queue = Promise.resolve(); // one run at a time: session.run is not re-entrant

  async function run(text) {
    const tokens = ids(text);
    const len = tokens.length;
    const tensor = (fill) => new ort.Tensor("int64", BigInt64Array.from(tokens, fill), [1, len]);
    const feeds = {};
    for (const name of inputs) {
      if (name === "input_ids") feeds[name] = tensor((t) => BigInt(t));
      else if (name === "attention_mask") feeds[name] = tensor(() => 1n);
      else if (name === "token_type_ids") feeds[name] = tensor(() => 0n);
      else throw new Error(`the model wants an input "${name}" the engine cannot provide`);
    }
    const out = (await session.run(feeds))[outputName];
    const [, seq, dims] = out.dims;
    const h = out.data;
    // Mean over the tokens (the mask is all ones), then L2 normalise.
    const v = new Float64Array(dims);
    for (let t = 0; t < seq; t++) for (let d = 0; d < dims; d++) v[d] += h[t * dims + d];
    let norm = 0;
    for (let d = 0; d < dims; d++) norm += (v[d] / seq) ** 2;
    norm = Math.sqrt(norm) || 1;
    const q = new Float32Array(dims);
    for (let d = 0; d < dims; d++) q[d] = v[d] / seq / norm;
    for (const t of Object.values(feeds)) t.dispose?.();
    out.dispose?.();
    return q;
  }

  return {
    words: vocabulary(tokJson), // the not-found rule's everyday words (notfound.js)
    embed(text) {
      const p = queue.then(() => run(text));
      queue = p.catch(() => {});
      return p;
    },
  };
}
