// The panel's colours: the accent from the settings, and light or dark like the page.

import { warn } from "./warn.js";

/**
 * followTheme(ui, theme) → a function that stops following.
 * Light or dark: as the settings say, else like the page: its background when it has one,
 * else its color-scheme (following the system when the page allows dark). Re-checked when
 * the page switches theme (class or data-theme on <html>/<body>) or the system does.
 */
export function followTheme(ui, theme) {
  if (theme === "dark" || theme === "light") return ui.dark(theme === "dark"), () => {};
  const system = matchMedia("(prefers-color-scheme: dark)");
  const update = () => ui.dark(pageIsDark(system.matches));
  const watch = new MutationObserver(update);
  for (const el of [document.documentElement, document.body]) if (el) watch.observe(el, { attributes: true, attributeFilter: ["class", "style", "data-theme", "data-bs-theme", "data-mode"] });
  system.addEventListener("change", update);
  update();
  return () => (watch.disconnect(), system.removeEventListener("change", update));
}

function pageIsDark(systemDark) {
  for (const el of [document.body, document.documentElement]) {
    const [r, g, b, alpha = 1] = ((el && getComputedStyle(el).backgroundColor) || "").match(/[\d.]+/g) || [];
    if (b != null && alpha > 0.5) return 0.299 * r + 0.587 * g + 0.114 * b < 128;
  }
  const scheme = getComputedStyle(document.documentElement).colorScheme || "";
  return scheme.includes("dark") && (systemDark || !scheme.includes("light"));
}

/**
 * themeCss(accent) → the stylesheet rule that sets the accent, or "".
 * The accent goes into the stylesheet, not a style attribute (strict CSP), so it must be
 * a plain colour: anything else could inject CSS.
 */
export function themeCss(accent) {
  if (!accent) return "";
  const value = String(accent).trim();
  if (!/^(#[\da-f]{3,8}|[a-z]{3,20}|(rgb|hsl)a?\([\d\s.,%/a-z]{1,40}\))$/i.test(value)) {
    warn(`ignored accent ${JSON.stringify(value)}: use a CSS colour such as #2563eb`);
    return "";
  }
  return `:host{--sitebot-accent:${value};--sitebot-accent-text:${readableOn(value)}}`;
}

// White text on dark accents, near-black on light ones (hex accents; others get white).
function readableOn(color) {
  let hex = color.slice(1);
  if (color[0] !== "#" || (hex.length !== 3 && hex.length !== 6)) return "#fff";
  if (hex.length === 3) hex = [...hex].map((c) => c + c).join("");
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.3 ? "#111" : "#fff";
}
