// Fetching bundle files. Everything but sitebot.json is content-addressed, so the
// browser's normal HTTP cache is the right cache; text shards are memoised here as
// promises so concurrent searches share one request per shard.

/** fetchOk(url) → Response, or an Error naming the URL and the status. */
export async function fetchOk(url) {
  const res = await fetch(url, { credentials: "same-origin" });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return res;
}

export const fetchJson = async (url) => (await fetchOk(url)).json();
export const fetchBytes = async (url) => (await fetchOk(url)).arrayBuffer();

/**
 * shardReader(base, manifest.files.shards) → texts(ids) → Promise<Map<id, text>>
 * Loads only the shards that hold `ids`, each at most once.
 */
export function shardReader(base, shards) {
  const sorted = [...shards].sort((a, b) => a.start - b.start);
  const loaded = new Map(); // shard index → Promise<string[]>

  // Binary search for the shard whose [start, start+count) holds id.
  function shardOf(id) {
    let lo = 0;
    let hi = sorted.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = sorted[mid];
      if (id < s.start) hi = mid - 1;
      else if (id >= s.start + s.count) lo = mid + 1;
      else return mid;
    }
    throw new Error(`chunk ${id} is in no text shard; the bundle is inconsistent`);
  }

  function load(i) {
    let p = loaded.get(i);
    if (!p) {
      p = fetchJson(new URL(sorted[i].file, base).href);
      // Forget failures so a later search can retry (a flaky network, not a bad bundle).
      p.catch(() => loaded.delete(i));
      loaded.set(i, p);
    }
    return p;
  }

  return async function texts(ids) {
    const out = new Map();
    await Promise.all(
      ids.map(async (id) => {
        const i = shardOf(id);
        const arr = await load(i);
        out.set(id, arr[id - sorted[i].start] ?? "");
      }),
    );
    return out;
  };
}
