"""Navigation over options for the server and the CLI: outline, references (`where`),
workspace symbols, go to declaration, rename, formatting.

These are on-demand requests: nothing here runs on the keystroke path. The workspace's
`.nix` files are read once and kept while their size and mtime stay the same; an open
buffer wins over the disk.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from nixls_assist.analysis.documents import OpenDocument
from nixls_assist.context.fleet import Fleet
from nixls_assist.findings import Span
from nixls_assist.syntax.document import ParsedDocument
from nixls_assist.syntax.loading import load_document
from nixls_assist.syntax.nodes import descendants_of_types
from option_index.sources.nix_files import nix_files

T = TypeVar("T")

if TYPE_CHECKING:
    from nixls_assist.analysis.workspace import Workspace
    from nixls_assist.features.declare_package import WorkspaceFile

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


@dataclass(frozen=True)
class ImportingSite:
    """Where a file is imported: the importing file and the importing expression."""

    file: Path
    doc: ParsedDocument
    span: Span


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
        from nixls_assist.features.declare_package import WorkspaceFile  # imports a rule

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

        roots = self.root_of(None)
        found: list[Any] = self.configuration_symbols(roots, query)
        found += option_symbols(self.files(roots), query, max(0, limit - len(found)))
        return self._answer(found)

    def configuration_symbols(self, roots: list[Path], query: str) -> list[Any]:
        """The configurations (`nixosConfigurations.kestrel`) of the flakes at `roots`
        whose attribute contains every word of `query`, at their name in `flake.nix`."""
        from nixls_assist.features.definitions import ConfigurationSymbol

        words = query.lower().split()
        found: list[Any] = []
        for root in roots:
            fleet = self.fleet(root)
            if fleet is None:
                continue
            flake = fleet.root / "flake.nix"
            entry = self._file(flake, None)
            if entry is None:
                continue
            for c in fleet.configurations:
                if all(w in c.attribute.lower() for w in words):
                    found.append(ConfigurationSymbol(c.attribute, c.kind, flake, entry.doc,
                                                     _name_span(entry.doc.source, c)))
        return found

    def folding_ranges(self, entry: OpenDocument) -> list[Any]:
        from nixls_assist.features.structure import folding_ranges

        return folding_ranges(entry.doc)

    def selection_ranges(self, entry: OpenDocument, offsets: list[int]) -> list[list[Any]]:
        """Per offset, the ranges around it, innermost first."""
        from nixls_assist.features.structure import selection_chain

        return [selection_chain(entry.doc, offset) for offset in offsets]

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
        found = definitions(self.files(self.root_of(entry)), at.path, at.system)
        return self._answer(grouped(found, self.configurations_of(found)))

    def where(self, option: str, paths: list[Path], *, walk: bool = True) -> Where:
        """`nixls-assist where OPTION PATH…`: the definitions of `option` in the files."""
        from nixls_assist.features.definitions import definitions, parse_option, show_option

        path = parse_option(option)
        files = self.files(paths, walk=walk)
        found = definitions(files, path)
        return Where(show_option(path), found, len(files), self.configurations_of(found))

    def fleet(self, root: Path) -> Fleet | None:
        """The fleet of the flake at or above `root` (the workspace's one graph)."""
        return self.workspace.fleet(root)

    def parent_modules(self, entry: OpenDocument) -> Answer[list[ImportingSite]]:
        """The expressions that import the document's file as a module (an `imports`
        element, a builder's `modules` element), from the fleet graph's import edges,
        like nil's `experimental/parentModule`; none when no configuration imports it."""
        if entry.path is None:
            return self._answer([])
        fleet = self.fleet(entry.path)
        if fleet is None:
            return self._answer([])
        path = entry.path.resolve()
        opened = {e.path.resolve(): e for e in self.workspace.documents if e.path is not None}
        found: list[ImportingSite] = []
        for site in fleet.importers_of(path):
            file = self._file(site.file, opened.get(site.file))
            if file is None:
                continue
            found.append(ImportingSite(site.file, file.doc,
                                       _narrowed(file.doc, site.file, Span(site.start,
                                                                           site.end), path)))
        return self._answer(found)

    def configurations_of(self, found: list[Any]) -> dict[Path, tuple[str, ...]]:
        """The configurations (`nixosConfigurations.kestrel`) using each file with a
        definition, from the fleet graph of the file's flake; a file no configuration is
        known to use has none."""
        result: dict[Path, tuple[str, ...]] = {}
        fleets: dict[Path, Fleet | None] = {}  # per directory, for this answer
        for file in dict.fromkeys(d.file for d in found):
            if file.parent not in fleets:
                fleets[file.parent] = self.fleet(file.parent)
            fleet = fleets[file.parent]
            if fleet is None:
                continue
            names = tuple(sorted(c.attribute for c in fleet.configurations_of(file)))
            if names:
                result[file] = names
        return result

    # -- declaration ------------------------------------------------------------------------------

    def declaration(self, entry: OpenDocument, offset: int) -> Answer[list[Any]]:
        from nixls_assist.features.declarations import declarations_of

        at = self.option_at(entry, offset)
        if at is None:
            return self._answer([])
        return self._answer(declarations_of(at.path, at.system,
                                            self.workspace.context_of(entry),
                                            self.workspace.indexes))

    def declared_elsewhere(self, entry: OpenDocument, offset: int) -> str | None:
        """Where the index says the option under the cursor is declared, as a sentence,
        when that source is not on this machine (go to definition has nowhere to go)."""
        from nixls_assist.features.declarations import declared_elsewhere

        at = self.option_at(entry, offset)
        if at is None:
            return None
        return declared_elsewhere(at.path, at.system, self.workspace.context_of(entry),
                                  self.workspace.indexes)

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


def grouped(found: list[Any], configurations: dict[Path, tuple[str, ...]]) -> list[Any]:
    """Definitions ordered by the configurations using their file (files no configuration
    uses last), keeping the order within a group."""
    order = {key: n for n, key in enumerate(sorted({c for cs in configurations.values()
                                                     for c in cs}))}
    last = len(order)

    def key(definition: Any) -> int:
        names = configurations.get(definition.file, ())
        return min((order[c] for c in names), default=last)

    return sorted(found, key=key)


def _narrowed(doc: ParsedDocument, file: Path, span: Span, target: Path) -> Span:
    """The path literal naming `target` inside the importing expression, when there is
    one (a home-manager user's `import ./home.nix` inside a module written inline)."""
    node = doc.root.descendant_for_byte_range(span.start, span.end)
    if node is None or ((node.start_byte, node.end_byte) == (span.start, span.end) and \
            node.type == "path_expression"):
        return span
    for literal in descendants_of_types(node, "path_expression"):
        if not span.start <= literal.start_byte <= literal.end_byte <= span.end:
            continue
        text = doc.node_text(literal)
        if "${" in text or text.startswith("<"):
            continue
        named = Path(os.path.normpath(file.parent / text))
        if named == target or (target.name == "default.nix" and named == target.parent):
            return Span(literal.start_byte, literal.end_byte)
    return span


def _name_span(source: bytes, configuration: Any) -> Span:
    """Where `flake.nix` names a configuration: `kestrel =`, `"kestrel"` or `kestrel`
    after its output's name; else the output's name; else the file's start."""
    text = source.decode("utf-8", errors="replace")
    name = re.escape(configuration.name)
    output = re.escape(configuration.attribute.split(".", 1)[0])
    for pattern in (rf"{output}\s*\.\s*\"?({name})\"?\s*=", rf"(?<![\w-])\"?({name})\"?\s*=",
                    rf"\"({name})\"", rf"(?<![\w-])({name})(?![\w-])", rf"({output})"):
        match = re.search(pattern, text)
        if match is not None:
            start = len(text[:match.start(1)].encode())
            return Span(start, start + len(match.group(1).encode()))
    return Span(0, 0)


