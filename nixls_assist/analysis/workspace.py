"""The workspace: what every answer needs, owned once for the server and the CLI.

A `Workspace` holds the project configuration (`.nixls-assist.toml` under the front-end's
`Overrides`: command-line flags or editor settings), the context resolvers (flake locks,
module structure, declared options), the option indexes, the stateVersion baselines, the
open documents and their analyses per version. It answers questions: the findings of a file,
hover / completion / code actions at an offset, "fix all" for a file. Problems worth telling
the user (a broken config, an index that could not be opened) come back with the answer as
`notices`; nothing is appended to a list someone else owns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from nixls_assist.analysis.documents import DocumentStore, OpenDocument
from nixls_assist.analysis.fixes import FixOutcome, as_one_edit, fix_document, safe_fix
from nixls_assist.analysis.navigation import Answer, Navigation
from nixls_assist.analysis.results import FileResult
from nixls_assist.context.config import ConfigFinder, ProjectConfig, default_config
from nixls_assist.context.filekind import Classification, FileKind
from nixls_assist.context.fleet import Fleet
from nixls_assist.context.git import Baseline, committed_baseline
from nixls_assist.context.resolver import ContextResolver, ContextSettings, FileContext
from nixls_assist.context.workspace import Membership
from nixls_assist.errors import ConfigError
from nixls_assist.findings import Finding, Severity
from nixls_assist.rules.base import Indexes
from nixls_assist.rules.engine import Selection, check_steps, finish, known_code
from nixls_assist.syntax.document import ParsedDocument, skipped
from nixls_assist.syntax.loading import DEFAULT_MAX_BYTES, load_document
from nixls_assist.syntax.positions import LineIndex
from nixls_assist.syntax.shell_installs import SHELL_SUFFIXES

T = TypeVar("T")
_NOT_READ = Classification(FileKind.OTHER, "the file cannot be read")
_UNSET: Any = object()


@dataclass(frozen=True)
class Overrides:
    """What the front-end says over the project configuration: flags or editor settings."""

    select: tuple[str, ...] | None = None  # None: the config's `select`
    ignore: tuple[str, ...] = ()  # added to the config's
    severities: Mapping[str, Severity] = field(default_factory=dict)  # over the config's
    release: str | None = None  # normalised; over the config's and the lock's
    nixpkgs_input: str | None = None  # None: the config's
    home_manager_input: str | None = None
    # The date lifecycle rules judge by (the CLI's clock, a test's fixed date); None: the
    # clock whenever a context is made (the long-running server).
    today: dt.date | None = None


@dataclass(frozen=True)
class FileSetup:
    selection: Selection
    resolver: ContextResolver
    excluded: bool
    skill_references: tuple[Path, ...]


@dataclass(frozen=True)
class SlowStep:
    """Blocking work an answer needs first (reading a workspace, opening an index): the
    server runs it off its event loop with progress; the CLI just calls `run`."""

    title: str
    run: Callable[[], object]


class Workspace:
    def __init__(self, overrides: Overrides | None = None, *, config: Path | None = None,
                 roots: list[Path] | None = None, indexes: Indexes | None = None,
                 strict_config: bool = True, max_bytes: int = DEFAULT_MAX_BYTES,
                 store_builds: str = "sync",
                 on_store_index: Callable[[str], None] | None = None) -> None:
        """`strict_config`: a broken `.nixls-assist.toml` raises `ConfigError` (the CLI's
        exit 2) instead of giving a notice and the defaults (the editor).
        `store_builds` / `on_store_index`: see `indexes.IndexProvider`."""
        self.overrides = overrides or Overrides()
        self.roots = list(roots or [])
        self.max_bytes = max_bytes
        self.documents = DocumentStore()
        self.skill_reference_dirs: tuple[Path, ...] = ()  # the editor's, before the config's
        self.profiles: tuple[Path, ...] = ()  # the editor's profiles setting (empty: default)
        self.extract_cache: Any = None  # sources.extract_cache.ExtractCache across runs
        self._explicit_config = config
        self._strict = strict_config
        self._indexes = indexes
        self._store_builds = store_builds
        self._on_store_index = on_store_index
        self._fetcher: Any = None  # set_downloads
        self._notices: list[str] = []
        self._configs: ConfigFinder | None = None
        self._resolvers: dict[ContextSettings, ContextResolver] = {}
        self._setups: dict[tuple[int, object], FileSetup] = {}
        self._contexts: dict[str, tuple[int, FileContext]] = {}
        self._baselines: dict[str, Baseline | None] = {}
        self._analyses: dict[str, tuple[int, list[Finding]]] = {}
        self._warmed: set[tuple[str, str]] = set()
        self._references: tuple[tuple[Path, ...], Any] | None = None
        # Outline, references, `where`, declarations, rename: on-demand, off the keystroke path.
        self.navigation = Navigation(self)
        if config is not None:
            self._config_finder()  # a missing --config file is a usage error at once

    # -- notices ------------------------------------------------------------------------------

    def _answer(self, value: T) -> Answer[T]:
        notices, self._notices = tuple(self._notices), []
        return Answer(value, notices)

    def take_notices(self) -> tuple[str, ...]:
        """Notices that came up outside a question (a background index build)."""
        return self._answer(None).notices

    # -- configuration --------------------------------------------------------------------

    def set_overrides(self, overrides: Overrides) -> bool:
        """Use `overrides`; True when they differ from the current ones."""
        if overrides == self.overrides:
            return False
        self.overrides = overrides
        self._forget_setups()
        return True

    def set_roots(self, roots: list[Path]) -> None:
        self.roots = list(roots)

    def _forget_setups(self) -> None:
        self._setups.clear()
        self._contexts.clear()
        self._configs = None

    def _config_finder(self) -> ConfigFinder:
        if self._configs is None:
            self._configs = ConfigFinder(explicit=self._explicit_config,
                                         cwd=self.roots[0] if self.roots else None,
                                         known_code=known_code)
        return self._configs

    def project_config(self, path: Path | None) -> ProjectConfig:
        """The `.nixls-assist.toml` governing `path` (a file or directory)."""
        try:
            return self._config_finder().for_path(path)
        except ConfigError as exc:
            if self._strict:
                raise
            self._notices.append(f"{exc}; using the defaults")
            return default_config(path.parent if path is not None else Path.cwd())

    def excluded(self, path: Path, is_dir: bool) -> bool:
        return self.project_config(path if is_dir else path.parent).is_excluded(
            path, is_dir=is_dir)

    def setup(self, path: Path | None) -> FileSetup:
        """Selection and release context for a file: the config under the overrides."""
        config = self.project_config(path)
        file_settings = config.for_file(path)
        key = (id(config), file_settings)
        if key not in self._setups:
            self._setups[key] = self._combine(config, file_settings)
        return self._setups[key]

    def _combine(self, config: ProjectConfig, file_settings: Any) -> FileSetup:
        o = self.overrides
        settings = ContextSettings(
            release=o.release or file_settings.release,
            nixpkgs_input=o.nixpkgs_input or config.nixpkgs_input,
            home_manager_input=o.home_manager_input or config.home_manager_input,
            today=o.today, lock_age=config.lock_age)
        if settings not in self._resolvers:
            self._resolvers[settings] = ContextResolver(settings,
                                                        extract_cache=self.extract_cache)
        selection = Selection(select=o.select if o.select is not None else config.select,
                              ignore=file_settings.ignore + o.ignore,
                              severities={**config.severities, **o.severities})
        return FileSetup(selection, self._resolvers[settings], file_settings.excluded,
                         config.skill_references)

    def selection_for(self, path: Path | None) -> Selection:
        """Shell scripts (`*.sh`) are not Nix: only the rules that read shell run on them."""
        selection = self.setup(path).selection
        if path is not None and path.suffix in SHELL_SUFFIXES:
            from nixls_assist.rules.imperative import shell_selection  # a rule's module

            return shell_selection(selection)
        return selection

    def resolvers(self) -> list[ContextResolver]:
        return list(self._resolvers.values())

    def invalidate_structure(self) -> None:
        """A module file was saved, created or deleted: the fleet graph and the module
        structure are read again (by the next `slow_steps`, off the event loop)."""
        for resolver in self._resolvers.values():
            resolver.invalidate_structure()
        self._contexts.clear()

    def fleet(self, path: Path) -> Fleet | None:
        """The fleet graph of the flake at or above `path`: the one its files' resolver
        keeps (membership, code lens, navigation and the upgrade report share it)."""
        from nixls_assist.analysis.fleet import flake_root

        root = flake_root(path)
        if root is None:
            return None
        try:
            return self.setup(root / "flake.nix").resolver.fleet_of(root)
        except (RecursionError, OSError):
            return None

    def configurations_of(self, entry: OpenDocument) -> Membership | None:
        """The configurations that use an open document's file (the fleet graph); None
        outside a flake with configurations, or before `slow_steps` read the workspace."""
        if entry.path is None:
            return None
        if not self.setup(entry.path).resolver.is_prepared(entry.path):
            return None
        return self.context_of(entry).membership

    def invalidate_contexts(self) -> None:
        """A flake.lock / flake.nix / config changed: re-read locks, structure and config."""
        for resolver in self._resolvers.values():
            resolver.invalidate()
        self._forget_setups()
        self.navigation = Navigation(self)

    # -- indexes --------------------------------------------------------------------------

    @property
    def indexes(self) -> Indexes:
        if self._indexes is None:
            from nixls_assist.analysis.indexes import (
                IndexProvider,  # lazily: `check --help` stays fast
            )

            self._indexes = IndexProvider(on_notice=self._notices.append,
                                          store_builds=self._store_builds,
                                          on_store_index=self._store_index_ready,
                                          fetcher=self._fetcher)
        return self._indexes

    def set_downloads(self, enabled: bool, source_url: str | None = None) -> None:
        """The editor's download setting: fetch a pinned source that is neither in the Nix
        store nor cached, in the background (`analysis/source_fetch.py`). Off by default."""
        fetcher = None
        if enabled:
            from nixls_assist.analysis.source_fetch import pin_fetcher

            fetcher = pin_fetcher(source_url)
        self._fetcher = fetcher
        set_fetcher = getattr(self._indexes, "set_fetcher", None)
        if set_fetcher is not None:
            set_fetcher(fetcher)

    def _store_index_ready(self, label: str) -> None:
        where = "" if label.endswith("downloaded") else " from the Nix store"
        self._notices.append(f"indexed {label}{where}; re-checking open files")
        # New context objects: a document's memo of judged bindings (rules/option_targets.py)
        # is keyed by its context and would keep the index it saw before.
        self._contexts.clear()
        if self._on_store_index is not None:
            self._on_store_index(label)

    def close(self) -> None:
        """Stop background index builds (server shutdown)."""
        close = getattr(self._indexes, "close", None)
        if close is not None:
            close()

    # -- one file, as the CLI reads it ------------------------------------------------------

    def check(self, data: bytes, path: Path | None, display: str,
              baseline: Baseline | None = _UNSET) -> FileResult:
        """The findings of one file's bytes; `baseline`: the committed version, when the
        caller looked it up already (else git is asked)."""
        setup = self.setup(path)
        doc = load_document(data, display, self.max_bytes)
        ctx = setup.resolver.context_for(doc, path)
        if baseline is _UNSET:
            baseline = committed_baseline(ctx.path, doc.source)
        if baseline is not None:
            ctx = replace(ctx, baseline=baseline)
        findings = self._run(doc, ctx, self.selection_for(path))
        return FileResult(display, path, doc, ctx, findings, notices=self._answer(None).notices)

    def unreadable(self, path: Path, display: str, reason: str) -> FileResult:
        """A file that cannot be read (a dangling symlink, a symlink loop, no permission):
        one NXA003 finding for it, and the run goes on."""
        setup = self.setup(path)
        doc = skipped(display, f"cannot read the file: {reason}; not checked")
        ctx = setup.resolver.context_with(path, _NOT_READ)
        findings = self._run(doc, ctx, self.selection_for(path))
        return FileResult(display, path, doc, ctx, findings, notices=self._answer(None).notices)

    def fix(self, result: FileResult) -> FixOutcome:
        """SAFE fixes of a checked file applied to a fixpoint (the one fix engine)."""
        assert result.doc is not None
        return fix_document(result.doc, result.findings,
                            self._recheck(result.path, result.display_path, result.context))

    def rechecker(self, result: FileResult) -> Callable[[bytes], tuple[ParsedDocument,
                                                                         list[Finding]]]:
        """Checks new bytes of a checked file as `fix` does (for a batch built elsewhere)."""
        return self._recheck(result.path, result.display_path, result.context)

    def _recheck(self, path: Path | None, display: str | None,
                 ctx: FileContext) -> Callable[[bytes], tuple[ParsedDocument, list[Finding]]]:
        resolver, selection = self.setup(path).resolver, self.selection_for(path)

        def recheck(source: bytes) -> tuple[ParsedDocument, list[Finding]]:
            doc = load_document(source, display, self.max_bytes)
            # The committed baseline (NXA301) is the same file's, whatever the fixes did.
            fixed = replace(resolver.context_for(doc, path), baseline=ctx.baseline)
            return doc, self._run(doc, fixed, selection)

        return recheck

    def _run(self, doc: ParsedDocument, ctx: FileContext, selection: Selection) -> list[Finding]:
        found = [f for part in check_steps(doc, ctx, self.indexes, selection) for f in part]
        return finish(doc, ctx, self.indexes, selection, found)

    # -- open documents, as the editor holds them ------------------------------------------

    def slow_steps(self, uri: str) -> Iterator[SlowStep]:
        """What must run before `diagnose(uri)` answers without blocking: reading the
        workspace's modules, then opening the option indexes the file needs (each once).
        A generator: run each step before asking for the next (the context that says which
        indexes are needed is read after the workspace)."""
        entry = self.documents.get(uri)
        if entry is None:
            return
        resolver = self.setup(entry.path).resolver
        if entry.path is not None and not resolver.is_prepared(entry.path):
            path = entry.path
            yield SlowStep("Reading the workspace's modules", lambda: resolver.prepare(path))
        ctx = self.context_of(entry)
        provider = self.indexes
        for system, pin in (("nixos", ctx.nixos), ("home-manager", ctx.home_manager)):
            if pin is None:
                continue
            key = (system, provider.effective_release(system, pin))  # type: ignore[attr-defined]
            if key not in self._warmed:
                yield SlowStep(f"Opening the {system} {key[1]} option index",
                               lambda s=system, p=pin, k=key: self._warm(s, p, k))

    def _warm(self, system: str, pin: Any, key: tuple[str, str]) -> None:
        self.indexes.get(system, pin)
        self._warmed.add(key)

    def diagnose(self, uri: str) -> Iterator[Answer[list[Finding]] | None]:
        """The findings of an open document's current version, rule by rule: `None` between
        two rules (the server answers other requests and gives up on a stale version
        there), the answer last. The findings are kept for that version ("fix all")."""
        entry = self.documents.get(uri)
        if entry is None:
            return
        version, doc = entry.version, entry.doc
        setup = self.setup(entry.path)
        selection = self.selection_for(entry.path)
        ctx = self.context_of(entry)
        found: list[Finding] = []
        if not setup.excluded:
            for part in check_steps(doc, ctx, self.indexes, selection):
                found += part
                yield None
        findings = finish(doc, ctx, self.indexes, selection, found)
        current = self.documents.get(uri)
        if current is not None and current.version == version:
            self._analyses[uri] = (version, findings)
        yield self._answer(findings)

    def context_of(self, entry: OpenDocument) -> FileContext:
        cached = self._contexts.get(entry.uri)
        if cached is not None and cached[0] == entry.version:
            return cached[1]
        ctx = self.setup(entry.path).resolver.context_for(entry.doc, entry.path)
        baseline = self._editor_baseline(entry)
        if baseline is not None:
            ctx = replace(ctx, baseline=baseline)
        self._contexts[entry.uri] = (entry.version, ctx)
        return ctx

    def _editor_baseline(self, entry: OpenDocument) -> Baseline | None:
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

    def close_document(self, uri: str) -> None:
        self.documents.close(uri)
        self._contexts.pop(uri, None)
        self._baselines.pop(uri, None)
        self._analyses.pop(uri, None)

    def findings_of(self, entry: OpenDocument) -> list[Finding] | None:
        """The findings last computed for the document's current version, if any."""
        kept = self._analyses.get(entry.uri)
        return kept[1] if kept is not None and kept[0] == entry.version else None

    def fix_all(self, entry: OpenDocument) -> Answer[FixOutcome | None]:
        """"Fix all" in the editor: the fix engine over the current version's findings."""
        findings = self.findings_of(entry)
        if findings is None or entry.doc.skipped or not any(map(safe_fix, findings)):
            return self._answer(None)
        ctx = self.context_of(entry)
        outcome = fix_document(entry.doc, findings,
                               self._recheck(entry.path, entry.doc.path, ctx))
        return self._answer(outcome if outcome.changed else None)

    def lines_for(self, path: Path) -> LineIndex | None:
        """Positions in another file an edit touches: its open version, else the disk."""
        for entry in self.documents:
            if entry.path == path:
                return entry.doc.lines
        try:
            return LineIndex(path.read_bytes())
        except OSError:
            return None

    # -- hover, completion, code actions --------------------------------------------------

    def hover(self, entry: OpenDocument, offset: int) -> Answer[Any]:
        from nixls_assist.features.hover import hover_at

        result = hover_at(entry.doc, self.context_of(entry), self.indexes, offset,
                          self._references_for(entry.path))
        return self._answer(result)

    def completion(self, entry: OpenDocument, offset: int, limit: int) -> Answer[Any]:
        from nixls_assist.features.completion import complete_at

        return self._answer(complete_at(entry.doc, self.context_of(entry), self.indexes,
                                        offset, limit))

    def code_actions(self, entry: OpenDocument, offset: int, requested: list[Finding],
                     quickfix: bool, fix_all: bool) -> Answer[list[Any]]:
        """Quick fixes of the `requested` findings, "ignore here", declaring packages, and
        (with `fix_all`) the fix engine's result as one action."""
        from nixls_assist.features import code_actions as actions

        found: list[actions.Action] = []
        if quickfix:
            for finding in requested:
                found += actions.quick_fixes(finding)
                found += filter(None, [actions.ignore_here(entry.doc, finding)])
            found += actions.declare_actions(
                entry.doc, self.context_of(entry), requested, offset,
                lambda: self._workspace_files_for(entry), self._imperative_packages)
        if fix_all:
            outcome = self.fix_all(entry).value
            edit = as_one_edit(entry.doc.source, outcome.doc.source) if outcome else None
            if edit is not None:
                found.append(actions.Action(actions.FIX_ALL_TITLE, actions.FIX_ALL, (edit,)))
        return self._answer(found)

    def _workspace_files_for(self, entry: OpenDocument) -> list[Any]:
        """The workspace of a document (its flake, else the editor's folder), open buffers
        first: where an NXA401 fix may put a package."""
        from nixls_assist.features.workspace_files import workspace_files

        ctx = self.context_of(entry)
        root = ctx.lock_path.parent if ctx.lock_path is not None else (
            self.roots[0] if self.roots else entry.path.parent if entry.path else None)
        if root is None:
            return []
        resolver = self.setup(entry.path).resolver
        opened = {e.path.resolve(): e.doc for e in self.documents if e.path is not None}
        return workspace_files([root], lambda doc, path: resolver.context_for(doc, path).kind,
                               opened)

    def files_under(self, paths: list[Path]) -> list[Any]:
        """The `*.nix` files under `paths` as `features.declare_package.WorkspaceFile`s,
        each with its kind (as the default context settings classify it)."""
        from nixls_assist.features.workspace_files import workspace_files

        resolver = ContextResolver()
        return workspace_files(paths, lambda doc, path: resolver.context_for(doc, path).kind)

    def _imperative_packages(self) -> list[Any]:
        """Packages in the user's `nix-env` / `nix profile` profiles (manifests, never run)."""
        from nixls_assist.features.profiles import ProfileError, default_profiles, read_profile

        packages: list[Any] = []
        for profile in self.profiles or default_profiles():
            try:
                packages += [entry.package for entry in read_profile(profile)]
            except ProfileError as exc:
                self._notices.append(str(exc))
        return packages

    def _references_for(self, path: Path | None) -> Any:
        """Notes from the `skillReferences` setting plus the project config's."""
        dirs = self.skill_reference_dirs + self.setup(path).skill_references
        if self._references is None or self._references[0] != dirs:
            from nixls_assist.features.skill_references import load_references

            library = load_references(dirs)
            self._notices.extend(library.problems)
            self._references = (dirs, library)
        return self._references[1]
