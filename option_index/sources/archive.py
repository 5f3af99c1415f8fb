"""Source archives: streamed to a temporary file, then unpacked safely.

`download_file` streams a URL with httpx into a temporary file in a given directory (an archive
of nixpkgs is 40+ MB: it is never held in memory). A transient failure (HTTP 5xx / 429, a
timeout, a connection cut mid-body) is retried; when the server honours `Range` the retry
resumes where the body stopped (with `If-Range`, so a body that changed is sent whole),
otherwise it starts again from zero. On failure the temporary
file is removed and `DownloadError` says what happened.

`unpack_tarball` extracts a tar (gzip, xz, bzip2 or plain) the way Nix unpacks a flake input:
a single top-level directory is stripped, symlinks are stored as symlinks (never followed),
and any member that could escape the tree (absolute path, `..`, a path through a symlink, a
hard link out of the tree, a device or FIFO) rejects the whole archive. The caller computes
the NAR hash of the result (`nix_store.nar_hash`).
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import lzma
import os
import re
import shutil
import stat
import tarfile
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import httpx

from option_index.errors import DownloadError, InvalidArchive
from option_index.sources.download import (
    RETRY_STATUS,
    DownloadSettings,
    Progress,
    Retryable,
    retried,
)

_CHUNK = 1 << 16
_MAX_MEMBERS = 500_000
_MAX_UNPACKED = 4 << 30  # bytes
_CONTENT_RANGE = re.compile(r"bytes (\d+)-\d+/(\d+|\*)")
_REV = re.compile(r"[0-9a-f]{40}")
TEMP_PREFIXES = (".download-", ".unpack-")


def _fail(url: str, status: int) -> DownloadError:
    hint = ("; check the revision and the repository, or the base URL (--source-url / "
            "`source-url` in .nixls-assist.toml)") if status == 404 else ""
    if status in (401, 403):
        hint = "; the server refused access (a private repository needs a mirror or a cache)"
    return DownloadError(f"download of {url} failed: HTTP {status}{hint}")


def _validator(response: httpx.Response) -> str | None:
    """What identifies this version of the body (a strong ETag, else Last-Modified): a
    resumed request sends it as `If-Range`, so a body that changed meanwhile (a branch
    head) is sent whole instead of spliced."""
    etag = response.headers.get("etag")
    if etag and not etag.startswith("W/"):
        return etag
    return response.headers.get("last-modified")


def _attempt(client: httpx.Client, url: str, out, progress: Progress | None,
             state: dict[str, str]) -> None:
    """One request; appends to `out` (resuming from its size when the server allows)."""
    have = out.tell()
    headers = {}
    if have and "validator" in state:
        headers = {"Range": f"bytes={have}-", "If-Range": state["validator"]}
    with client.stream("GET", url, headers=headers) as response:
        status = response.status_code
        if status in RETRY_STATUS:
            raise Retryable(f"HTTP {status}")
        if status == 416 and have:  # the range no longer fits: start again
            out.seek(0)
            out.truncate()
            raise Retryable("the server refused to resume")
        if status >= 400:
            raise _fail(url, status)
        total: int | None = None
        if status == 206 and (m := _CONTENT_RANGE.fullmatch(
                response.headers.get("content-range", ""))) and int(m.group(1)) == have:
            total = int(m.group(2)) if m.group(2) != "*" else None
        else:  # a full body: whatever was kept from an earlier attempt is dropped
            out.seek(0)
            out.truncate()
            have = 0
            length = response.headers.get("content-length", "")
            total = int(length) if length.isdigit() else None
            state.pop("validator", None)
            if (validator := _validator(response)) is not None:
                state["validator"] = validator
        done = have
        for chunk in response.iter_raw():  # unbuffered: a cut keeps what arrived
            out.write(chunk)
            done += len(chunk)
            if progress is not None:
                progress(done, total)
        if total is not None and done < total:
            raise Retryable(f"connection closed after {done} of {total} bytes")


def download_file(url: str, directory: Path, *, settings: DownloadSettings | None = None,
                  progress: Progress | None = None,
                  transport: httpx.BaseTransport | None = None) -> Path:
    """Stream `url` into a new temporary file in `directory`; the caller removes it.

    Raises DownloadError (nothing left behind) when every attempt failed.
    """
    settings = settings or DownloadSettings()
    directory.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".download-", suffix=".part", dir=directory)
    path = Path(name)
    state: dict[str, str] = {}
    try:
        with os.fdopen(fd, "w+b") as out, httpx.Client(
                timeout=httpx.Timeout(settings.timeout), follow_redirects=True,
                transport=transport,
                headers={"User-Agent": "nixls-assist source fetch",
                         "Accept-Encoding": "identity"}) as client:
            retried(url, settings, lambda: _attempt(client, url, out, progress, state),
                    "nothing was written to the index cache")
            return path
    except BaseException:
        path.unlink(missing_ok=True)
        raise


# --- unpacking --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Unpacked:
    root: Path  # the tree, after stripping the single top-level directory
    rev: str | None  # the commit `git archive` recorded (pax comment) or `.git-revision`


def _parts(name: str) -> tuple[str, ...]:
    if "\0" in name or name.startswith("/") or re.match(r"^[A-Za-z]:[\\/]", name):
        raise InvalidArchive(f"archive member {name!r} has an absolute path")
    parts = tuple(p for p in PurePosixPath(name).parts if p not in ("", "."))
    if ".." in parts:
        raise InvalidArchive(f"archive member {name!r} reaches outside the tree (`..`)")
    return parts


def _directory(root: Path, parts: tuple[str, ...]) -> Path:
    """`root/parts…` as a real directory, creating it; refuses to pass through a symlink."""
    here = root
    for part in parts:
        here = here / part
        try:
            st = os.lstat(here)
        except FileNotFoundError:
            os.mkdir(here, 0o755)
            continue
        if stat.S_ISLNK(st.st_mode):
            raise InvalidArchive(f"archive member below {'/'.join(parts)} goes through a "
                                 "symlink")
        if not stat.S_ISDIR(st.st_mode):
            raise InvalidArchive(f"archive member {'/'.join(parts)} is both a file and a "
                                 "directory")
    return here


def _clear(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        if stat.S_ISDIR(os.lstat(path).st_mode):
            shutil.rmtree(path)
        else:
            os.unlink(path)


def _extract(tar: tarfile.TarFile, dest: Path) -> None:
    members = 0
    size = 0
    regular: dict[tuple[str, ...], Path] = {}
    for member in tar:
        members += 1
        if members > _MAX_MEMBERS:
            raise InvalidArchive(f"archive has more than {_MAX_MEMBERS} members")
        parts = _parts(member.name)
        if not parts:
            continue
        if member.isdir():
            _directory(dest, parts)
            continue
        parent = _directory(dest, parts[:-1])
        target = parent / parts[-1]
        if member.isreg():
            size += member.size
            if size > _MAX_UNPACKED:
                raise InvalidArchive(f"archive unpacks to more than {_MAX_UNPACKED} bytes")
            _clear(target)
            source = tar.extractfile(member)
            mode = 0o755 if member.mode & 0o100 else 0o644
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
            with os.fdopen(os.open(target, flags, mode), "wb") as out:
                if source is not None:
                    shutil.copyfileobj(source, out, _CHUNK)
            os.chmod(target, mode)
            regular[parts] = target
        elif member.issym():
            _clear(target)
            os.symlink(member.linkname, target)  # stored as is, never followed
        elif member.islnk():
            link = _parts(member.linkname)
            original = regular.get(link)
            if original is None:
                raise InvalidArchive(f"archive member {member.name!r} is a hard link to "
                                     f"{member.linkname!r}, which is not a file of the archive")
            _clear(target)
            shutil.copy2(original, target, follow_symlinks=False)
            regular[parts] = target
        else:
            raise InvalidArchive(f"archive member {member.name!r} is a device, FIFO or other "
                                 "special file")


def _decompressed(archive: Path) -> BinaryIO:
    """The archive's tar stream: gzip, xz and bzip2 by their magic bytes, else as is."""
    with open(archive, "rb") as f:
        magic = f.read(6)
    if magic.startswith(b"\x1f\x8b"):
        return gzip.open(archive, "rb")
    if magic.startswith(b"\xfd7zXZ\x00"):
        return lzma.open(archive, "rb")
    if magic.startswith(b"BZh"):
        return bz2.open(archive, "rb")
    return open(archive, "rb")


def unpack_tarball(archive: Path, directory: Path) -> Unpacked:
    """Unpack `archive` into a new temporary directory in `directory`.

    Raises InvalidArchive (and removes what it wrote) for a corrupt or unsafe archive.
    The caller removes the returned tree's temporary directory (`root.parent` or `root`).
    """
    temp = Path(tempfile.mkdtemp(prefix=".unpack-", dir=directory))
    try:
        try:
            with _decompressed(archive) as stream:
                with tarfile.open(fileobj=stream, mode="r|") as tar:
                    _extract(tar, temp)
                    comment = tar.pax_headers.get("comment", "")
                # tarfile takes a damaged header after the first for the end of the archive:
                # reading the compressed stream to its end (gzip / xz check their CRC there)
                # turns a corrupt or truncated download into an error, not a partial tree.
                while stream.read(_CHUNK):
                    pass
        except (tarfile.TarError, EOFError, OSError, ValueError, zlib.error, lzma.LZMAError) \
                as exc:
            if isinstance(exc, InvalidArchive):
                raise
            raise InvalidArchive(f"the archive is corrupt or not a tar file ({exc})") from exc
        entries = list(temp.iterdir())
        root = entries[0] if len(entries) == 1 and entries[0].is_dir() and \
            not entries[0].is_symlink() else temp
        rev = comment if _REV.fullmatch(comment) else None
        marker = root / ".git-revision"
        if rev is None and marker.is_file() and not marker.is_symlink():
            text = marker.read_text(errors="replace").strip()
            rev = text if _REV.fullmatch(text) else None
        return Unpacked(root, rev)
    except BaseException:
        remove_tree(temp)
        raise


def remove_tree(path: Path) -> None:
    """Remove an unpacked tree (read-only bits and symlinks included)."""
    if path.exists() or path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)


def remove_stale_temporaries(directory: Path, older_than: float = 86400.0) -> None:
    """Temporary downloads and trees a killed run left behind."""
    if not directory.is_dir():
        return
    now = time.time()
    for entry in directory.iterdir():
        if entry.name.startswith(TEMP_PREFIXES):
            with contextlib.suppress(OSError):
                if now - entry.lstat().st_mtime <= older_than:
                    continue
                if entry.is_dir():
                    remove_tree(entry)
                else:
                    entry.unlink()
