"""sitebot: turn a static website into a chatbot that runs in the visitor's browser.

The library API; the `sitebot` CLI is a thin layer over it.

    from pathlib import Path
    from sitebot import generate, GenerateOptions
    summary = generate(GenerateOptions(source=Path("public"), base_url="https://example.com/", output=Path("public/chatbot")))
    summary = generate(GenerateOptions(source="https://example.com/", output=Path("chatbot")))   # crawl
"""

from __future__ import annotations

from .errors import BundleError, ConfigError, CrawlError, ModelError, SitebotError, SourceError
from .pipeline import GenerateOptions, GenerateSummary, LLMSettings, generate
from .version import VERSION as __version__

__all__ = [
    "BundleError",
    "ConfigError",
    "CrawlError",
    "GenerateOptions",
    "GenerateSummary",
    "LLMSettings",
    "ModelError",
    "SitebotError",
    "SourceError",
    "__version__",
    "generate",
]
