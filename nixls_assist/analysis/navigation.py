"""Navigation over options for the server and the CLI: outline, references (`where`),
workspace symbols, go to declaration, rename, formatting.

These are on-demand requests: nothing here runs on the keystroke path. The workspace's
`.nix` files are read once and kept while their size and mtime stay the same; an open
buffer wins over the disk.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from nixls_assist.analysis.documents import OpenDocument
from nixls_assist.features.declare_package import WorkspaceFile
from nixls_assist.syntax.loading import load_document
from option_index.sources.nix_files import nix_files

T = TypeVar("T")

if TYPE_CHECKING:
    from nixls_assist.analysis.workspace import Workspace

MAX_FILES = 5000


@dataclass(frozen=True)
class Answer(Generic[T]):
    """An answer and the notices that came up while computing it."""

    value: T
    notices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Where:
    """`nixls-assist where`: the definitions of one option across some files."""

    option: str
    definitions: list[Any]  # features.definitions.Definition, by file then position
    files: int  # how many files were read
    configurations: dict[Path, tuple[str, ...]]  # file → configurations using it (fleet)


class Navigation:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._files: dict[Path, tuple[tuple[int, int], WorkspaceFile]] = {}

    def _answer(self, value: Any) -> Answer[Any]:
        return Answer(value, self.workspace.take_notices())

    # -- the workspace's files ---------------------------------------------------------------

    def root_of(self, entry: OpenDocument | None) -> list[Path]:
        """A document's workspace: its flake, else the editor's folders, else its directory."""
        ws = self.workspace
        if entry is not None:
            ctx = ws.context_of(entry)
            if ctx.lock_path is not None:
                return [ctx.lock_path.parent]
            for root in ws.roots:
                if entry.path is not None and entry.path.is_relative_to(root):
                    return [root]
            return [entry.path.parent] if entry.path is not None else []
        return list(ws.roots)

    def files(self, paths: Iterable[Path], *, walk: bool = True) -> list[WorkspaceFile]:
        """The `.nix` files under `paths` (or `paths` themselves with `walk=False`), parsed
        and classified, open buffers first."""
        opened = {e.path.resolve(): e for e in self.workspace.documents if e.path is not None}
        found: list[WorkspaceFile] = []
        seen: set[Path] = set()
        for root in paths:
            for path in (nix_files(root) if walk else [root]):
                path = path.resolve()
                if path in seen or len(found) >= MAX_FILES:
                    continue
                seen.add(path)
                file = self._file(path, opened.get(path))
                if file is not None:
                    found.append(file)
        return found

    def _file(self, path: Path, entry: OpenDocument | None) -> WorkspaceFile | None:
        ws = self.workspace
        if entry is not None:
            return WorkspaceFile(path, entry.doc, ws.context_of(entry).kind)
        try:
            stat = path.stat()
        except OSError:
            return None
        key = (stat.st_mtime_ns, stat.st_size)
        cached = self._files.get(path)
        if cached is not None and cached[0] == key:
            return cached[1]
        try:
            doc = load_document(path.read_bytes(), str(path), ws.max_bytes)
        except OSError:
            return None
        if doc.skipped:
            return None
        kind = ws.setup(path).resolver.context_for(doc, path).kind
        file = WorkspaceFile(path, doc, kind)
        self._files[path] = (key, file)
        return file

    # -- outline ---------------------------------------------------------------------------------

    def document_symbols(self, entry: OpenDocument) -> Answer[list[Any]]:
        from nixls_assist.features.symbols import document_symbols

        return self._answer(document_symbols(entry.doc, self.workspace.context_of(entry)))

    def workspace_symbols(self, query: str, limit: int = 500) -> Answer[list[Any]]:
        from nixls_assist.features.definitions import option_symbols

        return self._answer(option_symbols(self.files(self.root_of(None)), query, limit))

    # -- references and `where` -------------------------------------------------------------

    def option_at(self, entry: OpenDocument, offset: int) -> Any:
        from nixls_assist.features.definitions import option_at

        return option_at(entry.doc, self.workspace.context_of(entry), offset)

    def references(self, entry: OpenDocument, offset: int) -> Answer[list[Any]]:
        """Every definition, across the document's workspace, of the option under the cursor
        (in the same option set: NixOS, home-manager, nix-darwin)."""
        from nixls_assist.features.definitions import definitions

        at = self.option_at(entry, offset)
        if at is None:
            return self._answer([])
        return self._answer(definitions(self.files(self.root_of(entry)), at.path, at.system))

    def where(self, option: str, paths: list[Path], *, walk: bool = True) -> Where:
        """`nixls-assist where OPTION PATH…`: the definitions of `option` in the files."""
        from nixls_assist.features.definitions import definitions, parse_option, show_option

        path = parse_option(option)
        files = self.files(paths, walk=walk)
        found = definitions(files, path)
        return Where(show_option(path), found, len(files), configurations_of(files, found))

    # -- declaration ------------------------------------------------------------------------------

    def declaration(self, entry: OpenDocument, offset: int) -> Answer[list[Any]]:
        from nixls_assist.features.declarations import declarations_of

        at = self.option_at(entry, offset)
        if at is None:
            return self._answer([])
        return self._answer(declarations_of(at.path, at.system,
                                            self.workspace.context_of(entry),
                                            self.workspace.indexes))

    # -- rename ----------------------------------------------------------------------------------

    def prepare_rename(self, entry: OpenDocument, offset: int) -> Any:
        """The option path under the cursor (what a rename replaces), or None."""
        return self.option_at(entry, offset)

    def rename(self, entry: OpenDocument, offset: int, new_name: str) -> Answer[Any]:
        """Every definition of the option under the cursor moved to `new_name` (a whole
        dotted path, or one name: then only the name under the cursor changes)."""
        from nixls_assist.features.definitions import parse_option, rename_plan

        at = self.option_at(entry, offset)
        if at is None:
            return self._answer(None)
        new = parse_option(new_name)
        if len(new) == 1 and len(at.path) > 1:
            new = (*at.path[:-1], new[0])
        if not new or new == at.path:
            return self._answer(None)
        return self._answer(rename_plan(self.files(self.root_of(entry)), at.path, new,
                                        at.system))

    # -- formatting ------------------------------------------------------------------------------

    def format(self, entry: OpenDocument, command: list[str]) -> Answer[Any]:
        """The document through the user's formatter: one minimal edit, or a notice."""
        from nixls_assist.analysis.formatting import format_source

        result = format_source(entry.doc.source, command)
        answer = self._answer(result.edit)
        if result.problem is not None:
            return Answer(answer.value, (*answer.notices, result.problem))
        return answer


def configurations_of(files: list[WorkspaceFile], found: list[Any]) -> dict[Path, tuple[str, ...]]:
    """The configurations (`nixosConfigurations.kestrel`) each file with a definition belongs
    to. The seam for the fleet graph (issue "The fleet"): until it lands, no file is known
    to belong to a configuration and definitions are grouped by file."""
    return {}
