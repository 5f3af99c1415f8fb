"""The `.nix` files of a workspace as parsed documents, for fixes that reach across files.

Open editor buffers win over the disk; files that are too large, binary or unreadable are
left out. Nothing here evaluates anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from nixls_assist.context import FileKind
from nixls_assist.features.declare_package import WorkspaceFile
from nixls_assist.syntax.document import ParsedDocument
from nixls_assist.syntax.loading import load_document
from option_index.sources.nix_files import nix_files

MAX_FILES = 2000


def workspace_files(
    paths: Iterable[Path],
    kind_of: Callable[[ParsedDocument, Path], FileKind],
    open_docs: Mapping[Path, ParsedDocument] | None = None,
) -> list[WorkspaceFile]:
    """Each `*.nix` file under `paths` (files or directories), at most MAX_FILES."""
    open_docs = open_docs or {}
    found: list[WorkspaceFile] = []
    for path in (p.resolve() for root in paths for p in nix_files(root)):
        if len(found) >= MAX_FILES:
            break
        doc = open_docs.get(path)
        if doc is None:
            try:
                doc = load_document(path.read_bytes(), str(path))
            except OSError:
                continue
        if not doc.skipped:
            found.append(WorkspaceFile(path, doc, kind_of(doc, path)))
    return found
