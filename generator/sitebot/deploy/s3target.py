"""`s3://BUCKET/PREFIX`: upload the bundle to AWS S3 or any S3-compatible store (R2, MinIO,
B2… through --endpoint-url), with the headers of sitebot.bundle.format.headers_for.

Needs boto3 (`pip install 'sitebot[s3]'`). Credentials, region and retries come only from
boto3's own chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, AWS_PROFILE, instance roles,
AWS_MAX_ATTEMPTS…), never from a flag. Each object carries the sha256 of its bytes in its
metadata, so an unchanged file is recognised by one HEAD and not uploaded again. The files of
a content-addressed folder (the lite path's 3,816 token table files) are recognised together:
one HEAD for the folder, then each by its listed size, so a redeploy does not HEAD them all.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from ..bundle.format import Headers, hashed_folder
from .plan import DeployError, LocalFile, Target, scrub

T = TypeVar("T")


def parse_s3(spec: str) -> tuple[str, str]:
    """`s3://BUCKET/PREFIX` → (bucket, prefix without slashes at either end)."""
    bucket, _, prefix = spec.removeprefix("s3://").partition("/")
    prefix = prefix.strip("/")
    if not spec.startswith("s3://") or not bucket:
        raise DeployError(f"{spec} is not s3://BUCKET/PREFIX; write e.g. s3://my-site/chatbot")
    if prefix and any(p in ("", ".", "..") for p in prefix.split("/")):
        raise DeployError(f"{spec}: {prefix!r} is not a usable key prefix")
    return bucket, prefix


def check_endpoint(url: str) -> str:
    """`url` when it is an http(s) URL with a host; else one sentence (that never echoes it: it may hold a password)."""
    try:
        parts = urlsplit(url)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port is None or parts.port > 0)
    except ValueError:  # e.g. a port that is not a number, or an unclosed [IPv6
        ok = False
    if not ok:
        raise DeployError(
            "--endpoint-url is not an http(s) URL; give the store's address, "
            "e.g. https://<account>.r2.cloudflarestorage.com"
        )
    return url


class S3Target(Target):
    negotiates = False  # S3 sends an object as stored: compressible files go up gzipped (plan.for_store)

    def __init__(self, bucket: str, prefix: str, endpoint_url: str | None = None) -> None:
        try:
            import boto3  # noqa: F401
        except ImportError as e:
            raise DeployError("s3:// targets need boto3; install it with pip install 'sitebot[s3]'") from e
        self.bucket, self.prefix = bucket, prefix
        self.endpoint_url = check_endpoint(endpoint_url) if endpoint_url else None
        self.label = f"s3://{bucket}/{prefix}" if prefix else f"s3://{bucket}"
        self.parallel = 8  # boto3 clients are thread-safe; see Target.parallel
        self.sizes: dict[str, int] = {}
        # hashed folder → whether its first file checked is sitebot's, with today's headers. The
        # folder's name is the hash of all its files, and a PUT is atomic: a listed file of the
        # right size in it holds the right bytes, uploaded by the same deploy code as its neighbours.
        self.folders: dict[str, bool] = {}
        self.client: Any = None

    def key(self, path: str) -> str:
        return f"{self.prefix}/{path}" if self.prefix else path

    def open(self) -> None:
        import boto3
        from botocore.config import Config

        # Path-style URLs work on every S3-compatible store (MinIO has no per-bucket hostnames).
        options: dict[str, Any] = {"s3": {"addressing_style": "path"}} if self.endpoint_url else {}
        try:
            # botocore ≥ 1.36 adds CRC checksum headers that several S3-compatible stores
            # reject (https://github.com/boto/boto3/issues/4400); we send Content-MD5 instead.
            config = Config(
                request_checksum_calculation="when_required", response_checksum_validation="when_required", **options
            )
        except TypeError:
            config = Config(**options)
        try:
            self.client = boto3.session.Session().client("s3", endpoint_url=self.endpoint_url, config=config)
        except ValueError as e:  # botocore's own checks of the endpoint, beyond check_endpoint's
            raise DeployError(scrub(f"cannot use --endpoint-url {self.endpoint_url}: {e}")) from e
        start = f"{self.prefix}/" if self.prefix else ""
        pages = self._call(
            f"list {self.label}",
            lambda: list(self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=start)),
        )
        for page in pages:
            for obj in page.get("Contents", []):
                self.sizes[obj["Key"][len(start) :]] = obj["Size"]

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        """Run one S3 request; whatever goes wrong becomes one sentence, with any URL's credentials masked."""
        try:
            return self._request(what, fn)
        except DeployError as e:
            raise DeployError(scrub(str(e))) from e.__cause__

    def _request(self, what: str, fn: Callable[[], T]) -> T:
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        try:
            return fn()
        except NoCredentialsError as e:
            raise DeployError(
                "no S3 credentials found; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                "(or AWS_PROFILE) in the environment"
            ) from e
        except ClientError as e:
            err = e.response.get("Error", {})
            code, message = err.get("Code", "error"), err.get("Message") or ""
            if code == "NoSuchBucket":
                raise DeployError(
                    f"cannot {what}: the bucket {self.bucket} does not exist"
                    + (f" at {self.endpoint_url}" if self.endpoint_url else "")
                ) from e
            raise DeployError(
                f"cannot {what}: the server answered {code}" + (f" ({message})" if message else "")
            ) from e
        except BotoCoreError as e:
            raise DeployError(f"cannot {what}: {str(e).rstrip('.')}") from e

    def read(self, path: str) -> bytes | None:
        if path not in self.sizes:
            return None
        from botocore.exceptions import ClientError

        def get() -> bytes | None:
            try:
                got = self.client.get_object(Bucket=self.bucket, Key=self.key(path))
            except ClientError as e:
                if e.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                    return None  # deleted since the listing
                raise
            body: bytes = got["Body"].read()
            # sitebot.json is stored gzipped (plan.for_store): read it as a browser gets it.
            if got.get("ContentEncoding") == "gzip":
                try:
                    return gzip.decompress(body)
                except (OSError, EOFError):
                    return body  # not gzip after all: the caller judges the bytes as they are
            return body

        return self._call(f"read {self.key(path)}", get)

    def exists(self, path: str) -> bool:
        return path in self.sizes

    def same(self, path: str, f: LocalFile) -> bool:
        if self.sizes.get(path) != f.size:
            return False
        folder = hashed_folder(path)
        if folder is not None and folder in self.folders:
            return self.folders[folder]
        head = self._call(
            f"read {self.key(path)}", lambda: self.client.head_object(Bucket=self.bucket, Key=self.key(path))
        )
        h = f.headers
        same = (
            head.get("Metadata", {}).get("sha256") == f.sha256
            and head.get("ContentType") == h.content_type
            and head.get("CacheControl") == h.cache_control
            and head.get("ContentEncoding") == h.content_encoding
        )
        if folder is not None:
            self.folders[folder] = same
        return same

    def put(self, path: str, source: Path | bytes, headers: Headers) -> None:
        data = source if isinstance(source, bytes) else source.read_bytes()
        args: dict[str, Any] = {
            "Bucket": self.bucket,
            "Key": self.key(path),
            "Body": data,
            "ContentType": headers.content_type,
            "CacheControl": headers.cache_control,
            "ContentMD5": base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode(),
            "Metadata": {"sha256": hashlib.sha256(data).hexdigest()},
        }
        if headers.content_encoding:
            args["ContentEncoding"] = headers.content_encoding
        self._call(f"upload {self.key(path)} to {self.label}", lambda: self.client.put_object(**args))
        self.sizes[path] = len(data)

    def delete(self, path: str) -> None:
        self._call(
            f"remove {self.key(path)}", lambda: self.client.delete_object(Bucket=self.bucket, Key=self.key(path))
        )
        self.sizes.pop(path, None)
