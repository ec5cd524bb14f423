// The dense index reader over the int8 vectors (docs/bundle-format.md "index/vectors…"),
// one DenseReader (engine.js) holding the whole file. One pass over the Int8Array with a
// Float32 query; no allocation per chunk.

/**
 * denseIndex(arrayBuffer, n, dims) → {n, dims, score(q) → Float64Array (a new one per call)}
 * @param {ArrayBuffer} buf
 * @param {number} n
 * @param {number} dims
 * @returns {import("./engine.js").DenseReader & {dims: number}}
 */
export function denseIndex(buf, n, dims) {
  const bytes = n * dims;
  const pad = (bytes + 3) & ~3; // int8 block is zero-padded to a multiple of 4
  if (buf.byteLength !== pad + 4 * n) {
    throw new Error(`vectors file has ${buf.byteLength} bytes, expected ${pad + 4 * n} for ${n}×${dims}`);
  }
  const codes = new Int8Array(buf, 0, bytes);
  const scales = new Float32Array(buf, pad, n);
  const dims4 = dims & ~3;

  function score(q) {
    // Scores stay float64: rounding them to float32 would only add ties. A new array each
    // time, as the DenseReader contract says: concurrent searches each keep their own.
    const out = new Float64Array(n);
    for (let i = 0, off = 0; i < n; i++, off += dims) {
      // Four independent sums: about twice as fast in V8 as one (no dependency chain).
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, d = 0;
      for (; d < dims4; d += 4) {
        s0 += codes[off + d] * q[d];
        s1 += codes[off + d + 1] * q[d + 1];
        s2 += codes[off + d + 2] * q[d + 2];
        s3 += codes[off + d + 3] * q[d + 3];
      }
      for (; d < dims; d++) s0 += codes[off + d] * q[d];
      out[i] = scales[i] * (s0 + s1 + (s2 + s3));
    }
    return out;
  }

  return { n, dims, score };
}
