"""jinja2 templates: the demo page and the embed snippet (package data: sitebot/data/templates)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

# Package data, in the wheel and in a checkout alike (generator/sitebot/data/templates).
TEMPLATE_DIR = Path(__file__).parent / "data" / "templates"

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
    autoescape=True,
    keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
)


def render(name: str, **context: Any) -> str:
    return _env.get_template(name).render(**context)
