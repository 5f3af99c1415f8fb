"""The `.nix` files of a tree, in a stable order, without vendored or hidden directories;
and their resolved paths."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from pathlib import Path

_SKIP_DIRS = {".git", "node_modules", "result", "tests", "test"}


def nix_files(root: Path, limit: int | None = None) -> Iterator[Path]:
    """`*.nix` under `root` in a stable order, never descending into skipped or hidden
    directories (`.git`, `.direnv`, a home directory's `.cache`), at most `limit` files."""
    if root.is_file():
        yield root
        return
    found = 0
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(".nix"):
                if limit is not None and found >= limit:
                    return
                found += 1
                yield Path(directory) / name


def resolve_file(path: Path) -> Path:
    """`path.resolve()` for a file, its directory resolved once per process: a run reads
    many files of each directory. A symlinked file (or `.`/`..`) is resolved in full; a
    symlink loop (Python 3.11 raises RuntimeError for it) stays the link's own path."""
    if path.name in ("", ".", "..") or path.is_symlink():
        try:
            return path.resolve()
        except (RuntimeError, OSError):
            return _resolved_directory(path.parent.absolute()) / path.name
    return _resolved_directory(path.parent.absolute()) / path.name


def relative_to_root(path: Path, root: Path, *, resolve: bool = False) -> str:
    """`path` relative to `root` (posix) when inside it, else `path` as written; with
    `resolve`, both are resolved before comparing (the fallback is still as written)."""
    try:
        inside = path.resolve().relative_to(root.resolve()) if resolve else path.relative_to(root)
    except ValueError:
        return path.as_posix()
    return inside.as_posix()


@functools.lru_cache(maxsize=4096)
def _resolved_directory(directory: Path) -> Path:
    return directory.resolve()
