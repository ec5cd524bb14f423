// Hybrid ranking (docs/bundle-format.md "Hybrid ranking"). The default is a score-aware
// convex fusion: each list's scores are min-max normalised over its candidates and summed
// with weights. Reciprocal-rank fusion stays available ("fusion": "rrf"), but it lets a
// chunk that is middling in both lists beat the clear winner of one (DESIGN.md).

const byScore = (a, b) => b.score - a.score || a.id - b.id;

/**
 * fuse(lexIds, lexScores, denseIds | null, denseScores | null, weights, retrieval)
 *   → [{id, score}] best first. The id lists are the candidates, best first.
 */
export function fuse(lexIds, lexScores, denseIds, denseScores, weights, r) {
  if (!denseIds || !denseIds.length) {
    return lexIds.map((id) => ({ id, score: lexScores[id] * weights[id] })).sort(byScore);
  }
  if (!lexIds.length) {
    return denseIds.map((id) => ({ id, score: denseScores[id] * weights[id] })).sort(byScore);
  }
  const fused = new Map();
  if (r.fusion === "rrf") {
    denseIds.forEach((id, i) => fused.set(id, r.w_dense / (r.rrf_k + i + 1)));
    lexIds.forEach((id, i) => fused.set(id, (fused.get(id) ?? 0) + r.w_lexical / (r.rrf_k + i + 1)));
  } else {
    const top = denseScores[denseIds[0]];
    const low = denseScores[denseIds[denseIds.length - 1]];
    const span = top - low || 1;
    const topLex = lexScores[lexIds[0]];
    const ids = new Set(denseIds);
    for (const id of lexIds) ids.add(id);
    for (const id of ids) {
      const d = Math.max(0, (denseScores[id] - low) / span);
      const l = lexScores[id] > 0 ? lexScores[id] : 0;
      fused.set(id, r.w_dense * d + r.w_lexical * (l / topLex));
    }
  }
  return [...fused].map(([id, s]) => ({ id, score: s * weights[id] })).sort(byScore);
}
