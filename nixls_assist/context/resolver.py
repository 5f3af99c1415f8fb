"""Per-file context: its kind, and the nixpkgs / home-manager releases it is pinned to."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from nixls_assist.context.channels import channel_pin
from nixls_assist.context.filekind import Classification, FileKind, classify
from nixls_assist.context.flake_lock import FlakeLock, LockError, read_flake_lock
from nixls_assist.context.fleet import Fleet, build_fleet
from nixls_assist.context.git import Baseline
from nixls_assist.context.release import ReleasePin, pin_from_node
from nixls_assist.context.secret_files import SecretWorkspace, scan_secret_files
from nixls_assist.context.support import LockAge
from nixls_assist.context.workspace import Membership, WorkspaceHints, scan_workspace
from nixls_assist.syntax.document import ParsedDocument
from option_index.index import OptionIndex
from option_index.sources.extract_cache import ExtractCache
from option_index.sources.nix_files import resolve_file
from option_index.sources.workspace import extract_workspace, extraction_digest, user_module_index


@dataclass(frozen=True)
class FileContext:
    path: Path | None
    classification: Classification
    nixos: ReleasePin | None = None
    home_manager: ReleasePin | None = None
    lock_path: Path | None = None
    notices: tuple[str, ...] = field(default=())  # problems worth one info (e.g. broken lock)
    # Options declared by the workspace's own modules (valid whatever the release says),
    # read on first use: most files never need them.
    declared_options: Callable[[], OptionIndex] | None = None
    lock: FlakeLock | None = None  # the parsed lock at lock_path (flake rules read its graph)
    lock_error: str | None = None  # why the lock at lock_path could not be read
    # An earlier version of the file (git HEAD, or on disk at open) for NXA301; see context/git.py.
    baseline: Baseline | None = None
    # The date the lifecycle rules (NXA601/602) judge by: the front-end's clock, or a fixed
    # date (tests, `check --today`). None: those rules stay silent.
    today: dt.date | None = None
    lock_age: LockAge = field(default_factory=LockAge)
    # A flake.nix between the file and its repository root (lock or not): `<nixpkgs>` is
    # then impure (NXA603); in a channel configuration it is the normal way.
    in_flake: bool = False
    # The flake's configurations that use the file (the fleet graph); None: the flake has
    # none, or the file is outside a flake.
    membership: Membership | None = None
    # The workspace's secret files and registries (agenix, sops-nix), read on first use.
    secret_files: Callable[[], SecretWorkspace] | None = None
    # The fleet graph of the workspace's flake (context/fleet.py), built on first use: only
    # NXA214 on a rules file and the secret hover ask for it.
    fleet_graph: Callable[[], Fleet] | None = None

    @property
    def secrets(self) -> SecretWorkspace | None:
        return self.secret_files() if self.secret_files is not None else None

    @property
    def fleet(self) -> Fleet | None:
        return self.fleet_graph() if self.fleet_graph is not None else None

    @property
    def kind(self) -> FileKind:
        return self.classification.kind

    @property
    def workspace_options(self) -> OptionIndex | None:
        return self.declared_options() if self.declared_options is not None else None

    def pin_for(self, kind: FileKind) -> ReleasePin | None:
        return self.home_manager if kind is FileKind.HOME_MANAGER else self.nixos

    @property
    def lock_problem(self) -> str | None:
        """Why the lock above the file cannot be used, naming it relative to the file:
        "`../../flake.lock` is not valid JSON (…)"."""
        if self.lock_error is None or self.lock_path is None:
            return None
        reason = self.lock_error.removeprefix(f"{self.lock_path}: ")
        where = (os.path.relpath(self.lock_path, self.path.parent) if self.path is not None
                 else str(self.lock_path))
        return f"`{where}` {reason}"


@dataclass(frozen=True)
class ContextSettings:
    release: str | None = None  # user override, already normalised
    nixpkgs_input: str = "nixpkgs"
    home_manager_input: str = "home-manager"
    # Files outside any flake fall back to the channels' nixpkgs / home-manager (channels.py).
    channels: bool = True
    today: dt.date | None = None  # None: the clock, read when a context is made
    lock_age: LockAge = field(default_factory=LockAge)


_STORE_RECHECK_SECONDS = 30.0


@dataclass(frozen=True)
class _Declared:
    """The options a workspace root declares, extracted by the resolver when first asked."""

    resolver: ContextResolver
    root: Path

    def __call__(self) -> OptionIndex:
        return self.resolver._declared_options(self.root)


@dataclass(frozen=True)
class _Secrets:
    """The secret files of a workspace root, scanned by the resolver when first asked."""

    resolver: ContextResolver
    root: Path

    def __call__(self) -> SecretWorkspace:
        return self.resolver._secret_files(self.root)


@dataclass(frozen=True)
class _FleetOf:
    """The fleet graph of a workspace root, built by the resolver when first asked."""

    resolver: ContextResolver
    root: Path

    def __call__(self) -> Fleet:
        return self.resolver.fleet_of(self.root)


class ContextResolver:
    """Finds and caches `flake.lock` files and workspace structure for many files."""

    def __init__(self, settings: ContextSettings | None = None, *,
                 extract_cache: ExtractCache | None = None) -> None:
        self.settings = settings or ContextSettings()
        # Per-file extraction results kept across runs (the CLI's cache); None: in memory.
        self._extract_cache = extract_cache
        self._fingerprints: dict[Path, str] = {}
        self._locks: dict[Path, FlakeLock | LockError | None] = {}
        self._hints: dict[Path, WorkspaceHints] = {}
        self._declared: dict[Path, OptionIndex] = {}
        self._secrets: dict[Path, SecretWorkspace] = {}
        # The one fleet graph per flake root, with the flake.nix / flake.lock stamps it was
        # built from; every front-end question about configurations goes through it.
        self._fleets: dict[Path, tuple[tuple[tuple[int, int], ...], Fleet]] = {}
        self._channels: tuple[ReleasePin | None, ReleasePin | None] | None = None
        self._places: dict[Path, _Place] = {}
        # (holds flake.lock, holds .git, holds flake.nix) per directory: every walk up the
        # tree (nearest lock, boundary, inside a flake) looks at a directory once
        self._marks: dict[Path, tuple[bool, bool, bool]] = {}
        self._pins: dict[tuple[Path, str], tuple[ReleasePin | None, float]] = {}

    def context_for(self, doc: ParsedDocument, path: Path | None) -> FileContext:
        path = resolve_file(path) if path is not None else None
        place = self._place(path.parent) if path is not None else None
        lock_path = place.lock_path if place is not None else None
        return self._context(path, place, self._classify(doc, path, lock_path))

    def context_with(self, path: Path, classification: Classification) -> FileContext:
        """The context `context_for` gives a file of this `classification` (already known,
        e.g. from a cached result), without reading the document. `path` is resolved."""
        return self._context(path, self._place(path.parent), classification)

    def workspace_hint(self, path: Path) -> Classification | None:
        """How the flake's module structure classifies the (resolved) file, if it does: with
        the document, this decides its classification (`_classify`)."""
        lock_path = self._place(path.parent).lock_path
        return None if lock_path is None else self._hints_of(lock_path.parent).kinds.get(path)

    def workspace_fingerprint(self, path: Path) -> str | None:
        """A digest of the options the (resolved) file's workspace declares, or None."""
        root = self._place(path.parent).root
        if root is None:
            return None
        self._declared_options(root)
        secrets = self._secret_files(root)
        parts = [self._fingerprints[root], secrets.fingerprint]
        if secrets.registry_at(path) is not None:  # NXA214 reads every other .nix file
            parts.append(secrets.nix_fingerprint)
        return ":".join(parts)

    def _context(self, path: Path | None, place: _Place | None,
                 classification: Classification) -> FileContext:
        lock_path, lock = (place.lock_path, place.lock) if place is not None else (None, None)
        notices: list[str] = []
        nixos = home_manager = None
        if isinstance(lock, LockError):
            notices.append(str(lock))
        elif lock is not None:
            nixos = self._pin(lock_path, lock, self.settings.nixpkgs_input)
            home_manager = self._pin(lock_path, lock, self.settings.home_manager_input) or nixos
        elif place is not None and self.settings.channels and not place.inside_flake:
            nixos, home_manager = self._channel_pins()
        if self.settings.release is not None:
            override = ReleasePin(self.settings.release, None, "set by --release / configuration",
                                  via="--release / configuration")
            nixos = home_manager = override
        root = place.root if place is not None else None
        membership = None
        if path is not None and lock_path is not None:
            membership = self._hints_of(lock_path.parent).membership(path)
        return FileContext(
            path, classification, nixos, home_manager, lock_path, tuple(notices),
            declared_options=_Declared(self, root) if root is not None else None,
            secret_files=_Secrets(self, root) if root is not None else None,
            fleet_graph=_FleetOf(self, root) if root is not None else None,
            lock=lock if isinstance(lock, FlakeLock) else None,
            lock_error=str(lock) if isinstance(lock, LockError) else None,
            today=self.settings.today or dt.datetime.now(dt.UTC).date(),
            lock_age=self.settings.lock_age,
            in_flake=place.inside_flake if place is not None else False,
            membership=membership,
        )

    def _place(self, directory: Path) -> _Place:
        """The lock, workspace root and flake boundary of a (resolved) directory, found once
        per directory: every file in it shares them."""
        place = self._places.get(directory)
        if place is None:
            lock_path, lock = self._nearest_lock(directory)
            root = lock_path.parent if lock_path is not None else self._boundary(directory)
            place = self._places[directory] = _Place(lock_path, lock, root,
                                                     self._inside_flake(directory))
        return place

    def prepare(self, path: Path) -> None:
        """Do the workspace-wide reading a file's context needs (its flake.lock, the module
        structure, the options the workspace declares) ahead of time: the server runs this
        off its event loop the first time it meets a workspace."""
        place = self._place(path.resolve().parent)
        lock_path, root = place.lock_path, place.root
        if lock_path is not None:
            self._hints_of(lock_path.parent)
        if root is not None:
            self._declared_options(root)
            secrets = self._secret_files(root)
            if secrets.registries or secrets.sops_configs:
                self.fleet_of(root)  # the secret hover and NXA214 ask for it

    def is_prepared(self, path: Path) -> bool:
        place = self._place(path.resolve().parent)
        if place.lock_path is not None and place.lock_path.parent not in self._hints:
            return False
        return place.root is None or place.root in self._declared

    def invalidate_structure(self) -> None:
        """A module file was saved, created or deleted: build the fleet graph and the
        module structure again (on next use: `prepare` does it off the event loop)."""
        self._hints.clear()
        self._fleets.clear()

    def _declared_options(self, root: Path) -> OptionIndex:
        """Options the workspace's own modules declare, extracted once per root."""
        if root not in self._declared:
            found = extract_workspace([root], cache=self._extract_cache)
            self._fingerprints[root] = extraction_digest(found)
            self._declared[root] = user_module_index([root], extraction=found)
        return self._declared[root]

    def _secret_files(self, root: Path) -> SecretWorkspace:
        if root not in self._secrets:
            self._secrets[root] = scan_secret_files(root)
        return self._secrets[root]

    def fleet_of(self, root: Path) -> Fleet:
        """The fleet graph of the flake at `root`: built once, again after
        `invalidate_structure` or when `flake.nix` / `flake.lock` changed on disk."""
        stamp = _stamp(root)
        cached = self._fleets.get(root)
        if cached is None or cached[0] != stamp:
            cached = self._fleets[root] = (stamp, build_fleet(root))
            self._hints.pop(root, None)  # its structure came from the old graph
        return cached[1]

    def _hints_of(self, root: Path) -> WorkspaceHints:
        if root not in self._hints:
            fleet = self.fleet_of(root) if (root / "flake.nix").is_file() else None
            self._hints[root] = scan_workspace(root, fleet=fleet)
        return self._hints[root]

    def _classify(
        self, doc: ParsedDocument, path: Path | None, lock_path: Path | None
    ) -> Classification:
        classification = classify(doc, path)
        if path is None or lock_path is None or classification.kind is FileKind.FLAKE:
            return classification
        hint = self._hints_of(lock_path.parent).kinds.get(path)  # `path` is resolved already
        return hint if hint is not None else classification

    def _nearest_lock(self, directory: Path) -> tuple[Path | None, FlakeLock | LockError | None]:
        for candidate in (directory, *directory.parents):
            has_lock, has_git, has_flake = self._marks_of(candidate)
            if has_lock:
                lock_path = candidate / "flake.lock"
                if lock_path not in self._locks:
                    try:
                        self._locks[lock_path] = read_flake_lock(lock_path)
                    except LockError as exc:
                        self._locks[lock_path] = exc
                return lock_path, self._locks[lock_path]
            if has_git or has_flake:
                return None, None  # a repository / flake boundary without a lock
        return None, None

    def _marks_of(self, directory: Path) -> tuple[bool, bool, bool]:
        marks = self._marks.get(directory)
        if marks is None:
            base = str(directory)
            marks = self._marks[directory] = (
                os.path.isfile(os.path.join(base, "flake.lock")),
                os.path.exists(os.path.join(base, ".git")),
                os.path.isfile(os.path.join(base, "flake.nix")))
        return marks

    def _boundary(self, directory: Path) -> Path | None:
        """The nearest enclosing repository or flake directory."""
        for candidate in (directory, *directory.parents):
            _, has_git, has_flake = self._marks_of(candidate)
            if has_git or has_flake:
                return candidate
        return None

    def _inside_flake(self, directory: Path) -> bool:
        """A flake (with or without its lock) between a file's directory and its repository
        root."""
        for candidate in (directory, *directory.parents):
            _, has_git, has_flake = self._marks_of(candidate)
            if has_flake:
                return True
            if has_git:
                return False
        return False

    def _pin(self, lock_path: Path, lock: FlakeLock, input_name: str) -> ReleasePin | None:
        """The input's pin, computed once per lock: a pin whose source tree was not in the
        Nix store is looked up again after a while (a build may fetch it meanwhile)."""
        key = (lock_path, input_name)
        cached = self._pins.get(key)
        now = time.monotonic()
        if cached is not None and (cached[0] is None or cached[0].source_path is not None
                                   or now - cached[1] < _STORE_RECHECK_SECONDS):
            return cached[0]
        node = lock.resolve([input_name])
        pin = pin_from_node(node, input_name, "flake.lock") if node is not None else None
        self._pins[key] = (pin, now)
        return pin

    def _channel_pins(self) -> tuple[ReleasePin | None, ReleasePin | None]:
        if self._channels is None:
            nixos = channel_pin("nixos")
            self._channels = (nixos, channel_pin("home-manager") or nixos)
        return self._channels

    def release_extract_cache(self) -> None:
        """Stop using the extraction cache (its owner closes it)."""
        self._extract_cache = None

    def invalidate(self, path: Path | None = None) -> None:
        """Forget cached locks and workspace hints (a flake.lock or flake.nix changed)."""
        self._channels = None
        self._locks.clear()
        self._places.clear()
        self._marks.clear()
        self._pins.clear()
        self._hints.clear()
        self._declared.clear()
        self._secrets.clear()
        self._fleets.clear()
        self._fingerprints.clear()


def _stamp(root: Path) -> tuple[tuple[int, int], ...]:
    stamps = []
    for name in ("flake.nix", "flake.lock"):
        try:
            stat = (root / name).stat()
            stamps.append((stat.st_mtime_ns, stat.st_size))
        except OSError:
            stamps.append((0, 0))
    return tuple(stamps)


@dataclass(frozen=True)
class _Place:
    lock_path: Path | None
    lock: FlakeLock | LockError | None
    root: Path | None  # the workspace root: the lock's directory, else the repository / flake
    inside_flake: bool
