"""sitebot: turn a static website into a chatbot that runs in the visitor's browser.

The library API; the `sitebot` CLI is a thin layer over it.

    from pathlib import Path
    from sitebot import generate, load_options, GenerateOptions
    summary = generate(GenerateOptions(source=Path("public"), base_url="https://example.com/", output=Path("public/chatbot")))
    summary = generate(GenerateOptions(source="https://example.com/", output=Path("chatbot")))   # crawl
    summary = generate(load_options("public", max_pages=200))   # defaults < sitebot.toml < these flags
"""

from __future__ import annotations

from .deploy import deploy
from .errors import (
    BundleError,
    ConfigError,
    CrawlError,
    DeployError,
    ModelError,
    QuestionsError,
    SitebotError,
    SourceError,
)
from .evaluate import evaluate
from .options import GenerateOptions, GenerateSummary, LLMSettings, load_options
from .pipeline import generate
from .version import VERSION as __version__

__all__ = [
    "BundleError",
    "ConfigError",
    "CrawlError",
    "DeployError",
    "GenerateOptions",
    "GenerateSummary",
    "LLMSettings",
    "ModelError",
    "QuestionsError",
    "SitebotError",
    "SourceError",
    "__version__",
    "deploy",
    "evaluate",
    "generate",
    "load_options",
]
