// Opens a bundle for the engine: checks sitebot.json's format, starts fetching the index
// files and the model, and wraps each in its reader (bm25.js, dense.js, shards.js,
// encoder.js). This is where another encoder or a partitioned dense reader gets chosen;
// engine.js only sees the EngineParts it returns.

import { lexicalReader } from "./bm25.js";
import { corpusReader } from "./corpus.js";
import { denseIndex } from "./dense.js";
import { loadEncoder } from "./encoder.js";
import { fetchBytes, fetchJson, memo, shardReader, unitsReader } from "./shards.js";
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
 * The vectors and the two index meta files are fetched at once, the model alongside; the scope file only
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

  // Two small meta files at once; a question then fetches the term shards and metadata parts it needs.
  const load = memo((path) => fetchJson(url(path)));
  const lexical = fetchJson(url(f.lexical)).then((meta) => lexicalReader(meta, retrieval, load));
  // Relative page URLs resolve against the host page, as links on it would.
  const resolve = (pageUrl) => new URL(pageUrl, pageBase || base).href;
  const corpus = fetchJson(url(f.chunks)).then((meta) => corpusReader(meta, load, resolve));
  // The vectors file holds one row per chunk, so its reader needs the chunk count.
  const vectors = fetchBytes(url(f.vectors));
  const dense = Promise.all([vectors, corpus]).then(([buf, c]) => denseIndex(buf, c.n, dims));

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
