"""`sitebot generate` on folders: the bundle it writes, and bad input it refuses cleanly."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLES, build, invoke_cli, run_cli, tree_hashes
from sitebot.bundle.format import FORMAT_VERSION
from sitebot.index.lists import entry_files
from sitebot.index.partition import bundle_chunks


@pytest.fixture
def small_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    (site / "docs").mkdir(parents=True)
    (site / "index.html").write_text(
        "<html lang=en><head><title>Acme</title></head><body><nav>Menu</nav><main><h1>Acme</h1>"
        "<h2 id=refunds>Refunds</h2><p>You can return any widget within 30 days for a full refund.</p>"
        "<h2 id=shipping>Shipping</h2><p>We ship to the EU and the UK in 3 to 5 working days.</p></main></body></html>"
    )
    (site / "docs" / "setup.md").write_text(
        "# Setup\n\n## Wi-Fi\n\nHold the button for five seconds until the light blinks.\n"
    )
    (site / "copy.html").write_text((site / "index.html").read_text())  # an exact duplicate
    (site / "secret.html").write_text(
        '<html><head><meta name="robots" content="noindex"><title>S</title></head><body><p>Hidden.</p></body></html>'
    )
    return site


def test_bundle_layout_and_manifest(examples_bundle: Path) -> None:
    manifest = json.loads((examples_bundle / "sitebot.json").read_text())
    assert manifest["format"] == FORMAT_VERSION == 2
    assert manifest["model"]["sha256"] == "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
    assert manifest["model"]["dims"] == 384
    assert manifest["quantisation"] == {"type": "int8", "scale": "per-vector"}
    n = manifest["counts"]["chunks"]
    assert manifest["counts"]["pages"] >= 15 and n > manifest["counts"]["pages"]
    assert sum(s["count"] for s in manifest["files"]["shards"]) == n
    for rel in (
        [manifest["files"][k] for k in ("lexical", "chunks")]
        + entry_files(examples_bundle, manifest["files"]["vectors"])
        + [s["file"] for s in manifest["files"]["shards"]]
        + list(manifest["model"]["files"].values())
        + list(manifest["runtime"].values())
        + ["widget.js", "index.html", "snippet.html"]
    ):
        assert (examples_bundle / rel).is_file(), rel
    # A small site's dense index is one list: its chunk ids, int8 vectors and a float32 scale each.
    vectors = manifest["files"]["vectors"]
    assert vectors["count"] == n and vectors["dims"] == 384
    (one,) = entry_files(examples_bundle, vectors)[2:]
    assert (examples_bundle / one).stat().st_size == 4 * n + (n * 384 + 3) // 4 * 4 + 4 * n
    pages, _ = bundle_chunks(examples_bundle, manifest)
    urls = {p["url"] for p in pages}
    assert "/pricing/" in urls and "/pricing/plans.html" not in urls  # duplicate merged
    assert not any("internal/staff-notes" in u for u in urls)  # noindex honoured
    assert "/docs/connect-wifi" in urls


def test_same_input_gives_byte_identical_bundle(small_site: Path, tmp_path: Path) -> None:
    a = build(small_site, tmp_path / "a", "--base-url", "https://acme.example/")
    b = build(small_site, tmp_path / "b", "--base-url", "https://acme.example/", "--no-cache")
    assert tree_hashes(a) == tree_hashes(b)


def test_summary_reports_pages_skips_and_duplicates(small_site: Path, tmp_path: Path) -> None:
    r = run_cli("generate", str(small_site), "-o", str(tmp_path / "out"), "--verbose")
    assert r.returncode == 0, r.stderr
    assert "Indexed 2 pages" in r.stderr
    assert "skipped secret.html: noindex" in r.stderr
    assert "merged 1 duplicate page" in r.stderr


def test_output_inside_the_site_is_not_indexed_again(small_site: Path) -> None:
    build(small_site, small_site / "chatbot")
    r = run_cli("generate", str(small_site), "-o", str(small_site / "chatbot"), "--verbose")
    assert r.returncode == 0 and "Indexed 2 pages" in r.stderr


def test_config_file_supplies_source_and_settings(tmp_path: Path) -> None:
    out = build(EXAMPLES, tmp_path / "b", "--max-tokens", "64", "--include", "faq/*")
    manifest = json.loads((out / "sitebot.json").read_text())
    assert manifest["settings"]["title"] == "Larkbox help"
    assert manifest["counts"]["pages"] == 1 and manifest["model"]["max_tokens"] == 64


# --- bad input: one sentence, exit 1, no traceback, the previous bundle untouched ---------------


def assert_clean_failure(r, *needles: str) -> None:  # type: ignore[no-untyped-def]
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout
    lines = [ln for ln in r.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), r.stderr
    for n in needles:
        assert n in lines[0], lines[0]


@pytest.fixture
def previous_bundle(small_site: Path, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    out = build(small_site, tmp_path / "bundle")
    return out, tree_hashes(out)


def corrupt_model_dir(tmp_path: Path) -> Path:
    from sitebot.index.model import default_model

    d = tmp_path / "badmodel"
    d.mkdir()
    files = default_model()
    (d / "model.onnx").write_bytes(files.model.read_bytes()[:100_000])  # truncated
    shutil.copy(files.tokenizer, d / "tokenizer.json")
    return d


@pytest.mark.parametrize(
    "case",
    [
        "missing folder",
        "empty folder",
        "no readable pages",
        "only noindex pages",
        "corrupt model",
        "wrong model sha256",
        "model folder without tokenizer",
        "unwritable output",
        "output is a foreign folder",
        "bad config",
    ],
)
def test_bad_input_fails_cleanly_and_keeps_the_bundle(
    case: str, small_site: Path, tmp_path: Path, previous_bundle: tuple[Path, dict[str, str]]
) -> None:
    out, before = previous_bundle
    args: list[str] = []
    env: dict[str, str] = {}
    source = small_site
    target = out
    expect: tuple[str, ...] = ()
    if case == "missing folder":
        source, expect = tmp_path / "nope", ("does not exist",)
    elif case == "empty folder":
        source = tmp_path / "empty"
        source.mkdir()
        expect = ("no readable pages",)
    elif case == "no readable pages":
        source = tmp_path / "images"
        source.mkdir()
        (source / "logo.png").write_bytes(b"\x89PNG")
        expect = ("no readable pages",)
    elif case == "only noindex pages":
        source = tmp_path / "hidden"
        source.mkdir()
        (source / "a.html").write_text('<meta name="robots" content="noindex"><p>x</p>')
        expect = ("noindex",)
    elif case == "corrupt model":
        args, expect = ["--model", str(corrupt_model_dir(tmp_path))], ("not a readable ONNX model",)
    elif case == "wrong model sha256":
        bad = tmp_path / "other.onnx"
        bad.write_bytes(b"not the model")
        env, expect = {"SITEBOT_DEFAULT_MODEL_ONNX": str(bad)}, ("sha256",)
    elif case == "model folder without tokenizer":
        d = tmp_path / "m"
        d.mkdir()
        (d / "model.onnx").write_bytes(b"x")
        args, expect = ["--model", str(d)], ("tokenizer.json",)
    elif case == "unwritable output":
        blocker = tmp_path / "file"
        blocker.write_text("a file, not a folder")
        target, expect = blocker / "chatbot", ("cannot write",)
    elif case == "output is a foreign folder":
        target = tmp_path / "mysite"
        target.mkdir()
        (target / "index.html").write_text("mine")
        expect = ("not a sitebot bundle",)
    elif case == "bad config":
        cfg = tmp_path / "sitebot.toml"
        cfg.write_text('[bot]\ntitel = "typo"\naccent = "blue"\n')
        args, expect = ["--config", str(cfg)], ("unknown key 'bot.titel'", "sitebot.toml:2", "bot.accent")
    # onnxruntime reports a bad model from C++ straight to file descriptor 2, which only a
    # subprocess captures: those cases keep the real command, the rest run in-process.
    run = run_cli if "model" in case else invoke_cli
    r = run("generate", str(source), "-o", str(target), *args, env=env)
    assert_clean_failure(r, *expect)
    assert tree_hashes(out) == before
    if case == "output is a foreign folder":
        assert (target / "index.html").read_text() == "mine"
    leftovers = [p.name for p in out.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []  # no temporary folders left behind


def test_serve_refuses_a_folder_that_is_not_a_bundle(tmp_path: Path) -> None:
    r = invoke_cli("serve", str(tmp_path))
    assert_clean_failure(r, "no sitebot.json")


def test_any_bert_style_model_folder_via_model(small_site: Path, tmp_path: Path) -> None:
    from sitebot.index.model import default_model

    folder = tmp_path / "my-minilm"
    folder.mkdir()
    files = default_model()
    shutil.copy(files.model, folder / "model.onnx")
    shutil.copy(files.tokenizer, folder / "tokenizer.json")
    out = build(small_site, tmp_path / "b", "--model", str(folder))
    manifest = json.loads((out / "sitebot.json").read_text())
    assert manifest["model"]["id"] == "my-minilm" and manifest["model"]["dims"] == 384
    assert (out / manifest["model"]["files"]["model"]).stat().st_size == files.model.stat().st_size
