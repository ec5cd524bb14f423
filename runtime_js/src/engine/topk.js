// The best k ids of a score array: how both the lexical and the dense candidate lists are
// cut (docs/bundle-format.md "Hybrid ranking"), whichever reader gave the scores.

/**
 * topK(scores, k, positiveOnly) → ids best first (score desc, then id asc).
 * A bounded insertion list: O(n·small) for k ≈ 50, and scanning ids in ascending
 * order with strict comparisons gives the id tie-break for free.
 * @param {ArrayLike<number>} scores
 * @param {number} k
 * @param {boolean} [positiveOnly] skip scores that are not > 0 (BM25: no term matched)
 * @returns {number[]}
 */
export function topK(scores, k, positiveOnly = false) {
  const ids = [];
  const vals = [];
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (positiveOnly && !(s > 0)) continue;
    if (ids.length === k && !(s > vals[k - 1])) continue;
    let pos = ids.length === k ? k - 1 : ids.length;
    while (pos > 0 && vals[pos - 1] < s) {
      ids[pos] = ids[pos - 1];
      vals[pos] = vals[pos - 1];
      pos--;
    }
    ids[pos] = i;
    vals[pos] = s;
  }
  return ids;
}
