// support.js: handoff to a person, lead capture, feedback and scope rules, loaded by
// widget.js only for a bundle whose settings have [handoff], [lead], [feedback] or [scope].

import { createSupport } from "../support/index.js";
import { register } from "./register.js";

register({ createSupport });
