"""The LLM prompt: a jinja2 template rendered into chat messages (docs/llm.md).

The browser renders the same template with a small renderer of a jinja2 subset, so here
`check_template` refuses anything outside that subset (with the template's line), and
`render` is the reference the browser's output is compared with.

    text = render(template_text, sample_context())
    messages = split_messages(text)        # [{"role": "system", "content": …}, …]
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes

from ..errors import ConfigError
from ..templates import TEMPLATE_DIR

DEFAULT_TEMPLATE = TEMPLATE_DIR / "prompt.jinja"
CONTEXT_NAMES = ("system_prompt", "site_title", "question", "passages", "history")
ROLES = ("system", "user", "assistant")

_MARKER = re.compile(r"^### (system|user|assistant)$")
_HASHES = re.compile(r"^###", re.MULTILINE)
# Whitespace control ({%- -%} {{- -}} {%+ +%}) is not in the subset the browser renders.
_WS_CONTROL = re.compile(r"\{[%{#][-+]|[-+][%}#]\}")


def _guard(value: Any) -> Any:
    """Every line of an inserted value that starts with ### gets one leading space, so page
    text or a visitor cannot start a message of their own."""
    return _HASHES.sub(" ###", value) if isinstance(value, str) else value


class _Environment(jinja2.Environment):
    """`a.b` reads the key b of a dict and nothing else (no methods, no attributes), as the
    browser's renderer does; anything else is undefined and renders as nothing."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, dict) and attribute in obj:
            return obj[attribute]
        return self.undefined(obj=obj, name=attribute)


_env = _Environment(
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    autoescape=False,
    finalize=_guard,
    undefined=jinja2.ChainableUndefined,
)


def render(template_text: str, context: dict[str, Any]) -> str:
    """The template rendered with jinja2, as the browser renders it."""
    return _env.from_string(template_text).render(**context)


def split_messages(text: str) -> list[dict[str, str]]:
    """Cut rendered text into messages at lines that are exactly `### system|user|assistant`.

    Each message's content is the text up to the next marker with surrounding blank lines
    and spaces stripped; empty messages and any text before the first marker are dropped.
    """
    messages: list[dict[str, str]] = []
    role: str | None = None
    lines: list[str] = []

    def close() -> None:
        content = "\n".join(lines).strip()
        if role is not None and content:
            messages.append({"role": role, "content": content})

    for line in text.split("\n"):
        m = _MARKER.match(line)
        if m:
            close()
            role, lines = m.group(1), []
        else:
            lines.append(line)
    close()
    return messages


# --- checking a template against the browser's subset ---------------------------------------

_WHY = {
    nodes.Filter: "filters ({{ x|f }}) are not supported",
    nodes.Test: "tests (x is y) are not supported",
    nodes.Call: "calls are not supported",
    nodes.Macro: "macros are not supported",
    nodes.CallBlock: "call blocks are not supported",
    nodes.Assign: "{% set %} is not supported",
    nodes.AssignBlock: "{% set %} is not supported",
    nodes.Include: "{% include %} is not supported",
    nodes.Import: "{% import %} is not supported",
    nodes.FromImport: "{% from … import %} is not supported",
    nodes.Extends: "{% extends %} is not supported",
    nodes.Block: "{% block %} is not supported",
    nodes.With: "{% with %} is not supported",
    nodes.FilterBlock: "{% filter %} is not supported",
    nodes.Getitem: "subscripts (x[0], x['k']) are not supported; write x.k",
    nodes.Const: "literals are not supported; write the text outside the tag",
    nodes.Compare: "comparisons are not supported",
    nodes.And: "and/or are not supported; nest the ifs",
    nodes.Or: "and/or are not supported; nest the ifs",
    nodes.CondExpr: "inline if expressions are not supported",
    nodes.Concat: "the ~ operator is not supported",
}


class _Unsupported(Exception):
    def __init__(self, lineno: int, why: str) -> None:
        super().__init__(why)
        self.lineno, self.why = lineno, why


def _reference(node: nodes.Node, scope: set[str]) -> None:
    """`name` or `a.b.c`, where the root is a context name or a loop variable."""
    if isinstance(node, nodes.Getattr):
        root = node
        while isinstance(root, nodes.Getattr):
            root = root.node
        if isinstance(root, nodes.Name) and root.name == "loop":
            raise _Unsupported(node.lineno, "loop.* is not supported; number passages with passage.n")
        _reference(root, scope)
        return
    if isinstance(node, nodes.Name):
        if node.name == "loop":
            raise _Unsupported(node.lineno, "loop.* is not supported; number passages with passage.n")
        if node.name not in scope:
            raise _Unsupported(
                node.lineno,
                f"unknown name '{node.name}' (the template can use {', '.join(CONTEXT_NAMES)} and its loop variables)",
            )
        return
    raise _Unsupported(
        node.lineno,
        _WHY.get(type(node), f"{type(node).__name__.lower()} expressions are not supported")
        + "; only names, a.b, and `not` in ifs are",
    )


def _condition(node: nodes.Node, scope: set[str]) -> None:
    _reference(node.node if isinstance(node, nodes.Not) else node, scope)


def _walk(body: list[nodes.Node], scope: set[str]) -> None:
    for node in body:
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                if not isinstance(child, nodes.TemplateData):
                    _reference(child, scope)
        elif isinstance(node, nodes.For):
            if not isinstance(node.target, nodes.Name):
                raise _Unsupported(node.lineno, "for loops take one name ({% for x in xs %})")
            if node.test is not None or node.recursive or node.else_:
                raise _Unsupported(node.lineno, "for … if, recursive loops and for … else are not supported")
            _reference(node.iter, scope)
            _walk(node.body, scope | {node.target.name})
        elif isinstance(node, nodes.If):
            _condition(node.test, scope)
            _walk(node.body, scope)
            for elif_ in node.elif_:
                _condition(elif_.test, scope)
                _walk(elif_.body, scope)
            _walk(node.else_, scope)
        else:
            raise _Unsupported(
                node.lineno, _WHY.get(type(node), f"{{% {type(node).__name__.lower()} %}} is not supported")
            )


def check_template(text: str, *, name: str = "prompt.jinja") -> None:
    """Raise ConfigError naming the line when `text` is not valid jinja2 or goes outside the
    subset of docs/llm.md; then render it on sample data and check it ends with a user message."""
    for n, line in enumerate(text.split("\n"), 1):
        if "{% raw" in line or "{%raw" in line:
            raise ConfigError(
                f"{name}:{n}: the prompt template cannot use {{% raw %}} (the browser renders a jinja2 subset)"
            )
        m = _WS_CONTROL.search(line)
        if m:
            raise ConfigError(
                f"{name}:{n}: the prompt template cannot use whitespace control ({m.group(0)}); "
                "blocks already drop their own line (trim_blocks, lstrip_blocks)"
            )
    try:
        tree = _env.parse(text)
    except jinja2.TemplateSyntaxError as e:
        raise ConfigError(f"{name}:{e.lineno}: the prompt template is not valid jinja2 ({e.message})") from None
    try:
        _walk(tree.body, set(CONTEXT_NAMES))
    except _Unsupported as e:
        raise ConfigError(
            f"{name}:{e.lineno}: the prompt template uses something the browser cannot render: {e.why}"
        ) from None
    try:
        messages = split_messages(render(text, sample_context()))
    except jinja2.TemplateError as e:
        raise ConfigError(f"{name}: the prompt template fails on sample data ({e})") from None
    if not messages or messages[-1]["role"] != "user":
        raise ConfigError(f"{name}: the prompt template must end with a `### user` line followed by {{{{ question }}}}")


# --- sample data and prompt size --------------------------------------------------------------

_SAMPLE_TEXT = (
    "Larkbox Basic costs 9 euros a month and covers one hub with up to 20 sensors. Larkbox Plus costs 19 euros a "
    "month, adds unlimited sensors, 90 days of history and e-mail alerts. Both plans can be cancelled at any time "
    "from the account page; the month already paid is not refunded. Prices include VAT in the EU and the UK. "
    "Annual billing saves two months. Students and non-profits get 50% off on request."
)


def sample_context(*, passages: int = 5, history_turns: int = 1, system_prompt: str | None = None) -> dict[str, Any]:
    """A fixed, realistic context (passages of about one 128-token chunk each)."""
    return {
        "system_prompt": (
            "You are the help assistant of Larkbox. Be brief and friendly.\n"
            "Never give medical, legal or financial advice."
        )
        if system_prompt is None
        else system_prompt,
        "site_title": "Larkbox",
        "question": "And how much does the Plus plan cost per year?",
        "passages": [
            {
                "n": i,
                "title": f"Pricing {i}",
                "heading": "Plans" if i % 2 else "",
                "url": f"https://larkbox.example/pricing/{i}/#plans",
                "text": _SAMPLE_TEXT,
            }
            for i in range(1, passages + 1)
        ],
        "history": [
            m
            for t in range(history_turns)
            for m in (
                {"role": "user", "content": "What plans do you have?"},
                {"role": "assistant", "content": "There are two plans, Basic and Plus [1]."},
            )
        ],
    }


def approx_tokens(text: str) -> int:
    """About four characters a token (English, BPE tokenizers of current chat models)."""
    return math.ceil(len(text) / 4)


def prompt_tokens(
    settings: dict[str, Any], context: dict[str, Any] | None = None, *, count: Callable[[str], int] = approx_tokens
) -> int:
    """The prompt's size in tokens: each message's content plus 4 tokens of chat framing.

    `settings` is a manifest (`sitebot.json` as a dict), its `settings.llm`, or a dict with
    at least `prompt`; without `context`, a sample context sized by the settings' `passages`
    and `history_turns` is used.
    """
    llm = (settings["settings"].get("llm") or {}) if "settings" in settings else settings
    if context is None:
        context = sample_context(
            passages=int(llm.get("passages", 5)),
            history_turns=int(llm.get("history_turns", 1)),
            system_prompt=llm.get("system_prompt"),
        )
    template = llm.get("prompt") or DEFAULT_TEMPLATE.read_text(encoding="utf-8")
    return sum(count(m["content"]) + 4 for m in split_messages(render(template, context)))


def read_template(path: Path | None = None) -> str:
    """The text of a template file (the default one when `path` is None)."""
    return (path or DEFAULT_TEMPLATE).read_text(encoding="utf-8")
