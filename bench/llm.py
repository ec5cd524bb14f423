"""LLM mode: prompt size for the default settings, and the time from pressing Enter to the
request leaving the browser (retrieval + prompt build) with a warm engine at 10,000 chunks.

    python bench/llm.py                 # needs the bundles of bench/quality.py (built if missing)

The LLM is the tests' local stand-in (tests/fake_llm.py) on 127.0.0.1; nothing leaves the
machine. The browser timing is taken inside the page: from the Enter keydown to the
`startTime` of the request's resource-timing entry.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from chromium import open_bot  # noqa: E402
from fake_llm import Reply, start_fake_llm  # noqa: E402
from sitebot import GenerateOptions, generate  # noqa: E402
from sitebot.bot.prompt import approx_tokens, read_template, render, split_messages  # noqa: E402
from sitebot.index.embed import embed_texts  # noqa: E402
from sitebot.index.model import default_model, load  # noqa: E402
from sitebot.retrieve import Retriever  # noqa: E402
from sitebot.serve import serve_in_thread  # noqa: E402

PG_DOCS = Path("/usr/share/doc/postgresql-doc-15/html")
SYSTEM = "You are the assistant of the PostgreSQL 15 documentation. Be brief and precise."
# The 60 answerable questions (the file also holds unanswerable ones, which have no "pages").
QUESTIONS = [
    q["q"]
    for q in map(json.loads, filter(str.strip, (ROOT / "bench/questions/postgresql-15.jsonl").read_text().splitlines()))
    if q.get("pages")
]


def bundle(path: Path, max_tokens: int) -> Path:
    """(Re)build the bundle so it carries the current runtime; the embedding cache makes it quick."""
    generate(
        GenerateOptions(
            source=PG_DOCS, output=path, base_url="https://www.postgresql.org/docs/15/", max_tokens=max_tokens
        )
    )
    return path


def prompt_sizes() -> None:
    """Default template, 5 retrieved passages of ≤ 128 tokens, no history, the 60 questions."""
    b = bundle(ROOT / "bench/out/quality-bundle", 128)
    r = Retriever(b)
    model = load(default_model())
    vecs = embed_texts(model, QUESTIONS, max_tokens=128)
    shards: dict[str, list[str]] = {}
    template = read_template()
    sizes, words = [], []
    for q, v in zip(QUESTIONS, vecs, strict=True):
        passages = []
        for n, hit in enumerate(r.search(q, v, k=5), 1):
            shard = next(s for s in r.manifest["files"]["shards"] if s["start"] <= hit.chunk < s["start"] + s["count"])
            texts = shards.setdefault(shard["file"], json.loads((b / shard["file"]).read_text()))
            passages.append(
                {
                    "n": n,
                    "title": hit.title,
                    "heading": hit.heading,
                    "url": hit.url,
                    "text": texts[hit.chunk - shard["start"]],
                }
            )
        ctx = {
            "system_prompt": SYSTEM,
            "site_title": "PostgreSQL 15",
            "question": q,
            "passages": passages,
            "history": [],
        }
        messages = split_messages(render(template, ctx))
        sizes.append(sum(approx_tokens(m["content"]) + 4 for m in messages))
        words.append(sum(len(m["content"].split()) for m in messages))
    print(
        f"prompt for the default settings (5 passages, no history), {len(sizes)} questions: "
        f"median {statistics.median(sizes):.0f} tokens, max {max(sizes)} (≈4 characters a token; "
        f"median {statistics.median(words):.0f} words)"
    )


def enter_to_request() -> None:
    src = bundle(ROOT / "bench/out/quality-256", 256)
    fake, server = start_fake_llm()
    fake.script(Reply("It is explained in the passages [1].", chunks=2, delay=0.0))
    tmp = Path(tempfile.mkdtemp(prefix="sitebot-llm-"))
    try:
        b = tmp / "bundle"
        shutil.copytree(src, b, copy_function=os.link)  # hard links: the bundle is large
        manifest_path = b / "sitebot.json"
        manifest = json.loads(manifest_path.read_text())
        manifest["settings"]["mode"] = "llm"
        manifest["settings"]["llm"] = {
            "provider": "openai",
            "endpoint": fake.openai,
            "model": "bench",
            "temperature": 0.2,
            "max_tokens": 300,
            "passages": 5,
            "history_turns": 4,
            "history_tokens": 600,
            "timeout": 30,
            "system_prompt": SYSTEM,
            "prompt": read_template(),
        }
        manifest_path.unlink()  # a hard link: do not write through to the source bundle
        manifest_path.write_text(json.dumps(manifest))
        site, url = serve_in_thread(b)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser, page = open_bot(p, url)
            page.evaluate("""() => { window.__enter = []; window.addEventListener('keydown', (e) => {
                if (e.key === 'Enter') window.__enter.push(performance.now()); }, true); }""")
            page.evaluate("() => window.sitebot.open()")
            times = []
            for i, q in enumerate(QUESTIONS[:25]):
                page.keyboard.type(q)
                page.keyboard.press("Enter")
                fake.wait_for_posts(i + 1, timeout=30)
                page.wait_for_function(
                    f"(n) => performance.getEntriesByName({json.dumps(fake.openai)}).length >= n", arg=i + 1
                )
                t0 = page.evaluate("() => window.__enter[window.__enter.length - 1]")
                t1 = page.evaluate(f"() => performance.getEntriesByName({json.dumps(fake.openai)}).at(-1).startTime")
                if i >= 5:  # the first few warm the engine, the JIT and the connection
                    times.append(t1 - t0)
            browser.close()
        site.shutdown()
        site.server_close()
        n = json.loads((src / "sitebot.json").read_text())["counts"]["chunks"]
        times.sort()
        print(
            f"Enter → LLM request leaves the browser, warm engine, {n:,} chunks: median {statistics.median(times):.0f} ms, "
            f"p90 {times[int(len(times) * 0.9)]:.0f} ms over {len(times)} questions"
        )
    finally:
        server.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    prompt_sizes()
    enter_to_request()
