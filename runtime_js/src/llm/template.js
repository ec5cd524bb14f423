// The prompt template renderer: the jinja2 subset of docs/llm.md, giving the same text
// as Python's jinja2 Environment(trim_blocks=True, lstrip_blocks=True,
// keep_trailing_newline=True, autoescape=False) whose values go through the `###` guard.
//   render("{% for p in passages %}[{{ p.n }}] {{ p.title }}\n{% endfor %}", {passages}) → text
//   splitMessages("### system\nBe brief.\n### user\nHi") → [{role, content}…]
// Whitespace control, loop.*, for…else, filters and literals are not in the subset:
// `sitebot generate` refuses templates that use them (generator/sitebot/bot/prompt.py check_template).

// Python's str.isspace() set: JS \s minus U+FEFF, plus \x1c-\x1f and \x85.
const WS = "(?:(?!\\ufeff)[\\s\\x1c-\\x1f\\x85])";
const ONLY_WS = new RegExp(`^${WS}+$`);
const TAG = /\{([{%#])/g;
const NAME = "[A-Za-z_][A-Za-z0-9_]*";
const PATH = new RegExp(`^${NAME}(?:\\.${NAME})*$`);
const FOR = new RegExp(`^for\\s+(${NAME})\\s+in\\s+(.+)$`);

export class TemplateError extends Error {}

/** The template's text for this context (a plain object; values are strings, numbers, lists, objects). */
export function render(template, context) {
  return run(parse(String(template)), [context || {}]);
}

/** The rendered text cut at lines that are exactly `### system|user|assistant`; blank messages dropped. */
export function splitMessages(text) {
  const out = [];
  let msg = null;
  for (const line of String(text).split("\n")) {
    const m = /^### (system|user|assistant)$/.exec(line);
    if (m) out.push((msg = { role: m[1], lines: [] }));
    else if (msg) msg.lines.push(line);
  }
  return out.map(({ role, lines }) => ({ role, content: lines.join("\n").trim() })).filter((m) => m.content);
}

// Lexing, as jinja2's lexer does it: data, then a tag; a block or comment tag eats the
// newline after it (trim_blocks) and the spaces before it on its own line (lstrip_blocks).
function lex(src) {
  src = src.replace(/\r\n?/g, "\n");
  const tokens = [];
  let pos = 0;
  let lineStart = true; // the previous tag ended with the newline it ate
  TAG.lastIndex = 0;
  for (let m; (m = TAG.exec(src)); TAG.lastIndex = pos) {
    const kind = m[1];
    let text = src.slice(pos, m.index);
    if (kind !== "{") {
      const l = text.lastIndexOf("\n") + 1;
      if ((l > 0 || lineStart) && ONLY_WS.test(text.slice(l))) text = text.slice(0, l);
    }
    if (text) tokens.push({ text });
    const close = { "{": "}}", "%": "%}", "#": "#}" }[kind];
    const line = src.slice(0, m.index).split("\n").length;
    const end = src.indexOf(close, m.index + 2);
    if (end < 0) throw new TemplateError(`line ${line}: a tag is not closed (missing ${close})`);
    pos = end + 2;
    if (kind !== "{" && src[pos] === "\n") pos++;
    lineStart = src[pos - 1] === "\n";
    if (kind !== "#") tokens.push({ kind, body: src.slice(m.index + 2, end).trim(), line });
  }
  if (pos < src.length) tokens.push({ text: src.slice(pos) });
  return tokens;
}

// A tree of nodes: {text}, {out: path}, {for, in, body}, {if: [[expr, body]…], else}.
function parse(src) {
  const tokens = lex(src);
  let i = 0;
  const fail = (t, why) => {
    throw new TemplateError(`line ${t.line}: ${why}`);
  };
  // Nodes up to one of the `stops` keywords, which is returned with them.
  function nodes(stops) {
    const out = [];
    while (i < tokens.length) {
      const t = tokens[i++];
      if (t.text != null) out.push({ text: t.text });
      else if (t.kind === "{") out.push({ out: path(t, t.body) });
      else {
        const word = t.body.split(/\s/, 1)[0];
        if (stops.includes(word)) return [out, t, word];
        if (word === "for") {
          const m = FOR.exec(t.body) || fail(t, `expected "for x in xs", got "${t.body}"`);
          out.push({ for: m[1], in: path(t, m[2].trim()), body: nodes(["endfor"])[0] });
        } else if (word === "if") {
          const node = { if: [], else: [] };
          let expr = cond(t, t.body.slice(2));
          for (;;) {
            const [body, tag, end] = nodes(["elif", "else", "endif"]);
            node.if.push([expr, body]);
            if (end === "elif") expr = cond(tag, tag.body.slice(4));
            else {
              if (end === "else") node.else = nodes(["endif"])[0];
              break;
            }
          }
          out.push(node);
        } else fail(t, `unsupported tag "{% ${t.body} %}"`);
      }
    }
    if (stops.length) throw new TemplateError(`a block is not closed: expected {% ${stops[stops.length - 1]} %}`);
    return [out];
  }
  const path = (t, s) => (PATH.test(s) ? s.split(".") : fail(t, `unsupported expression "${s}"`));
  const cond = (t, s) => {
    const m = /^\s*not\s+(.*)$/.exec(s);
    return m ? { not: cond(t, m[1]) } : path(t, s.trim());
  };
  return nodes([])[0];
}

function run(nodes, scopes) {
  let out = "";
  for (const n of nodes) {
    if (n.text != null) out += n.text;
    else if (n.out) out += guard(str(lookup(n.out, scopes)));
    else if (n.if) {
      const hit = n.if.find(([e]) => truthy(test(e, scopes)));
      out += run(hit ? hit[1] : n.else, scopes);
    } else for (const item of iterable(lookup(n.in, scopes))) out += run(n.body, [{ [n.for]: item }, ...scopes]);
  }
  return out;
}

const own = (o, k) => o != null && typeof o === "object" && Object.prototype.hasOwnProperty.call(o, k);

function lookup([name, ...rest], scopes) {
  const scope = scopes.find((s) => own(s, name));
  let v = scope ? scope[name] : undefined;
  for (const k of rest) v = own(v, k) ? v[k] : undefined;
  return v;
}

const test = (e, scopes) => (e.not ? !truthy(test(e.not, scopes)) : lookup(e, scopes));

function truthy(v) {
  if (Array.isArray(v) || typeof v === "string") return v.length > 0;
  if (v && typeof v === "object") return Object.keys(v).length > 0;
  return Boolean(v);
}

function iterable(v) {
  if (Array.isArray(v)) return v;
  if (typeof v === "string") return [...v];
  return v && typeof v === "object" ? Object.keys(v) : [];
}

// Python's str() for the values a context holds.
function str(v) {
  if (v === undefined) return "";
  if (v === null) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  return String(v);
}

// A value's lines that start with ### get one leading space, so no value can open a message.
const guard = (s) => s.replace(/(^|\n)###/g, "$1 ###");
