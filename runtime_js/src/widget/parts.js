// The parts of the widget that only some bots need (llm.js for LLM answers, support.js for
// handoff, lead forms, feedback and scope rules) are separate classic scripts in the
// bundle, loaded on demand so widget.js stays small. A part hands its exports to the
// <script> element that loaded it (parts/register.js): no global name is defined.

import { ASSET_ATTR } from "../ui/panel.js";

/** loadPart(base, file) → the part's exports; rejects with the reason it did not load. */
export function loadPart(base, file) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = new URL(file, base).href;
    script.setAttribute(ASSET_ATTR, "");
    script.onload = () => (script.sitebotPart ? resolve(script.sitebotPart) : reject(new Error(`${script.src} did not load as a sitebot part`)));
    script.onerror = () => reject(new Error(`could not load ${script.src}; deploy the whole bundle folder`));
    document.head.append(script);
  });
}
