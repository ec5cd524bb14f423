// Fetching bundle files. Everything but sitebot.json is content-addressed, so the
// browser's normal HTTP cache is the right cache; text shards, their units files, term shards
// and chunk metadata parts are memoised as promises so concurrent searches share one request per file.

/**
 * fetchOk(url, init) → Response, or an Error naming the URL and the status.
 * `init.priority` "high" puts a file on a first answer's critical path ahead of the others
 * in flight (Fetch Priority; ignored where unsupported).
 */
export async function fetchOk(url, init = {}) {
  const res = await fetch(url, { credentials: "same-origin", ...init });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return res;
}

export const fetchJson = async (url) => (await fetchOk(url)).json();
export const fetchBytes = async (url, init) => (await fetchOk(url, init)).arrayBuffer();

// Binary search for the shard whose [start, start+count) holds id: an index into `sorted`.
// `what` names the kind of file in the error of an inconsistent bundle.
export function locator(shards, what = "text shard") {
  const sorted = [...shards].sort((a, b) => a.start - b.start);
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
    throw new Error(`chunk ${id} is in no ${what}; the bundle is inconsistent`);
  }
  return { sorted, shardOf };
}

// Each shard's file fetched at most once, as `read(url)` gives it; failures are forgotten so a
// later search can retry (a flaky network, not a bad bundle).
export function memo(read) {
  const loaded = new Map(); // url → Promise
  return (url) => {
    let p = loaded.get(url);
    if (!p) {
      p = read(url);
      p.catch(() => loaded.delete(url));
      loaded.set(url, p);
    }
    return p;
  };
}

/**
 * shardReader(base, manifest.files.shards) → texts(ids) → Promise<Map<id, text>>
 * Loads only the shards that hold `ids`, each at most once.
 */
export function shardReader(base, shards) {
  const { sorted, shardOf } = locator(shards);
  const load = memo(fetchJson);

  return async function texts(ids) {
    const out = new Map();
    await Promise.all(
      ids.map(async (id) => {
        const i = shardOf(id);
        const arr = await load(new URL(sorted[i].file, base).href);
        out.set(id, arr[id - sorted[i].start] ?? "");
      }),
    );
    return out;
  };
}

/**
 * unitsReader(base, manifest.files.shards, dims) → signatures(ids) → Promise<{byId, bytes}>
 * The unit signatures of chunks `ids` from their shards' units files (docs/bundle-format.md,
 * "Units files"): `byId` maps a chunk to its units' signatures (ceil(dims/8) bytes each; none
 * for a one-unit chunk, and no entry for a shard without a units file); `bytes` is the size
 * of the units files those chunks are in, for the bench.
 */
export function unitsReader(base, shards, dims) {
  const { sorted, shardOf } = locator(shards);
  const size = Math.ceil(dims / 8);
  const load = memo(async (url) => {
    const buf = new Uint8Array(await fetchBytes(url));
    const chunks = [];
    for (let at = 0; at < buf.length; ) {
      const n = buf[at++];
      if (at + n * size > buf.length) throw new Error(`${url} ends inside a record; the bundle is damaged`);
      chunks.push(Array.from({ length: n }, (_, u) => buf.subarray(at + u * size, at + (u + 1) * size)));
      at += n * size;
    }
    return { chunks, bytes: buf.length };
  });

  return async function signatures(ids) {
    const byId = new Map();
    const files = new Map(); // url → bytes
    await Promise.all(
      ids.map(async (id) => {
        const shard = sorted[shardOf(id)];
        if (!shard.units) return; // built before units files: the card marks by words
        const url = new URL(shard.units, base).href;
        const { chunks, bytes } = await load(url);
        files.set(url, bytes);
        if (id - shard.start < chunks.length) byId.set(id, chunks[id - shard.start]);
      }),
    );
    return { byId, bytes: [...files.values()].reduce((a, b) => a + b, 0) };
  };
}
