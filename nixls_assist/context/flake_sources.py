"""Which repository a flake reference points to, whatever way it is written.

`github:NixOS/nixpkgs/nixos-24.11`, `git+https://github.com/NixOS/nixpkgs?ref=nixos-24.11`,
`https://github.com/NixOS/nixpkgs/archive/nixos-24.11.tar.gz`, the channel tarball
`https://channels.nixos.org/nixos-24.11/nixexprs.tar.xz` and FlakeHub's `NixOS/nixpkgs/0.2411.*`
are one source at one branch. Renamed repositories (`rycee/home-manager`) map to their
current name. Pure string work: nothing is fetched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from nixls_assist.context.release import UNSTABLE, release_from_ref, release_from_url

# Repositories that moved; both names are one source.
RENAMED_REPOS = {
    "rycee/home-manager": "nix-community/home-manager",
    "pta2002/nixvim": "nix-community/nixvim",
    "cachix/pre-commit-hooks.nix": "cachix/git-hooks.nix",
    "nixos/nixpkgs-channels": "nixos/nixpkgs",
    "lnl7/nix-darwin": "nix-darwin/nix-darwin",
}
# The global flake registry's names for the inputs people use most (indirect `flake:x`).
REGISTRY = {
    "nixpkgs": ("nixos/nixpkgs", "nixpkgs-unstable"),
    "home-manager": ("nix-community/home-manager", None),
    "flake-utils": ("numtide/flake-utils", None),
    "flake-parts": ("hercules-ci/flake-parts", None),
    "flake-compat": ("edolstra/flake-compat", None),
    "systems": ("nix-systems/default", None),
    "nix-darwin": ("nix-darwin/nix-darwin", None),
    "nixvim": ("nix-community/nixvim", None),
    "treefmt-nix": ("numtide/treefmt-nix", None),
}
_EVALUATED_SETS = frozenset({
    "github:nixos/nixpkgs", "github:nix-community/home-manager", "github:nix-darwin/nix-darwin",
})
_CHANNEL_HOSTS = ("channels.nixos.org", "nixos.org")
_CHANNEL_PATH = re.compile(r"^/(?:channels/)?(?P<ref>[\w.-]+)/nixexprs\.tar\.xz$")
_ARCHIVE_PATH = re.compile(
    r"^/(?P<owner>[^/]+)/(?P<repo>[^/]+)/archive/(?P<ref>.+?)\.(?:tar\.gz|tar\.xz|zip|tgz)$"
)
_FLAKEHUB_PATH = re.compile(
    r"^/f/(?:pinned/)?(?P<owner>[^/]+)/(?P<repo>[^/]+)/(?P<version>[^/]+?)(?:/[^/]*)?"
    r"(?:\.tar\.gz)?$"
)
_FLAKEHUB_RELEASE = re.compile(r"^0\.(?P<yy>\d{2})(?P<mm>\d{2})\.")
_GIT_HOSTS = {"github.com": "github", "gitlab.com": "gitlab", "git.sr.ht": "sourcehut"}
_REV = re.compile(r"^[0-9a-f]{40}$")


@dataclass(frozen=True)
class Source:
    """A repository identity plus the branch and revision asked for."""

    repo: str  # "github:nixos/nixpkgs", lower case; or a normalised URL
    ref: str | None = None
    rev: str | None = None
    dir: str | None = None

    @property
    def is_nixpkgs(self) -> bool:
        return self.repo == "github:nixos/nixpkgs"

    @property
    def is_evaluated_set(self) -> bool:
        """A package set or module system a configuration evaluates: nixpkgs, home-manager,
        nix-darwin. A second copy of one is a second evaluation (and closure); a second copy
        of any other flake (flake-utils, treefmt-nix, …) only grows the lock."""
        return self.repo in _EVALUATED_SETS

    @property
    def series(self) -> str | None:
        """The release series of the branch: `24.11`, `unstable`; None when unknown."""
        if self.is_nixpkgs:
            return release_from_ref(self.ref) if self.ref else UNSTABLE
        if self.ref is None or self.ref in ("master", "main"):
            return "default branch"
        return release_from_ref(self.ref) or self.ref


def _repo(kind: str, owner: str, repo: str) -> str:
    name = f"{owner}/{repo}".lower().removesuffix(".git")
    name = RENAMED_REPOS.get(name, name)
    return f"{kind}:{name}"


def source_of_url(url: str) -> Source | None:
    """A flake URL as written in `flake.nix`; None when it cannot be understood."""
    url = url.strip()
    scheme, _, rest = url.partition(":")
    if not rest:
        return source_of_indirect(url, None, None)
    path, _, query = rest.partition("?")
    params = {k: v[-1] for k, v in parse_qs(query).items()}
    if scheme in ("github", "gitlab", "sourcehut"):
        parts = [p for p in path.split("/") if p]
        if len(parts) < 2:
            return None
        ref_or_rev = "/".join(parts[2:]) or None
        ref = params.get("ref")
        rev = params.get("rev")
        if ref_or_rev is not None:
            if _REV.match(ref_or_rev):
                rev = ref_or_rev
            else:
                ref = ref_or_rev
        return Source(_repo(scheme, parts[0], parts[1]), ref, rev, params.get("dir"))
    if scheme == "flake":
        parts = path.split("/")
        second = parts[1] if len(parts) > 1 else None
        is_rev = second is not None and _REV.match(second) is not None
        return source_of_indirect(
            parts[0], None if is_rev else second, second if is_rev else params.get("rev")
        )
    if scheme in ("git+https", "git+http", "git+ssh", "git"):
        return _source_of_git_url(url, params)
    if scheme in ("https", "http", "tarball+https", "tarball+http", "file+https"):
        return _source_of_tarball(url.removeprefix("tarball+").removeprefix("file+"), params)
    if scheme in ("path", "git+file", "file"):
        return None
    return source_of_indirect(url, None, None) if "/" not in url else None


def source_of_indirect(flake_id: str, ref: str | None, rev: str | None) -> Source | None:
    if not re.fullmatch(r"[A-Za-z][\w-]*", flake_id):
        return None
    repo, default_ref = REGISTRY.get(flake_id, (None, None))
    if repo is None:
        return Source(f"flake:{flake_id}", ref, rev)
    return Source(f"github:{repo}", ref or default_ref, rev)


def _source_of_git_url(url: str, params: dict[str, str]) -> Source | None:
    parts = urlsplit(url.split("+", 1)[-1])
    host = (parts.hostname or "").lower()
    segments = [s for s in parts.path.split("/") if s]
    if host in _GIT_HOSTS and len(segments) >= 2:
        repo = _repo(_GIT_HOSTS[host], segments[0], segments[1])
    else:
        repo = f"git:{host}/{'/'.join(segments)}".lower().removesuffix(".git")
    return Source(repo, params.get("ref"), params.get("rev"), params.get("dir"))


def _source_of_tarball(url: str, params: dict[str, str]) -> Source | None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host in _CHANNEL_HOSTS and (match := _CHANNEL_PATH.match(parts.path)):
        return Source("github:nixos/nixpkgs", match["ref"])
    if host == "github.com" and (match := _ARCHIVE_PATH.match(parts.path)):
        ref = match["ref"]
        if _REV.match(ref):
            return Source(_repo("github", match["owner"], match["repo"]), None, ref)
        return Source(_repo("github", match["owner"], match["repo"]), ref)
    if host.endswith("flakehub.com") and (match := _FLAKEHUB_PATH.match(parts.path)):
        repo = _repo("github", match["owner"], match["repo"])
        version = match["version"]
        ref = None
        if release := _FLAKEHUB_RELEASE.match(version):
            ref = f"nixos-{release['yy']}.{release['mm']}"
        elif version.startswith("0.1"):
            ref = "nixos-unstable"
        return Source(repo, ref, params.get("rev"), params.get("dir"))
    if (release := release_from_url(url)) is not None and "nixpkgs" in url:
        ref = "nixos-unstable" if release == UNSTABLE else f"nixos-{release}"
        return Source("github:nixos/nixpkgs", ref)
    return Source(f"url:{host}{parts.path}", None, params.get("rev"))


def source_of_lock_entry(entry: dict[str, Any]) -> Source | None:
    """A lock node's `original` (or `locked`) attrset as a Source."""
    kind = entry.get("type")
    ref = entry.get("ref") if isinstance(entry.get("ref"), str) else None
    rev = entry.get("rev") if isinstance(entry.get("rev"), str) else None
    directory = entry.get("dir") if isinstance(entry.get("dir"), str) else None
    if kind in ("github", "gitlab", "sourcehut"):
        owner, repo = entry.get("owner"), entry.get("repo")
        if not isinstance(owner, str) or not isinstance(repo, str):
            return None
        return Source(_repo(kind, owner, repo), ref, rev, directory)
    if kind == "indirect":
        flake_id = entry.get("id")
        return source_of_indirect(flake_id, ref, rev) if isinstance(flake_id, str) else None
    url = entry.get("url")
    if not isinstance(url, str):
        return None
    if kind == "git":
        source = _source_of_git_url("git+" + url if "://" in url else url, {})
        return Source(source.repo, ref, rev, directory) if source else None
    if kind in ("tarball", "file"):
        source = _source_of_tarball(url, {})
        if source is None:
            return None
        return Source(source.repo, source.ref or ref, source.rev or rev, directory)
    return None
