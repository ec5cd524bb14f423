// llm.js: the LLM answer mode (docs/llm.md), loaded by widget.js only for a bundle whose
// settings say mode "llm". Prompt rendering, streaming, Markdown and their styles.

import { createLLM, renderRecord } from "../llm/view.js";
import { LLM_CSS } from "../llm/styles.js";
import { register } from "./register.js";

register({ createLLM, renderRecord, css: LLM_CSS });
