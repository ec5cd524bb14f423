// Hybrid ranking (docs/bundle-format.md "Hybrid ranking"): weighted reciprocal-rank
// fusion of the lexical and dense candidate lists, times the chunk's weight.

const byScore = (a, b) => b.score - a.score || a.id - b.id;

/**
 * fuse(lexIds, lexScores, denseIds | null, weights, retrieval) → [{id, score}] best first.
 * lexIds/denseIds are the candidate lists best first; weights[id] is the chunk weight.
 */
export function fuse(lexIds, lexScores, denseIds, weights, r) {
  if (!denseIds) {
    return lexIds.map((id) => ({ id, score: lexScores[id] * weights[id] })).sort(byScore);
  }
  // Dense term first, lexical term added: the order the spec writes them in.
  const fused = new Map();
  denseIds.forEach((id, i) => fused.set(id, r.w_dense / (r.rrf_k + i + 1)));
  lexIds.forEach((id, i) => fused.set(id, (fused.get(id) ?? 0) + r.w_lexical / (r.rrf_k + i + 1)));
  return [...fused].map(([id, s]) => ({ id, score: s * weights[id] })).sort(byScore);
}
