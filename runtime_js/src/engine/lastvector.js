// The last question's vector, kept. A bot with scope rules embeds each question for the
// rule check and then again for the search; this makes the second call free, whichever
// encoder is in use. One entry is enough: the two calls come back to back.

/**
 * keepLastVector(encoder) → an encoder whose embed(text) returns the pending or finished
 * vector of the previous call when `text` is the same. Callers only read the vector.
 * A failed embedding is forgotten, so asking again retries.
 * @param {import("./engine.js").QueryEncoder} encoder
 * @returns {import("./engine.js").QueryEncoder}
 */
export function keepLastVector(encoder) {
  let last = { text: null, vector: null };
  return {
    words: encoder.words,
    embedStatic: encoder.embedStatic, // the lite encoder's scope check (lite.js)
    embed(text) {
      if (last.text === text) return last.vector;
      const p = encoder.embed(text);
      last = { text, vector: p };
      p.catch(() => last.vector === p && (last = { text: null, vector: null }));
      return p;
    },
  };
}
