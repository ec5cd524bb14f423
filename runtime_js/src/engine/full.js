// The model's query encoder as a script of its own (full.<h>.js): worker.js importScripts it
// only when the visitor's browser is to run the model, so the lite path's worker stays small.

import { loadEncoder } from "./encoder.js";

self.sitebotFull = { loadEncoder };
