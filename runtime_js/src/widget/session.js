// The conversation, kept across pages of the site for this tab (sessionStorage, one key per
// bundle): {o: the panel is open, t: [{q, a: record (ui/record.js)}], a: 1 once the visitor
// has opened the panel}. sessionStorage throws in some privacy modes: then nothing is kept.

/** openSession(base) → {read() → the saved state or {}, save(state)} */
export function openSession(base) {
  const key = `sitebot:${base}`;
  return {
    read() {
      try {
        return JSON.parse(sessionStorage.getItem(key)) || {};
      } catch {
        return {};
      }
    },
    save(state) {
      try {
        sessionStorage.setItem(key, JSON.stringify(state));
      } catch {}
    },
  };
}
