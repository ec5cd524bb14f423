"""`sitebot proxy`: write a small proxy that holds the LLM key (docs/llm.md).

    write_proxy(ProxyOptions(provider="openai", upstream=..., allow_origins=("https://example.com",),
                             model="gpt-4o-mini"), Path("proxy"))

writes `cloudflare-worker.js`, `node-handler.mjs` (Node ≥ 18, no dependencies) and
`README.md` from templates/proxy/; both scripts share one core (core.js.j2), so they behave
alike. The key itself is never written: the proxy reads SITEBOT_LLM_API_KEY where it runs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .checks import SECRET_FIX, http_parts, url_secret
from .errors import BundleError, ConfigError
from .templates import TEMPLATE_DIR

DEFAULT_UPSTREAMS = {
    "openai": "https://api.openai.com/v1/chat/completions",
    "anthropic": "https://api.anthropic.com/v1/messages",
}
FILES = ("cloudflare-worker.js", "node-handler.mjs", "README.md")


@dataclass
class ProxyOptions:
    """What the proxy allows; `write_proxy` validates it."""

    provider: str
    upstream: str
    allow_origins: tuple[str, ...]
    model: str
    max_tokens: int = 600
    rate_limit: int = 20  # requests a minute per client IP
    max_body: int = 32768  # bytes


def normalise_origin(value: str) -> str:
    """`https://Example.com/` → `https://example.com`; anything with a path, query or
    credentials, or not http(s), is refused (browsers send the bare origin)."""
    parts = http_parts(value.strip())
    try:
        port = parts.port if parts else None
    except ValueError:  # a port that is not a number
        parts, port = None, None
    if parts is None or "@" in parts.netloc or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigError(
            f"--allow-origin {value!r} must be an origin like https://example.com "
            "(http or https, a host and an optional port, no path)"
        )
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")


def check_upstream(url: str, flag: str = "--upstream") -> str:
    """An http(s) URL with no key in it (the generated files may well end up in git)."""
    if http_parts(url.strip()) is None:
        raise ConfigError(f"{flag} {url!r} must be an http(s) URL, e.g. {DEFAULT_UPSTREAMS['openai']}")
    if url_secret(url):
        raise ConfigError(
            f"{flag}: the upstream URL carries a secret that would be written into the proxy's files; {SECRET_FIX}"
        )
    return url.strip()


def validate(opts: ProxyOptions) -> ProxyOptions:
    """The options with origins normalised; ConfigError names the first bad one."""
    if opts.provider not in DEFAULT_UPSTREAMS:
        raise ConfigError(f"--provider {opts.provider!r} must be openai or anthropic")
    if not opts.allow_origins:
        raise ConfigError("give the site's origin with --allow-origin https://your.site (repeat it for each origin)")
    if not opts.model.strip():
        raise ConfigError(
            "give --model (or [llm] model in sitebot.toml): the proxy pins it so visitors cannot pick a costlier one"
        )
    for flag, value, low, high in (
        ("--max-tokens", opts.max_tokens, 1, 32768),
        ("--rate-limit", opts.rate_limit, 1, 100_000),
        ("--max-body", opts.max_body, 1024, 10_000_000),
    ):
        if not low <= value <= high:
            raise ConfigError(f"{flag} must be between {low} and {high:,}")
    origins = tuple(dict.fromkeys(normalise_origin(o) for o in opts.allow_origins))
    return ProxyOptions(
        opts.provider,
        check_upstream(opts.upstream),
        origins,
        opts.model.strip(),
        opts.max_tokens,
        opts.rate_limit,
        opts.max_body,
    )


_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
    autoescape=False,
    keep_trailing_newline=True,
    trim_blocks=True,
    undefined=jinja2.StrictUndefined,
)


def render_proxy(opts: ProxyOptions) -> dict[str, str]:
    """File name → text of the three files."""
    opts = validate(opts)
    config = {
        "provider": opts.provider,
        "upstream": opts.upstream,
        "allowOrigins": list(opts.allow_origins),
        "model": opts.model,
        "maxTokens": opts.max_tokens,
        "rateLimit": opts.rate_limit,
        "maxBody": opts.max_body,
    }
    context = {
        "config_json": json.dumps(config, indent=2, ensure_ascii=False),
        "provider": opts.provider,
        "upstream": opts.upstream,
        "origins": opts.allow_origins,
        "model": opts.model,
        "max_tokens": opts.max_tokens,
        "rate_limit": opts.rate_limit,
        "max_body": opts.max_body,
    }
    return {name: _env.get_template(f"proxy/{name}.j2").render(**context) for name in FILES}


def write_proxy(opts: ProxyOptions, output: Path) -> list[Path]:
    """Write the proxy's files into `output` (other files there are left alone)."""
    files = render_proxy(opts)
    try:
        output.mkdir(parents=True, exist_ok=True)
        paths = []
        for name, text in files.items():
            (output / name).write_text(text, encoding="utf-8")
            paths.append(output / name)
    except OSError as e:
        raise BundleError(f"cannot write the proxy into {output}: {e.strerror}; choose another folder with -o") from e
    return paths
