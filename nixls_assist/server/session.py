"""Per-session state the handlers share: settings, open documents, per-file setup (the
governing `.nixls-assist.toml` under the editor settings), option indexes, reference notes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from nixls_assist.context.git import Baseline, committed_baseline
from nixls_assist.context.release import normalise_release
from nixls_assist.context.resolver import ContextResolver, ContextSettings, FileContext
from nixls_assist.errors import ConfigError
from nixls_assist.findings import Finding, Severity
from nixls_assist.rules.engine import Selection
from nixls_assist.server.documents import DocumentStore, OpenDocument
from nixls_assist.server.settings import Settings
from nixls_assist.syntax.positions import LineIndex

if TYPE_CHECKING:
    from nixls_assist.config import ConfigFinder, ProjectConfig
    from nixls_assist.features.declare_package import WorkspaceFile
    from nixls_assist.features.skill_references import ReferenceLibrary
    from nixls_assist.indexes import IndexProvider
    from nixls_assist.syntax.shell_installs import PackageRef


@dataclass(frozen=True)
class FileSetup:
    selection: Selection
    resolver: ContextResolver
    excluded: bool
    skill_references: tuple[Path, ...]


class Session:
    def __init__(self) -> None:
        self.settings = Settings()
        self.documents = DocumentStore()
        self.roots: list[Path] = []
        self.notices: list[str] = []  # problems not yet shown to the user
        self.warmed: set[tuple[str, str]] = set()  # (system, release) indexes opened
        # The findings last published per URI, with their version (for "fix all").
        self.published: dict[str, tuple[int, list[Finding]]] = {}
        self._resolvers: dict[ContextSettings, ContextResolver] = {}
        self._setups: dict[tuple[int, object], FileSetup] = {}
        self._configs: ConfigFinder | None = None
        self._contexts: dict[str, tuple[int, FileContext]] = {}
        self._baselines: dict[str, Baseline | None] = {}
        self._indexes: IndexProvider | None = None
        # Called (from a worker thread) when an index of a pinned source in the Nix store
        # is ready; the server re-checks the open documents. Set once the loop runs.
        self.on_index_ready: Callable[[str], None] | None = None
        self._references: tuple[tuple[Path, ...], ReferenceLibrary] | None = None

    def apply_settings(self, settings: Settings) -> bool:
        """Use `settings`; True when they differ from the current ones."""
        if settings == self.settings:
            return False
        self.settings = settings
        self._forget_setups()
        return True

    def _forget_setups(self) -> None:
        self._setups.clear()
        self._contexts.clear()
        self._configs = None

    # -- per-file setup -------------------------------------------------------------------

    def setup_for(self, path: Path | None) -> FileSetup:
        """Selection and release context for a file, combined as `check` does (the editor
        settings play the part of the command-line flags)."""
        config = self._config_for(path)
        file_settings = config.for_file(path)
        key = (id(config), file_settings)
        if key not in self._setups:
            self._setups[key] = self._combine(config, file_settings)
        return self._setups[key]

    def _combine(self, config: ProjectConfig, file_settings: object) -> FileSetup:
        s = self.settings
        release = normalise_release(s.release) if s.release else file_settings.release  # type: ignore[attr-defined]
        context = ContextSettings(
            release=release,
            nixpkgs_input=s.nixpkgs_input if s.nixpkgs_input != "nixpkgs"
            else config.nixpkgs_input,
            home_manager_input=s.home_manager_input if s.home_manager_input != "home-manager"
            else config.home_manager_input)
        if context not in self._resolvers:
            self._resolvers[context] = ContextResolver(context)
        selection = Selection(
            select=tuple(c.upper() for c in s.select) or config.select,
            ignore=file_settings.ignore + tuple(c.upper() for c in s.ignore),  # type: ignore[attr-defined]
            severities={**config.severities,
                        **{c.upper(): Severity.parse(v) for c, v in s.severities.items()}})
        return FileSetup(selection, self._resolvers[context],
                         file_settings.excluded, config.skill_references)  # type: ignore[attr-defined]

    def _config_for(self, path: Path | None) -> ProjectConfig:
        from nixls_assist.config import ConfigFinder, default_config

        if self._configs is None:
            self._configs = ConfigFinder(cwd=self.roots[0] if self.roots else None)
        try:
            return self._configs.for_path(path)
        except ConfigError as exc:
            self.notices.append(f"{exc}; using the defaults")
            return default_config(path.parent if path is not None else Path.cwd())

    # -- contexts -------------------------------------------------------------------------

    def context_of(self, entry: OpenDocument) -> FileContext:
        cached = self._contexts.get(entry.uri)
        if cached is not None and cached[0] == entry.version:
            return cached[1]
        ctx = self.setup_for(entry.path).resolver.context_for(entry.doc, entry.path)
        baseline = self._baseline(entry)
        if baseline is not None:
            ctx = replace(ctx, baseline=baseline)
        self._contexts[entry.uri] = (entry.version, ctx)
        return ctx

    def _baseline(self, entry: OpenDocument) -> Baseline | None:
        """What NXA301 compares `stateVersion` with: the committed file, else the file as it
        was on disk when opened. Looked up once per open document (git runs once)."""
        if entry.uri in self._baselines:
            return self._baselines[entry.uri]
        if b"stateVersion" not in entry.doc.source:
            return None
        baseline = committed_baseline(entry.path, entry.doc.source)
        if baseline is None and entry.on_disk is not None and b"stateVersion" in entry.on_disk:
            baseline = Baseline(entry.on_disk, "the version on disk when the file was opened")
        self._baselines[entry.uri] = baseline
        return baseline

    def forget(self, uri: str) -> None:
        self._contexts.pop(uri, None)
        self._baselines.pop(uri, None)
        self.published.pop(uri, None)

    def invalidate_contexts(self) -> None:
        """A flake.lock / flake.nix / config changed: re-read locks, structure and config."""
        for resolver in self._resolvers.values():
            resolver.invalidate()
        self._forget_setups()

    def lines_for(self, path: Path) -> LineIndex | None:
        """Positions in another file an edit touches: its open version, else the disk."""
        for entry in self.documents:
            if entry.path == path:
                return entry.doc.lines
        try:
            return LineIndex(path.read_bytes())
        except OSError:
            return None

    def _store_index_ready(self, label: str) -> None:
        self.notices.append(f"indexed {label} from the Nix store; re-checking open files")
        if self.on_index_ready is not None:
            self.on_index_ready(label)

    def close(self) -> None:
        """Stop background index builds (server shutdown)."""
        if self._indexes is not None:
            self._indexes.close()

    def workspace_files_for(self, entry: OpenDocument) -> list[WorkspaceFile]:
        """The workspace of a document (its flake, else the editor's folder), open buffers
        first: where an NXA401 fix may put a package."""
        from nixls_assist.features.workspace_files import workspace_files

        ctx = self.context_of(entry)
        root = ctx.lock_path.parent if ctx.lock_path is not None else (
            self.roots[0] if self.roots else entry.path.parent if entry.path else None)
        if root is None:
            return []
        resolver = self.setup_for(entry.path).resolver
        opened = {e.path.resolve(): e.doc for e in self.documents if e.path is not None}
        return workspace_files([root], lambda doc, path: resolver.context_for(doc, path).kind,
                               opened)

    def imperative_packages(self) -> list[PackageRef]:
        """Packages in the user's `nix-env` / `nix profile` profiles (manifests, never run)."""
        from nixls_assist.features.profiles import ProfileError, default_profiles, read_profile

        packages: list[PackageRef] = []
        configured = [Path(p).expanduser() for p in self.settings.profiles]
        for profile in configured or default_profiles():
            try:
                packages += [entry.package for entry in read_profile(profile)]
            except ProfileError as exc:
                self.notices.append(str(exc))
        return packages

    # -- indexes and reference notes ------------------------------------------------------

    @property
    def indexes(self) -> IndexProvider:
        if self._indexes is None:
            from nixls_assist.indexes import IndexProvider

            # store_builds="background": an index of the pinned source in the Nix store is
            # built in a worker thread; until then the release index answers (issue 10)
            self._indexes = IndexProvider(on_notice=self.notices.append,
                                          store_builds="background",
                                          on_store_index=self._store_index_ready)
        return self._indexes

    def references_for(self, path: Path | None) -> ReferenceLibrary:
        """Notes from the `skillReferences` setting plus the project config's."""
        dirs = tuple(self._expand(d) for d in self.settings.skill_references)
        dirs += self.setup_for(path).skill_references
        if self._references is None or self._references[0] != dirs:
            from nixls_assist.features.skill_references import load_references

            library = load_references(dirs)
            self.notices.extend(library.problems)
            self._references = (dirs, library)
        return self._references[1]

    def _expand(self, directory: str) -> Path:
        path = Path(directory).expanduser()
        if not path.is_absolute() and self.roots:
            path = self.roots[0] / path
        return path
