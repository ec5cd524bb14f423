"""The `sitebot` command: a thin layer over the library (see sitebot/__init__.py)."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .errors import SitebotError
from .version import VERSION


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


_VERBOSE = "sitebot.verbose"  # key in click's ctx.meta: the command was given --verbose


class _Group(click.Group):
    """Turns a SitebotError from any command into `Error: <message>` and exit 1, the one place that does.

    Handled here, inside click, so that click's CliRunner shows exactly what the real command shows.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SitebotError as e:
            if ctx.meta.get(_VERBOSE):
                traceback.print_exception(e, file=sys.stderr)  # with its cause chain
            click.echo(f"Error: {e}", err=True)
            ctx.exit(1)


def _verbose(help: str) -> Callable[[Any], Any]:
    """Every command's -v/--verbose; it also tells the error handler to show the traceback."""

    def remember(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
        ctx.meta[_VERBOSE] = value  # meta is shared with the group's context
        return value

    return click.option("-v", "--verbose", is_flag=True, help=help, callback=remember)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(VERSION, prog_name="sitebot")
def cli() -> None:
    """Turn a static website into a chatbot that runs in the visitor's browser."""


@cli.command()
@click.argument("source", required=False)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Bundle folder to write [default: ./chatbot].")
@click.option(
    "--base-url",
    envvar="SITEBOT_BASE_URL",
    help="URL the site is published at, e.g. https://example.com/ [default: /].",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help="sitebot.toml to read [default: SOURCE/sitebot.toml or ./sitebot.toml].",
)
@click.option(
    "--model",
    "model_dir",
    type=click.Path(path_type=Path),
    help="Folder with model.onnx + tokenizer.json [default: all-MiniLM-L6-v2 int8].",
)
@click.option("--selector", help="CSS selector of the main content [default: main, [role=main], article].")
@click.option(
    "--include",
    multiple=True,
    help="Only pages matching this glob: a file path in a folder, a URL path in a crawl (repeatable).",
)
@click.option("--exclude", multiple=True, help="Leave out pages matching this glob (as --include; repeatable).")
@click.option("--max-tokens", type=int, help="Chunk size in model tokens [default: 128].")
@click.option("--title", help="Bot title shown in the panel.")
@click.option(
    "--mode",
    type=click.Choice(["extractive", "llm"]),
    help="Answer mode [default: extractive]; llm needs an endpoint and a model.",
)
@click.option(
    "--llm-endpoint",
    help="LLM mode: the chat endpoint (your `sitebot proxy` or a keyless local model), absolute or relative to the bundle.",
)
@click.option("--llm-model", help="LLM mode: the model name sent with each request.")
@click.option(
    "--llm-provider",
    type=click.Choice(["openai", "anthropic"]),
    help="LLM mode: the API the endpoint speaks [default: openai].",
)
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path),
    envvar="SITEBOT_CACHE_DIR",
    help="Embedding cache [default: ~/.cache/sitebot].",
)
@click.option(
    "--embed-endpoint",
    envvar="SITEBOT_EMBED_ENDPOINT",
    help="Embed through this OpenAI-compatible embeddings server (its base URL or /embeddings URL), which must "
    "serve the bundle's model (README: Large sites).",
)
@click.option("--embed-model", help="The model name sent to --embed-endpoint [default: the bundle model's id].")
@click.option(
    "--no-cache",
    is_flag=True,
    help="Embed and fetch everything again; do not read or write the embedding and page caches.",
)
@click.option(
    "--no-precompress",
    is_flag=True,
    help="Do not write .br/.gz copies of the large text and wasm files [default: write them].",
)
@click.option("--max-pages", type=int, help="Crawl: stop after this many pages [default: 5000].")
@click.option("--max-depth", type=int, help="Crawl: links followed from the start URL [default: 50].")
@click.option("--concurrency", type=int, help="Crawl: simultaneous requests per host [default: 4].")
@click.option(
    "--delay", type=float, help="Crawl: seconds between requests to a host [default: 0.1; robots Crawl-delay wins]."
)
@click.option("--user-agent", help="Crawl: User-Agent (must name sitebot).")
@click.option("--scope", help="Crawl: only URLs under this prefix [default: the start URL's host].")
@click.option("--dry-run", is_flag=True, help="List what would be read or fetched; write nothing.")
@click.option("--report", "report_path", type=click.Path(path_type=Path), help="Write a JSON build report (for CI).")
@_verbose("List skipped pages with reasons; show error details.")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors.")
def generate(
    source: str | None,
    output: Path | None,
    base_url: str | None,
    config_path: Path | None,
    model_dir: Path | None,
    selector: str | None,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    max_tokens: int | None,
    title: str | None,
    mode: str | None,
    llm_endpoint: str | None,
    llm_model: str | None,
    llm_provider: str | None,
    cache_dir: Path | None,
    embed_endpoint: str | None,
    embed_model: str | None,
    no_cache: bool,
    no_precompress: bool,
    max_pages: int | None,
    max_depth: int | None,
    concurrency: int | None,
    delay: float | None,
    user_agent: str | None,
    scope: str | None,
    dry_run: bool,
    report_path: Path | None,
    verbose: bool,
    quiet: bool,
) -> None:
    """Build a chatbot bundle from SOURCE: a folder of built pages (HTML, Markdown, text,
    PDF) or the URL of a live site to crawl.

    SOURCE may also be a folder holding a sitebot.toml whose `source` names the pages.
    """
    from .options import check_report_path, load_options

    if report_path is not None and not dry_run:
        check_report_path(report_path)
    opts = load_options(
        source,
        config_path,
        output=output,
        base_url=base_url,
        model_dir=model_dir,
        selector=selector,
        include=include or None,
        exclude=exclude or None,
        max_tokens=max_tokens,
        title=title,
        mode=mode,
        llm_endpoint=llm_endpoint,
        llm_model=llm_model,
        llm_provider=llm_provider,
        cache_dir=cache_dir,
        use_cache=False if no_cache else None,
        precompress=False if no_precompress else None,
        embed_endpoint=embed_endpoint,
        embed_model=embed_model,
        max_pages=max_pages,
        max_depth=max_depth,
        concurrency=concurrency,
        delay=delay,
        user_agent=user_agent,
        scope=scope,
    )
    if dry_run:
        from .collect import plan

        for url in plan(opts):
            click.echo(url)
        return
    summary = _run_generate(opts, quiet)
    _print_summary(summary, opts, verbose, quiet)
    if report_path is not None:
        _write_report(report_path, summary)


def _run_generate(opts: Any, quiet: bool) -> Any:
    from rich.console import Console

    from .buildreport import progress_bars, reporter
    from .pipeline import generate

    console = Console(stderr=True)
    with progress_bars(console, disable=quiet or not console.is_terminal) as bar:
        return generate(opts, reporter(bar))


def _write_report(path: Path, s: Any) -> None:
    """The build as JSON, for CI: counts, sizes, time and every skipped page with its reason."""
    import json

    report = {
        "output": str(s.output),
        "pages": s.pages,
        "chunks": s.chunks,
        "embedded": s.embedded,
        "from_cache": s.chunks - s.embedded,
        "bundle_bytes": s.bundle_bytes,
        "index_bytes": s.index_bytes,
        "seconds": round(s.seconds, 3),
        "requests": s.requests,
        "not_modified": s.not_modified,
        "skipped": [{"url": u, "reason": r} for u, r in s.skipped],
        "duplicates": [{"url": d, "kept": k} for d, k in s.duplicates],
    }
    try:
        path.write_text(json.dumps(report, indent=2) + "\n")
    except OSError as e:  # checked before the build; the disk can still fill up or the folder go
        raise SitebotError(f"the bundle was written, but the report {path} was not ({e.strerror})") from e


def _print_summary(s: Any, opts: Any, verbose: bool, quiet: bool) -> None:
    from .buildreport import describe_skips, preview_hint
    from .options import is_url

    err = lambda msg: click.echo(msg, err=True)  # noqa: E731
    crawled = is_url(str(opts.source))
    warnings, notes = describe_skips(s.skipped, str(opts.source) if crawled else None)
    for line in warnings:
        err(f"Warning: {line}" + ("" if verbose else "; --verbose lists them"))
    if verbose:
        for path, r in s.skipped:
            err(f"  skipped {path}: {r}")
    if s.duplicates and verbose:
        for drop, keep in s.duplicates:
            err(f"  duplicate {drop} = {keep}")
    if quiet:
        return
    if notes:
        err(notes[0][0].upper() + "; ".join(notes)[1:])
    if s.requests:
        err(f"Fetched with {_plural(s.requests, 'request')}; {s.not_modified:,} pages unchanged (304)")
    err(
        f"Indexed {_plural(s.pages, 'page')} into {_plural(s.chunks, 'chunk')} "
        f"({s.embedded:,} embedded, {s.chunks - s.embedded:,} from cache)"
        + (f"; merged {_plural(len(s.duplicates), 'duplicate page')}" if s.duplicates else "")
    )
    err(f"Wrote {s.output} ({_size(s.bundle_bytes)}; index {_size(s.index_bytes)}) in {s.seconds:.1f} seconds")
    for line in preview_hint(s.output, opts.source, crawled):
        err(line)


@cli.command()
@click.option(
    "--provider",
    type=click.Choice(["openai", "anthropic"]),
    help="The API the upstream speaks [default: [llm] provider, else openai].",
)
@click.option("--upstream", help="The provider's chat URL [default: OpenAI's or Anthropic's].")
@click.option(
    "--allow-origin",
    "allow_origins",
    multiple=True,
    help="An origin allowed to call the proxy, e.g. https://example.com (repeatable) [default: base_url's origin].",
)
@click.option("--model", help="The model every request is pinned to [default: [llm] model].")
@click.option("--max-tokens", type=int, help="Cap on answer length in tokens [default: [llm] max_tokens, else 600].")
@click.option(
    "--rate-limit", type=int, default=20, show_default=True, help="Requests a minute allowed from one client IP."
)
@click.option("--max-body", type=int, default=32768, show_default=True, help="Largest request body in bytes.")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=Path("proxy"),
    show_default=True,
    help="Folder to write the proxy into.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help="sitebot.toml to take defaults from [default: ./sitebot.toml].",
)
@_verbose("Show error details.")
def proxy(
    provider: str | None,
    upstream: str | None,
    allow_origins: tuple[str, ...],
    model: str | None,
    max_tokens: int | None,
    rate_limit: int,
    max_body: int,
    output: Path,
    config_path: Path | None,
    verbose: bool,
) -> None:
    """Write a small proxy that holds the LLM provider's key, for the bot's llm mode.

    It writes cloudflare-worker.js, node-handler.mjs (Node 18+, also a Vercel or Netlify
    function) and README.md, which says how to deploy them. The key is never written: the
    proxy reads it from SITEBOT_LLM_API_KEY where it runs.
    """
    from .options import load_proxy_options
    from .proxy import write_proxy

    opts = load_proxy_options(
        config_path,
        provider=provider,
        upstream=upstream,
        allow_origins=allow_origins or None,
        model=model,
        max_tokens=max_tokens,
        rate_limit=rate_limit,
        max_body=max_body,
    )
    if not allow_origins and opts.allow_origins:
        click.echo(
            f"Allowing {opts.allow_origins[0]}, the origin of base_url (give --allow-origin to choose)", err=True
        )
    paths = write_proxy(opts, output)
    click.echo(f"Wrote {', '.join(str(p) for p in paths)}", err=True)
    click.echo(
        f"Deploy one of them with SITEBOT_LLM_API_KEY set where it runs ({output / 'README.md'} says how), "
        "then set [llm] endpoint to its URL",
        err=True,
    )


@cli.command("eval")
@click.argument("bundle", type=click.Path(path_type=Path))
@click.option(
    "--questions",
    "questions_path",
    required=True,
    type=click.Path(path_type=Path),
    help='JSON Lines, one {"q": …, "url": …} a line (or "pages": [...] for several answers); '
    'a question with no "url" is one the site cannot answer, where "not found" is right.',
)
@click.option(
    "--at",
    "at",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Cut-off N of the recall that --min-recall checks, and of the misses listed.",
)
@click.option(
    "--path",
    "query_path",
    type=click.Choice(["full", "lite"]),
    default="full",
    show_default=True,
    help="The query path to rank as: the model's (full), or the lite path a visitor gets before it (lite).",
)
@click.option("--min-recall", type=click.FloatRange(0, 1), help="Exit 1 when recall@N is below this, e.g. 0.8.")
@click.option("--min-mrr", type=click.FloatRange(0, 1), help="Exit 1 when MRR@10 is below this.")
@click.option(
    "--min-refusal",
    type=click.FloatRange(0, 1),
    help='Exit 1 when the share of unanswerable questions answered "not found" is below this, e.g. 0.8.',
)
@click.option(
    "--json",
    "json_path",
    type=click.Path(path_type=Path),
    help="Also write the report, every question with its rank, as JSON.",
)
@_verbose("Show error details.")
def eval_(
    bundle: Path,
    questions_path: Path,
    at: int,
    query_path: str,
    min_recall: float | None,
    min_mrr: float | None,
    min_refusal: float | None,
    json_path: Path | None,
    verbose: bool,
) -> None:
    """Ask a built BUNDLE questions with known answers and score its retrieval.

    Ranks exactly as the widget does (same maths, the bundle's own model and settings)
    and prints recall@1, recall@5 and MRR@10 by page over the questions the site answers,
    the answer rate (those it does not refuse) and the refusal rate (questions the site
    cannot answer, written without "url", that it answers "not found"), with the misses.
    With --min-recall / --min-refusal it exits 1 below the bar, so CI can stop a bad build.
    """
    import json

    from .evaluate import evaluate, load_questions

    questions = load_questions(questions_path)
    # Say that a gate cannot be measured before spending the model load on it.
    if min_refusal is not None and all(q.answerable for q in questions):
        raise SitebotError(
            f"the questions file {questions_path} has no question the site cannot answer; add some without "
            '"url", e.g. {"q": "Do you ship to the Moon?"}, or drop --min-refusal'
        )
    if (min_recall is not None or min_mrr is not None) and not any(q.answerable for q in questions):
        raise SitebotError(
            f"the questions file {questions_path} has no question the site can answer; give some a "
            '"url" with the page that answers it, or drop --min-recall and --min-mrr'
        )
    report = evaluate(bundle, questions, k=at, path=query_path)
    _print_eval(report)
    if json_path is not None:
        try:
            json_path.write_text(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
        except OSError as e:
            raise SitebotError(f"cannot write --json {json_path}: {e.strerror}") from e
    short = []
    if min_recall is not None and report.recall(at) < min_recall:
        short.append(f"recall@{at} {report.recall(at):.2f} is below --min-recall {min_recall:.2f}")
    if min_mrr is not None and report.mrr < min_mrr:
        short.append(f"MRR@10 {report.mrr:.2f} is below --min-mrr {min_mrr:.2f}")
    refusal = report.refusal_rate
    if min_refusal is not None and refusal is not None and refusal < min_refusal:
        short.append(f"refusal rate {refusal:.2f} is below --min-refusal {min_refusal:.2f}")
    if short:
        click.echo(f"Error: {' and '.join(short)}", err=True)
        sys.exit(1)


def _print_eval(report: Any) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False)
    n, a, u = len(report.results), len(report.answerable), len(report.unanswerable)
    split = f" ({a} with an answering page, {u} the site cannot answer)" if u else ""
    console.print(
        f"{_plural(n, 'question')}{split} against {report.bundle} ({report.model}), ranked by page as the widget does"
    )
    figures = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
    for cut in sorted({1, 5, report.k}):
        if a:
            figures.add_row(f"recall@{cut}", f"{report.recall(cut):.3f}", f"{round(report.recall(cut) * a)}/{a}")
        else:
            figures.add_row(f"recall@{cut}", "n/a", "no question with an answering page")
    figures.add_row("MRR@10", f"{report.mrr:.3f}" if a else "n/a", "")
    for label, rate, total, what in (
        ("answer rate", report.answer_rate, a, "answerable questions not refused"),
        ("refusal rate", report.refusal_rate, u, 'unanswerable questions refused ("I couldn\'t find that")'),
    ):
        if rate is None:
            figures.add_row(label, "n/a", "no question the site cannot answer" if label == "refusal rate" else "")
        else:
            figures.add_row(label, f"{rate:.3f}", f"{round(rate * total)}/{total} {what}")
    console.print(figures)
    if report.kinds:
        by_kind = Table(box=None, padding=(0, 2, 0, 0))
        by_kind.add_column("kind")
        by_kind.add_column("questions", justify="right")
        by_kind.add_column(f"recall@{report.k}", justify="right")
        by_kind.add_column("refusal rate", justify="right")
        for kind, f in report.kinds.items():
            recall, refusal = f[f"recall@{report.k}"], f["refusal_rate"]
            by_kind.add_row(
                Text(kind),
                str(f["questions"]),
                "-" if recall is None else f"{recall:.3f}",
                "-" if refusal is None else f"{refusal:.3f}",
            )
        console.print(by_kind)
    misses, anyway = report.failures, report.answered_anyway
    if not misses and not anyway:
        done = [f"every answering page ranked in the first {report.k}"] if a else []
        done += ["every question the site cannot answer was refused"] if u else []
        console.print(" and ".join(done).capitalize() + ".")
        return
    title = f"Missed at {report.k} ({len(misses)})"
    if u:
        title += f", answered though the site cannot answer ({len(anyway)})"
    table = Table(title=title, title_justify="left", show_lines=True)
    table.add_column("question", ratio=3)
    table.add_column("expected", ratio=2, overflow="fold")
    table.add_column("shown first", ratio=2, overflow="fold")
    table.add_column("rank", justify="right")
    for r in misses:
        first = "not found" if r.not_found else (r.first or "nothing")
        table.add_row(Text(r.question), Text("\n".join(r.expected)), Text(first), str(r.rank or "-"))
    for r in anyway:
        table.add_row(Text(r.question), Text("no page: should refuse"), Text(r.first or "nothing"), "-")
    console.print(table)


@cli.command()
@click.argument("folder", required=False, default="chatbot", type=click.Path(path_type=Path))
@click.option("--port", default=8000, show_default=True, help="Port to listen on (0 picks a free one).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--site", type=click.Path(path_type=Path), help="Also serve this site folder at /, with the bot on every page."
)
@click.option(
    "--llm",
    "llm",
    metavar="UPSTREAM",
    help="LLM mode: forward the bot's requests to this provider URL with the key from SITEBOT_LLM_API_KEY.",
)
@_verbose("Log every request.")
def serve(folder: Path, port: int, host: str, site: Path | None, llm: str | None, verbose: bool) -> None:
    """Serve a bundle FOLDER with its demo page, for preview.

    With --site, your own pages are served at / with the bot added to each of them
    (the bundle is mounted at /chatbot/), so you see it where your visitors will.

    With --llm UPSTREAM (a bundle built in llm mode), the bot's requests go through this
    server to UPSTREAM, e.g. https://api.openai.com/v1/chat/completions, with the key from
    SITEBOT_LLM_API_KEY added, as `sitebot proxy` does when deployed.
    """
    import os

    from .serve import make_server

    server = make_server(
        folder,
        host=host,
        port=port,
        verbose=verbose,
        site=site,
        llm=llm,
        llm_key=os.environ.get("SITEBOT_LLM_API_KEY") if llm else None,
    )
    url = f"http://{host}:{server.server_address[1]}/"
    where = f"{site} at {url} with the bot from {folder}" if site else f"{folder} at {url}"
    click.echo(f"Serving {where} (Ctrl+C to stop)", err=True)
    if llm:
        click.echo(f"LLM requests go to {llm} with the key from SITEBOT_LLM_API_KEY", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@cli.command("deploy")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--to", "target", required=True, metavar="TARGET", help="dir:PATH, git:URL#BRANCH[:PATH] or s3://BUCKET/PREFIX."
)
@click.option(
    "--endpoint-url", help="s3: the S3-compatible store's URL (R2, MinIO, B2…) [default: AWS, or AWS_ENDPOINT_URL]."
)
@click.option("--dry-run", is_flag=True, help="List what would be uploaded and pruned; change nothing.")
@_verbose("List every file as it is uploaded or removed; show error details.")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors.")
def deploy_(folder: Path, target: str, endpoint_url: str | None, dry_run: bool, verbose: bool, quiet: bool) -> None:
    """Publish the bundle FOLDER to TARGET; the new bot goes live only once all its files are there.

    TARGET is dir:PATH (a folder), git:URL#BRANCH[:PATH] (one commit pushed to a branch such
    as gh-pages, under PATH or at its root; the rest of the branch is kept) or
    s3://BUCKET/PREFIX (AWS or, with --endpoint-url, any S3-compatible store; credentials
    from the environment, e.g. AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; needs
    pip install 'sitebot[s3]').

    Only changed files are sent, sitebot.json last. Files of the previous version stay for
    visitors who loaded it; older files sitebot deployed are removed, nothing else is.
    """
    from .deploy import deploy

    def progress(event: str, path: str, size: int) -> None:
        if verbose and not quiet:
            click.echo(
                f"  {'uploaded' if event == 'upload' else 'removed'} {path}" + (f" ({_size(size)})" if size else ""),
                err=True,
            )

    report = deploy(folder, target, endpoint_url=endpoint_url, dry_run=dry_run, progress=progress)
    _print_deploy(report, quiet)


def _print_deploy(r: Any, quiet: bool) -> None:
    err = lambda msg: click.echo(msg, err=True)  # noqa: E731
    for w in r.warnings:
        err(f"Warning: {w}")
    if quiet:
        return
    for name in r.kept:
        err(f"Kept the {name} already at {r.target}; the bundle's demo {name} was not deployed")
    counts = f"{_plural(len(r.unchanged), 'file')} unchanged"
    if r.dry_run:
        for path, size in r.uploaded.items():
            err(f"  would upload {path} ({_size(size)})")
        for path in r.pruned:
            err(f"  would remove {path}")
        err(
            f"Dry run: would upload {_plural(len(r.uploaded), 'file')} ({_size(r.uploaded_bytes)}) to {r.target}, "
            f"{counts}, would prune {_plural(len(r.pruned), 'old file')}"
        )
    elif not r.uploaded and not r.pruned and r.commit is None:
        err(
            f"Nothing to deploy: {r.target} already serves bundle {r.manifest} ({counts}"
            + ("; no commit made)" if r.target.startswith("git:") else ")")
        )
    else:
        err(
            f"Deployed bundle {r.manifest} to {r.target}: uploaded {_plural(len(r.uploaded), 'file')} "
            f"({_size(r.uploaded_bytes)}), {counts}, pruned {_plural(len(r.pruned), 'old file')}"
            + (f"; commit {r.commit}" if r.commit else "")
        )


def main() -> None:
    cli()
