"""`sitebot deploy` to dir: and git: targets: real folders and a real bare repository made
here, three versions of a small site built with the real `sitebot generate`."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import build, invoke_cli, run_cli
from sitebot.bundle.format import headers_for, is_content_addressed, manifest_files, read_in
from sitebot.deploy import DeployError, deploy
from sitebot.index.lists import entry_files

SETUP = [
    "Hold the button for five seconds until the light blinks.",
    "Hold the button for ten seconds until the light blinks twice.",
    "Press the reset pin once with a paper clip.",
]


@pytest.fixture(scope="session")
def versions(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> list[Path]:
    """v1, v2, v3 of one small site: each changes the same page (shared by test_deploy_s3)."""
    root = tmp_path_factory.getbasetemp() / "deploy-versions"
    if (root / "v3" / "sitebot.json").is_file():
        return [root / f"v{i}" for i in (1, 2, 3)]
    site = root / "site"
    (site / "docs").mkdir(parents=True)
    (site / "index.html").write_text(
        "<html lang=en><head><title>Acme</title></head><body><main><h1>Acme</h1>"
        "<h2 id=refunds>Refunds</h2><p>You can return any widget within 30 days for a full refund.</p></main></body></html>"
    )
    (site / "about.html").write_text(
        "<html><head><title>About</title></head><body><main><p>We make widgets in Ghent.</p></main></body></html>"
    )
    out = []
    for i, text in enumerate(SETUP, 1):
        (site / "docs" / "setup.md").write_text(f"# Setup\n\n## Reset\n\n{text}\n")
        out.append(
            build(
                site, root / f"v{i}", "--base-url", "https://acme.example/", env={"SITEBOT_CACHE_DIR": str(cache_dir)}
            )
        )
    return out


def tree(folder: Path) -> dict[str, str]:
    """path → sha256 of every file, leaving out dotfiles (the deploy record) and .git."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    }


def changed(old: Path, new: Path) -> set[str]:
    a, b = tree(old), tree(new)
    return {p for p in b if a.get(p) != b[p]}


def named(bundle: Path) -> set[str]:
    """The content-addressed files a bundle's manifest names, its index tables' files included."""
    m = json.loads((bundle / "sitebot.json").read_text())
    return {p for p in manifest_files(m, read_in(bundle)) if is_content_addressed(p)}


def with_twins(paths: set[str], bundle: Path) -> set[str]:
    """`paths` and their `.br`/`.gz` twins in `bundle`: on a folder or a branch they go and come together."""
    return paths | {p + s for p in paths for s in (".br", ".gz") if (bundle / (p + s)).is_file()}


def assert_serves(target: Path, bundle: Path, *, skip: tuple[str, ...] = ()) -> None:
    """`target` holds the bundle's manifest and every file of the bundle, byte for byte."""
    have = tree(target)
    for path, sha in tree(bundle).items():
        if path not in skip:
            assert have.get(path) == sha, path


def assert_order(ops: list[tuple[str, str]], bundle: Path) -> None:
    """Content-addressed files, then fixed names, then sitebot.json; removals only after it."""
    puts = [p for op, p in ops if op == "put" and p != ".sitebot-deploy.json"]
    kinds = [
        "manifest" if p == "sitebot.json" else "hashed" if re.search(r"\.[0-9a-f]{12}[./]", p) else "fixed"
        for p in puts
    ]
    # A `.br`/`.gz` twin goes with its content-addressed original.
    hashed = {re.sub(r"\.(br|gz)$", "", p) for p, k in zip(puts, kinds, strict=True) if k == "hashed"}
    assert hashed <= named(bundle)
    assert kinds == sorted(kinds, key=["hashed", "fixed", "manifest"].index)
    if "sitebot.json" in puts:
        live = ops.index(("put", "sitebot.json"))
        assert all(i > live for i, (op, _) in enumerate(ops) if op == "delete")
    else:
        assert not any(op == "delete" for op, _ in ops)


@pytest.mark.parametrize(
    ("path", "kind", "ctype", "cache", "encoding"),
    [
        (
            "ort/ort-wasm-simd-threaded.3398c10d07d2.wasm",
            "hashed",
            "application/wasm",
            "public, max-age=31536000, immutable",
            None,
        ),
        (
            "engine.777da2b32477.js",
            "hashed",
            "text/javascript; charset=utf-8",
            "public, max-age=31536000, immutable",
            None,
        ),
        (
            "model/model.8199be6f699a.onnx",
            "hashed",
            "application/octet-stream",
            "public, max-age=31536000, immutable",
            None,
        ),
        (
            "index/vectors.e791dd7b528f.bin",
            "hashed",
            "application/octet-stream",
            "public, max-age=31536000, immutable",
            None,
        ),
        ("text/chunks.54ca8a238ac2.json", "hashed", "application/json", "public, max-age=31536000, immutable", None),
        (
            "text/chunks.json.54ca8a238ac2.gz",
            "hashed",
            "application/json",
            "public, max-age=31536000, immutable",
            "gzip",
        ),
        ("sitebot.json", "manifest", "application/json", "no-cache", None),
        ("widget.js", "fixed", "text/javascript; charset=utf-8", "public, max-age=300, must-revalidate", None),
        ("index.html", "fixed", "text/html; charset=utf-8", "public, max-age=300, must-revalidate", None),
    ],
)
def test_headers_by_file(path: str, kind: str, ctype: str, cache: str, encoding: str | None) -> None:
    h = headers_for(path, kind)
    assert (h.content_type, h.cache_control, h.content_encoding) == (ctype, cache, encoding)


def test_dir_sends_only_changes_keeps_the_previous_version_and_prunes_older(
    versions: list[Path], tmp_path: Path
) -> None:
    v1, v2, v3 = versions
    target = tmp_path / "public" / "chatbot"
    (target / "text").mkdir(parents=True)
    foreign = {"notes.txt": b"mine", "text/chunks.000000000000.json": b"[]"}  # the second looks like a bundle file
    for name, data in foreign.items():
        (target / name).write_bytes(data)

    r1 = deploy(v1, f"dir:{target}")
    assert set(r1.uploaded) == set(tree(v1)) and not r1.pruned
    assert_serves(target, v1)
    assert_order(r1.operations, v1)

    r2 = deploy(v2, f"dir:{target}")
    assert set(r2.uploaded) == changed(v1, v2) and 0 < len(r2.uploaded) < len(tree(v2)) / 2
    assert "model/model.8199be6f699a.onnx" in r2.unchanged and not r2.pruned
    assert_serves(target, v2)
    assert all((target / p).is_file() for p in named(v1))  # visitors who loaded v1 still fetch its files
    assert_order(r2.operations, v2)

    r3 = deploy(v3, f"dir:{target}")
    only_v1 = with_twins(named(v1) - named(v2) - named(v3), v1)
    assert only_v1 and set(r3.pruned) == only_v1
    assert not any((target / p).exists() for p in only_v1)
    assert all((target / p).is_file() for p in named(v2))
    assert_serves(target, v3)
    assert_order(r3.operations, v3)
    assert r3.operations[-1] == ("put", ".sitebot-deploy.json")
    for name, data in foreign.items():
        assert (target / name).read_bytes() == data

    again = run_cli("deploy", str(v3), "--to", f"dir:{target}")
    assert again.returncode == 0, again.stderr
    assert "Nothing to deploy" in again.stderr


def test_dir_adopts_a_bundle_copied_by_hand_and_keeps_a_sites_own_index(versions: list[Path], tmp_path: Path) -> None:
    v1, v2, v3 = versions
    copied = tmp_path / "copied"
    shutil.copytree(v1, copied)  # e.g. `sitebot generate -o public/chatbot` before deploys existed
    (copied / "index.html").write_text("old demo")
    r = deploy(v2, f"dir:{copied}")
    # Without a record an index.html that differs may be the owner's own page (issue 13, case 2): kept.
    # The demo page's `.br`/`.gz` copies go with it: kept too (a host would serve them for the page).
    assert (
        r.kept == ["index.html", "index.html.br", "index.html.gz"] and (copied / "index.html").read_text() == "old demo"
    )
    assert (copied / "widget.js").read_bytes() == (v2 / "widget.js").read_bytes()  # the live bot's own files are ours
    assert all((copied / p).is_file() for p in named(v1))
    r = deploy(v3, f"dir:{copied}")
    assert set(r.pruned) == with_twins(named(v1) - named(v2) - named(v3), v1)

    site_root = tmp_path / "site"
    site_root.mkdir()
    (site_root / "index.html").write_text("<h1>my home page</h1>")
    r = deploy(v1, f"dir:{site_root}")
    assert r.kept == ["index.html"] and "index.html" not in r.uploaded
    assert (site_root / "index.html").read_text() == "<h1>my home page</h1>"
    assert not (site_root / "index.html.gz").exists()  # no demo page's copy to be served in place of the site's own
    assert_serves(site_root, v1, skip=("index.html", "index.html.br", "index.html.gz"))


def test_dir_failure_leaves_the_live_bot_as_it_was(versions: list[Path], tmp_path: Path) -> None:
    v1, v2, _ = versions
    target = tmp_path / "chatbot"
    deploy(v1, f"dir:{target}")
    before = tree(target)
    blocker = sorted(changed(v1, v2) & named(v2))[-1]  # a new content-addressed file of v2…
    (target / blocker).mkdir()  # …that cannot be written: a folder holds its name

    r = run_cli("deploy", str(v2), "--to", f"dir:{target}")
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: cannot write") and "previous bot" in lines[0], r.stderr
    assert "Traceback" not in r.stderr
    assert (target / "sitebot.json").read_bytes() == (v1 / "sitebot.json").read_bytes()
    assert {p: s for p, s in tree(target).items() if p in before} == before
    assert not [p for p in target.rglob(".*.tmp")]  # no temporary files left behind


# -- git ---------------------------------------------------------------------------------


def git(*args: str, cwd: Path | None = None) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Owner",
        "GIT_AUTHOR_EMAIL": "owner@example.com",
        "GIT_COMMITTER_NAME": "Owner",
        "GIT_COMMITTER_EMAIL": "owner@example.com",
    }
    r = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.fixture
def remote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A bare repository whose gh-pages branch already holds a site: index.html and CNAME."""
    for key in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(key, raising=False)
    bare = tmp_path / "site.git"
    git("init", "-q", "--bare", str(bare))
    # Partial clone, as GitHub and GitLab serve it: a deploy then never downloads the model.
    git("config", "uploadpack.allowFilter", "true", cwd=bare)
    work = tmp_path / "seed"
    git("init", "-q", "-b", "gh-pages", str(work))
    (work / "index.html").write_text("<h1>Acme</h1>")
    (work / "CNAME").write_text("acme.example\n")
    git("add", ".", cwd=work)
    git("commit", "-q", "-m", "site", cwd=work)
    git("push", "-q", str(bare), "gh-pages", cwd=work)
    return bare


def checkout(bare: Path, branch: str, dest: Path) -> Path:
    shutil.rmtree(dest, ignore_errors=True)
    git("clone", "-q", "--branch", branch, str(bare), str(dest))
    return dest


def test_git_commits_only_changes_and_keeps_the_rest_of_the_branch(
    versions: list[Path], remote: Path, tmp_path: Path
) -> None:
    v1, v2, v3 = versions
    spec = f"git:{remote}#gh-pages"

    r = run_cli("deploy", str(v1), "--to", spec)
    assert r.returncode == 0, r.stderr
    assert "Deployed bundle" in r.stderr and "commit" in r.stderr
    tree1 = checkout(remote, "gh-pages", tmp_path / "c1")
    assert (tree1 / "CNAME").read_text() == "acme.example\n" and (tree1 / "index.html").read_text() == "<h1>Acme</h1>"
    assert_serves(
        tree1, v1, skip=("index.html", "index.html.br", "index.html.gz")
    )  # the site's own index.html is not replaced by the demo page
    manifest12 = hashlib.sha256((v1 / "sitebot.json").read_bytes()).hexdigest()[:12]
    assert (
        git("log", "-1", "--format=%an <%ae>|%s", cwd=tree1).strip()
        == f"sitebot <sitebot@localhost>|sitebot: deploy bundle {manifest12}"
    )

    r2 = deploy(v2, spec)
    assert set(r2.uploaded) == changed(v1, v2) - {"index.html"}
    tree2 = checkout(remote, "gh-pages", tmp_path / "c2")
    in_commit = set(git("show", "--name-only", "--format=", "HEAD", cwd=tree2).split())
    assert in_commit == set(r2.uploaded) | {".sitebot-deploy.json"}
    assert all((tree2 / p).is_file() for p in named(v1))

    head = git("rev-parse", "gh-pages", cwd=remote)
    same = deploy(v2, spec)
    assert same.commit is None and not same.uploaded and git("rev-parse", "gh-pages", cwd=remote) == head

    r3 = deploy(v3, spec)
    only_v1 = with_twins(named(v1) - named(v2) - named(v3), v1)
    assert set(r3.pruned) == only_v1
    tree3 = checkout(remote, "gh-pages", tmp_path / "c3")
    assert not any((tree3 / p).exists() for p in only_v1)
    assert all((tree3 / p).is_file() for p in named(v2))
    assert_serves(tree3, v3, skip=("index.html", "index.html.br", "index.html.gz"))
    assert (tree3 / "CNAME").read_text() == "acme.example\n" and (tree3 / "index.html").read_text() == "<h1>Acme</h1>"
    assert len(git("log", "--format=%H", cwd=tree3).split()) == 4  # the site, v1, v2, v3: no empty commit


def test_git_creates_a_missing_branch_under_a_folder(
    versions: list[Path], remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_AUTHOR_NAME", "CI Bot")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "ci@example.com")
    r = deploy(versions[0], f"git:file://{remote}#bot:assets/chatbot")
    assert r.commit
    tree_ = checkout(remote, "bot", tmp_path / "c")
    assert_serves(tree_ / "assets" / "chatbot", versions[0])
    assert {p.name for p in tree_.iterdir()} == {".git", "assets"}
    assert git("log", "-1", "--format=%an <%ae>", cwd=tree_).strip() == "CI Bot <ci@example.com>"
    assert git("rev-parse", "gh-pages", cwd=remote)  # the other branch is still there


def test_git_push_rejected_leaves_the_branch_as_it_was(versions: list[Path], remote: Path) -> None:
    v1, v2, _ = versions
    git("config", "--unset", "uploadpack.allowFilter", cwd=remote)  # a server without partial clone: full fetch
    deploy(v1, f"git:{remote}#gh-pages:chatbot")
    head = git("rev-parse", "gh-pages", cwd=remote)
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'deploys are frozen' >&2\nexit 1\n")
    hook.chmod(0o755)

    r = run_cli("deploy", str(v2), "--to", f"git:{remote}#gh-pages:chatbot")
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert (
        len(lines) == 1 and "rejected (pre-receive hook declined)" in lines[0] and "branch is unchanged" in lines[0]
    ), r.stderr
    assert git("rev-parse", "gh-pages", cwd=remote) == head


def test_git_errors_never_show_credentials(versions: list[Path]) -> None:
    r = invoke_cli(
        "deploy",
        str(versions[0]),
        "--to",
        "git:http://deployer:s3cret-token@127.0.0.1:9/site.git#gh-pages",
        env={"GIT_TERMINAL_PROMPT": "0"},
    )
    assert r.returncode == 1
    assert "s3cret" not in r.stderr and "***@127.0.0.1" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and r.stderr.startswith("Error: cannot read git:"), r.stderr


@pytest.mark.parametrize(
    ("case", "expect"),
    [
        ("scheme", "unknown deploy target 'ftp://example.com/chatbot'"),
        ("not-bundle", "is not a sitebot bundle (it has no sitebot.json)"),
        ("incomplete", "is incomplete: index/"),
        ("no-list", "is incomplete: index/vectors/list."),  # named by the list table, not sitebot.json
        ("no-branch", "names no branch"),
        ("endpoint", "--endpoint-url is only for s3:// targets"),
        ("itself", "is the bundle folder itself or inside it"),
        ("damaged", "does not match the hash in its name"),
        ("foreign-widget", "already holds a widget.js that sitebot did not put there"),
    ],
)
def test_bad_input_is_refused_before_touching_the_target(
    case: str, expect: str, versions: list[Path], tmp_path: Path
) -> None:
    bundle, target, extra = versions[0], f"dir:{tmp_path / 'out'}", []
    if case == "foreign-widget":  # someone else's widget.js where the bot's would go
        (tmp_path / "out").mkdir()
        (tmp_path / "out" / "widget.js").write_text("theirs")
    before = tree(tmp_path / "out") if (tmp_path / "out").exists() else None
    if case == "scheme":
        target = "ftp://example.com/chatbot"
    elif case == "not-bundle":
        bundle = tmp_path / "site"
        bundle.mkdir()
        (bundle / "index.html").write_text("<h1>hi</h1>")
    elif case == "incomplete":
        bundle = tmp_path / "broken"
        shutil.copytree(versions[0], bundle)
        (bundle / json.loads((bundle / "sitebot.json").read_text())["files"]["vectors"]["centroids"]).unlink()
    elif case == "no-list":
        bundle = tmp_path / "broken"
        shutil.copytree(versions[0], bundle)
        (
            bundle / entry_files(bundle, json.loads((bundle / "sitebot.json").read_text())["files"]["vectors"])[-1]
        ).unlink()
    elif case == "no-branch":
        target = f"git:{tmp_path / 'repo.git'}"
    elif case == "endpoint":
        extra = ["--endpoint-url", "http://127.0.0.1:9"]
    elif case == "itself":
        target = f"dir:{bundle}"
    elif case == "damaged":
        bundle = tmp_path / "damaged"
        shutil.copytree(versions[0], bundle)
        with (bundle / json.loads((bundle / "sitebot.json").read_text())["files"]["lexical"]).open("ab") as f:
            f.write(b" ")
    r = invoke_cli("deploy", str(bundle), "--to", target, *extra)
    assert r.returncode == 1
    assert expect in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert (tree(tmp_path / "out") if (tmp_path / "out").exists() else None) == before


def test_the_manifest_names_its_files_and_an_avatar_file_but_not_an_avatar_url() -> None:
    manifest = {
        "format": 2,
        "model": {"files": {"model": "model/m.aaaaaaaaaaaa.onnx"}},
        "files": {"vectors": "index/v.bbbbbbbbbbbb.bin", "shards": [{"file": "text/c.cccccccccccc.json", "start": 0}]},
        "runtime": {"worker": "engine.dddddddddddd.js"},
        "settings": {"avatar": "brand/avatar.eeeeeeeeeeee.png"},
    }
    assert manifest_files(manifest) == {
        "model/m.aaaaaaaaaaaa.onnx",
        "index/v.bbbbbbbbbbbb.bin",
        "text/c.cccccccccccc.json",
        "engine.dddddddddddd.js",
        "brand/avatar.eeeeeeeeeeee.png",
    }
    manifest["settings"]["avatar"] = "https://cdn.example/me.png"
    assert "https://cdn.example/me.png" not in manifest_files(manifest)


def test_dry_run_lists_and_changes_nothing(versions: list[Path], tmp_path: Path) -> None:
    v1, v2, _ = versions
    target = tmp_path / "chatbot"
    deploy(v1, f"dir:{target}")
    before = {p: p.stat().st_mtime_ns for p in target.rglob("*")}
    r = run_cli("deploy", str(v2), "--to", f"dir:{target}", "--dry-run")
    assert r.returncode == 0, r.stderr
    for path in changed(v1, v2):
        assert f"would upload {path} (" in r.stderr
    assert f"Dry run: would upload {len(changed(v1, v2))} files" in r.stderr
    assert {p: p.stat().st_mtime_ns for p in target.rglob("*")} == before
    with pytest.raises(DeployError, match="not a sitebot bundle"):
        deploy(tmp_path, f"dir:{target}", dry_run=True)


def test_dir_removes_fixed_names_twins_a_bundle_without_them_would_leave_stale(
    versions: list[Path], tmp_path: Path
) -> None:
    """A host that prefers `widget.js.gz` would keep serving the old one after a deploy built with --no-precompress."""
    v1, v2, _ = versions
    bare = shutil.copytree(v2, tmp_path / "bare", ignore=shutil.ignore_patterns("*.br", "*.gz"))
    target = tmp_path / "chatbot"
    deploy(v1, f"dir:{target}")
    assert (target / "sitebot.json.gz").is_file() and (target / "widget.js.br").is_file()
    r = deploy(bare, f"dir:{target}")
    fixed_twins = [f"{name}{s}" for name in ("sitebot.json", "widget.js", "i18n.json") for s in (".br", ".gz")]
    assert not any((target / p).exists() for p in fixed_twins)
    deletes = [i for i, (op, p) in enumerate(r.operations) if op == "delete" and p in fixed_twins]
    assert deletes and max(deletes) < r.operations.index(("put", "sitebot.json"))  # gone before the new bot is live
    assert_serves(target, bare)
