// A lazily loaded part's side of widget/parts.js: its exports go on the <script> element that
// loaded it, which widget.js reads once the script has run.

/** register({…exports}) */
export function register(part) {
  const script = document.currentScript;
  if (script) script.sitebotPart = part;
}
