"""Options declared by the user's own modules (static extraction of the workspace).

The rule layer unions these with the release index: a path declared in the workspace is valid
whatever the release says, and the user's own rename shims are drift like any other. Built in
memory (a workspace changes as the user types; nothing is cached on disk).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from option_index.drift import DriftTable
from option_index.extract import Extraction, extract_tree
from option_index.index import OptionIndex
from option_index.releases import UNSTABLE
from option_index.store import ReleaseOptions, StoreContent, memory_store
from option_index.tree import OptionTree

# A workspace root can be a home directory with a dotfiles repository: read a bounded
# number of files (a large fleet repository has a few thousand).
WORKSPACE_FILE_LIMIT = 10_000


def user_module_index(paths: Iterable[Path], *, system: str = "workspace") -> OptionIndex:
    """An index of the options and shims declared under `paths` (files or directories).

    It is never authoritative (lookups answer FOUND / PREFIX / UNDER_FREEFORM / NOT_INDEXED,
    never UNKNOWN): the workspace only adds options. Its release is "unstable" because a user's
    own shim applies whatever nixpkgs release is pinned.
    """
    found = Extraction()
    for path in paths:
        part = extract_tree(Path(path), release=UNSTABLE, limit=WORKSPACE_FILE_LIMIT)
        found.options += part.options
        found.drift += part.drift
        found.files += part.files
        found.parse_errors += part.parse_errors
    store = memory_store(StoreContent(system, "workspace modules",
                                      [ReleaseOptions(UNSTABLE, found.options, False)],
                                      found.drift))
    return OptionIndex(system=system, release=UNSTABLE,
                       source=f"options declared in {found.files} workspace file(s)",
                       tree=OptionTree(store, 1), authoritative=False,
                       drift=DriftTable(found.drift))
