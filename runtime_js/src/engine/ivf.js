// The partitioned dense index (docs/bundle-format.md "Partitioned vectors"; the Python side is
// generator/sitebot/index/partition.py): k-means lists, one file each. A question scores the
// centroids, fetches its `nprobe` nearest lists (each once, memoised) and scores only their
// rows, so the bytes a question costs do not grow with the site. Generic over the vector
// space: any manifest entry of this shape (the model's vectors, or another encoder's) opens
// with `openPartitions`.

import { denseIndex } from "./dense.js";
import { topK } from "./topk.js";

/**
 * parseList(buf, count, dims) → {ids, rows}: a list file's chunk ids (count uint32) and a
 * reader over its int8 rows and scales (the vectors layout, dense.js).
 * @param {ArrayBuffer} buf
 * @param {number} count
 * @param {number} dims
 */
export function parseList(buf, count, dims) {
  const ids = new Uint32Array(buf, 0, count);
  return { ids, rows: denseIndex(buf.slice(4 * count), count, dims) };
}

/**
 * partitionedIndex({centroids, table, nprobe, fetchList}) → DenseReader (engine.js).
 * `centroids` is the centroids file (vectors layout), `table` the parsed list table
 * ({dims, count, lists: [[file, rows], …]}), `fetchList(file)` → Promise<ArrayBuffer>.
 * Without `nprobe`, or with one ≥ the list count, every list is scored (exhaustive).
 * @param {{centroids: ArrayBuffer, table: {dims: number, count: number, lists: Array<[string, number]>},
 *          nprobe?: number, fetchList: (file: string) => Promise<ArrayBuffer>}} parts
 * @returns {import("./engine.js").DenseReader & {dims: number, lists: number, probe: (q: Float32Array) => Promise<number[]>}}
 */
export function partitionedIndex({ centroids, table, nprobe, fetchList }) {
  const { dims, count, lists, groups } = table;
  // With groups (index/lists.py), `centroids` holds the groups' centroids and each group's file
  // its lists' centroids: a big site's centroids are not all fetched before its first answer.
  const centres = denseIndex(centroids, groups ? groups.files.length : lists.length, dims);
  const all = lists.map((_, i) => i);
  const loaded = new Map(); // list number → Promise<{ids, rows}>
  const groupCentres = new Map(); // group number → Promise<DenseIndex of its lists' centroids>

  function openGroup(g) {
    let p = groupCentres.get(g);
    if (!p) {
      const [file, , n] = groups.files[g];
      p = fetchList(file).then((buf) => denseIndex(buf, n, dims));
      p.catch(() => groupCentres.delete(g));
      groupCentres.set(g, p);
    }
    return p;
  }

  function openList(i) {
    let p = loaded.get(i);
    if (!p) {
      const [file, rows] = lists[i];
      p = fetchList(file).then((buf) => parseList(buf, rows, dims));
      p.catch(() => loaded.delete(i)); // a failed fetch is retried by the next question
      loaded.set(i, p);
    }
    return p;
  }

  // The lists a question scores: its nprobe nearest centroids (score desc, list number asc);
  // with groups, among the lists of its groups.probe nearest groups (as lists.py nearest_lists).
  async function probe(q) {
    if (!nprobe || nprobe >= lists.length) return all;
    if (!groups) return topK(centres.score(q), nprobe);
    const chosen = topK(centres.score(q), groups.probe).sort((a, b) => a - b); // by first list
    const scored = await Promise.all(chosen.map(openGroup));
    const ids = [];
    const scores = [];
    chosen.forEach((g, j) => {
      const s = scored[j].score(q);
      for (let i = 0; i < s.length; i++) {
        ids.push(groups.files[g][1] + i);
        scores.push(s[i]);
      }
    });
    return topK(Float64Array.from(scores), nprobe).map((j) => ids[j]);
  }

  async function search(q, k) {
    const parts = await Promise.all((await probe(q)).map(openList));
    let total = 0;
    for (const p of parts) total += p.ids.length;
    // Every scored row by chunk id ascending, so topK's position tie-break is the id tie-break.
    const ids = new Uint32Array(total);
    const byId = new Map();
    let at = 0;
    for (const { ids: listIds, rows } of parts) {
      const s = rows.score(q);
      for (let j = 0; j < listIds.length; j++) {
        ids[at++] = listIds[j];
        byId.set(listIds[j], s[j]);
      }
    }
    ids.sort();
    const scores = Float64Array.from(ids, (id) => byId.get(id));
    return { ids: topK(scores, k).map((j) => ids[j]), scores: byId };
  }

  return { n: count, dims, lists: lists.length, probe, search };
}

/**
 * openPartitions(entry, nprobe, fetchJson, fetchBytes) → Promise<DenseReader> for a manifest
 * entry {centroids, lists} (paths resolved by the fetchers); the centroids and the list table
 * are fetched at once, the lists on demand.
 */
export async function openPartitions(entry, nprobe, fetchJson, fetchBytes) {
  const [centroids, table] = await Promise.all([fetchBytes(entry.centroids), fetchJson(entry.lists)]);
  return partitionedIndex({ centroids, table, nprobe, fetchList: fetchBytes });
}
