"""Per-session state of the server: the editor's settings and folders, and the workspace
that answers (the analysis layer); the settings become the workspace's `Overrides`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from nixls_assist.analysis import Overrides, Workspace, normalise_release
from nixls_assist.findings import Severity
from nixls_assist.server.settings import Settings


class Session:
    def __init__(self) -> None:
        self.settings = Settings()
        # store_builds="background": an index of the pinned source in the Nix store is
        # built in a worker thread; until then the release index answers (issue 10)
        self.workspace = Workspace(overrides_from(self.settings), strict_config=False,
                                   store_builds="background",
                                   on_store_index=self._store_index_ready)
        # Called (from a worker thread) when an index of a pinned source in the Nix store
        # is ready; the server re-checks the open documents. Set once the loop runs.
        self.on_index_ready: Callable[[str], None] | None = None

    @property
    def roots(self) -> list[Path]:
        return self.workspace.roots

    @roots.setter
    def roots(self, roots: list[Path]) -> None:
        self.workspace.set_roots(roots)
        self._paths_from_settings()

    def apply_settings(self, settings: Settings) -> bool:
        """Use `settings`; True when they differ from the current ones."""
        if settings == self.settings:
            return False
        self.settings = settings
        self.workspace.set_overrides(overrides_from(settings))
        self._paths_from_settings()
        return True

    def _paths_from_settings(self) -> None:
        self.workspace.set_downloads(self.settings.download_sources, self.settings.source_url)
        self.workspace.skill_reference_dirs = tuple(
            self._expand(d) for d in self.settings.skill_references)
        self.workspace.profiles = tuple(Path(p).expanduser() for p in self.settings.profiles)

    def _expand(self, directory: str) -> Path:
        path = Path(directory).expanduser()
        if not path.is_absolute() and self.roots:
            path = self.roots[0] / path
        return path

    def _store_index_ready(self, label: str) -> None:
        if self.on_index_ready is not None:
            self.on_index_ready(label)

    def close(self) -> None:
        """Stop background index builds (server shutdown)."""
        self.workspace.close()


def overrides_from(settings: Settings) -> Overrides:
    """The editor settings play the part of `check`'s command-line flags."""
    s = settings
    return Overrides(
        select=tuple(c.upper() for c in s.select) or None,
        ignore=tuple(c.upper() for c in s.ignore),
        severities={c.upper(): Severity.parse(v) for c, v in s.severities.items()},
        release=normalise_release(s.release) if s.release else None,
        nixpkgs_input=s.nixpkgs_input if s.nixpkgs_input != "nixpkgs" else None,
        home_manager_input=s.home_manager_input if s.home_manager_input != "home-manager"
        else None)
