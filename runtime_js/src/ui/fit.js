// The panel at the size it is meant to be read at, on phones too. A page without
// <meta name=viewport> is laid out 980 CSS px wide and shown zoomed out on a 390 px wide
// phone, so a 15 px font there is 6 px to the eye. We do not touch the owner's viewport
// (that would re-lay out their page); on a touch phone we size the panel to the visual
// viewport and scale it back up by the zoom-out factor instead. The factor is the visual
// viewport's width in CSS px over the screen's width in device-independent px (the same
// on every browser, unlike visualViewport.scale, which iOS and Chromium measure from
// different baselines); it is never below 1, so a visitor who pinch-zooms in still
// gets larger text. Re-measured on pinch-zoom, scroll, rotation and the keyboard.

const PHONE = 600; // px: the short side of a phone's screen is at most this; tablets keep the floating panel

/**
 * followScreen(root) → a function that stops following.
 * On a touch phone, `root` gets the class "phone" and the custom properties --sb-x, --sb-y
 * (the visual viewport's corner), --sb-w, --sb-h (its size in panel px) and --sb-s (the
 * scale) that styles.js positions and scales the panel and launcher with.
 */
export function followScreen(root) {
  const vv = window.visualViewport;
  const coarse = matchMedia("(pointer: coarse)");
  let frame = 0;
  const schedule = () => frame || (frame = requestAnimationFrame(update));
  function update() {
    frame = 0;
    const short = Math.min(screen.width, screen.height);
    const phone = !!vv && coarse.matches && short > 0 && short <= PHONE;
    root.classList.toggle("phone", phone);
    if (!phone) return;
    // iOS keeps screen.width the portrait width when rotated; the viewport's shape tells.
    const screenWidth = vv.width > vv.height ? Math.max(screen.width, screen.height) : short;
    const s = Math.max(1, vv.width / screenWidth);
    const set = (name, value) => root.style.setProperty(name, value);
    set("--sb-x", `${vv.offsetLeft}px`);
    set("--sb-y", `${vv.offsetTop}px`);
    set("--sb-w", `${vv.width / s}px`);
    set("--sb-h", `${vv.height / s}px`);
    set("--sb-s", String(s));
  }
  update();
  if (vv) vv.addEventListener("resize", schedule), vv.addEventListener("scroll", schedule);
  addEventListener("resize", schedule);
  coarse.addEventListener("change", schedule);
  return () => {
    cancelAnimationFrame(frame);
    if (vv) vv.removeEventListener("resize", schedule), vv.removeEventListener("scroll", schedule);
    removeEventListener("resize", schedule);
    coarse.removeEventListener("change", schedule);
  };
}

/**
 * raise(el): puts `el` in the top layer (a manual popover), above everything the page
 * draws, whatever its z-index or stacking contexts; again on each call, so it goes
 * above a popover or dialog the page opened since. Browsers without popovers keep the
 * host's maximal z-index (styles.js).
 */
export function raise(el) {
  if (!el.showPopover || !el.isConnected) return;
  try {
    if (el.matches(":popover-open")) el.hidePopover();
    el.showPopover();
  } catch {} // e.g. a page's modal dialog is open: the z-index still holds
}
