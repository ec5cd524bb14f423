// The one test of which URLs may become links in the widget. Page URLs come from the
// index and answers from a model, so a javascript: or data: URL must never reach an href.

/** The absolute href of an http(s) URL (a relative one resolves against the page); otherwise null. */
export function safeHref(url) {
  try {
    const u = new URL(url, document.baseURI);
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
  } catch {
    return null;
  }
}

/**
 * Like safeHref, but a relative URL counts only when it resolves to this site (the page's
 * <base> may point elsewhere): for links a model writes, which are its own guesses.
 */
export function safeLink(url) {
  const href = safeHref(url);
  return href && (/^\s*https?:/i.test(url) || new URL(href).origin === location.origin) ? href : null;
}
