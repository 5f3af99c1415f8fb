"""The `.nix` files of a tree, in a stable order, without vendored or hidden directories."""

from __future__ import annotations

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
