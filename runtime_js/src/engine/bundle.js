// Opens a bundle for the engine: checks sitebot.json's format, starts fetching the index
// files and the model, and wraps each in its reader (bm25.js, ivf.js, dense.js, shards.js,
// encoder.js). This is where another encoder or a partitioned dense reader gets chosen;
// engine.js only sees the EngineParts it returns.

import { lexicalIndex } from "./bm25.js";
import { denseIndex } from "./dense.js";
import { openPartitions } from "./ivf.js";
import { loadEncoder } from "./encoder.js";
import { fetchBytes, fetchJson, shardReader, unitsReader } from "./shards.js";
import { FORMAT_VERSION } from "../shared/format.js";

/**
 * checkFormat(manifest) throws when this engine cannot read the bundle's format.
 * @param {object} manifest sitebot.json
 */
export function checkFormat(manifest) {
  if (!manifest || manifest.format !== FORMAT_VERSION) {
    throw new Error(
      `sitebot.json has format ${manifest && manifest.format}, this engine reads format ${FORMAT_VERSION}; ` +
        "rebuild the bundle with a matching sitebot",
    );
  }
}

/**
 * openBundle({base, manifest, pageBase}) → the parts of createEngine but `onStatus`.
 * The three index files are fetched at once, the model alongside; the scope file only
 * on the first scope check (support.js asks when the bot has scope rules).
 * @param {{base: string, manifest: object, pageBase?: string}} init the "init" message
 * @returns {Omit<import("./engine.js").EngineParts, "onStatus">}
 */
export function openBundle({ base, manifest, pageBase }) {
  checkFormat(manifest);
  const retrieval = manifest.retrieval;
  const dims = manifest.model.dims;
  const url = (path) => new URL(path, base).href;
  const f = manifest.files;

  const lexical = fetchJson(url(f.lexical)).then((json) => lexicalIndex(json, retrieval));
  const corpus = fetchJson(url(f.chunks)).then((meta) => ({
    // Relative page URLs resolve against the host page, as links on it would.
    pages: meta.pages.map((p) => ({ url: new URL(p.url, pageBase || base).href, title: p.title })),
    chunks: meta.chunks,
    weights: Float64Array.from(meta.chunks, (c) => (c[3] == null ? 1 : c[3])),
  }));
  // k-means lists (ivf.js): the centroids and the list table now, a question's nearest lists when asked.
  const dense = openPartitions(
    f.vectors,
    retrieval.nprobe,
    (path) => fetchJson(url(path)),
    (path) => fetchBytes(url(path)),
  );

  let rows = null;
  const scope = {
    examples: (manifest.settings && manifest.settings.scope && manifest.settings.scope.examples) || 0,
    open: () => (rows = rows || fetchBytes(url(f.scope)).then((buf) => denseIndex(buf, manifest.counts.scope, dims))),
  };

  return {
    retrieval,
    encoder: loadEncoder(base, manifest),
    lexical,
    dense,
    corpus,
    texts: shardReader(base, f.shards),
    signatures: unitsReader(base, f.shards, dims),
    scope,
  };
}
