"""Which files `check` looks at: `*.nix` under the given paths, honouring `.gitignore`."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pathspec

from nixls_assist.errors import ConfigError

# `*.sh` scripts are checked for imperative installs (NXA401) only.
WALKED_SUFFIXES = (".nix", ".sh")
ALWAYS_SKIPPED = frozenset({".git", ".direnv", "node_modules", "result", ".jj", ".hg"})


# excluded(path, is_dir) -> True when configuration excludes it
Excluded = Callable[[Path, bool], bool]


def discover(paths: list[str], excluded: Excluded | None = None,
             force_exclude: bool = False) -> Iterator[Path]:
    """Files named on the command line (any extension), and `*.nix` files under directories.

    `excluded` prunes walked directories and files; files named explicitly are excluded
    only with `force_exclude` (what pre-commit needs: it passes every changed file).
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from _walk(path, excluded)
        elif path.is_file() or path.is_symlink():  # a broken link: `check` reports it
            if not (force_exclude and excluded is not None and excluded(path, False)):
                yield path
        elif not path.exists():
            raise ConfigError(f"{raw}: no such file or directory")
        else:
            raise ConfigError(f"{raw}: not a regular file or directory")


def _walk(top: Path, excluded: Excluded | None = None) -> Iterator[Path]:
    specs: list[tuple[Path, pathspec.PathSpec]] = _parent_ignores(top)
    for directory, dirnames, filenames in os.walk(top, onerror=_raise):
        here = Path(directory)
        if ".gitignore" in filenames and (here / ".gitignore").is_file():
            specs = [*specs, (here.resolve(), _read_spec(here / ".gitignore"))]
        resolved = here.resolve() if specs else here  # once per directory, not per entry
        dirnames[:] = sorted(
            d for d in dirnames
            if d not in ALWAYS_SKIPPED and not _ignored(resolved / d, specs, is_dir=True)
            and not (excluded is not None and excluded(here / d, True))
        )
        for name in sorted(filenames):
            if not name.endswith(WALKED_SUFFIXES):
                continue
            candidate = here / name
            if not _ignored(resolved / name, specs, is_dir=False) \
                    and not (excluded is not None and excluded(candidate, False)):
                yield candidate


def _parent_ignores(top: Path) -> list[tuple[Path, pathspec.PathSpec]]:
    """`.gitignore` files of enclosing directories up to the repository root."""
    found: list[tuple[Path, pathspec.PathSpec]] = []
    for parent in top.resolve().parents:
        ignore_file = parent / ".gitignore"
        if ignore_file.is_file():
            found.append((parent, _read_spec(ignore_file)))
        if (parent / ".git").exists():
            break
    found.reverse()
    return found


def _read_spec(path: Path) -> pathspec.PathSpec:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    return pathspec.PathSpec.from_lines("gitwildmatch", lines)


def _ignored(absolute: Path, specs: list[tuple[Path, pathspec.PathSpec]], *,
             is_dir: bool) -> bool:
    """Whether a `.gitignore` in `specs` (bases resolved) matches `absolute` (its directory
    resolved, the name itself as in the tree, not a link's target)."""
    for base, spec in specs:
        try:
            relative = absolute.relative_to(base).as_posix()
        except ValueError:
            continue
        if spec.match_file(relative + ("/" if is_dir else "")):
            return True
    return False


def unreadable_reason(path: Path, error: OSError) -> str:
    """Why reading `path` failed, in words: a dangling symlink or a loop names the link."""
    if path.is_symlink():
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        if error.errno == errno.ELOOP:
            return f"symbolic link loop (`{path.name}` → `{target}` → …)"
        if error.errno == errno.ENOENT:
            return f"dangling symbolic link to `{target}`, which does not exist"
        return f"symbolic link to `{target}`: {error.strerror}"
    return error.strerror or str(error)


def _raise(error: OSError) -> None:
    raise ConfigError(f"{error.filename}: cannot read directory ({error.strerror})")
