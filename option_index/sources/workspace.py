"""Options declared by the user's own modules (static extraction of the workspace).

The rule layer unions these with the release index: a path declared in the workspace is valid
whatever the release says, and the user's own rename shims are drift like any other. Built in
memory (a workspace changes as the user types; nothing is cached on disk).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from option_index.drift import DriftTable
from option_index.index import OptionIndex
from option_index.releases import UNSTABLE
from option_index.sources.extract import (
    Extraction,
    FileExtraction,
    extract_file,
    extract_tree,
    new_parser,
)
from option_index.sources.extract_cache import ExtractCache
from option_index.sources.nix_files import nix_files
from option_index.store.database import ReleaseOptions, StoreContent, memory_store
from option_index.store.tree import OptionTree

# A workspace root can be a home directory with a dotfiles repository: read a bounded
# number of files (a large fleet repository has a few thousand).
WORKSPACE_FILE_LIMIT = 10_000


def user_module_index(paths: Iterable[Path], *, system: str = "workspace",
                      extraction: Extraction | None = None) -> OptionIndex:
    """An index of the options and shims declared under `paths` (files or directories), or of
    an `extraction` of them already made (`extract_workspace`).

    It is never authoritative (lookups answer FOUND / PREFIX / UNDER_FREEFORM / NOT_INDEXED,
    never UNKNOWN): the workspace only adds options. Its release is "unstable" because a user's
    own shim applies whatever nixpkgs release is pinned.
    """
    found = extraction if extraction is not None else extract_workspace(paths)
    store = memory_store(StoreContent(system, "workspace modules",
                                      [ReleaseOptions(UNSTABLE, found.options, False)],
                                      found.drift))
    return OptionIndex(system=system, release=UNSTABLE,
                       source=f"options declared in {found.files} workspace file(s)",
                       tree=OptionTree(store, 1), authoritative=False,
                       drift=DriftTable(found.drift))


def extract_workspace(paths: Iterable[Path], *, cache: ExtractCache | None = None) -> Extraction:
    """What the `.nix` files under `paths` declare; with a `cache`, per-file results of files
    whose content (and whose imports' content) did not change are re-used."""
    found = Extraction()
    for path in paths:
        if cache is None or not Path(path).is_dir():
            part = extract_tree(Path(path), release=UNSTABLE, limit=WORKSPACE_FILE_LIMIT)
        else:
            part = _cached_tree(Path(path), cache)
        found.options += part.options
        found.drift += part.drift
        found.files += part.files
        found.parse_errors += part.parse_errors
    return found


def extraction_digest(found: Extraction) -> str:
    """Changes whenever what the extraction declares changes (for result caches)."""
    return hashlib.sha256(repr((found.options, found.drift)).encode()).hexdigest()


def _cached_tree(root: Path, cache: ExtractCache) -> Extraction:
    """`extract_tree(root)` re-using `cache` (same result: the same files, combined alike)."""
    out = Extraction()
    parser = new_parser()
    per_file: dict[Path, FileExtraction] = {}
    for path in nix_files(root, WORKSPACE_FILE_LIMIT):
        rel = path.relative_to(root).as_posix()
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            digest = None
        part = cache.get(root, rel, digest) if digest is not None else None
        if part is None:
            part = extract_file(path, release=UNSTABLE, parser=parser)
            # A result that depends on a file outside the root cannot be checked for staleness.
            if digest is not None and all(f.is_relative_to(root) for f in part.imported_files):
                cache.put(root, rel, digest, part)
        per_file[path.resolve()] = part
        out.files += 1
        out.parse_errors += part.parse_errors
    cache.commit()
    submodule_files: set[Path] = set().union(*(p.submodule_files for p in per_file.values()))
    for path, part in per_file.items():
        if path not in submodule_files:  # read on its own it would mount at the top level
            out.options += part.options
            out.drift += part.drift
    return out
