"""The exact source of any revision, without the Nix store: download, verify, extract, cache.

`fetch_revision` downloads the source archive of a nixpkgs / home-manager revision (or of a
release branch), unpacks it safely (`archive.py`), compares the NAR hash of the tree with the
narHash a flake.lock records, reads it with the static extractor like a tree in the Nix store
(`store_index.build_source_index`) and caches the index per revision
(`nixos-src-<rev>.sqlite`). A check of a flake pinned to that revision then uses it
(`store_index.open_cached_source_index`). The unpacked tree and the archive are removed in
every case; the index file is only ever replaced atomically.

Where archives come from is a URL template with `{owner}`, `{repo}` and `{rev}` (a commit or a
branch): GitHub by default, or a mirror, GitHub Enterprise, a private cache.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from option_index.errors import HashMismatch, InvalidArchive, OptionIndexError
from option_index.sources.nix_store import parse_hash
from option_index.sources.store_index import (
    Limits,
    SourceTree,
    build_source_index,
    cached_source_index,
    pin_key,
    source_index_path,
    tree_system,
)
from option_index.sources.store_index import _tree_release as tree_release
from option_index.store.cache import check_system

if TYPE_CHECKING:
    from option_index.build import BuildResult
    from option_index.sources.download import DownloadSettings, Progress

DEFAULT_SOURCE_URL = "https://github.com/{owner}/{repo}/archive/{rev}.tar.gz"
ENV_SOURCE_URL = "NIXLS_ASSIST_SOURCE_URL"
#: system -> the upstream repository, and how its release branches are named
REPOSITORIES = {"nixos": ("NixOS", "nixpkgs", "nixos-{release}", "nixos-unstable"),
                "home-manager": ("nix-community", "home-manager", "release-{release}", "master")}
_REV = re.compile(r"[0-9a-f]{40}")
_OWNER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")

Stage = Callable[[str], None]  # "downloading …", "verifying …": one line per stage


@dataclass(frozen=True)
class Revision:
    """A source to fetch: a commit (`rev`) or a branch (`branch`) of `owner/repo`, or an
    explicit archive `url` (a flake.lock `tarball` input)."""

    system: str
    owner: str
    repo: str
    rev: str | None = None
    branch: str | None = None
    url: str | None = None
    nar_hash: str | None = None  # the lock's narHash, when there is one
    release: str | None = None  # a release branch's release (`24.11`)

    @property
    def key(self) -> str:
        """The cache key: the rev, the store hash of a locked tarball without one, or
        `release-24.11` for a release branch."""
        if self.rev is not None or (self.url is not None and self.nar_hash is not None):
            key = pin_key(self.rev, self.nar_hash)
            if key is not None:
                return key
        return f"release-{self.release}" if self.release else f"branch-{self.branch}"

    @property
    def label(self) -> str:
        what = self.rev[:12] if self.rev else self.branch or self.url
        return f"{self.owner}/{self.repo} {what}"


def for_rev(system: str, rev: str, *, repo: str | None = None,
            nar_hash: str | None = None) -> Revision:
    """`index fetch --rev REV [--repo owner/name]`."""
    check_system(system)
    if not _REV.fullmatch(rev):
        raise ValueError(f"--rev: expected a full 40-character commit hash, got {rev!r}")
    owner, name = _split_repo(repo) if repo else REPOSITORIES[system][:2]
    return Revision(system, owner, name, rev=rev, nar_hash=nar_hash)


def for_release(system: str, release: str, *, repo: str | None = None) -> Revision:
    """`index fetch --release 25.05`: the head of the release branch (`nixos-25.05`,
    home-manager's `release-25.05`)."""
    check_system(system)
    owner, name, stable, unstable = REPOSITORIES[system]
    if repo:
        owner, name = _split_repo(repo)
    branch = unstable if release == "unstable" else stable.format(release=release)
    return Revision(system, owner, name, branch=branch, release=release)


def _split_repo(repo: str) -> tuple[str, str]:
    owner, _, name = repo.partition("/")
    if not _OWNER.fullmatch(owner) or not _OWNER.fullmatch(name):
        raise ValueError(f"--repo: expected owner/name, got {repo!r}")
    return owner, name


def source_url_template(explicit: str | None = None) -> str:
    """The archive URL template: the flag or config value, else $NIXLS_ASSIST_SOURCE_URL,
    else GitHub's archive URL."""
    template = explicit or os.environ.get(ENV_SOURCE_URL) or DEFAULT_SOURCE_URL
    check_template(template)
    return template


def check_template(template: str) -> str:
    if "{rev}" not in template or not re.match(r"^(https?|file)://", template):
        raise ValueError(f"source URL {template!r}: expected an http(s) URL with {{rev}} "
                         "(and usually {owner} and {repo}), e.g. " + DEFAULT_SOURCE_URL)
    try:
        template.format(owner="o", repo="r", rev="0" * 40)
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"source URL {template!r}: only {{owner}}, {{repo}} and {{rev}} "
                         f"can be substituted ({exc})") from exc
    return template


def archive_url(revision: Revision, template: str | None = None) -> str:
    if revision.url is not None:
        return revision.url
    return source_url_template(template).format(
        owner=revision.owner, repo=revision.repo, rev=revision.rev or revision.branch)


@dataclass(frozen=True)
class FetchResult:
    revision: Revision
    path: Path  # the index file
    url: str | None  # None: it was already cached
    nar_hash: str | None  # of the downloaded tree
    rev: str | None  # the commit, as requested or as the archive records it
    build: BuildResult | None


def is_cached(revision: Revision, cache_dir: Path) -> bool:
    return cached_source_index(cache_dir, revision.system, revision.key) is not None


def _same_hash(a: str, b: str) -> bool:
    try:
        return parse_hash(a) == parse_hash(b)
    except ValueError:
        return False


def fetch_revision(revision: Revision, cache_dir: Path, *, template: str | None = None,
                   settings: DownloadSettings | None = None, progress: Progress | None = None,
                   stage: Stage | None = None, force: bool = False,
                   limits: Limits | None = None, transport=None) -> FetchResult:
    """Download, verify, extract and cache `revision`; a cached index is kept unless `force`.

    Raises DownloadError, InvalidArchive, HashMismatch (the cache is untouched), or
    CacheNotWritable / IndexUnavailable from the build.
    """
    from option_index.sources.archive import (
        download_file,
        remove_stale_temporaries,
        remove_tree,
        unpack_tarball,
    )
    from option_index.sources.nix_store import nar_hash

    if not force and is_cached(revision, cache_dir):
        return FetchResult(revision, source_index_path(cache_dir, revision.system, revision.key),
                           None, revision.nar_hash, revision.rev, None)
    url = archive_url(revision, template)
    say = stage or (lambda _text: None)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from option_index.errors import CacheNotWritable

        raise CacheNotWritable(f"cannot create {cache_dir} ({exc.strerror or exc}); set "
                               "NIXLS_ASSIST_CACHE_DIR to a writable directory") from exc
    remove_stale_temporaries(cache_dir)
    say(f"downloading {url}")
    archive = download_file(url, cache_dir, settings=settings, progress=progress,
                            transport=transport)
    try:
        say("unpacking")
        unpacked = unpack_tarball(archive, cache_dir)
    finally:
        archive.unlink(missing_ok=True)
    temp = unpacked.root if unpacked.root.name.startswith(".unpack-") else unpacked.root.parent
    try:
        found = tree_system(unpacked.root)
        if found != revision.system:
            what = {"nixos": "a nixpkgs tree (nixos/modules/module-list.nix)",
                    "home-manager": "a home-manager tree (modules/modules.nix)"}[revision.system]
            raise InvalidArchive(f"{url} is not {what}; check --repo / the source URL")
        if revision.rev and unpacked.rev and unpacked.rev != revision.rev:
            raise InvalidArchive(f"{url} holds commit {unpacked.rev}, not {revision.rev}")
        say("computing the NAR hash")
        actual = nar_hash(unpacked.root)
        if revision.nar_hash is not None and not _same_hash(revision.nar_hash, actual):
            raise HashMismatch(
                f"{url}: the unpacked tree has narHash {actual}, but flake.lock records "
                f"{revision.nar_hash}; the archive is not the locked source (a wrong mirror or "
                "a corrupted download); nothing was cached")
        rev = revision.rev or unpacked.rev
        tree = SourceTree(unpacked.root, revision.system, revision.key, rev,
                          tree_release(unpacked.root, revision.system) or revision.release,
                          origin=url)
        say(f"extracting options of {tree.label}")
        build = build_source_index(tree, cache_dir, limits=limits or Limits(),
                                   meta={"url": url, "nar_hash": actual,
                                         "store_path": ""}, relative=True)
    finally:
        remove_tree(temp)
    return FetchResult(revision, build.path, url, actual, rev, build)


__all__ = ["DEFAULT_SOURCE_URL", "FetchResult", "OptionIndexError", "Revision", "archive_url",
           "fetch_revision", "for_release", "for_rev", "is_cached", "source_url_template"]
