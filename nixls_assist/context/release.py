"""Map a locked flake input (or a channel URL) to the nixpkgs / home-manager release it tracks."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from nixls_assist.context.flake_lock import LockedNode
from option_index.sources.store_index import cached_source_index, locked_source, pin_key
from option_index.store.cache import default_cache_dir

UNSTABLE = "unstable"

_STABLE_REF = re.compile(
    r"^(?:nixos|nixpkgs|release)-(?P<release>\d{2}\.\d{2})(?:-(?:small|darwin|aarch64))?$"
)
_UNSTABLE_REFS = frozenset(
    {"nixos-unstable", "nixos-unstable-small", "nixpkgs-unstable", "master", "main", "staging",
     "haskell-updates"}
)
# Channel tarballs: https://channels.nixos.org/nixos-25.11/nixexprs.tar.xz,
# https://github.com/NixOS/nixpkgs/archive/nixos-24.11.tar.gz, FlakeHub 0.2411.* versions.
_URL_RELEASE = re.compile(r"(?:nixos|nixpkgs|release)-(?P<release>\d{2}\.\d{2})(?:-small)?[/.]")
_URL_UNSTABLE = re.compile(r"(?:nixos|nixpkgs)-unstable")
_FLAKEHUB = re.compile(r"flakehub\.com/f/[^/]+/[^/]+/0\.(?P<yy>\d{2})(?P<mm>\d{2})\.")


@dataclass(frozen=True)
class ReleasePin:
    """The release a file is checked against, and why."""

    release: str  # "24.11" or "unstable"
    date: dt.date | None  # lastModified of the locked input, when known
    reason: str  # e.g. "flake.lock: nixpkgs → github:NixOS/nixpkgs/nixos-24.11"
    ref: str | None = None
    rev: str | None = None
    via: str = ""  # where the pin comes from, short: "flake.lock", "--release"
    nar_hash: str | None = None  # the locked input's narHash (flake.lock)
    # The pinned nixpkgs / home-manager tree on this machine (Nix store or channel), if found:
    # the index is then built from that exact source (option_index/sources/store_index.py).
    source_path: str | None = None
    # Where the locked source can be downloaded (`index fetch --from-lock`, `check --download`):
    # `github:owner/repo` (the archive of `rev`) or a tarball input's locked URL.
    origin: str | None = None

    @property
    def phrase(self) -> str:
        """`pinned to nixos-24.11 via flake.lock`, for messages."""
        what = f"`{self.ref}`" if self.ref else self.label
        return f"pinned to {what}" + (f" via {self.via}" if self.via else "")

    @property
    def label(self) -> str:
        if self.release == UNSTABLE and self.date is not None:
            return f"unstable ({self.date.isoformat()})"
        return self.release


def release_from_ref(ref: str | None) -> str | None:
    """`nixos-24.11` → 24.11; `nixos-unstable` → unstable; anything else → None."""
    if ref is None:
        return None
    if match := _STABLE_REF.match(ref):
        return match["release"]
    if ref in _UNSTABLE_REFS:
        return UNSTABLE
    return None


def release_from_url(url: str) -> str | None:
    if match := _FLAKEHUB.search(url):
        return f"{match['yy']}.{match['mm']}"
    if match := _URL_RELEASE.search(url):
        return match["release"]
    if _URL_UNSTABLE.search(url):
        return UNSTABLE
    return None


def describe_source(original: dict[str, object]) -> str:
    """`github:NixOS/nixpkgs/nixos-24.11`-style text for messages."""
    kind = original.get("type")
    ref = original.get("ref") or original.get("rev")
    if kind in ("github", "gitlab", "sourcehut"):
        base = f"{kind}:{original.get('owner')}/{original.get('repo')}"
        return f"{base}/{ref}" if ref else base
    if kind == "indirect":
        base = f"flake:{original.get('id')}"
        return f"{base}/{ref}" if ref else base
    url = original.get("url")
    if isinstance(url, str):
        return f"{url}?ref={ref}" if ref and kind == "git" else url
    return str(kind or "unknown source")


def pin_from_node(node: LockedNode, input_name: str, lock_label: str) -> ReleasePin:
    original = node.original
    locked = node.locked
    ref = original.get("ref") if isinstance(original.get("ref"), str) else None
    rev = locked.get("rev") if isinstance(locked.get("rev"), str) else None
    date = (
        dt.datetime.fromtimestamp(node.last_modified, tz=dt.UTC).date()
        if node.last_modified is not None
        else None
    )
    source = describe_source(original)
    reason = f"{lock_label}: input `{input_name}` → {source}"
    release = release_from_ref(ref)
    if release is None:
        url = original.get("url")
        release = release_from_url(url) if isinstance(url, str) else None
    if release is None:
        # A bare rev, a fork's own branch, the default branch: judge by the lock date.
        release = UNSTABLE
        reason += " (no release branch; judged by its lock date)"
    elif release == UNSTABLE and _is_fork(original):
        reason += " (a fork's branch; judged by its lock date)"
    nar_hash = locked.get("narHash") if isinstance(locked.get("narHash"), str) else None
    tree = locked_source(nar_hash, rev=rev) if nar_hash else None
    if tree is not None:
        reason += f" ({tree.source})"
    elif (fetched := fetched_source(rev, nar_hash)) is not None:
        reason += f" ({fetched})"
    return ReleasePin(release=release, date=date, reason=reason, ref=ref, rev=rev, via=lock_label,
                      nar_hash=nar_hash, source_path=str(tree.root) if tree else None,
                      origin=archive_origin(locked))


_GITHUB_GIT = re.compile(r"^(?:git\+)?https://github\.com/(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+?)"
                         r"(?:\.git)?/?$")


def archive_origin(locked: dict[str, object]) -> str | None:
    """Where a locked input's exact source can be downloaded: `github:owner/repo` (its
    archive at the locked rev) or a `tarball` input's locked URL; None for anything else
    (a local path, a git server without archives)."""
    kind = locked.get("type")
    owner, repo, url = locked.get("owner"), locked.get("repo"), locked.get("url")
    if kind == "github" and isinstance(owner, str) and isinstance(repo, str):
        return f"github:{owner}/{repo}"
    if kind == "tarball" and isinstance(url, str) and url.startswith(("https://", "http://")):
        return url
    if kind == "git" and isinstance(url, str) and (match := _GITHUB_GIT.match(url)):
        return f"github:{match['owner']}/{match['repo']}"
    return None


def fetched_source(rev: str | None, nar_hash: str | None) -> str | None:
    """`options of nixpkgs 5e4fbfb6, downloaded` when `index fetch` cached this revision's
    source (in the default index directory)."""
    key = pin_key(rev, nar_hash)
    if key is None:
        return None
    for system, name in (("nixos", "nixpkgs"), ("home-manager", "home-manager")):
        if cached_source_index(default_cache_dir(), system, key) is not None:
            return f"options of {name} {key[:8]}, downloaded"
    return None


_UPSTREAM_OWNERS = frozenset({"nixos", "nix-community", "rycee"})


def _is_fork(original: dict[str, object]) -> bool:
    owner = original.get("owner")
    return isinstance(owner, str) and owner.lower() not in _UPSTREAM_OWNERS


# NixOS releases before the May / November cadence that began with 21.05.
_EARLY_RELEASES = frozenset({"13.10", "14.04", "14.12", "15.09", "16.03", "16.09", "17.03",
                             "17.09", "18.03", "18.09", "19.03", "19.09", "20.03", "20.09"})


def _latest_year(today: dt.date | None = None) -> int:
    """The last release year a user can mean: next year's (a branch-off is named ahead)."""
    return (today or dt.date.today()).year % 100 + 1


def release_forms() -> str:
    """The accepted spellings of a release, for error messages."""
    return (f"a release `YY.05` / `YY.11` (21.05 … {_latest_year()}.11, or an older one such "
            "as 20.09), `nixos-24.11`, `release-24.11` or `unstable`")


def is_nixos_release(release: str) -> bool:
    """Whether `release` (`24.11`, `unstable`) names a NixOS release that exists or is next."""
    if release == UNSTABLE or release in _EARLY_RELEASES:
        return True
    match = re.fullmatch(r"(?P<yy>\d{2})\.(?P<mm>05|11)", release)
    return match is not None and 21 <= int(match["yy"]) <= _latest_year()


def releases_after(release: str | None, today: dt.date | None = None) -> list[str]:
    """The NixOS releases an upgrade from `release` can target, oldest first: every
    `YY.05` / `YY.11` after it whose month has come, then `unstable`. Only `unstable`
    after `unstable` (or an unknown pin)."""
    today = today or dt.date.today()
    match = re.fullmatch(r"(?P<yy>\d{2})\.(?P<mm>\d{2})", release or "")
    if match is None:
        return [UNSTABLE]
    start = (int(match["yy"]), int(match["mm"]))
    out = [f"{yy:02d}.{mm:02d}" for yy in range(21, today.year % 100 + 1) for mm in (5, 11)
           if (yy, mm) > start and (2000 + yy, mm) <= (today.year, today.month)]
    return [*out, UNSTABLE]


def normalise_release(text: str) -> str | None:
    """User input such as `24.11`, `nixos-24.11`, `unstable` → canonical form; None when it
    is no release (`banana`) or names none that exists (`99.99`, `24.12`)."""
    text = text.strip()
    if re.fullmatch(r"\d{2}\.\d{2}", text):
        release: str | None = text
    elif text in (UNSTABLE, "master"):
        release = UNSTABLE
    else:
        release = release_from_ref(text)
    return release if release is not None and is_nixos_release(release) else None
