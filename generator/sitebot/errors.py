"""Errors a user can cause, each shown as one sentence by the CLI.

    SitebotError                 anything the user can fix; the CLI prints it and exits 1
    ├── ConfigError              sitebot.toml or a flag has a bad value
    ├── SourceError              the site folder is missing, empty or has nothing readable
    │   └── CrawlError           the start URL cannot be crawled (unreachable, not HTML, disallowed…)
    ├── ModelError               the model folder or file is missing, corrupt or not the expected one
    │   └── EndpointError        the --embed-endpoint server is down, refuses, or serves another model
    ├── BundleError              the output folder cannot be written, or a bundle cannot be read
    ├── QuestionsError           the questions file given to `sitebot eval` is missing or malformed
    └── DeployError              a deploy target cannot be used, or sending to it failed

Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class SitebotError(Exception):
    """An error the user can fix; its message is shown as is."""


class ConfigError(SitebotError):
    """A bad configuration value."""


class SourceError(SitebotError):
    """The source site cannot be read or has no usable pages."""


class CrawlError(SourceError):
    """The site cannot be crawled from its start URL."""


class ModelError(SitebotError):
    """The embedding model cannot be used."""


class EndpointError(ModelError):
    """The embeddings endpoint cannot be used: down, refusing, malformed, or serving another model."""


class BundleError(SitebotError):
    """The bundle cannot be written."""


class QuestionsError(SitebotError):
    """The questions file for an evaluation cannot be used."""


class DeployError(SitebotError):
    """A deploy target cannot be used, or an upload failed."""
