"""jinja2 templates: the demo page and the embed snippet (top-level `templates/`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

# In a wheel the templates are package data (generator/data/templates); in a checkout they
# sit at the top of the repository.
_HERE = Path(__file__).parent
_PACKAGED = _HERE / "data" / "templates"
TEMPLATE_DIR = _PACKAGED if _PACKAGED.is_dir() else _HERE.parent / "templates"

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
    autoescape=True,
    keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
)


def render(name: str, **context: Any) -> str:
    return _env.get_template(name).render(**context)
