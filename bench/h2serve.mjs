// A static file server over HTTP/2 (TLS), as most static hosts serve (GitHub Pages, Netlify, Cloudflare
// Pages, CloudFront): the benchmarks' stand-in for them, beside `sitebot serve`'s HTTP/1.1.
//
//     node bench/h2serve.mjs FOLDER PORT CERT.pem KEY.pem [http1]      (PORT 0: any free port)
//
// Prints the port it listens on as one line on stdout. It answers GET and HEAD of files under FOLDER
// (index.html for a folder), 404 otherwise, with the headers of generator/sitebot/serve.py: its
// pre-compressed twins (`x.br`, then `x.gz`) when the request's Accept-Encoding allows them and the twin
// is not older than the file, CORS, `Vary: Accept-Encoding`, and the cache lifetimes of
// sitebot.bundle.format (immutable for content-addressed names, no-cache for the rest). Node's built-in
// http2 only: no npm package. HTTP/1.1 is allowed too (allowHTTP1), so a client that does not offer h2 in
// ALPN still gets an answer; the benchmarks check the protocol each response came over. With `http1` it
// serves HTTP/1.1 only (TLS, keep-alive), as a host without HTTP/2 would: the same files and headers.

import fs from "node:fs";
import http2 from "node:http2";
import https from "node:https";
import path from "node:path";

const [folderArg, portArg, certFile, keyFile, mode] = process.argv.slice(2);
if (!folderArg || portArg === undefined || !certFile || !keyFile || (mode && mode !== "http1")) {
  console.error("usage: node bench/h2serve.mjs FOLDER PORT CERT.pem KEY.pem [http1]");
  process.exit(2);
}
const ROOT = fs.realpathSync(folderArg);

// sitebot.bundle.format's TYPES, IMMUTABLE and FRESH, handed over by bench/h2.py (SITEBOT_SERVE_HEADERS)
// so the tables live in one place, plus what a site folder (Pagefind's) holds.
const HEADERS = JSON.parse(process.env.SITEBOT_SERVE_HEADERS || "{}");
const TYPES = {
  ".htm": "text/html; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".gif": "image/gif",
  ".ico": "image/x-icon",
  ".pf_meta": "application/octet-stream",
  ".pf_index": "application/octet-stream",
  ".pf_fragment": "application/octet-stream",
  ".pagefind": "application/octet-stream",
  ...HEADERS.types,
};
const IMMUTABLE = HEADERS.immutable;
const FRESH = HEADERS.fresh; // what `sitebot serve` sends for every fixed name: a preview revalidates
if (!IMMUTABLE || !FRESH) {
  console.error("h2serve.mjs: start it through bench/h2.py, which hands over sitebot's headers");
  process.exit(2);
}
const HASH = /^[0-9a-f]{12}$/; // format.HASH_CHARS hex digits of sha256

// format.is_content_addressed on a URL path: a hash among the name's dot-parts after the stem, or a
// numbered file in a folder whose name carries one (the lite token table, `lite/tokens.<h>/7.bin`).
function isContentAddressed(urlPath) {
  const hashed = (name) => name.split(".").slice(1).some((p) => HASH.test(p));
  const name = path.posix.basename(urlPath);
  if (hashed(name)) return true;
  return hashed(path.posix.basename(path.posix.dirname(urlPath)));
}

// The codings an Accept-Encoding allows (q > 0), `*` standing for any not named: serve.accepted_encodings.
function accepted(header) {
  const named = new Map();
  for (const part of (header || "").split(",")) {
    const [name, ...params] = part.split(";").map((s) => s.trim());
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split("=").map((s) => s.trim());
      if (k.toLowerCase() === "q") q = Number.isFinite(Number(v)) ? Number(v) : 0;
    }
    if (name) named.set(name.toLowerCase(), q);
  }
  const out = new Set([...named].filter(([, q]) => q > 0).map(([n]) => n));
  if ((named.get("*") || 0) > 0) for (const e of ["br", "gzip"]) if (!named.has(e)) out.add(e);
  return out;
}

// The file a URL path names, or null: its real path (symlinks followed) must stay under ROOT.
function resolveFile(urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes("\0")) return null;
  let file = path.resolve(ROOT, "." + path.posix.normalize("/" + decoded));
  try {
    if (fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    file = fs.realpathSync(file);
  } catch {
    return null;
  }
  if (file !== ROOT && !file.startsWith(ROOT + path.sep)) return null;
  return fs.statSync(file).isFile() ? file : null;
}

// The twin to send instead of `file` ([path, coding, stat]) or null, br first as it is the smaller.
function twinOf(file, acceptEncoding) {
  const ok = accepted(acceptEncoding);
  const mtime = fs.statSync(file).mtimeMs;
  for (const [suffix, coding] of [
    [".br", "br"],
    [".gz", "gzip"],
  ]) {
    if (!ok.has(coding)) continue;
    try {
      const twin = fs.realpathSync(file + suffix);
      const stat = fs.statSync(twin);
      if (stat.isFile() && twin.startsWith(ROOT + path.sep) && stat.mtimeMs >= mtime) return [twin, coding, stat];
    } catch {
      // no such twin
    }
  }
  return null;
}

const tls = { cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) };
const server = mode === "http1" ? https.createServer(tls) : http2.createSecureServer({ ...tls, allowHTTP1: true });

// No Nagle wait between a response's writes (as sitebot serve; CDNs send at once too).
server.on("secureConnection", (socket) => socket.setNoDelay(true));

server.on("stream", (stream, headers) => {
  const method = headers[":method"];
  const urlPath = (headers[":path"] || "/").split("?")[0].split("#")[0];
  const common = {
    "access-control-allow-origin": "*",
    "cache-control": isContentAddressed(urlPath) ? IMMUTABLE : FRESH,
    vary: "Accept-Encoding",
  };
  stream.on("error", () => {}); // a client that goes away mid-answer is not an error of ours
  if (method !== "GET" && method !== "HEAD") {
    stream.respond({ ":status": 405, allow: "GET, HEAD", ...common });
    stream.end();
    return;
  }
  const file = resolveFile(urlPath);
  if (!file) {
    stream.respond({ ":status": 404, "content-type": "text/plain; charset=utf-8", ...common });
    stream.end("not found\n");
    return;
  }
  const twin = twinOf(file, headers["accept-encoding"]);
  const [sent, stat] = twin ? [twin[0], twin[2]] : [file, fs.statSync(file)];
  const head = {
    ":status": 200,
    "content-type": TYPES[path.extname(file).toLowerCase()] || "application/octet-stream",
    "content-length": stat.size,
    "last-modified": stat.mtime.toUTCString(),
    ...common,
  };
  if (twin) head["content-encoding"] = twin[1];
  if (method === "HEAD") {
    stream.respond(head, { endStream: true });
    return;
  }
  stream.respondWithFile(sent, head, { onError: () => stream.destroy() });
});

// An HTTP/1.1 client (allowHTTP1, or the http1 mode) comes in as a request, not a stream: answered the same way.
server.on("request", (req, res) => {
  if (req.httpVersion === "2.0") return; // handled by "stream"
  const urlPath = (req.url || "/").split("?")[0];
  const file = req.method === "GET" || req.method === "HEAD" ? resolveFile(urlPath) : null;
  const common = {
    "access-control-allow-origin": "*",
    "cache-control": isContentAddressed(urlPath) ? IMMUTABLE : FRESH,
    vary: "Accept-Encoding",
  };
  if (!file) {
    res.writeHead(404, { "content-type": "text/plain; charset=utf-8", ...common });
    res.end("not found\n");
    return;
  }
  const twin = twinOf(file, req.headers["accept-encoding"]);
  const [sent, stat] = twin ? [twin[0], twin[2]] : [file, fs.statSync(file)];
  res.writeHead(200, {
    "content-type": TYPES[path.extname(file).toLowerCase()] || "application/octet-stream",
    "content-length": stat.size,
    "last-modified": stat.mtime.toUTCString(),
    ...(twin ? { "content-encoding": twin[1] } : {}),
    ...common,
  });
  if (req.method === "HEAD") res.end();
  else fs.createReadStream(sent).pipe(res);
});

server.listen(Number(portArg), "127.0.0.1", () => {
  process.stdout.write(`${server.address().port}\n`);
});
