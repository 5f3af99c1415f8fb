"""Per-file context: its kind, and the nixpkgs / home-manager releases it is pinned to."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from nixls_assist.context.channels import channel_pin
from nixls_assist.context.filekind import Classification, FileKind, classify
from nixls_assist.context.flake_lock import FlakeLock, LockError, read_flake_lock
from nixls_assist.context.git import Baseline
from nixls_assist.context.release import ReleasePin, pin_from_node
from nixls_assist.context.workspace import WorkspaceHints, scan_workspace
from nixls_assist.syntax.document import ParsedDocument
from option_index.index import OptionIndex
from option_index.workspace import user_module_index


@dataclass(frozen=True)
class FileContext:
    path: Path | None
    classification: Classification
    nixos: ReleasePin | None = None
    home_manager: ReleasePin | None = None
    lock_path: Path | None = None
    notices: tuple[str, ...] = field(default=())  # problems worth one info (e.g. broken lock)
    # Options declared by the workspace's own modules: valid whatever the release says.
    workspace_options: OptionIndex | None = None
    lock: FlakeLock | None = None  # the parsed lock at lock_path (flake rules read its graph)
    lock_error: str | None = None  # why the lock at lock_path could not be read
    # An earlier version of the file (git HEAD, or on disk at open) for NXA301; see context/git.py.
    baseline: Baseline | None = None

    @property
    def kind(self) -> FileKind:
        return self.classification.kind

    def pin_for(self, kind: FileKind) -> ReleasePin | None:
        return self.home_manager if kind is FileKind.HOME_MANAGER else self.nixos


@dataclass(frozen=True)
class ContextSettings:
    release: str | None = None  # user override, already normalised
    nixpkgs_input: str = "nixpkgs"
    home_manager_input: str = "home-manager"
    # Files outside any flake fall back to the channels' nixpkgs / home-manager (channels.py).
    channels: bool = True


class ContextResolver:
    """Finds and caches `flake.lock` files and workspace structure for many files."""

    def __init__(self, settings: ContextSettings | None = None) -> None:
        self.settings = settings or ContextSettings()
        self._locks: dict[Path, FlakeLock | LockError | None] = {}
        self._hints: dict[Path, WorkspaceHints] = {}
        self._declared: dict[Path, OptionIndex] = {}
        self._channels: tuple[ReleasePin | None, ReleasePin | None] | None = None

    def context_for(self, doc: ParsedDocument, path: Path | None) -> FileContext:
        path = path.resolve() if path is not None else None
        lock_path, lock = self._nearest_lock(path.parent) if path is not None else (None, None)
        notices: list[str] = []
        nixos = home_manager = None
        if isinstance(lock, LockError):
            notices.append(str(lock))
        elif lock is not None:
            nixos = self._pin(lock, self.settings.nixpkgs_input)
            home_manager = self._pin(lock, self.settings.home_manager_input) or nixos
        elif path is not None and self.settings.channels and not _inside_flake(path):
            nixos, home_manager = self._channel_pins()
        if self.settings.release is not None:
            override = ReleasePin(self.settings.release, None, "set by --release / configuration",
                                  via="--release / configuration")
            nixos = home_manager = override
        classification = self._classify(doc, path, lock_path)
        root = self._workspace_root(path, lock_path)
        return FileContext(
            path, classification, nixos, home_manager, lock_path, tuple(notices),
            workspace_options=self._declared_options(root) if root is not None else None,
            lock=lock if isinstance(lock, FlakeLock) else None,
            lock_error=str(lock) if isinstance(lock, LockError) else None,
        )

    def prepare(self, path: Path) -> None:
        """Do the workspace-wide reading a file's context needs (its flake.lock, the module
        structure, the options the workspace declares) ahead of time: the server runs this
        off its event loop the first time it meets a workspace."""
        path = path.resolve()
        lock_path, _ = self._nearest_lock(path.parent)
        if lock_path is not None and lock_path.parent not in self._hints:
            self._hints[lock_path.parent] = scan_workspace(lock_path.parent)
        root = self._workspace_root(path, lock_path)
        if root is not None:
            self._declared_options(root)

    def is_prepared(self, path: Path) -> bool:
        path = path.resolve()
        lock_path, _ = self._nearest_lock(path.parent)
        root = self._workspace_root(path, lock_path)
        return root is None or root in self._declared

    def _workspace_root(self, path: Path | None, lock_path: Path | None) -> Path | None:
        if lock_path is not None:
            return lock_path.parent
        if path is None:
            return None
        for candidate in path.parents:
            if (candidate / ".git").exists() or (candidate / "flake.nix").is_file():
                return candidate
        return None

    def _declared_options(self, root: Path) -> OptionIndex:
        """Options the workspace's own modules declare, extracted once per root."""
        if root not in self._declared:
            self._declared[root] = user_module_index([root])
        return self._declared[root]

    def _classify(
        self, doc: ParsedDocument, path: Path | None, lock_path: Path | None
    ) -> Classification:
        classification = classify(doc, path)
        if path is None or lock_path is None or classification.kind is FileKind.FLAKE:
            return classification
        root = lock_path.parent
        if root not in self._hints:
            self._hints[root] = scan_workspace(root)
        hint = self._hints[root].kind_of(path)
        return hint if hint is not None else classification

    def _nearest_lock(self, directory: Path) -> tuple[Path | None, FlakeLock | LockError | None]:
        for candidate in (directory, *directory.parents):
            lock_path = candidate / "flake.lock"
            if lock_path in self._locks:
                return lock_path, self._locks[lock_path]
            if lock_path.is_file():
                try:
                    self._locks[lock_path] = read_flake_lock(lock_path)
                except LockError as exc:
                    self._locks[lock_path] = exc
                return lock_path, self._locks[lock_path]
            if (candidate / ".git").exists() or (candidate / "flake.nix").is_file():
                return None, None  # a repository / flake boundary without a lock
        return None, None

    def _pin(self, lock: FlakeLock, input_name: str) -> ReleasePin | None:
        node = lock.resolve([input_name])
        if node is None:
            return None
        label = "flake.lock"
        return pin_from_node(node, input_name, label)

    def _channel_pins(self) -> tuple[ReleasePin | None, ReleasePin | None]:
        if self._channels is None:
            nixos = channel_pin("nixos")
            self._channels = (nixos, channel_pin("home-manager") or nixos)
        return self._channels

    def invalidate(self, path: Path | None = None) -> None:
        """Forget cached locks and workspace hints (a flake.lock or flake.nix changed)."""
        self._channels = None
        self._locks.clear()
        self._hints.clear()
        self._declared.clear()


def _inside_flake(path: Path) -> bool:
    """A flake (with or without its lock) between the file and its repository root."""
    for candidate in path.parents:
        if (candidate / "flake.nix").is_file():
            return True
        if (candidate / ".git").exists():
            return False
    return False
