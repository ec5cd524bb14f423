// A unit's score from its signature: the sign bits of its vector (bit d of byte d >> 3, least
// significant first, set when the vector's d-th value is > 0; generator/sitebot/index/signatures.py).
// sqrt(pi/2) / sqrt(dims) · Σ_d q[d]·(±1) is close to the cosine of q with the unit's vector:
// a unit vector's coordinates are about sqrt(2/pi)/sqrt(dims) in size on average. It marked
// the same sentences as the float vectors (bench/marking.py), at 48 bytes a unit for MiniLM.

/**
 * signScorer(q) → (signature: Uint8Array) → approximate cosine with `q`
 * @param {Float32Array} q the question's unit vector
 */
export function signScorer(q) {
  const dims = q.length;
  const scale = Math.sqrt(Math.PI / 2) / Math.sqrt(dims);
  let sum = 0;
  for (let d = 0; d < dims; d++) sum += q[d];
  // Σ q[d]·(±1) = 2·(Σ of q over the set bits) − Σ q.
  return (sig) => {
    let set = 0;
    for (let d = 0; d < dims; d++) if ((sig[d >> 3] >> (d & 7)) & 1) set += q[d];
    return scale * (2 * set - sum);
  };
}
