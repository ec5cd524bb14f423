// Opens a bundle for the engine: checks sitebot.json's format, starts fetching the index
// files and the model, and wraps each in its reader (bm25.js, ivf.js, dense.js, shards.js,
// encoder.js). This is where another encoder or a partitioned dense reader gets chosen;
// engine.js only sees the EngineParts it returns.

import { lexicalReader } from "./bm25.js";
import { corpusReader } from "./corpus.js";
import { denseIndex } from "./dense.js";
import { openPartitions } from "./ivf.js";
import { loadLiteEncoder } from "./lite.js";
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
 * openBundle({base, manifest, pageBase, full, loadFull, idle}) → the parts of createEngine but `onStatus`.
 * The two index meta files are fetched at once, with the lite path's files (a question then
 * fetches the term shards and metadata parts it needs); the
 * model and its vectors only when `full` (the widget decides: the owner's `bot.model` and the
 * visitor's connection), through `loadFull` (worker.js: the model's code is a file of its own),
 * and only once those are in and `idle` has resolved (the first answer is out, or a while passed);
 * the scope file only on the first scope check (support.js asks when the bot has scope rules).
 * @param {{base: string, manifest: object, pageBase?: string, full?: boolean,
 *   loadFull?: () => Promise<{loadEncoder: Function}>, idle?: Promise<void>}} init the "init" message,
 *   and the worker's loader and signal
 * @returns {Omit<import("./engine.js").EngineParts, "onStatus">}
 */
export function openBundle({ base, manifest, pageBase, full = true, loadFull, idle = Promise.resolve() }) {
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
  // k-means lists (ivf.js): the centroids and the list table when a path starts, a question's
  // nearest lists when asked.
  // The lite path's group centroids and lists are on its first answer's critical path (after the
  // token rows): they go before the term shards still in flight.
  const lists = (entry, nprobe, init) =>
    openPartitions(entry, nprobe, (path) => fetchJson(url(path)), (path) => fetchBytes(url(path), init));
  const paths = [];
  // Without the lite path (bot.model = "full", or a model whose tokenizer the browser's small
  // one cannot reproduce), or when the visitor's browser is not to download the model, the
  // other path is all there is; with neither, keywords answer alone.
  const lite = manifest.lite;
  const liteRetrieval = lite && { ...retrieval, ...lite.retrieval };
  const litePath = lite && {
    name: "lite",
    encoder: loadLiteEncoder(base, manifest),
    dense: lists(lite.vectors, liteRetrieval.nprobe, { priority: "high" }),
    retrieval: liteRetrieval,
  };
  if ((full || !lite) && loadFull) {
    // The model's tens of MB start once the first answer's files are in and it is out, so they
    // do not share the visitor's bandwidth with it; they start anyway if those fail.
    const first = Promise.all([lexical, corpus, ...(litePath ? [litePath.encoder, litePath.dense] : [])]);
    // Without a lite path the first answer is a keyword one, which the model would upgrade:
    // nothing to keep the bandwidth for.
    const after = first.then(
      () => (litePath ? idle : undefined),
      () => {},
    );
    paths.push({
      name: "full",
      encoder: after.then(loadFull).then((code) => code.loadEncoder(base, manifest)),
      dense: after.then(() => lists(f.vectors, retrieval.nprobe)),
      retrieval,
    });
  }
  if (litePath) paths.push(litePath);

  let rows = null;
  let liteRows = null;
  const liteScope = lite && lite.scope;
  const scope = {
    examples: (manifest.settings && manifest.settings.scope && manifest.settings.scope.examples) || 0,
    open: () => (rows = rows || fetchBytes(url(f.scope)).then((buf) => denseIndex(buf, manifest.counts.scope, dims))),
    // The same questions as lite vectors, for a visitor whose model never loads.
    lite: liteScope
      ? {
          open: () =>
            (liteRows = liteRows || fetchBytes(url(liteScope.file)).then((buf) => denseIndex(buf, liteScope.count, lite.dims))),
        }
      : null,
  };

  return {
    retrieval,
    paths,
    lexical,
    corpus,
    texts: shardReader(base, f.shards),
    signatures: unitsReader(base, f.shards, dims),
    scope,
  };
}
