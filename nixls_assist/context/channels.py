"""Release pins from Nix channels, for configurations without a flake.lock (classic /etc/nixos).

Where `<nixpkgs>` comes from, in the order Nix itself would look:
1. `NIX_PATH` entries `nixpkgs=DIR` (and `home-manager=DIR`), and plain entries `DIR` whose
   `DIR/nixpkgs` / `DIR/home-manager` exist;
2. the user's channels `~/.nix-defexpr/channels/{nixos,nixpkgs,home-manager}`;
3. root's channels `/nix/var/nix/profiles/per-user/root/channels/{nixos,home-manager}`.

`NIXLS_ASSIST_CHANNELS` replaces that search with its own list of directories (each a channel
tree itself or a directory of channels, separated by `:`); an empty value turns channels off.

The release is the tree's own: nixpkgs' `.version` (with `.version-suffix` `pre…` meaning
unstable) and home-manager's `release.json`; the rev is `.git-revision` when the channel has it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from nixls_assist.context.release import UNSTABLE, ReleasePin
from option_index.sources.store_index import SourceTree, source_tree

ENV_CHANNELS = "NIXLS_ASSIST_CHANNELS"
_ROOT_CHANNELS = Path("/nix/var/nix/profiles/per-user/root/channels")
_NAMES = {"nixos": ("nixos", "nixpkgs"), "home-manager": ("home-manager",)}


def _candidates(env: dict[str, str]) -> list[Path]:
    """Directories that may be a channel tree, or hold channel trees, in search order."""
    if ENV_CHANNELS in env:
        return [Path(p).expanduser() for p in env[ENV_CHANNELS].split(os.pathsep) if p]
    out: list[Path] = []
    for entry in env.get("NIX_PATH", "").split(":"):
        name, _, value = entry.rpartition("=")
        if not value or "://" in value or value.startswith(("http", "flake:", "channel:")):
            continue  # downloaded on demand by Nix: nothing on disk to read
        if name in ("", "nixpkgs", "home-manager"):
            out.append(Path(value))
    home = env.get("HOME")
    if home:
        out.append(Path(home) / ".nix-defexpr" / "channels")
    out.append(_ROOT_CHANNELS)
    return out


def _trees(directory: Path, system: str) -> list[Path]:
    return [directory, *(directory / name for name in _NAMES[system])]


def find_channel(system: str,
                 env: dict[str, str] | None = None) -> tuple[Path, SourceTree] | None:
    """(where it was found, the tree) of the first nixpkgs (system "nixos") or home-manager
    channel on this machine."""
    env = dict(os.environ) if env is None else env
    for directory in _candidates(env):
        for candidate in _trees(directory, system):
            try:
                if not candidate.is_dir():
                    continue
            except OSError:
                continue
            tree = source_tree(candidate, rev=_git_revision(candidate))
            if tree is not None and tree.system == system:
                return candidate, tree
    return None


def _git_revision(tree: Path) -> str | None:
    try:
        rev = (tree / ".git-revision").read_text().strip()
    except (OSError, UnicodeDecodeError):
        return None
    return rev if rev and all(c in "0123456789abcdef" for c in rev) else None


def _release(tree: SourceTree) -> tuple[str, str]:
    """(release, the tree's own version text) of a channel tree."""
    if tree.system == "home-manager":
        try:
            data = json.loads((tree.root / "release.json").read_text())
            if data.get("isReleaseBranch") is False:
                return UNSTABLE, f"{data.get('release')} (master)"
        except (OSError, ValueError, AttributeError):
            pass
        return tree.release or UNSTABLE, tree.release or "unknown version"
    try:
        suffix = (tree.root / ".version-suffix").read_text().strip()
    except (OSError, UnicodeDecodeError):
        suffix = ""
    version = f"{tree.release or '?'}{suffix}"
    if tree.release is None or suffix.startswith("pre"):
        return UNSTABLE, version
    return tree.release, version


def channel_pin(system: str, env: dict[str, str] | None = None) -> ReleasePin | None:
    """The release pin of the channel providing `system`'s modules, when one is on disk."""
    found = find_channel(system, env)
    if found is None:
        return None
    where, tree = found
    release, version = _release(tree)
    what = "nixpkgs" if system == "nixos" else "home-manager"
    via = f"channel {where.name} at {where.parent}"
    reason = f"no flake.lock: {what} {version} from {via} ({tree.source})"
    return ReleasePin(release=release, date=None, reason=reason, rev=tree.rev, via=via,
                      source_path=str(tree.root))
