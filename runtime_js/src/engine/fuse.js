// Hybrid ranking (docs/bundle-format.md "Hybrid ranking"). The default is an adaptive,
// score-aware convex fusion: each list's scores are min-max normalised over its candidates
// and summed with weights, BM25's weight growing with how much of the question its best
// chunk holds. Then a page with several good chunks gains a small bonus. Plain convex
// weights and reciprocal-rank fusion ("fusion": "convex" / "rrf") stay selectable.

const byScore = (a, b) => b.score - a.score || a.id - b.id;

/**
 * fuse(lexIds, lexScores, denseIds | null, denseScores | null, weights, retrieval, more)
 *   → [{id, score}] best first. The id lists are the candidates, best first.
 * `denseScores` maps each chunk the dense reader scored to its cosine (a chunk in no probed
 * list has none: it counts as the last dense candidate, normalised 0).
 * `more.cover` is the share of the question's terms (IDF-weighted) that the best lexical
 * chunk holds (lexical reader's `coverage`); `more.pageOf(id)` a chunk's page.
 */
export function fuse(lexIds, lexScores, denseIds, denseScores, weights, r, { cover = 0, pageOf } = {}) {
  if (!denseIds || !denseIds.length) {
    return lexIds.map((id) => ({ id, score: lexScores[id] * weights[id] })).sort(byScore);
  }
  if (!lexIds.length) {
    return denseIds.map((id) => ({ id, score: denseScores.get(id) * weights[id] })).sort(byScore);
  }
  const fused = new Map();
  if (r.fusion === "rrf") {
    denseIds.forEach((id, i) => fused.set(id, r.w_dense / (r.rrf_k + i + 1)));
    lexIds.forEach((id, i) => fused.set(id, (fused.get(id) ?? 0) + r.w_lexical / (r.rrf_k + i + 1)));
  } else {
    let wDense = r.w_dense;
    let wLex = r.w_lexical;
    if (r.fusion === "adaptive") {
      // BM25 leads as far as its best chunk holds the question's terms (an identifier it
      // matches exactly); the vectors lead when it matches only some common words.
      wLex = r.w_lexical_min + (r.w_lexical_max - r.w_lexical_min) * cover;
      wDense = 1 - wLex;
    }
    const top = denseScores.get(denseIds[0]);
    const low = denseScores.get(denseIds[denseIds.length - 1]);
    const span = top - low || 1;
    const topLex = lexScores[lexIds[0]];
    const ids = new Set(denseIds);
    for (const id of lexIds) ids.add(id);
    for (const id of ids) {
      const dense = denseScores.get(id);
      const d = dense === undefined ? 0 : Math.max(0, (dense - low) / span);
      const l = lexScores[id] > 0 ? lexScores[id] : 0;
      fused.set(id, wDense * d + wLex * (l / topLex));
    }
  }
  const scored = [...fused].map(([id, s]) => ({ id, score: s * weights[id] }));
  if (r.page_bonus && pageOf) pageBonus(scored, r.page_bonus, pageOf);
  return scored.sort(byScore);
}

// Each chunk gains alpha·(its page's 2nd best score) + alpha²·(3rd best): a page with
// several good chunks moves up, and a page's own chunks keep their order.
function pageBonus(scored, alpha, pageOf) {
  const byPage = new Map();
  for (const { id, score } of scored) {
    const page = pageOf(id);
    if (!byPage.has(page)) byPage.set(page, []);
    byPage.get(page).push(score);
  }
  const bonus = new Map();
  for (const [page, found] of byPage) {
    found.sort((a, b) => b - a);
    let b = 0;
    if (found.length > 1) b += alpha * found[1];
    if (found.length > 2) b += alpha * alpha * found[2];
    bonus.set(page, b);
  }
  for (const s of scored) s.score += bonus.get(pageOf(s.id));
}
