"""sitebot.checks: the single-value checks every entry point shares (URLs, secrets, email, time zone, hours, specs)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sitebot import checks
from sitebot.checks import (
    base_url_problem,
    email_problem,
    endpoint_problem,
    endpoint_secret_error,
    hours_problem,
    http_parts,
    is_http_url,
    is_keyed_host,
    is_secret_name,
    parse_hours,
    spec_problem,
    timezone_problem,
    url_problem,
    url_secret,
    webhook_problem,
)


def test_is_a_leaf_module() -> None:
    """Only the standard library and .errors: config, support and proxy import it, never the reverse."""
    tree = ast.parse(Path(checks.__file__).read_text(encoding="utf-8"))
    relative = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level > 0]
    assert set(relative) <= {"errors"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://example.com", True),
        ("HTTP://example.com/a", True),
        ("http://", True),
        ("/docs/", False),
        ("logo.png", False),
        ("ftp://example.com", False),
        ("httpsfoo", False),
    ],
)
def test_is_http_url_tells_urls_from_paths(value: str, expected: bool) -> None:
    assert is_http_url(value) is expected


@pytest.mark.parametrize("value", ["https://example.com/contact", "HTTP://localhost:8000/x?y=1", "http://[::1]/"])
def test_url_problem_accepts_absolute_http_urls(value: str) -> None:
    assert url_problem(value) is None
    assert http_parts(value) is not None


@pytest.mark.parametrize(
    "value",
    [
        "",
        "/contact",
        "example.com",
        "mailto:a@b.co",
        "https://",
        "https://exa mple.com",
        "http://[::1",
        "javascript:alert(1)",
    ],
)
def test_url_problem_refuses_the_rest(value: str) -> None:
    assert url_problem(value) == "must be an http(s) URL like https://example.com/contact"
    assert http_parts(value) is None


def test_base_url_is_a_url_or_a_root_path() -> None:
    assert base_url_problem("https://example.com/") is None
    assert base_url_problem("/docs/") is None
    assert base_url_problem("docs/") == "must start with http://, https:// or /"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("https://chat.example.com/", None),
        ("chat/", None),
        ("./proxy", None),
        ("//chat.example.com/", "must be an http(s) URL or a path relative to the bundle folder"),  # no scheme
        ("ftp://chat.example.com/", "must be an http(s) URL or a path relative to the bundle folder"),
        ("http://[::1", "must be an http(s) URL or a path relative to the bundle folder"),
        ("chat proxy", "must be an http(s) URL or a path relative to the bundle folder, without spaces"),
        ("", "must be an http(s) URL or a path relative to the bundle folder, without spaces"),
    ],
)
def test_endpoint_problem(value: str, problem: str | None) -> None:
    assert endpoint_problem(value) == problem


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("api_key", True),
        ("openai_api_key", True),
        ("Access-Token", True),
        ("password", True),
        ("key", True),
        ("keywords", False),
        ("model", False),
        ("monkey", False),
    ],
)
def test_is_secret_name(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret


def test_url_secret_finds_credentials_and_key_params_without_repeating_them() -> None:
    creds = url_secret("https://user:hunter2@example.com/hook")
    assert creds is not None and creds.kind == "credentials" and "hunter2" not in creds.phrase
    query = url_secret(" https://example.com/hook?a=1&API_KEY=s3cret&token=x ")
    assert query is not None and query.kind == "query"
    assert query.phrase == "has a key in its query (api_key=…)"  # the first name in sorted order
    assert url_secret("https://example.com/hook?page=2") is None
    assert url_secret("http://[::1") is None  # not a URL: the URL check reports it


def test_one_secret_rule_for_endpoint_webhook_and_proxy_upstream() -> None:
    url = "https://example.com/x?sig=abc"
    assert "has a key in its query (sig=…)" in (endpoint_secret_error(url, "llm.endpoint") or "")
    assert "has a key in its query (sig=…)" in (webhook_problem(url) or "")
    assert "abc" not in (endpoint_secret_error(url, "llm.endpoint") or "") + (webhook_problem(url) or "")


def test_keyed_hosts_need_a_proxy() -> None:
    assert is_keyed_host("api.openai.com") and is_keyed_host("API.OpenAI.com.") and is_keyed_host("me.openai.azure.com")
    assert not is_keyed_host("chat.example.com")
    error = endpoint_secret_error("https://api.openai.com/v1/chat/completions?x=1", "sitebot.toml:3")
    assert error is not None and error.startswith("sitebot.toml:3: the LLM endpoint is api.openai.com")
    assert "sitebot proxy --upstream https://api.openai.com/v1/chat/completions`" in error
    assert endpoint_secret_error("https://chat.example.com/", "x") is None


@pytest.mark.parametrize(
    ("value", "start"),
    [
        ("https://hooks.zapier.com/hooks/catch/1/abc/", None),
        ("http://localhost:8787/hook", None),
        ("http://example.com/hook", "must use https://"),
        ("https://hooks.slack.com/services/T/B/X", "is a Slack webhook"),
        ("https://u:p@example.com/hook", "carries credentials (user:pass@) that would be public in the bundle"),
        ("not a url", "must be an https:// URL (http:// only for localhost)"),
    ],
)
def test_webhook_problem(value: str, start: str | None) -> None:
    problem = webhook_problem(value)
    assert problem is None if start is None else (problem or "").startswith(start)


def test_email_and_timezone() -> None:
    assert email_problem("help@example.com") is None
    assert email_problem("help@example") == "must be an email address like help@example.com"
    assert timezone_problem("Europe/Paris") is None
    assert timezone_problem("Mars/Olympus") == "must be an IANA time zone name like Europe/Paris or America/New_York"
    assert timezone_problem(" Europe/Paris") is not None


def test_hours() -> None:
    assert parse_hours("Sat, Sun 10:00-14:00") == [{"days": [6, 7], "from": 600, "to": 840}]
    assert hours_problem("Mon-Fri 09:00-17:30") is None
    problem = hours_problem("Mon-Fri 17:00-09:00")
    assert problem is not None and problem.startswith("has a group that ends before it starts")
    assert problem.endswith(checks.HOURS_FORM)


@pytest.mark.parametrize(
    ("spec", "value", "problem"),
    [
        ((int, lambda v: v > 0, "must be > 0"), 3, None),
        ((int, lambda v: v > 0, "must be > 0"), 0, "must be > 0"),
        ((int, None, ""), True, "must be an int, not bool"),
        ((float, None, ""), 2, None),
        ((str, None, ""), 2, "must be a str, not int"),
        ((list, None, ""), "a", "must be a list, not str"),
        ((str, url_problem, ""), "nope", "must be an http(s) URL like https://example.com/contact"),
    ],
)
def test_spec_problem(spec: checks.Spec, value: object, problem: str | None) -> None:
    assert spec_problem(spec, value) == problem
