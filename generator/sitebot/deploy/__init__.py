"""Deploy a bundle folder to where the site is served; `sitebot deploy` is a thin layer over it.

    from sitebot.deploy import deploy
    report = deploy(Path("chatbot"), "dir:public/chatbot")
    report = deploy(Path("chatbot"), "git:git@github.com:you/site.git#gh-pages:chatbot")
    report = deploy(Path("chatbot"), "s3://my-bucket/chatbot", endpoint_url="https://<account>.r2.cloudflarestorage.com")

plan.py says in which order files go and which old ones are pruned; each target is a small
class registered in TARGETS by the scheme of its spec.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .plan import DeployError, DeployReport, Progress, Target, read_bundle, run

__all__ = ["TARGETS", "DeployError", "DeployReport", "deploy", "make_target"]


def _dir(spec: str, endpoint_url: str | None) -> Target:
    from .dirtarget import DirTarget

    path = spec.removeprefix("dir:")
    if not path:
        raise DeployError("dir: names no folder; write dir:PATH, e.g. dir:public/chatbot")
    return DirTarget(Path(path))


def _git(spec: str, endpoint_url: str | None) -> Target:
    from .gittarget import GitTarget, parse_git

    # git:URL#BRANCH, or git+ssh://…#BRANCH, git+https://…#BRANCH
    return GitTarget(*parse_git(spec[len("git:") :] if spec.startswith("git:") else spec[len("git+") :]))


def _s3(spec: str, endpoint_url: str | None) -> Target:
    from .s3target import S3Target, parse_s3

    return S3Target(*parse_s3(spec), endpoint_url=endpoint_url)


TARGETS: dict[str, Callable[[str, str | None], Target]] = {"dir": _dir, "git": _git, "s3": _s3}


def make_target(spec: str, *, endpoint_url: str | None = None) -> Target:
    """The target a `--to` spec names (not yet opened)."""
    from .plan import scrub

    scheme = "git" if spec.startswith("git+") else spec.partition(":")[0]
    if scheme not in TARGETS or ":" not in spec:
        raise DeployError(
            f"unknown deploy target {scrub(spec)!r}; use dir:PATH, git:URL#BRANCH[:PATH] or s3://BUCKET/PREFIX"
        )
    if endpoint_url and scheme != "s3":
        raise DeployError("--endpoint-url is only for s3:// targets")
    return TARGETS[scheme](spec, endpoint_url)


def deploy(
    bundle: Path,
    target: str,
    *,
    endpoint_url: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> DeployReport:
    """Deploy the bundle folder to `target`; `progress(event, path, bytes)` hears each upload and removal."""
    t = make_target(target, endpoint_url=endpoint_url)
    local = read_bundle(bundle)  # refuse a bad bundle before touching the target
    if target.startswith("dir:"):
        folder, source = Path(target[len("dir:") :]).resolve(), bundle.resolve()
        if folder == source or source in folder.parents:
            raise DeployError(f"{target} is the bundle folder itself or inside it; deploy to another folder")
    try:
        t.open()
        return run(local, t, dry_run=dry_run, progress=progress)
    finally:
        t.close()
