// Builds the browser runtime into ../generator/sitebot/runtime/, which the Python package
// ships as package data: widget.js (the loader, a classic script), llm.js and support.js
// (parts widget.js loads when a bot needs them), engine.js (the Web Worker, src/engine/worker.js),
// full.js (the model's encoder, which the worker loads only to run the model),
// onnxruntime-web's wasm binary and i18n.json (the UI strings other than English, from
// src/ui/strings.js). Same sources ⇒ same bytes: esbuild
// output carries no timestamps or absolute paths, and BUILD-INFO.json only versions.
//   npm run build

import * as esbuild from "esbuild";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { TRANSLATIONS } from "./src/ui/strings.js";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const out = here("../generator/sitebot/runtime/");
const version = (pkg) => JSON.parse(readFileSync(here(`node_modules/${pkg}/package.json`), "utf8")).version;

const common = {
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2020",
  platform: "browser",
  charset: "utf8",
  legalComments: "eof", // keep the licence notices of what we bundle
  logLevel: "warning",
};

// Start from an empty folder so a file dropped from the build cannot linger in the wheel.
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await esbuild.build({ ...common, entryPoints: [here("src/widget.js")], outfile: `${out}widget.js` });
// The parts only some bots need, loaded by widget.js on demand (src/widget/parts.js).
for (const part of ["llm", "support"]) {
  await esbuild.build({ ...common, entryPoints: [here(`src/parts/${part}.js`)], outfile: `${out}${part}.js` });
}
await esbuild.build({ ...common, entryPoints: [here("src/engine/worker.js")], outfile: `${out}engine.js` });
// The model's encoder (onnxruntime-web, the HF tokenizer), importScripts()ed by the worker only
// when it is to run the model (src/engine/full.js).
await esbuild.build({
  ...common,
  entryPoints: [here("src/engine/full.js")],
  outfile: `${out}full.js`,
  // ort's ESM bundle reads import.meta.url, which an IIFE lacks. In a classic worker the
  // script's own URL is self.location; ort only uses it as a fallback, since we set
  // env.wasm.wasmPaths and its JS glue is bundled in (nothing else is fetched).
  define: { "import.meta.url": "self.location.href" },
});
copyFileSync(here("node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm"), `${out}ort-wasm-simd-threaded.wasm`);

// The UI strings in languages other than English, fetched by widget.js when needed.
writeFileSync(`${out}i18n.json`, JSON.stringify(TRANSLATIONS) + "\n");

const info = {
  "onnxruntime-web": version("onnxruntime-web"),
  "@huggingface/tokenizers": version("@huggingface/tokenizers"),
  esbuild: version("esbuild"),
};
writeFileSync(`${out}BUILD-INFO.json`, JSON.stringify(info, null, 2) + "\n");
console.log(`runtime built into ${out}`);
