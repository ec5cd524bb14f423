import { register } from "./register.js";
register({ createSupport: () => ({ route: async () => null, after() {}, kept() {}, reset() {}, handoff() {}, lead() {} }) });
