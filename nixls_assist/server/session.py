"""Per-session state the handlers share: settings, open documents, release contexts per
workspace folder, option indexes, and the messages already shown."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from nixls_assist.context.release import normalise_release
from nixls_assist.context.resolver import ContextResolver, ContextSettings, FileContext
from nixls_assist.features.skill_references import ReferenceLibrary, load_references
from nixls_assist.findings import Finding, Severity
from nixls_assist.rules.engine import Selection
from nixls_assist.server.documents import DocumentStore, OpenDocument
from nixls_assist.server.settings import Settings
from nixls_assist.syntax.positions import LineIndex

if TYPE_CHECKING:
    from nixls_assist.indexes import IndexProvider


class Session:
    def __init__(self) -> None:
        self.settings = Settings()
        self.documents = DocumentStore()
        self.roots: list[Path] = []
        self._resolvers: dict[Path | None, ContextResolver] = {}
        self._contexts: dict[str, tuple[int, FileContext]] = {}
        self._indexes: IndexProvider | None = None
        self.notices: list[str] = []  # index notices not yet shown to the user
        self.warmed: set[tuple[str, str]] = set()  # (system, release) indexes opened
        # The findings last published per URI, with their version (for "fix all").
        self.published: dict[str, tuple[int, list[Finding]]] = {}
        self._references: tuple[tuple[str, ...], ReferenceLibrary] | None = None

    # -- settings -------------------------------------------------------------------------

    def apply_settings(self, settings: Settings) -> bool:
        """Use `settings`; True when they differ from the current ones."""
        if settings == self.settings:
            return False
        self.settings = settings
        self._resolvers.clear()
        self._contexts.clear()
        return True

    @property
    def selection(self) -> Selection:
        s = self.settings
        return Selection(
            select=tuple(c.upper() for c in s.select),
            ignore=tuple(c.upper() for c in s.ignore),
            severities={c.upper(): Severity.parse(v) for c, v in s.severities.items()},
        )

    # -- contexts -------------------------------------------------------------------------

    def _root_of(self, path: Path | None) -> Path | None:
        if path is None:
            return None
        matches = [r for r in self.roots if path == r or r in path.parents]
        return max(matches, key=lambda r: len(r.parts)) if matches else None

    def resolver_for(self, path: Path | None) -> ContextResolver:
        root = self._root_of(path)
        if root not in self._resolvers:
            s = self.settings
            release = normalise_release(s.release) if s.release else None
            self._resolvers[root] = ContextResolver(ContextSettings(
                release=release, nixpkgs_input=s.nixpkgs_input,
                home_manager_input=s.home_manager_input))
        return self._resolvers[root]

    def context_of(self, entry: OpenDocument) -> FileContext:
        cached = self._contexts.get(entry.uri)
        if cached is not None and cached[0] == entry.version:
            return cached[1]
        ctx = self.resolver_for(entry.path).context_for(entry.doc, entry.path)
        self._contexts[entry.uri] = (entry.version, ctx)
        return ctx

    def forget(self, uri: str) -> None:
        self._contexts.pop(uri, None)
        self.published.pop(uri, None)

    def lines_for(self, path: Path) -> LineIndex | None:
        """Positions in another file an edit touches: its open version, else the disk."""
        for entry in self.documents:
            if entry.path == path:
                return entry.doc.lines
        try:
            return LineIndex(path.read_bytes())
        except OSError:
            return None

    def invalidate_contexts(self) -> None:
        """A flake.lock / flake.nix changed: re-read locks and workspace structure."""
        for resolver in self._resolvers.values():
            resolver.invalidate()
        self._contexts.clear()

    # -- indexes --------------------------------------------------------------------------

    @property
    def indexes(self) -> IndexProvider:
        if self._indexes is None:
            from nixls_assist.indexes import IndexProvider

            self._indexes = IndexProvider(on_notice=self.notices.append)
        return self._indexes

    # -- skill references -------------------------------------------------------------------

    @property
    def references(self) -> ReferenceLibrary:
        dirs = tuple(self.settings.skill_references)
        if self._references is None or self._references[0] != dirs:
            library = load_references([self._expand(d) for d in dirs])
            self.notices.extend(library.problems)
            self._references = (dirs, library)
        return self._references[1]

    def _expand(self, directory: str) -> Path:
        path = Path(directory).expanduser()
        if not path.is_absolute() and self.roots:
            path = self.roots[0] / path
        return path
