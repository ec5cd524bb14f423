"""Options belong to the library: load_options (defaults < sitebot.toml < flags), one validate()
listing every problem, and the CLI's one error handler."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import write_toml
from sitebot import ConfigError, GenerateOptions, LLMSettings, load_options
from sitebot.cli import cli
from sitebot.crawl import CrawlOptions
from sitebot.options import BotSettings, load_proxy_options


@pytest.fixture
def site(tmp_path: Path) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "index.html").write_text("<main><h1>Hi</h1><p>Some text.</p></main>")
    return folder


def test_flags_override_the_toml_and_none_does_not(site: Path) -> None:
    cfg = write_toml(
        site,
        'base_url = "https://example.com/docs"\n[chunk]\nmax_tokens = 64\n'
        '[crawl]\nmax_pages = 10\ndelay = 1.0\n[bot]\ntitle = "Larkbox help"\n',
    )
    opts = load_options(site, cfg)
    assert (opts.base_url, opts.max_tokens, opts.bot.title) == ("https://example.com/docs/", 64, "Larkbox help")
    assert (opts.crawl.max_pages, opts.crawl.delay, opts.crawl.start_urls) == (10, 1.0, ())
    opts = load_options(site, cfg, base_url="/", max_tokens=256, max_pages=3, title="Ask Larkbox")
    assert (opts.base_url, opts.max_tokens, opts.bot.title, opts.crawl.max_pages) == ("/", 256, "Ask Larkbox", 3)
    assert opts.crawl.delay == 1.0  # from the file: no flag given
    assert load_options(site, cfg, base_url=None, max_tokens=None, max_pages=None) == load_options(site, cfg)


def test_defaults_come_from_the_dataclasses(site: Path) -> None:
    opts = load_options(site)
    assert opts.crawl == CrawlOptions(start_urls=())
    assert opts.bot == BotSettings() and opts.bot.title is None and opts.bot.not_found is None
    assert (opts.output, opts.max_tokens, opts.use_cache) == (Path("chatbot"), 128, True)
    assert load_options(site, use_cache=False).use_cache is False


def test_llm_defaults_are_the_dataclass_defaults(site: Path) -> None:
    cfg = write_toml(site, '[bot]\nmode = "llm"\n[llm]\nendpoint = "/llm"\nmodel = "m"\ntemperature = 0.5\n')
    llm = load_options(site, cfg).llm
    assert llm is not None and llm.temperature == 0.5 and llm.model == "m"
    assert llm.max_tokens == LLMSettings("e", "m").max_tokens and llm.passages == LLMSettings("e", "m").passages
    assert load_proxy_options(cfg).max_tokens == LLMSettings("e", "m").max_tokens


def test_every_problem_is_listed_at_once(site: Path) -> None:
    with pytest.raises(ConfigError) as e:
        load_options(site, base_url="example.com", max_tokens=1000, max_pages=0, user_agent="curl")
    message = str(e.value)
    for needle in (
        "--base-url 'example.com' must start with",
        "--max-tokens must be between 32 and 512",
        "--max-pages must be > 0",
        "--user-agent must name sitebot",
    ):
        assert needle in message


def test_validate_lists_every_problem_of_library_options(site: Path, tmp_path: Path) -> None:
    opts = GenerateOptions(
        source=site,
        output=tmp_path / "out",
        base_url="x",
        max_tokens=8,
        bot=BotSettings(mode="llm", accent="red"),
        llm=None,
        crawl=CrawlOptions(start_urls=(), concurrency=0),
        lead={"colour": 1},
    )
    with pytest.raises(ConfigError) as e:
        opts.validate()
    message = str(e.value)
    for needle in (
        "base_url 'x' must start with",
        "max_tokens must be between 32 and 512",
        "'crawl.concurrency' must be between 1 and 64",
        "'bot.accent' must be a colour",
        'bot.mode is "llm" but llm.endpoint or llm.model is not set',
        "unknown key 'lead.colour'",
    ):
        assert needle in message
    assert not (tmp_path / "out").exists()


def test_a_dict_or_a_typo_is_a_config_error(site: Path, tmp_path: Path) -> None:
    from sitebot import generate

    with pytest.raises(ConfigError, match=r"crawl must be a CrawlOptions .*not a dict.*unknown key 'crawl.max_pagez'"):
        generate(GenerateOptions(source=site, output=tmp_path / "out", crawl={"max_pagez": 3}))  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"bot must be a BotSettings"):
        GenerateOptions(source=site, output=tmp_path / "out", bot={"title": "x"}).validate()  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"unknown option 'max_pagez'"):
        load_options(site, max_pagez=3)
    assert not (tmp_path / "out").exists()


def test_the_cli_shows_a_sitebot_error_as_one_line(site: Path) -> None:
    r = CliRunner().invoke(cli, ["generate", str(site), "--base-url", "example.com"])
    assert r.exit_code == 1
    assert r.output.strip().splitlines() == ["Error: --base-url 'example.com' must start with http://, https:// or /"]
    r = CliRunner().invoke(cli, ["generate", str(site), "--base-url", "example.com", "--verbose"])
    assert (
        r.exit_code == 1
        and "Traceback" in r.output
        and r.output.strip().endswith("must start with http://, https:// or /")
    )


def test_help_does_not_load_the_model_runtime() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from sitebot.cli import main; sys.argv = ['sitebot', '--help']\ntry: main()\nexcept SystemExit: pass\n"
        "assert 'onnxruntime' not in sys.modules, 'onnxruntime imported'"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_a_section_that_is_not_a_dict_is_a_config_error(site: Path, tmp_path: Path) -> None:
    opts = GenerateOptions(source=site, output=tmp_path / "out", handoff=["help@acme.example"])  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"handoff must be a dict of \[handoff\] settings or None, not a list"):
        opts.validate()


def test_the_cli_dry_run_lists_the_folder_s_pages(site: Path, tmp_path: Path) -> None:
    r = CliRunner().invoke(
        cli, ["generate", str(site), "-o", str(tmp_path / "out"), "--dry-run", "--base-url", "https://example.com/"]
    )
    assert r.exit_code == 0, r.output
    assert r.output.split() == ["https://example.com/"] and not (tmp_path / "out").exists()
