"""`git:URL#BRANCH[:PATH]`: commit the bundle to a branch (e.g. gh-pages) and push it.

The branch's last commit is fetched into a temporary bare repository (without the
contents of files over 1 MB where the server supports partial clone: unchanged files
are recognised by their blob id, so the model is never downloaded again), the new tree
is the old one with the bundle's files written under PATH (the root when PATH is
omitted), and one commit is pushed, so visitors see the whole deploy or none of it.
The rest of the branch is kept: only files sitebot deployed are ever removed. Any remote
`git push` accepts works: hosted, SSH, a local path or a bare repository; a missing
branch is created (with no history).

The remote's URL, which may carry a token, is never written to disk (a killed deploy leaves
its temporary repository behind): git reads it from GIT_CONFIG_* variables in its own
environment, which neither the command line (`ps`) nor any file shows. Every message shows
it with the user:password part masked (plan.scrub).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..bundle.format import Headers
from ..stale import remove_dead
from .plan import DeployError, LocalFile, Target, scrub

__all__ = ["GitTarget", "blob_id", "parse_git", "scrub"]

IDENTITY = ["-c", "user.name=sitebot", "-c", "user.email=sitebot@localhost"]  # GIT_AUTHOR_* win when set
REMOVE = "0 " + "0" * 40
_CLONE = re.compile(r"sitebot-deploy-(\d+)-\w+")  # the temporary clone of a deploy, by pid


def parse_git(spec: str) -> tuple[str, str, str]:
    """`URL#BRANCH[:PATH]` → (url, branch, path); path "" is the branch's root."""
    url, hash_, rest = spec.rpartition("#")
    branch, _, path = rest.partition(":")
    path = path.strip("/")
    if not hash_ or not url or not branch:
        raise DeployError(
            f"git:{scrub(spec)} names no branch; write git:URL#BRANCH or git:URL#BRANCH:FOLDER, "
            "e.g. git:git@github.com:you/site.git#gh-pages"
        )
    if path and any(p in ("", ".", "..") for p in path.split("/")):
        raise DeployError(f"git:{scrub(spec)}: {path!r} is not a folder inside the branch")
    # A local path must not depend on the temporary folder git runs in.
    if "://" not in url and not re.match(r"^[^/]+:", url):
        url = str(Path(url).resolve())
    return url, branch, path


def blob_id(f: LocalFile) -> str:
    """The id git gives the file's bytes (`git hash-object`)."""
    h = hashlib.sha1(f"blob {f.size}\0".encode(), usedforsecurity=False)
    with f.source.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class GitTarget(Target):
    transactional = True

    def __init__(self, url: str, branch: str, path: str) -> None:
        self.url, self.branch, self.path = url, branch, path
        self.label = f"git:{scrub(url)}#{branch}" + (f":{path}" if path else "")
        self.repo: Path | None = None
        self.parent: str | None = None  # the branch's last commit; None for a new branch
        self.tree: dict[str, tuple[str, str]] = {}  # path under PATH → (mode, blob id)
        self.changes: dict[str, str | None] = {}  # path → new blob id, None to remove

    def _git(
        self, *args: str, fail: str, input: bytes | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[bytes]:
        env = {
            **os.environ,
            "GIT_TERMINAL_PROMPT": "0",
            "LC_ALL": "C",
            "GIT_LITERAL_PATHSPECS": "1",
            "GIT_INDEX_FILE": str(self.repo / "sitebot-index"),
            # The remote, given to git in its environment only: see the module docstring.
            "GIT_CONFIG_COUNT": "2",
            "GIT_CONFIG_KEY_0": "remote.origin.url",
            "GIT_CONFIG_VALUE_0": self.url,
            "GIT_CONFIG_KEY_1": "remote.origin.fetch",
            "GIT_CONFIG_VALUE_1": "+refs/heads/*:refs/remotes/origin/*",
        }
        try:
            r = subprocess.run(["git", *args], cwd=self.repo, env=env, input=input, capture_output=True)
        except FileNotFoundError as e:
            raise DeployError("git is not installed; install git to deploy to git: targets") from e
        if check and r.returncode != 0:
            raise DeployError(f"{fail} ({_reason(r.stderr.decode(errors='replace'))})")
        return r

    def _full(self, path: str) -> str:
        return f"{self.path}/{path}" if self.path else path

    def open(self) -> None:
        # A killed deploy leaves its clone behind (objects only: the remote URL is never written);
        # the pid in the name lets the next deploy remove it without touching a live one.
        remove_dead(Path(tempfile.gettempdir()), _CLONE)
        self.repo = Path(tempfile.mkdtemp(prefix=f"sitebot-deploy-{os.getpid()}-"))
        self._git(
            "-c",
            "init.defaultBranch=sitebot-deploy",
            "init",
            "-q",
            "--bare",
            fail="cannot create a temporary git repository",
        )
        with (self.repo / "config").open("a") as cfg:
            # Content-addressed files are never edited, so deltas between them buy nothing:
            # files above 1 MB (the model, the wasm) are stored and pushed as they are.
            cfg.write("[core]\n\tbigFileThreshold = 1m\n")
        where = f"cannot read {self.label}"
        heads = self._git("ls-remote", "--heads", "origin", f"refs/heads/{self.branch}", fail=where).stdout
        if not heads.strip():
            return
        ref = f"refs/remotes/origin/{self.branch}"
        # Servers without partial clone ignore the filter (with a warning) and send everything.
        self._git(
            "fetch",
            "-q",
            "--depth",
            "1",
            "--filter=blob:limit=1m",
            "origin",
            f"+refs/heads/{self.branch}:{ref}",
            fail=where,
        )
        self.parent = self._git("rev-parse", "--verify", f"{ref}^{{commit}}", fail=where).stdout.decode().strip()
        listing = self._git(
            "ls-tree", "-r", "-z", self.parent, "--", *([self.path] if self.path else []), fail=where
        ).stdout
        prefix = f"{self.path}/" if self.path else ""
        for entry in listing.decode(errors="surrogateescape").split("\0"):
            meta, _, name = entry.partition("\t")
            if name.startswith(prefix) and name != prefix:
                mode, _, sha = meta.split(" ")
                self.tree[name[len(prefix) :]] = (mode, sha)

    def read(self, path: str) -> bytes | None:
        if path not in self.tree or self.tree[path][0] != "100644":
            return None
        return self._git("cat-file", "blob", self.tree[path][1], fail=f"cannot read {path} from {self.label}").stdout

    def exists(self, path: str) -> bool:
        return path in self.tree

    def same(self, path: str, f: LocalFile) -> bool:
        return self.tree.get(path) == ("100644", blob_id(f))

    def put(self, path: str, source: Path | bytes, headers: Headers) -> None:
        fail = f"cannot store {path} in a temporary git repository"
        if isinstance(source, bytes):
            r = self._git("hash-object", "-w", "--no-filters", "--stdin", fail=fail, input=source)
        else:
            r = self._git("hash-object", "-w", "--no-filters", "--", str(source.resolve()), fail=fail)
        self.changes[path] = r.stdout.decode().strip()

    def delete(self, path: str) -> None:
        self.changes[path] = None

    def finish(self, message: str) -> str | None:
        if not self.changes:
            return None
        unchanged = "; the branch is unchanged"
        self._git(
            "read-tree", *([self.parent] if self.parent else ["--empty"]), fail="cannot read the branch" + unchanged
        )
        index = "".join(
            f"100644 {sha}\t{self._full(p)}\n" if sha else f"{REMOVE}\t{self._full(p)}\n"
            for p, sha in sorted(self.changes.items())
        )
        self._git("update-index", "--index-info", input=index.encode(), fail="cannot build the new tree" + unchanged)
        # --missing-ok: in a partial clone the branch's large files are not here, and need not be.
        tree = (
            self._git("write-tree", "--missing-ok", fail="cannot build the new tree" + unchanged)
            .stdout.decode()
            .strip()
        )
        if (
            self.parent
            and tree
            == self._git("rev-parse", f"{self.parent}^{{tree}}", fail="cannot read the branch").stdout.decode().strip()
        ):
            return None
        commit = (
            self._git(
                *IDENTITY,
                "commit-tree",
                tree,
                *(["-p", self.parent] if self.parent else []),
                "-m",
                message,
                fail="cannot commit the bundle" + unchanged,
            )
            .stdout.decode()
            .strip()
        )
        push = self._git("push", "-q", "origin", f"{commit}:refs/heads/{self.branch}", fail="", check=False)
        if push.returncode != 0:
            raise DeployError(
                f"git push to {self.label} was rejected ({_reason(push.stderr.decode(errors='replace'))})" + unchanged
            )
        return commit[:12]

    def close(self) -> None:
        if self.repo is not None:
            shutil.rmtree(self.repo, ignore_errors=True)


def _reason(stderr: str) -> str:
    """The line of git's output that says why, credentials masked."""
    rejected = re.search(r"\[(?:remote )?rejected\][^(\n]*\(([^)\n]+)\)", stderr)
    if rejected:
        return scrub(rejected.group(1))
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip() and not ln.startswith("warning:")]
    fatal = [ln for ln in lines if ln.startswith(("fatal:", "error:"))]
    line = (fatal or lines or ["no message"])[0]
    return scrub(re.sub(r"^(fatal|error):\s*", "", line))
