// The chunk metadata reader: one Corpus (engine.js) over index/chunks…json and its parts
// (docs/bundle-format.md). Ranking needs every candidate's page and weight: both come from
// the small meta file (the first chunk of each page, the weights that are not 1). A result's
// url, title and heading come from its part, fetched only for the results shown.

import { locator } from "./shards.js";

/**
 * corpusReader(meta, load, resolve) → Corpus
 * @param {{n: number, starts: number[], weights: Array<[number, number, number]>, parts: {file: string, start: number, count: number}[]}} meta
 * @param {(file: string) => Promise<{page: number, pages: {url: string, title: string}[], chunks: [string, string][]}>} load
 *   a part's JSON by its path in the bundle (memoised)
 * @param {(url: string) => string} resolve a page URL made absolute (relative ones against the host page)
 * @returns {import("./engine.js").Corpus}
 */
export function corpusReader(meta, load, resolve) {
  const { n, starts } = meta;
  const weights = new Float64Array(n).fill(1);
  for (const [first, count, w] of meta.weights || []) weights.fill(w, first, first + count);
  const { sorted, shardOf } = locator(meta.parts, "chunk metadata part");

  // The last page whose first chunk is at or before `id` (a page without chunks shares its
  // start with the next one, which is the chunk's).
  function pageOf(id) {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] <= id) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi;
  }

  async function rows(ids) {
    const out = new Map();
    await Promise.all(
      ids.map(async (id) => {
        const part = sorted[shardOf(id)];
        const data = await load(part.file);
        const [anchor, heading] = data.chunks[id - part.start];
        const page = data.pages[pageOf(id) - data.page];
        const url = resolve(page.url);
        out.set(id, { url: anchor ? `${url.split("#")[0]}#${anchor}` : url, title: page.title, heading });
      }),
    );
    return out;
  }

  return { n, weights, pageOf, rows };
}
