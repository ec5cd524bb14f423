// The widget's one way to report a problem. Nothing may throw into the host page, so each
// problem is one console.warn("[sitebot] …") with its cause and its fix, said once.

const warned = new Set();

/** warn(message): logs "[sitebot] message", the first time only. */
export function warn(message) {
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(`[sitebot] ${message}`);
}
