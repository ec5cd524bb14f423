"""What a deploy uploads, keeps and prunes, and in which order; the same for every target.

Visitors never see a half-deployed bot:

1. content-addressed files first (new names, so nobody fetches them yet);
2. the fixed-name files next (`i18n.json`, then `widget.js`, then the demo pages);
3. `sitebot.json` last: the moment the new bot goes live;
4. then prune the files named by neither the new manifest nor the previous one (a visitor
   who loaded the previous manifest a minute ago still fetches its files);
5. then `.sitebot-deploy.json`, the record of what sitebot put there: the files of the
   last two manifests, and files written by a deploy that did not finish.

Only files in that record (or named by the live manifest) are ever pruned, so whatever
else lives under the target (your pages, a CNAME, other folders) is never deleted; a demo
page is not deployed where the target already holds your own `index.html`. On targets
that change file by file (dir:, s3://) the record lists each new name as unfinished before
it is written, so a deploy that fails half way leaves nothing a later deploy cannot clean
up. Only files whose bytes (and, on S3, headers) differ are written.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..bundle.format import (
    MANIFEST,
    Headers,
    folder_intact,
    hashed_folder,
    headers_for,
    is_bundle,
    is_content_addressed,
    manifest_files,
    parse_manifest,
    read_in,
    read_manifest,
    required_files,
)
from ..bundle.precompress import twin_of
from ..checks import is_secret_param
from ..errors import BundleError, DeployError
from ..index.model import sha256_file

STATE = ".sitebot-deploy.json"
RUNTIME = ("i18n.json", "widget.js")  # fixed names the bot needs; widget.js reads i18n.json
DEMO = ("index.html", "snippet.html")  # fixed names only the demo needs
FIXED = RUNTIME + DEMO
STATE_VERSION = 1  # of the record file

Progress = Callable[[str, str, int], None]

# user:password@ (the password may itself hold "@": mask up to the last one before the path),
# and the values of query parameters that checks.is_secret_param names a credential
# (?access_token=…, &X-Amz-Signature=…): the same rule that keeps them out of bundles.
_USERINFO = re.compile(r"(?<=://)[^/?#\s]*@")
_PARAM = re.compile(r"([?&;#])([^=&#\s]+)=([^&#\s]*)")


def _mask_param(m: re.Match[str]) -> str:
    return f"{m.group(1)}{m.group(2)}=***" if is_secret_param(m.group(2)) else m.group(0)


def scrub(text: str) -> str:
    """Any URL in `text` with its credentials masked: `https://user:token@host/x?sig=1` → `https://***@host/x?sig=***`.

    Every message of deploy that may echo a URL (a target, --endpoint-url, git's own output) goes through this.
    """
    return _PARAM.sub(_mask_param, _USERINFO.sub("***@", text))


@dataclass(frozen=True)
class LocalFile:
    """A file of the bundle: `path` is relative to the bundle folder, in POSIX form."""

    path: str
    source: Path
    size: int
    sha256: str
    kind: str  # "hashed" | "fixed" | "manifest"
    encoding: str | None = None  # set when `source` holds the file compressed (targets that cannot negotiate)

    @property
    def headers(self) -> Headers:
        headers = headers_for(self.path, self.kind)
        return dataclasses.replace(headers, content_encoding=self.encoding) if self.encoding else headers


@dataclass
class Bundle:
    folder: Path
    manifest_sha256: str
    files: list[LocalFile]  # in upload order, sitebot.json last


@dataclass
class Release:
    """One deployed manifest and the files it brought (path → sha256, "" when unknown)."""

    manifest: str
    files: dict[str, str]


@dataclass
class State:
    """`.sitebot-deploy.json`: the last two releases, newest first, and unfinished uploads."""

    releases: list[Release] = field(default_factory=list)
    unfinished: set[str] = field(default_factory=set)

    @classmethod
    def loads(cls, data: bytes | None) -> State:
        """An unreadable record counts as none: then nothing unknown is ever pruned."""
        try:
            raw = json.loads(data or b"")
            return cls(
                [Release(r["manifest"], dict(r["files"])) for r in raw["releases"]], set(raw.get("unfinished", []))
            )
        except (ValueError, KeyError, TypeError):
            return cls()

    def dumps(self) -> bytes:
        """Deterministic, so an unchanged deploy writes (and commits) nothing."""
        raw = {
            "sitebot_deploy": STATE_VERSION,
            "releases": [{"manifest": r.manifest, "files": dict(sorted(r.files.items()))} for r in self.releases],
            "unfinished": sorted(self.unfinished),
        }
        return (json.dumps(raw, indent=1) + "\n").encode()

    def known(self) -> set[str]:
        return set().union(*(r.files for r in self.releases), self.unfinished)


class Target(ABC):
    """Where a bundle goes. Paths are relative to the target's folder or prefix.

    A target raises DeployError (one sentence, no credentials) for anything the user can fix.
    """

    label: str  # shown to the user; never holds credentials
    transactional = False  # True when nothing is visible until finish() (git: one commit)
    # False for a store that sends each object as it was stored (S3): it cannot pick a `.br`/`.gz`
    # twin per request, so the gzip twin's bytes go under the original name instead (for_store).
    negotiates = True
    # How many content-addressed files may upload at once. Their order does not matter (nobody
    # fetches a new name before the manifest that names it), and a remote store answers each PUT
    # after a round trip: the lite path's ~3,800 token table files took minutes one by one.
    parallel = 1

    def open(self) -> None:  # noqa: B027 - an optional hook: only some targets connect first
        """Connect, or check out the branch."""

    @abstractmethod
    def read(self, path: str) -> bytes | None: ...

    @abstractmethod
    def exists(self, path: str) -> bool: ...

    @abstractmethod
    def same(self, path: str, f: LocalFile) -> bool:
        """Whether `path` already holds exactly `f` (bytes, and headers where the target keeps them)."""

    @abstractmethod
    def put(self, path: str, source: Path | bytes, headers: Headers) -> None: ...

    @abstractmethod
    def delete(self, path: str) -> None: ...

    def finish(self, message: str) -> str | None:
        """Publish what was written (git: commit and push); returns the commit, or None."""
        return None

    def close(self) -> None:  # noqa: B027 - an optional hook: only some targets leave temporary files
        """Remove temporary files; called after success and failure alike."""


@dataclass
class DeployReport:
    """What a deploy did (or, with dry_run, would do)."""

    target: str
    manifest: str  # first 12 hex of sha256(sitebot.json)
    dry_run: bool = False
    uploaded: dict[str, int] = field(default_factory=dict)  # path → bytes, in upload order
    unchanged: list[str] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # demo pages not deployed: the target holds the owner's own
    operations: list[tuple[str, str]] = field(default_factory=list)  # ("put"|"delete"|"commit"|"push", what), in order
    commit: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def uploaded_bytes(self) -> int:
        return sum(self.uploaded.values())


def _safe(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return (
        bool(parts)
        and not path.startswith("/")
        and "\\" not in path
        and not any(p in ("..", ".") or p.startswith(".") for p in parts)
        and path not in (MANIFEST, STATE)
    )


def _walk(folder: Path) -> list[Path]:
    """Every file under `folder`, refusing a symlink that leads out of it (its target would be published).

    A bundle `sitebot generate` wrote never holds symlinks; one that stays inside is harmless,
    but a linked folder is not entered (so nothing is published twice or from elsewhere).
    """
    root = folder.resolve()
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in sorted([*dirnames, *filenames]):
            p = Path(dirpath) / name
            if p.is_symlink():
                real = p.resolve()
                if real != root and root not in real.parents:
                    raise DeployError(
                        f"{p} is a symlink to {real}, outside the bundle; a bundle sitebot wrote holds no symlinks, "
                        "so rebuild it with `sitebot generate`"
                    )
        found.extend(Path(dirpath) / name for name in filenames)
    return sorted(found)


def _complete(folder: Path, manifest: dict[str, Any]) -> set[str]:
    """The files the manifest names, once it names everything a bot needs and each is there, intact."""
    manifest_path = folder / MANIFEST
    try:
        named = required_files(manifest, read_in(folder))  # with the dense index's list files
    except BundleError as e:
        raise DeployError(f"{manifest_path} {e}; rebuild the bundle with `sitebot generate`") from e
    for path in sorted(named):
        if not _safe(path):
            raise DeployError(
                f"{manifest_path} names {path!r}, which is not a path inside the bundle; rebuild the bundle"
            )
        if not (folder / path).is_file():
            raise DeployError(f"{folder} is incomplete: {path}, named by sitebot.json, is missing; rebuild the bundle")
        if not is_content_addressed(path):
            raise DeployError(
                f"{manifest_path} names {path!r}, which has no content hash in its name; rebuild the bundle"
            )
        if hashed_folder(path) is None and not is_content_addressed(path, sha256_file(folder / path)):
            raise DeployError(
                f"{folder / path} does not match the hash in its name (a damaged copy?); rebuild the bundle"
            )
    # Files named by number in a content-addressed folder (the lite token table) are checked together.
    groups: dict[str, list[str]] = {}
    for path in named:
        if (group := hashed_folder(path)) is not None:
            groups.setdefault(group, []).append(path)
    for group, files in sorted(groups.items()):
        if not folder_intact(folder, group, files):
            raise DeployError(
                f"{folder / group} does not match the hash in its name (a damaged copy?); rebuild the bundle"
            )
    for path in FIXED:  # the widget and its strings, and the demo pages a deploy may or may not keep
        if not (folder / path).is_file():
            raise DeployError(f"{folder} is incomplete: {path} is missing; rebuild the bundle")
    return named


def read_bundle(folder: Path) -> Bundle:
    """The bundle's files in upload order; refuses a folder that is not a complete, intact bundle.

    Everything is checked here, before the target is touched: the manifest names every file
    a bot needs, each is present and matches the hash in its name, the fixed names are there,
    and no symlink leads out of the folder.
    """
    if folder.is_dir() and not is_bundle(folder):  # deploy's own wording: the folder may be the site itself
        raise DeployError(
            f"{folder} is not a sitebot bundle (it has no sitebot.json); give the folder `sitebot generate` wrote"
        )
    sources = _walk(folder) if folder.is_dir() else []
    try:
        manifest = read_manifest(folder)
    except BundleError as e:
        raise DeployError(str(e)) from e
    manifest_path = folder / MANIFEST
    data = manifest_path.read_bytes()
    named = _complete(folder, manifest)

    # Every file of the folder goes (dotfiles aside): what the manifest names, the fixed
    # names, and anything a newer generator adds. Content-addressed means the name's hash
    # matches the bytes; everything else is a fixed name, replaced in place.
    hashed: list[LocalFile] = []
    fixed: list[LocalFile] = []
    for source in sources:
        path = source.relative_to(folder).as_posix()
        if path == MANIFEST or not source.is_file() or not _safe(path):
            continue
        sha = sha256_file(source)
        kind = "fixed" if path in FIXED or not is_content_addressed(path, sha) else "hashed"
        if path in named and kind == "fixed":
            raise DeployError(f"{source} does not match the hash in its name (a damaged copy?); rebuild the bundle")
        (hashed if kind == "hashed" else fixed).append(LocalFile(path, source, source.stat().st_size, sha, kind))
    # A `.br`/`.gz` twin is as long-lived as its original: immutable beside a content-addressed file.
    kinds = {f.path: f.kind for f in hashed}
    for f in list(fixed):
        twin = twin_of(f.path)
        if twin is not None and kinds.get(twin[0]) == "hashed":
            fixed.remove(f)
            hashed.append(dataclasses.replace(f, kind="hashed"))
    hashed.sort(key=lambda f: f.path)

    # i18n.json before widget.js (which fetches it), the demo pages after; other fixed files first.
    # A twin goes right after its original; the manifest's twins last, just before the manifest.
    def order(f: LocalFile) -> tuple[int, str]:
        twin = twin_of(f.path)
        name = twin[0] if twin else f.path
        return (FIXED.index(name) + 1 if name in FIXED else len(FIXED) + 1 if name == MANIFEST else 0, f.path)

    fixed.sort(key=order)
    files = [
        *hashed,
        *fixed,
        LocalFile(MANIFEST, manifest_path, len(data), hashlib.sha256(data).hexdigest(), "manifest"),
    ]
    return Bundle(folder, hashlib.sha256(data).hexdigest(), files)


@dataclass
class Plan:
    upload: list[LocalFile]
    unchanged: list[LocalFile]
    kept: list[str]
    prune: list[str]  # the stale twins first
    live: Release | None  # the manifest visitors get now
    releases: list[Release]  # the record's releases after this deploy
    state: State  # the record as found
    state_bytes: bytes | None
    unfinished: set[str]  # new file names to mark as unfinished before writing them
    stale: list[str] = field(default_factory=list)  # twins of fixed names to delete before any upload


def _fixed_twin(path: str) -> bool:
    twin = twin_of(path)
    return twin is not None and twin[0] in (*FIXED, MANIFEST)


def _with_twins(paths: set[str], target: Target) -> set[str]:
    """`paths` and the `.br`/`.gz` twins of them that `target` holds: a twin of a bundle file is the bundle's."""
    return paths | {p + s for p in paths for s in (".br", ".gz") if target.exists(p + s)}


def _twin_of_fixed(path: str, originals: set[str]) -> str | None:
    """The fixed name (or sitebot.json) `path` is a `.br`/`.gz` twin of, when that file is in the bundle."""
    twin = twin_of(path)
    return twin[0] if twin is not None and _fixed_twin(path) and twin[0] in originals else None


def for_store(files: list[LocalFile]) -> list[LocalFile]:
    """The files as a store that cannot negotiate encodings gets them: each file with a gzip twin
    sent as the twin's bytes under its own name with `Content-Encoding: gzip` (every browser takes
    gzip; not every client takes br), and no twin as an object of its own."""
    by_path = {f.path: f for f in files}
    out: list[LocalFile] = []
    for f in files:
        twin = twin_of(f.path)
        if twin is not None and twin[0] in by_path:
            continue
        gz = by_path.get(f.path + ".gz")
        out.append(
            dataclasses.replace(f, source=gz.source, size=gz.size, sha256=gz.sha256, encoding="gzip") if gz else f
        )
    return out


def make_plan(bundle: Bundle, target: Target) -> Plan:
    """Compare the bundle with what the target holds; reads, never writes."""
    if not target.negotiates:
        bundle = dataclasses.replace(bundle, files=for_store(bundle.files))
    state_bytes = target.read(STATE)
    state = State.loads(state_bytes)
    live_bytes = target.read(MANIFEST)
    live: Release | None = None
    if live_bytes is not None:
        manifest = parse_manifest(live_bytes)
        if manifest is None:
            raise DeployError(
                f"{target.label} already holds a sitebot.json that is not a sitebot manifest; "
                "deploy into a folder of its own"
            )
        digest = hashlib.sha256(live_bytes).hexdigest()
        recorded_live = [r for r in state.releases if r.manifest == digest]
        live = (
            recorded_live[0]
            if recorded_live
            else Release(
                digest,
                {
                    p: ""
                    for p in _with_twins(
                        manifest_files(manifest, lambda p: target.read(p) if _safe(p) else None), target
                    )
                    if _safe(p)
                },
            )
        )
    # Fixed-name files are ours if an earlier deploy recorded them. In a bundle folder with no
    # record (written by `sitebot generate -o`, copied by hand, or its record deleted) the
    # widget's own files are the live bot's; the demo pages are not assumed ours, because an
    # index.html there may be the site's own home page: one that differs is kept.
    recorded = set().union(*(r.files for r in state.releases))
    owned = recorded if state_bytes is not None or live is None else recorded | set(RUNTIME)

    upload: list[LocalFile] = []
    unchanged: list[LocalFile] = []
    kept: list[str] = []
    # A twin of a fixed name follows its original: kept with it, else sitebot's (a stale `.gz` of
    # sitebot.json or widget.js would be served in place of the new file).
    originals = {f.path for f in bundle.files}
    left_out: list[str] = []
    plain_first = sorted(bundle.files, key=lambda f: _twin_of_fixed(f.path, originals) is not None)
    for f in plain_first:
        original = _twin_of_fixed(f.path, originals)
        if original is not None:
            if original in kept:  # the site's own index.html: the demo page's twins stay out too
                (kept if target.exists(f.path) else left_out).append(f.path)
            else:
                (unchanged if target.same(f.path, f) else upload).append(f)
            continue
        if f.kind == "fixed" and f.path not in owned and target.exists(f.path) and not target.same(f.path, f):
            if f.path in RUNTIME:
                raise DeployError(
                    f"{target.label} already holds a {f.path} that sitebot did not put there; "
                    "deploy into a folder of its own, e.g. …/chatbot"
                )
            kept.append(f.path)  # e.g. the site's own index.html: the demo page is not needed
            continue
        (unchanged if target.same(f.path, f) else upload).append(f)
    rank = {f.path: i for i, f in enumerate(bundle.files)}  # back to the bundle's upload order
    upload.sort(key=lambda f: rank[f.path])
    unchanged.sort(key=lambda f: rank[f.path])

    new = Release(
        bundle.manifest_sha256,
        {
            f.path: f.sha256
            for f in bundle.files
            if f.kind != "manifest" and f.path not in kept and f.path not in left_out
        },
    )
    releases: list[Release] = []
    for r in [new, live, *state.releases]:
        if r is not None and r.manifest not in {x.manifest for x in releases}:
            releases.append(r)
    releases = releases[:2]
    keep = set().union(*(r.files for r in releases))
    candidates = state.known() | (live.files.keys() if live else set())
    prune = sorted(p for p in candidates - keep if _safe(p) and p not in FIXED and target.exists(p))
    # A `.br`/`.gz` twin of a fixed name that the new bundle lacks (built with --no-precompress)
    # would be served instead of the new file by hosts that prefer twins: it goes first, not last.
    stale = sorted(p for p in candidates - new.files.keys() if _fixed_twin(p) and _safe(p) and target.exists(p))
    prune = [*stale, *(p for p in prune if p not in stale)]
    unfinished = {
        f.path for f in upload if f.kind != "manifest" and f.path not in FIXED and f.path not in state.known()
    }
    return Plan(upload, unchanged, kept, prune, live, releases, state, state_bytes, unfinished, stale)


def _put_all(files: list[LocalFile], put: Callable[[str, Path | bytes, Headers, int], None], parallel: int) -> None:
    """Upload `files` (content-addressed: any order), `parallel` at a time; the first failure
    stops the rest from starting and is raised once those in flight have ended."""
    if parallel <= 1 or len(files) <= 1:
        for f in files:
            put(f.path, f.source, f.headers, f.size)
        return
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        futures = [pool.submit(put, f.path, f.source, f.headers, f.size) for f in files]
        for future in futures:
            if future.exception() is not None:
                for other in futures:
                    other.cancel()
                raise future.exception()  # type: ignore[misc]


def run(bundle: Bundle, target: Target, *, dry_run: bool = False, progress: Progress | None = None) -> DeployReport:
    """Deploy `bundle` to an opened `target` in the order the module docstring describes."""
    plan = make_plan(bundle, target)
    report = DeployReport(
        target.label,
        bundle.manifest_sha256[:12],
        dry_run=dry_run,
        uploaded={f.path: f.size for f in plan.upload},
        unchanged=[f.path for f in plan.unchanged],
        pruned=list(plan.prune),
        kept=plan.kept,
    )
    if dry_run:
        return report
    note = progress or (lambda event, path, size: None)
    ops = report.operations

    def put(path: str, source: Path | bytes, headers: Headers, size: int) -> None:
        target.put(path, source, headers)
        ops.append(("put", path))
        if path != STATE:
            note("upload", path, size)

    if target.transactional:
        live_note = "the branch is unchanged"
    elif plan.live is not None:
        live_note = f"{target.label} still serves the previous bot"
    else:
        live_note = f"no bot went live at {target.label}"
    try:
        if plan.unfinished and not target.transactional:
            pending = State(plan.state.releases, plan.state.unfinished | plan.unfinished)
            put(STATE, pending.dumps(), headers_for(STATE, "state"), 0)
        for path in plan.stale:
            target.delete(path)
            ops.append(("delete", path))
            note("delete", path, 0)
        hashed = [f for f in plan.upload if f.kind == "hashed"]
        _put_all(hashed, put, target.parallel)
        for f in plan.upload:
            if f.kind != "hashed":
                put(f.path, f.source, f.headers, f.size)
    except DeployError as e:
        raise DeployError(f"{e}; {live_note}") from e

    # The new manifest is live: from here on a failure costs tidiness, not visitors.
    leftover: list[str] = []
    for i, path in enumerate(plan.prune):
        if path in plan.stale:
            continue  # deleted before the uploads
        try:
            target.delete(path)
        except DeployError as e:
            if target.transactional:
                raise
            report.warnings.append(f"{e}; the next deploy removes the old files")
            leftover = plan.prune[i:]
            report.pruned = plan.prune[:i]
            break
        ops.append(("delete", path))
        note("delete", path, 0)
    data = State(plan.releases, set(leftover)).dumps()
    if data != plan.state_bytes:
        try:
            put(STATE, data, headers_for(STATE, "state"), 0)
        except DeployError as e:
            if target.transactional:
                raise
            report.warnings.append(f"{e}; the next deploy records it again")
    report.commit = target.finish(f"sitebot: deploy bundle {report.manifest}")
    if report.commit is not None:
        ops.append(("commit", report.commit))
    return report
